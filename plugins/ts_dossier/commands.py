"""``ts-admin dossier-documents INI UAI ARCHIVE.zip``: publish a zip of PDFs.

The same check as the office's upload (``documents.check_zip``): every
problem listed, nothing written unless the whole zip is right.  ``--apercu``
lists what would be published and writes nothing.
"""

from __future__ import annotations

import os
from datetime import date

from ts_host.api import AdminCommand, CommandError

from .documents import MAX_ZIP, ZipRefused, check_zip, document_title, publish


def configure(parser) -> None:
    parser.add_argument("uai", help="l'établissement des élèves")
    parser.add_argument("archive", help="l'archive zip : un PDF par fichier, INE_PERIODE.pdf")
    parser.add_argument(
        "--apercu", action="store_true", help="lister ce qui serait publié, sans rien écrire"
    )


def run(site, academy, args) -> int:
    establishment = academy.establishment(args.uai.upper())
    if establishment is None or establishment.uai not in site.establishments:
        raise CommandError(f"établissement inconnu : {args.uai}")
    try:
        size = os.path.getsize(args.archive)
    except OSError as error:
        raise CommandError(f"{args.archive} : {error.strerror}") from None
    if size > MAX_ZIP:
        raise CommandError(f"{args.archive} : l'archive dépasse {MAX_ZIP} octets")
    try:
        checked = check_zip(args.archive, site, establishment)
    except ZipRefused as refused:
        raise CommandError(
            "archive refusée, rien n'a été publié :\n  " + "\n  ".join(refused.problems)
        ) from None
    for item in checked:
        pupil = item.pupil
        title = document_title(item.label, establishment)
        print(f"{pupil.division};{pupil.last_name};{pupil.first_name};{pupil.ine};{title}")
    if args.apercu:
        print(f"{len(checked)} documents à publier (aperçu : rien n'a été écrit).")
        return 0
    counts = publish(site, checked, date.today())
    print(f"Documents publiés : {counts['created']} nouveaux, {counts['updated']} remplacés.")
    return 0


COMMAND = AdminCommand(
    name="dossier-documents",
    help="publie les bulletins et documents d'une archive zip de PDF nommés INE_PERIODE.pdf",
    configure=configure,
    run=run,
)
