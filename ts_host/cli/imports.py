"""``ts-admin import FORMAT``: the host's SIECLE format and the services' formats.

Every format comes from the ``ts_import_formats`` hook, the host's as well
as the services'; ``--help`` and an unknown format show each one's help.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from ..admin import reference_day
from ..admin.importer import import_siecle
from ..admin.siecle import read_exports
from ..admin.sts import import_sts, read_sts
from ..audit import audit
from ..contract import CommandError, ImportFormat, ImportRejected, hookimpl
from ..plugins import PluginRegistry
from .core import Environment, HostCommand, HostImportFormat, establishment, progress

SIECLE_HELP = """\
Les exports XML de SIECLE (Base élèves établissement, « Exports XML ») d'un
établissement, nommé par --uai : ElevesSansAdresses (ou ElevesAvecAdresses) et
ResponsablesAvecAdresses, en .zip tels que téléchargés ou en .xml. Les deux
fichiers sont lus ensemble, puis écrits en une fois : élèves (par ELEVE_ID),
responsables (par PERSONNE_ID), liens, et codes d'activation manquants.
Exemple : ts-admin import siecle etc/production.ini --uai 0545432L \\
    ElevesSansAdresses.zip ResponsablesAvecAdresses.zip"""


def run_siecle(env: Environment, where, paths: list[Path], quiet: bool):
    exports = read_exports(paths)
    with env.tm, progress(exports.records, "fiche", "Import SIECLE", quiet) as bar:
        return import_siecle(
            env.site, where.uai, where.name, exports, reference_day(env.settings), bar.update
        )


SIECLE = HostImportFormat(name="siecle", help=SIECLE_HELP, run=run_siecle, title="SIECLE")

STS_HELP = """\
L'export STS-web de l'établissement (sts_emp_<UAI>_<année>.xml, ou son .zip) : les
classes, les enseignants, les services par classe et les professeurs principaux
(docs/admin.md). La structure enregistrée est remplacée en entier.
Exemple : ts-admin import sts etc/production.ini --uai 0545432L sts_emp_0545432L_2026.xml"""


def run_sts(env: Environment, where, paths: list[Path], quiet: bool):
    export = read_sts(paths)
    with env.tm, progress(len(export.divisions), "classe", "Import STS-web", quiet) as bar:
        return import_sts(
            env.site, where.uai, where.name, export, reference_day(env.settings), bar.update
        )


STS = HostImportFormat(name="sts", help=STS_HELP, run=run_sts, title="STS-web")


def import_formats(plugins: PluginRegistry) -> dict[str, ImportFormat]:
    """Every import format, by name; the first declared wins a clash (the host's)."""
    formats: dict[str, ImportFormat] = {}
    for declared in plugins.pm.hook.ts_import_formats():
        for found in declared:
            formats.setdefault(found.name, found)
    return formats


def formats_help(plugins: PluginRegistry) -> str:
    """Each format's name, then its help (its columns, for a CSV file)."""
    parts = ["formats :"]
    for name, found in import_formats(plugins).items():
        parts.append(f"\n{name}\n{textwrap.indent(found.help.strip(), '  ')}")
    return "\n".join(parts)


def cmd_import(env: Environment, args) -> int:
    formats = import_formats(env.plugins)
    chosen = formats.get(args.format)
    if chosen is None:
        known = ", ".join(sorted(formats)) or "aucun"
        raise CommandError(
            f"format d'import inconnu « {args.format} » (connus : {known})\n\n"
            + formats_help(env.plugins)
        )
    paths = [Path(name) for name in [args.file, *args.more]]
    try:
        if isinstance(chosen, HostImportFormat):
            done = import_for_establishment(env, chosen, paths, args)
        else:
            done = import_file(env, chosen, paths, args)
    except ImportRejected as exc:
        print(f"Import refusé, rien n'a été écrit.\n{exc}", file=sys.stderr)
        return 1
    print(done)
    return 0


def import_file(env: Environment, chosen: ImportFormat, paths: list[Path], args) -> str:
    """A service's format: one file, in one transaction."""
    if args.more or args.uai:
        raise CommandError(f"l'import {chosen.name} lit un seul fichier, sans --uai")
    (path,) = paths
    if not path.is_file():
        raise CommandError(f"fichier introuvable : {path}")
    with env.tm, progress(0, "ligne", f"Import {chosen.name}", args.quiet) as bar:
        if chosen.reports_progress:
            summary = chosen.run(env.site, env.academy, path, progress=follow(bar))
        else:
            summary = chosen.run(env.site, env.academy, path)
    audit(None, "service.imported", format=chosen.name, file=str(path), summary=str(summary))
    return f"Import {chosen.name} terminé : {summary}."


def follow(bar):
    """An importer's ``progress(done, total)`` shown on a tqdm ``bar``."""

    def show(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)
        if done == total:
            bar.refresh()  # tqdm skips redraws closer than 0.1 s: show the end

    return show


def import_for_establishment(
    env: Environment, chosen: HostImportFormat, paths: list[Path], args
) -> str:
    """A host's format: the ``--uai`` establishment's export, in one file or several."""
    where = establishment(env, args.uai)
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        raise CommandError(f"fichier introuvable : {', '.join(missing)}")
    summary = chosen.run(env, where, paths, args.quiet)
    return f"Import {chosen.title} de {where.uai} terminé : {summary}."


def configure(parser) -> None:
    parser.add_argument("format", help="format du fichier (ex. notes ; voir la liste plus bas)")
    parser.add_argument("file", help="fichier à importer")
    parser.add_argument(
        "more", nargs="*", help="import siecle : les autres fichiers (.xml ou .zip)"
    )
    parser.add_argument("--uai", help="import siecle : l'établissement des fichiers")
    parser.add_argument("--quiet", action="store_true", help="sans barre de progression")


@hookimpl(tryfirst=True)
def ts_import_formats():
    return [SIECLE, STS]


@hookimpl(tryfirst=True)
def ts_admin_commands():
    return [
        HostCommand(
            "import",
            "importe un fichier dans un service",
            configure,
            cmd_import,
            epilog=formats_help,
        )
    ]
