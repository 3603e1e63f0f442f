"""``ts-admin plugins``, ``demo`` and ``evolve``: the application and its data as a whole."""

from __future__ import annotations

import argparse

from tqdm import tqdm

from ..contract import CommandError, hookimpl
from ..demo import DemoBuilder
from ..evolve import evolve
from .core import Environment, HostCommand, ini_only


def cmd_plugins(env: Environment, args) -> int:
    enabled_by = {
        name: [uai for uai, e in env.academy.establishments.items() if e.enables(name)]
        for name in env.plugins.statuses
    }
    print(f"{'service':<18} {'version':<9} {'distribution':<16} {'état':<14} établissements")
    unfinished = 0
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
        if status.unfinished:
            unfinished += 1
            print(f"{'':<18} à compléter : {status.unfinished}")
    return 1 if unfinished else 0


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


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"nombre entier attendu : {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("nombre strictement positif attendu")
    return value


def configure_demo(parser) -> None:
    parser.add_argument("--pupils", type=_positive, default=600, help="nombre d'élèves")
    parser.add_argument(
        "--seed", type=int, default=2026, help="graine (même graine, mêmes données)"
    )
    parser.add_argument("--codes", help="fichier CSV des codes (défaut : var/demo-codes.csv)")
    parser.add_argument(
        "--if-empty", action="store_true", help="ne rien faire si la base a des élèves"
    )
    parser.add_argument("--quiet", action="store_true", help="sans barre de progression")


@hookimpl(tryfirst=True)
def ts_admin_commands():
    return [
        HostCommand("plugins", "liste les services installés et leur état", ini_only, cmd_plugins),
        HostCommand("demo", "charge les données de démonstration", configure_demo, cmd_demo),
        HostCommand(
            "evolve",
            "met à jour les données enregistrées vers cette version",
            ini_only,
            cmd_evolve,
        ),
    ]
