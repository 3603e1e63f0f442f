"""``ts-admin backup`` and ``restore`` with repozo (``ts_host.backup``).

They run beside a live server, or before it starts: they read the ini
file's settings only and never open the application nor the database.
"""

from __future__ import annotations

from pathlib import Path

from .. import backup
from ..audit import audit
from ..contract import hookimpl
from .core import Environment, HostCommand

BACKUP_HELP = "sauvegarde la base (repozo : complète, puis incrémentale), serveur en marche"
PRODUCTION_INI = "fichier de configuration (ex. etc/production.ini)"
RESTORE_HELP = "restaure une sauvegarde dans la base du fichier ini (serveur arrêté)"


def cmd_backup(env: Environment, args) -> int:
    backup.backup(env.ini_settings(), Path(args.destination), full=args.full)
    audit(None, "database.backed_up", destination=args.destination, full=args.full)
    print(f"Sauvegarde écrite dans {args.destination}.")
    return 0


def cmd_restore(env: Environment, args) -> int:
    target = backup.restore(env.ini_settings(), Path(args.source), args.date, args.force)
    audit(None, "database.restored", source=args.source, target=str(target), date=args.date)
    print(f"Base restaurée : {target}.")
    return 0


def configure_backup(parser) -> None:
    parser.add_argument("ini", help=PRODUCTION_INI)
    parser.add_argument("destination", help="dossier des sauvegardes")
    parser.add_argument("--full", action="store_true", help="sauvegarde complète")


def configure_restore(parser) -> None:
    parser.add_argument("ini", help="fichier de configuration de la base à écrire")
    parser.add_argument("source", help="dossier des sauvegardes")
    parser.add_argument("--date", help="état à cette date (UTC) : AAAA-MM-JJ[-HH[-MM[-SS]]]")
    parser.add_argument("--force", action="store_true", help="remplace une base existante")


@hookimpl(tryfirst=True)
def ts_admin_commands():
    return [
        HostCommand("backup", BACKUP_HELP, configure_backup, cmd_backup, ini=False),
        HostCommand("restore", RESTORE_HELP, configure_restore, cmd_restore, ini=False),
    ]
