"""The core of ``ts-admin``: the Environment, the parser, ``main()``.

The core knows no command.  The host's own commands and import formats are
pluggy plugins of the host (the modules of :data:`DEFAULT_PLUGINS`), registered
through the same ``ts_admin_commands`` and ``ts_import_formats`` hooks as the
services', before them, the way datasette registers its ``default_*`` modules
next to installed plugins.

Every subcommand takes the ini file first, like Pyramid's own scripts, and
refuses bad arguments with a French message and a non-zero exit, never a
traceback.
"""

from __future__ import annotations

import argparse
import gettext
import importlib
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from pyramid.paster import bootstrap, get_appsettings, setup_logging
from tqdm import tqdm
from transaction.interfaces import NoTransaction
from zc.lockfile import LockError

from ..audit import command_journal
from ..contract import AdminCommand, CommandError, ImportFormat, ImportRejected
from ..establishments import ConfigurationError, EstablishmentConfig
from ..plugins import PluginRegistry
from ..settings import MissingSecret
from ..storage import StorageWithoutBlobs, get_database

#: The host's own plugins, one module per family of commands, in the order
#: ``ts-admin --help`` lists them (before the services' commands).
DEFAULT_PLUGINS = (
    "ts_host.cli.application",
    "ts_host.cli.imports",
    "ts_host.cli.codes",
    "ts_host.cli.letters",
    "ts_host.cli.stats",
    "ts_host.cli.gdpr",
    "ts_host.cli.new_plugin",
    "ts_host.cli.backup",
    "ts_host.cli.staff",
    "ts_host.cli.notify",
)

INI_HELP = "fichier de configuration (ex. etc/development.ini)"


class Environment:
    """What one command works with: settings, plugins, academy, site and transaction.

    The application is opened (Pyramid's ``bootstrap``) the first time one of
    them is asked for, so that a command that needs only the ini file's
    settings (``backup``, which runs beside a live server) never opens the
    database, and a command without ini file (``new-plugin``) opens nothing.
    """

    def __init__(self, ini: str | None) -> None:
        if ini is not None and not Path(ini).is_file():
            raise CommandError(f"fichier de configuration introuvable : {ini}")
        self.ini = ini

    def ini_settings(self) -> dict:
        """The application's settings as the ini file writes them, application closed."""
        return get_appsettings(self.ini)

    @cached_property
    def _application(self) -> dict:
        setup_logging(self.ini)
        opened = bootstrap(self.ini)
        # The import formats are looked up in the application's own plugin
        # manager (it holds the services the settings add too): the host's
        # formats must be there, as in the parser's.
        register_host_plugins(opened["registry"].ts_plugins)
        return opened

    @property
    def registry(self):
        return self._application["registry"]

    @property
    def request(self):
        return self._application["request"]

    @property
    def settings(self) -> dict:
        return self.registry.settings

    @property
    def plugins(self) -> PluginRegistry:
        return self.registry.ts_plugins

    @property
    def academy(self):
        return self.registry.ts_academy

    @property
    def tm(self):
        """The transaction manager: ``with env.tm:`` commits, or aborts on an exception."""
        return self.request.tm

    @property
    def site(self):
        return self.request.site

    def journal_site(self):
        """The site the command's audit events go to in the journal: ``None``
        before the database is opened or outside a transaction (nothing to
        record with, nothing written)."""
        if "_application" not in self.__dict__:
            return None
        try:
            self.tm.get()
        except NoTransaction:
            return None
        return self.site

    def close(self) -> None:
        if "_application" not in self.__dict__:
            return
        self._application["closer"]()
        # Release the FileStorage lock: a second command in the same process
        # (the tests, a script) may open the database again.
        get_database(self.registry).close()


@dataclass(frozen=True)
class HostCommand(AdminCommand):
    """A command of the host itself, registered through ``ts_admin_commands``.

    A service's :class:`AdminCommand` runs inside one transaction with
    ``run(site, academy, args)``.  The host's own commands need more: the
    demo commits in batches, GDPR erasure decides at the end whether to
    commit, a backup must not open the database.  So ``run(env, args)`` is
    given the :class:`Environment` and manages its transactions itself.

    ``ini``: the core adds the ini file argument first (``False`` when
    ``configure`` places it after an action, or the command takes none).
    ``epilog(plugins)``: help text that depends on what is installed (the
    import formats), shown after the arguments by ``--help``.
    """

    run: Callable[[Environment, argparse.Namespace], int]
    ini: bool = True
    epilog: Callable[[PluginRegistry], str] | None = None


@dataclass(frozen=True)
class HostImportFormat(ImportFormat):
    """An import format of the host: one establishment's export, in one file or several.

    A service's :class:`ImportFormat` reads one file: ``run(site, academy,
    path)``.  SIECLE's export is two files, pupils and responsables (``.xml``
    or ``.zip``), that must land in one transaction (responsables point at
    pupils), for the establishment named by ``--uai``, with the settings'
    reference day and a progress bar: the public ``run`` can carry none of
    that.  So the host's formats get ``run(env, establishment, paths, quiet)``
    and return the summary; ``ts-admin import`` prints
    ``Import <title> de <UAI> terminé : <summary>.``
    """

    run: Callable[[Environment, EstablishmentConfig, list[Path], bool], Any]
    title: str = ""


def ini_only(parser: argparse.ArgumentParser) -> None:
    """The ``configure`` of a command that takes the ini file and nothing else."""


def register_host_plugins(plugins: PluginRegistry) -> None:
    """Register the host's command modules in ``plugins``' manager.

    They are not services: not checked against the services' contract, not
    listed by ``ts-admin plugins``, never reached by a per-establishment
    caller.  Their hook implementations are ``tryfirst``, so the host's
    commands and formats come before the services' (and win a name clash);
    pluggy calls the last registered first, hence the reversed order.
    """
    for name in reversed(DEFAULT_PLUGINS):
        plugins.pm.register(importlib.import_module(name), name=name)


def command_registry() -> PluginRegistry:
    """The host's commands, then the installed services': known before the ini file is read."""
    plugins = PluginRegistry()
    register_host_plugins(plugins)
    plugins.load_entry_points()
    return plugins


def establishment(env: Environment, uai: str | None) -> EstablishmentConfig:
    """The ``--uai`` establishment, which ``establishments.toml`` must declare."""
    if not uai:
        raise CommandError("précisez l'établissement : --uai UAI (ex. --uai 0541234Y)")
    found = env.academy.establishment(uai.upper())
    if found is None:
        raise CommandError(
            f"établissement {uai} inconnu : déclarez-le dans {env.academy.source} "
            f"(section [establishments.{uai.upper()}])"
        )
    return found


def progress(total: int, unit: str, desc: str, quiet: bool) -> tqdm:
    return tqdm(total=total, unit=unit, desc=desc, disable=quiet, leave=False)


def run_service_command(command: AdminCommand, env: Environment, args) -> int:
    """A service's command, inside one transaction: a refused file writes nothing."""
    try:
        with env.tm:
            return command.run(env.site, env.academy, args)
    except ImportRejected as exc:
        print(f"Fichier refusé, rien n'a été écrit.\n{exc}", file=sys.stderr)
        return 1


def parser(plugins: PluginRegistry) -> argparse.ArgumentParser:
    """``ts-admin``'s parser, one subcommand per command the plugins declare."""
    top = argparse.ArgumentParser(prog="ts-admin", description="Administration des téléservices.")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMANDE")
    for commands in plugins.pm.hook.ts_admin_commands():
        for command in commands:
            if command.name in sub.choices:
                # The host's commands come first (tryfirst): a service's
                # command of the same name would make argparse fail.
                print(
                    f"ts-admin: commande « {command.name} » déclarée deux fois : "
                    "la seconde (d'un service) est ignorée",
                    file=sys.stderr,
                )
                continue
            host = isinstance(command, HostCommand)
            p = sub.add_parser(command.name, help=command.help, description=command.help)
            if not host or command.ini:
                p.add_argument("ini", help=INI_HELP)
            if host and command.epilog:
                p.epilog = command.epilog(plugins)
                p.formatter_class = argparse.RawDescriptionHelpFormatter
            p.set_defaults(ts_command=command)
            command.configure(p)
    return top


def _choices(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """A parser's subcommands (or actions), by name."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices
    return {}


def _names_ini(word: str) -> bool:
    return not word.startswith("-") and (Path(word).suffix == ".ini" or Path(word).is_file())


def ini_where_expected(top: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """Accept the ini file one word earlier or later than a command expects it.

    ``ts-admin gdpr export INI`` and ``ts-admin gdpr INI export`` both work,
    and so do ``fiche INI export`` and ``fiche export INI`` for a service whose
    ini file comes before its action; ``import siecle INI`` as well as
    ``import INI siecle``, where the word that names an ini file is the ini
    file.  The kit's ``ts_admin`` and a person typing need not know where
    each command expects it.
    """
    if len(argv) < 3 or argv[0] not in _choices(top):
        return argv
    command = _choices(top)[argv[0]]
    ini_first = any(action.dest == "ini" for action in command._actions)
    actions = _choices(command)
    if actions:
        swap = (argv[1] in actions) == ini_first and (argv[2] in actions) != ini_first
    else:
        swap = ini_first and not Path(argv[1]).is_file() and _names_ini(argv[2])
    return [argv[0], argv[2], argv[1], *argv[3:]] if swap else argv


def stdout_closed() -> int:
    """The reader of the output went away (``ts-admin codes list --csv | head``).

    What was left to print has no reader: say nothing more, and point the
    standard output at /dev/null so that the interpreter's own flush at exit
    does not fail in turn (the recipe of Python's ``signal`` documentation).
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 1


def french_argparse() -> None:
    """argparse's own messages (usage, missing or unknown arguments) in French.

    argparse translates them through the process's gettext domain, as its
    documentation intends; Python ships no French catalogue, so ts_host
    ships one (``locale/fr/LC_MESSAGES/argparse.po``).  ts-admin speaks
    French whatever the server's locale.
    """
    gettext.bindtextdomain("argparse", str(Path(__file__).parent.parent / "locale"))
    gettext.textdomain("argparse")
    os.environ["LANGUAGE"] = "fr"


def run(command: AdminCommand, env: Environment, args) -> int:
    if isinstance(command, HostCommand):
        return command.run(env, args)
    return run_service_command(command, env, args)


def main(argv: list[str] | None = None) -> int:
    french_argparse()
    top = parser(command_registry())
    argv = list(sys.argv[1:] if argv is None else argv)
    args = top.parse_args(ini_where_expected(top, argv))
    env = None
    try:
        env = Environment(getattr(args, "ini", None))
        with command_journal(env.journal_site):
            return run(args.ts_command, env, args)
    except BrokenPipeError:
        return stdout_closed()
    except (CommandError, ConfigurationError, MissingSecret, StorageWithoutBlobs) as exc:
        print(f"ts-admin: {exc}", file=sys.stderr)
        return 2
    except LockError:
        print(
            "ts-admin: la base est ouverte par un autre processus (le serveur est-il lancé ?"
            " arrêtez-le, ou utilisez ZEO pour partager la base)",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        print("ts-admin: interrompu, la transaction en cours est annulée.", file=sys.stderr)
        return 130
    finally:
        if env is not None:
            env.close()
        logging.shutdown()
