"""``ts-admin new-plugin``: a new service's distribution, written from the scaffold."""

from __future__ import annotations

from .. import scaffold
from ..contract import hookimpl
from .core import Environment, HostCommand

HELP = "crée un nouveau service, distribution à part (sans fichier de configuration)"


def cmd_new_plugin(env: Environment, args) -> int:
    return scaffold.run(args)


@hookimpl(tryfirst=True)
def ts_admin_commands():
    return [HostCommand("new-plugin", HELP, scaffold.configure, cmd_new_plugin, ini=False)]
