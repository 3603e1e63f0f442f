"""``ts-admin gdpr export|erase``: a pupil's data for an access request, or its erasure."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..admin import codes as admin_codes
from ..admin import gdpr as admin_gdpr
from ..audit import audit
from ..contract import CommandError, hookimpl
from ..i18n import of_name
from .core import INI_HELP, Environment, HostCommand, establishment

HELP = "RGPD : exporter les données d'un élève, ou effacer un élève sorti"


def _pupil(env: Environment, args):
    """The ``--uai`` and ``--pupil`` pupil, with its activation codes (inside a transaction)."""
    if not args.pupil:
        raise CommandError("précisez l'élève : --pupil ELEVE_ID (SIECLE) ou identifiant")
    scope = admin_codes.Scope(establishment(env, args.uai).uai, pupil=args.pupil)
    (pupil,) = admin_codes.select(env.site, scope).pupils
    return pupil, admin_codes.CodeIndex(env.site, [pupil.id]).of(pupil.id)


def cmd_erase(env: Environment, args) -> int:
    """Erase a pupil who left; without ``--yes``, say what would go and erase nothing."""
    env.tm.begin()
    try:
        pupil, _codes = _pupil(env, args)
        if pupil.active:
            raise CommandError(
                f"{pupil.first_name} {pupil.last_name.upper()} est encore inscrit : le prochain "
                "import SIECLE le recréerait. Effacez un élève après sa sortie."
            )
        name = f"{pupil.first_name} {pupil.last_name.upper()}"
        erasure = admin_gdpr.erase_pupil(env.site, env.plugins, pupil)
        summary = (
            f"services : {', '.join(erasure.services) or 'aucun'} ; codes : {erasure.codes} ; "
            f"comptes supprimés : {erasure.accounts_removed}, détachés : "
            f"{erasure.accounts_unlinked} ; responsables : {erasure.responsables}"
        )
        if not args.yes:
            env.tm.abort()
            print(f"Effacerait {name} ({summary}).\nRien n'a été effacé : relancez avec --yes.")
            return 1
        audit(None, "gdpr.erased", target=pupil.id, summary=summary)
        env.tm.commit()
    except BaseException:
        env.tm.abort()
        raise
    print(f"{name} effacé ({summary}).")
    return 0


def cmd_export(env: Environment, args) -> int:
    with env.tm:
        pupil, codes = _pupil(env, args)
        document = admin_gdpr.pupil_export(env.site, env.plugins, pupil, codes)
        audit(None, "gdpr.export", target=pupil.id)
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if not args.output:
        sys.stdout.write(text)
        return 0
    Path(args.output).write_text(text, encoding="utf-8")
    print(
        f"Données {of_name(None, pupil.first_name)} {pupil.last_name.upper()} "
        f"écrites dans {args.output} "
        f"({len(document['services'])} services, {len(document['comptes'])} comptes)."
    )
    return 0


ACTIONS = {"export": cmd_export, "erase": cmd_erase}


def cmd_gdpr(env: Environment, args) -> int:
    return ACTIONS[args.action](env, args)


def configure(parser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    def action(name, help_text):
        p = actions.add_parser(name, help=help_text, description=help_text)
        p.add_argument("ini", help=INI_HELP)
        p.add_argument("--uai", help="l'établissement de l'élève, ex. 0541234Y")
        p.add_argument("--pupil", help="l'élève : ELEVE_ID SIECLE ou identifiant")
        return p

    export = action(
        "export", "écrit en JSON tout ce que le portail et ses services savent de l'élève"
    )
    export.add_argument("-o", "--output", help="fichier JSON à écrire (défaut : la sortie)")
    erase = action(
        "erase", "efface un élève sorti et tout ce qui le concerne (sans --yes : ce qui partirait)"
    )
    erase.add_argument("--yes", action="store_true", help="effacer pour de bon")


@hookimpl(tryfirst=True)
def ts_admin_commands():
    return [HostCommand("gdpr", HELP, configure, cmd_gdpr, ini=False)]
