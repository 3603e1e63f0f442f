"""``ts-admin``: the command line of academies and establishments.

Every subcommand takes the ini file first, like Pyramid's own scripts, and
refuses bad arguments with a French message and a non-zero exit, never a
traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from pyramid.paster import bootstrap, setup_logging
from tqdm import tqdm
from zc.lockfile import LockError

from .api import CommandError, ImportRejected
from .demo import DemoBuilder
from .establishments import ConfigurationError
from .evolve import evolve
from .settings import MissingSecret


class Environment:
    """The application, bootstrapped from the ini file, for one command."""

    def __init__(self, ini: str) -> None:
        if not Path(ini).is_file():
            raise CommandError(f"fichier de configuration introuvable : {ini}")
        setup_logging(ini)
        self.env = bootstrap(ini)
        self.request = self.env["request"]
        self.registry = self.env["registry"]
        self.plugins = self.registry.ts_plugins
        self.academy = self.registry.ts_academy
        self.settings = self.registry.settings
        self.tm = self.request.tm

    @property
    def site(self):
        return self.request.site

    def close(self) -> None:
        self.env["closer"]()


def cmd_plugins(env: Environment, args) -> int:
    enabled_by = {
        name: [uai for uai, e in env.academy.establishments.items() if e.enables(name)]
        for name in env.plugins.statuses
    }
    print(f"{'service':<18} {'version':<9} {'distribution':<16} {'état':<14} établissements")
    for status in env.plugins.statuses.values():
        description = status.description
        version = description.version if description else "-"
        print(
            f"{status.name:<18} {version:<9} {status.distribution:<16} {status.status:<14} "
            f"{', '.join(enabled_by[status.name]) or '-'}"
        )
        if description:
            print(f"{'':<18} {description.title}")
        if status.reason:
            print(f"{'':<18} raison : {status.reason}")
    return 0


def cmd_demo(env: Environment, args) -> int:
    with env.tm:
        if len(env.site.pupils):
            if args.if_empty:
                print("La base contient déjà des élèves : données de démonstration non chargées.")
                return 0
            raise CommandError(
                "la base contient déjà des élèves ; la démonstration se charge "
                "dans une base vide (supprimez var/Data.fs ou utilisez une autre "
                "base)"
            )
        builder = DemoBuilder(env.site, env.academy, env.plugins, seed=args.seed)
        families = builder.plan(args.pupils)
    with tqdm(total=args.pupils, unit="élève", desc="Démonstration", disable=args.quiet) as bar:

        def commit():
            env.tm.commit()
            env.tm.begin()

        def progress(done):
            bar.update(done - bar.n)

        env.tm.begin()
        try:
            builder.write(families, commit, progress)
        except BaseException:
            env.tm.abort()
            raise
    codes_path = args.codes or env.settings.get("ts.demo_codes", "var/demo-codes.csv")
    builder.write_codes_csv(codes_path)
    responsables = sum(len(f.responsables) for f in families)
    print(
        f"{args.pupils} élèves, {len(families)} familles, {responsables} responsables, "
        f"{len(builder.code_rows)} codes d'activation ({codes_path})."
    )
    return 0


def cmd_evolve(env: Environment, args) -> int:
    done = evolve(lambda: env.site, env.plugins, env.tm)
    print("\n".join(done) if done else "La base est à jour.")
    return 0


def cmd_import(env: Environment, args) -> int:
    formats = {f.name: f for fs in env.plugins.pm.hook.ts_import_formats() for f in fs}
    if args.format not in formats:
        known = ", ".join(sorted(formats)) or "aucun"
        raise CommandError(f"format d'import inconnu « {args.format} » (connus : {known})")
    path = Path(args.file)
    if not path.is_file():
        raise CommandError(f"fichier introuvable : {path}")
    try:
        with env.tm:
            summary = formats[args.format].run(env.site, env.academy, path)
    except ImportRejected as exc:
        print(f"Import refusé, rien n'a été écrit.\n{exc}", file=sys.stderr)
        return 1
    print(f"Import {args.format} terminé : {summary}.")
    return 0


def service_command(command):
    """Run a service's command inside one transaction."""

    def handler(env: Environment, args) -> int:
        try:
            with env.tm:
                return command.run(env.site, env.academy, args)
        except ImportRejected as exc:
            print(f"Fichier refusé, rien n'a été écrit.\n{exc}", file=sys.stderr)
            return 1

    return handler


def service_commands() -> list:
    """The services' own subcommands, known before the ini file is read."""
    from .plugins import PluginRegistry

    registry = PluginRegistry()
    registry.load_entry_points()
    return [command for commands in registry.pm.hook.ts_admin_commands() for command in commands]


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="ts-admin", description="Administration des téléservices.")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMANDE")

    def command(name, handler, help_text):
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("ini", help="fichier de configuration (ex. etc/development.ini)")
        p.set_defaults(handler=handler)
        return p

    command("plugins", cmd_plugins, "liste les services installés et leur état")
    demo = command("demo", cmd_demo, "charge les données de démonstration")
    demo.add_argument("--pupils", type=_positive, default=600, help="nombre d'élèves")
    demo.add_argument("--seed", type=int, default=2026, help="graine (même graine, mêmes données)")
    demo.add_argument("--codes", help="fichier CSV des codes (défaut : var/demo-codes.csv)")
    demo.add_argument(
        "--if-empty", action="store_true", help="ne rien faire si la base a des élèves"
    )
    demo.add_argument("--quiet", action="store_true", help="sans barre de progression")
    command("evolve", cmd_evolve, "met à jour les données enregistrées vers cette version")
    imp = command("import", cmd_import, "importe un fichier dans un service")
    imp.add_argument("format", help="format du fichier (ex. notes)")
    imp.add_argument("file", help="fichier à importer")
    for service in service_commands():
        service.configure(command(service.name, service_command(service), service.help))
    return top


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"nombre entier attendu : {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("nombre strictement positif attendu")
    return value


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        env = Environment(args.ini)
    except (CommandError, ConfigurationError, MissingSecret) as exc:
        print(f"ts-admin: {exc}", file=sys.stderr)
        return 2
    except LockError:
        print(
            "ts-admin: la base est ouverte par un autre processus (le serveur est-il lancé ?"
            " arrêtez-le, ou utilisez ZEO pour partager la base)",
            file=sys.stderr,
        )
        return 2
    try:
        return args.handler(env, args)
    except CommandError as exc:
        print(f"ts-admin: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "ts-admin: interrompu, la transaction en cours est annulée.",
            file=sys.stderr,
        )
        return 130
    finally:
        env.close()
        logging.shutdown()


if __name__ == "__main__":
    sys.exit(main())
