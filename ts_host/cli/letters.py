"""``ts-admin letters``: the information letters carrying the activation codes (PDF)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..admin import codes as admin_codes
from ..admin import reference_day
from ..audit import audit
from ..contract import CommandError, hookimpl
from ..models import CodeKind, CodeState
from .codes import scope, scope_options
from .core import Environment, HostCommand, progress


def cmd_letters(env: Environment, args) -> int:
    # reportlab is imported only by the command that needs it.
    from ..admin import letters

    if not args.output:
        raise CommandError("précisez le fichier PDF à écrire : -o lettres.pdf")
    output = Path(args.output)
    if not output.parent.is_dir():
        raise CommandError(f"dossier introuvable : {output.parent}")
    selected = scope(env, args)
    if len(selected.kinds) != 1:
        selected = replace(selected, kinds=(CodeKind.CAR,))
    letterhead = letters.Letterhead.for_establishment(
        env.academy, env.plugins, selected.uai, reference_day(env.settings)
    )
    with env.tm:
        selection = admin_codes.select(env.site, selected)
        found = admin_codes.rows(
            env.site, selection, [CodeState.UNUSED], not_printed=args.not_printed
        )
        with progress(len(found), "lettre", "Lettres", args.quiet) as bar:
            printing = letters.print_letters(env.site, found, output, letterhead, bar.update)
        if not printing.letters:
            raise CommandError(
                "aucun code inutilisé"
                + (" et non encore imprimé" if args.not_printed else "")
                + " dans cette sélection : rien à imprimer "
                "(ts-admin codes list pour voir les codes)"
            )
        audit(
            None,
            "letters.printed",
            uai=selected.uai,
            count=printing.letters,
            not_printed=args.not_printed,
        )
    print(
        f"{printing.letters} lettres {selected.kinds[0]} écrites dans {output} "
        f"({printing.pages} pages A4)."
    )
    return 0


def configure(parser) -> None:
    scope_options(parser, "CAR (défaut, une lettre par responsable et enfant) ou CAE")
    parser.add_argument("-o", "--output", help="fichier PDF à écrire, ex. lettres.pdf")
    parser.add_argument(
        "--not-printed",
        action="store_true",
        help="seulement les codes dont la lettre n'a jamais été imprimée",
    )
    parser.add_argument("--quiet", action="store_true", help="sans barre de progression")


@hookimpl(tryfirst=True)
def ts_admin_commands():
    return [
        HostCommand(
            "letters",
            "imprime les lettres d'information (PDF, une page par lettre)",
            configure,
            cmd_letters,
        )
    ]
