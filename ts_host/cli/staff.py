"""``ts-admin staff add|list|disable``: staff accounts of the establishment office."""

from __future__ import annotations

from ..contract import hookimpl
from ..staff import commands
from .core import INI_HELP, Environment, HostCommand

HELP = "comptes du personnel de l'espace de gestion (/gestion/)"


def cmd_staff(env: Environment, args) -> int:
    with env.tm:
        if args.action == "add":
            link = commands.add_staff(
                env.site,
                env.registry.ts_hasher,
                env.academy,
                args.login,
                args.name,
                args.email,
                args.role,
                args.uai or [],
            )
            print(f"Compte {args.login} créé. Lien d'activation (7 jours, une seule fois) :")
            print(link)
        elif args.action == "list":
            for line in commands.list_staff(env.site):
                print(line)
        else:
            commands.disable_staff(env.site, args.login)
            print(f"Compte {args.login} désactivé.")
    return 0


def configure(parser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, help_text in (
        ("add", "ouvre un compte et affiche son lien d'activation"),
        ("list", "liste les comptes du personnel"),
        ("disable", "désactive un compte et met fin à ses sessions"),
    ):
        p = actions.add_parser(name, help=help_text, description=help_text)
        p.add_argument("ini", help=INI_HELP)
        if name in ("add", "disable"):
            p.add_argument("--login", required=True, help="identifiant du compte")
        if name == "add":
            p.add_argument("--name", required=True, help="nom et prénom")
            p.add_argument("--email", required=True, help="adresse e-mail professionnelle")
            p.add_argument(
                "--role",
                default="academie",
                help="academie (défaut), etablissement ou vie_scolaire",
            )
            p.add_argument("--uai", action="append", help="établissement (répéter pour plusieurs)")


@hookimpl(tryfirst=True)
def ts_admin_commands():
    return [HostCommand("staff", HELP, configure, cmd_staff, ini=False)]
