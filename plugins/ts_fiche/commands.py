"""``ts-admin fiche export|apply``: the round trip with the school's software."""

from pathlib import Path

from ts_host.api import AdminCommand, CommandError

from .exports import IMPORT_FORMAT, apply_accepted, export_pending


def configure(parser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    export = actions.add_parser(
        "export", help="écrit les demandes en attente (CSV) et les marque transmises"
    )
    export.add_argument("output", help="fichier CSV à écrire")
    export.add_argument("--uai", help="seulement cet établissement")
    apply = actions.add_parser(
        "apply", help="applique les demandes acceptées", description=IMPORT_FORMAT.help
    )
    apply.add_argument("file", help="fichier CSV des décisions")


def run(site, academy, args) -> int:
    if args.action == "export":
        if args.uai and academy.establishment(args.uai) is None:
            raise CommandError(f"établissement inconnu : {args.uai}")
        count = export_pending(site, academy, args.output, uai=args.uai)
        print(f"{count} demandes transmises dans {args.output}.")
        return 0
    path = Path(args.file)
    if not path.is_file():
        raise CommandError(f"fichier introuvable : {path}")
    summary = apply_accepted(site, academy, path)
    print(f"Décisions appliquées : {summary}.")
    return 0


COMMAND = AdminCommand(
    name="fiche",
    help="demandes de mise à jour de la fiche de renseignements",
    configure=configure,
    run=run,
)
