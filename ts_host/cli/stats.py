"""``ts-admin stats``: per establishment, codes, accounts and logins."""

from __future__ import annotations

from datetime import datetime

from ..admin import stats as admin_stats
from ..contract import hookimpl
from .core import Environment, HostCommand, establishment


def cmd_stats(env: Environment, args) -> int:
    names = {uai: e.name for uai, e in env.academy.establishments.items()}
    if args.uai:
        establishment(env, args.uai)
    with env.tm:
        found = admin_stats.compute(
            env.site, names, datetime.now(), args.uai.upper() if args.uai else None
        )
    for entry in found:
        print("\n".join(entry.lines()))
    return 0


def configure(parser) -> None:
    parser.add_argument("--uai", help="seulement cet établissement")


@hookimpl(tryfirst=True)
def ts_admin_commands():
    return [
        HostCommand("stats", "par établissement : codes, comptes, connexions", configure, cmd_stats)
    ]
