"""``ts-admin``: the command line of academies and establishments.

Every subcommand takes the ini file first, like Pyramid's own scripts, and
refuses bad arguments with a French message and a non-zero exit, never a
traceback.
"""

from __future__ import annotations

import argparse
import gettext
import json
import logging
import os
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from pyramid.paster import bootstrap, get_appsettings, setup_logging
from tqdm import tqdm
from zc.lockfile import LockError

from . import backup, scaffold
from .activation import display
from .admin import codes as admin_codes
from .admin import gdpr as admin_gdpr
from .admin import reference_day
from .admin import stats as admin_stats
from .admin.importer import import_siecle
from .admin.siecle import read_exports
from .api import CommandError, ImportRejected
from .audit import audit
from .demo import DemoBuilder
from .establishments import ConfigurationError
from .evolve import evolve
from .i18n import of_name
from .models import CodeKind, CodeState
from .settings import MissingSecret
from .storage import get_database


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
        # Release the FileStorage lock: a second command in the same process
        # (the tests, a script) may open the database again.
        get_database(self.registry).close()


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
    if args.format == SIECLE:
        return cmd_import_siecle(env, args)
    if args.more or args.uai:
        raise CommandError(f"l'import {args.format} lit un seul fichier, sans --uai")
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
    audit(None, "service.imported", format=args.format, file=str(path), summary=str(summary))
    print(f"Import {args.format} terminé : {summary}.")
    return 0


# Establishment administration (ts_host.admin): SIECLE, codes, letters, stats.

SIECLE = "siecle"


def _ini_first(args) -> None:
    """``import FORMAT INI`` (the order of ``import siecle``) as well as ``import INI FORMAT``:
    the one that names an ini file is the ini file."""
    if not Path(args.ini).is_file() and (
        Path(args.format).suffix == ".ini" or Path(args.format).is_file()
    ):
        args.ini, args.format = args.format, args.ini


def _establishment(env: Environment, uai: str | None):
    """The ``--uai`` establishment, which ``establishments.toml`` must declare."""
    if not uai:
        raise CommandError("précisez l'établissement : --uai UAI (ex. --uai 0541234Y)")
    establishment = env.academy.establishment(uai.upper())
    if establishment is None:
        raise CommandError(
            f"établissement {uai} inconnu : déclarez-le dans {env.academy.source} "
            f"(section [establishments.{uai.upper()}])"
        )
    return establishment


def _progress(total: int, unit: str, desc: str, quiet: bool) -> tqdm:
    return tqdm(total=total, unit=unit, desc=desc, disable=quiet, leave=False)


def cmd_import_siecle(env: Environment, args) -> int:
    establishment = _establishment(env, args.uai)
    paths = [Path(name) for name in [args.file, *args.more]]
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        raise CommandError(f"fichier introuvable : {', '.join(missing)}")
    try:
        exports = read_exports(paths)
        total = sum(
            len(records)
            for records in (
                exports.pupils.pupils if exports.pupils else {},
                exports.responsables.responsables if exports.responsables else {},
            )
        )
        with env.tm, _progress(total, "fiche", "Import SIECLE", args.quiet) as bar:
            summary = import_siecle(
                env.site,
                establishment.uai,
                establishment.name,
                exports,
                reference_day(env.settings),
                bar.update,
            )
    except ImportRejected as exc:
        print(f"Import refusé, rien n'a été écrit.\n{exc}", file=sys.stderr)
        return 1
    print(f"Import SIECLE de {establishment.uai} terminé : {summary}.")
    return 0


def _scope(env: Environment, args) -> admin_codes.Scope:
    establishment = _establishment(env, args.uai)
    return admin_codes.Scope(
        establishment.uai,
        division=args.division or "",
        pupil=args.pupil or "",
        responsable=args.responsable or "",
        kinds=admin_codes.parse_kind(args.kind),
    )


def cmd_codes(env: Environment, args) -> int:
    scope = _scope(env, args)
    with env.tm:
        selection = admin_codes.select(env.site, scope)
        if args.action == "generate":
            issued = admin_codes.generate(env.site, selection)
            print(f"Codes émis : {issued[CodeKind.CAR]} CAR, {issued[CodeKind.CAE]} CAE.")
        elif args.action == "regenerate":
            _print_regeneration(env, admin_codes.regenerate(env.site, selection))
        elif args.action == "revoke":
            for revocation in admin_codes.revoke(env.site, selection, args.code or ""):
                print(_revocation_line(env, revocation))
        else:
            _print_list(selection, env, args)
    return 0


def _describe(env: Environment, code) -> str:
    pupil = env.site.pupils[code.pupil_id]
    responsable = env.site.responsables.get(code.responsable_id or "")
    whom = f" pour {responsable.full_name}" if responsable else ""
    of_pupil = of_name(None, f"{pupil.first_name} {pupil.last_name}")
    return f"{code.kind} {of_pupil} ({pupil.division}){whom}"


def _print_regeneration(env: Environment, result) -> None:
    for new in result.issued:
        print(f"{_describe(env, new)} : nouveau code {display(new.code)}")
    print(
        f"Nouveaux codes : {len(result.issued)} ; anciens codes révoqués, qui ne servent plus : "
        f"{result.revoked}. Imprimez les nouvelles lettres : ts-admin letters."
    )
    if result.refusals_lifted:
        print(f"Refus levés (nouveau code après un refus) : {result.refusals_lifted}.")
    if result.used:
        print(f"Codes déjà utilisés (compte créé), laissés tels quels : {result.used}.")


def _revocation_line(env: Environment, revocation) -> str:
    text = _describe(env, revocation.code)
    if revocation.already:
        return f"{text} : déjà révoqué."
    line = f"{text} : révoqué, le code ne peut plus servir"
    if revocation.account_id:
        account = env.site.accounts[revocation.account_id]
        line += f" ; le compte « {account.login} » n'a plus accès à cet élève par ce code"
    return line + "."


def _print_list(selection, env: Environment, args) -> None:
    states = [admin_codes.parse_state(args.state)] if args.state else list(CodeState)
    found = admin_codes.rows(env.site, selection, states)
    if args.csv:
        if args.output:
            with open(args.output, "w", encoding="utf-8-sig", newline="") as stream:
                count = admin_codes.write_csv(found, stream)
            print(f"{count} codes écrits dans {args.output}.")
        else:
            admin_codes.write_csv(found, sys.stdout)
        return
    for row in found:
        responsable = row.responsable.full_name if row.responsable else ""
        print(
            f"{row.pupil.division:<7} {row.pupil.last_name.upper()} {row.pupil.first_name:<20} "
            f"{row.code.kind} {display(row.code.code)} {row.state:<10} {responsable}"
        )
    print(f"{len(found)} codes.")


def cmd_letters(env: Environment, args) -> int:
    # reportlab is imported only by the command that needs it.
    from .admin import letters

    if not args.output:
        raise CommandError("précisez le fichier PDF à écrire : -o lettres.pdf")
    output = Path(args.output)
    if not output.parent.is_dir():
        raise CommandError(f"dossier introuvable : {output.parent}")
    scope = _scope(env, args)
    if len(scope.kinds) != 1:
        scope = replace(scope, kinds=(CodeKind.CAR,))
    letterhead = letters.Letterhead.for_establishment(
        env.academy, env.plugins, scope.uai, reference_day(env.settings)
    )
    with env.tm:
        selection = admin_codes.select(env.site, scope)
        found = letters.letters_for(
            env.site, admin_codes.rows(env.site, selection, [CodeState.UNUSED])
        )
        if not found:
            raise CommandError(
                "aucun code inutilisé dans cette sélection : rien à imprimer "
                "(ts-admin codes list pour voir les codes)"
            )
        with _progress(len(found), "lettre", "Lettres", args.quiet) as bar:
            pages = letters.write_letters(output, found, letterhead, bar.update)
    print(f"{len(found)} lettres {scope.kinds[0]} écrites dans {output} ({pages} pages A4).")
    return 0


def cmd_stats(env: Environment, args) -> int:
    names = {uai: e.name for uai, e in env.academy.establishments.items()}
    if args.uai:
        _establishment(env, args.uai)
    with env.tm:
        found = admin_stats.compute(
            env.site, names, datetime.now(), args.uai.upper() if args.uai else None
        )
    for entry in found:
        print("\n".join(entry.lines()))
    return 0


def _gdpr_pupil(env: Environment, args):
    """The ``--uai`` and ``--pupil`` pupil, with its activation codes (inside a transaction)."""
    if not args.pupil:
        raise CommandError("précisez l'élève : --pupil ELEVE_ID (SIECLE) ou identifiant")
    establishment = _establishment(env, args.uai)
    scope = admin_codes.Scope(establishment.uai, pupil=args.pupil)
    (pupil,) = admin_codes.select(env.site, scope).pupils
    return pupil, admin_codes.CodeIndex(env.site, [pupil.id]).of(pupil.id)


def cmd_gdpr_erase(env: Environment, args) -> int:
    """Erase a pupil who left; without ``--yes``, say what would go and erase nothing."""
    env.tm.begin()
    try:
        pupil, codes = _gdpr_pupil(env, args)
        if pupil.active:
            raise CommandError(
                f"{pupil.first_name} {pupil.last_name.upper()} est encore inscrit : le prochain "
                "import SIECLE le recréerait. Effacez un élève après sa sortie."
            )
        name = f"{pupil.first_name} {pupil.last_name.upper()}"
        erasure = admin_gdpr.erase_pupil(env.site, env.plugins, pupil, codes)
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


def cmd_gdpr_export(env: Environment, args) -> int:
    with env.tm:
        pupil, codes = _gdpr_pupil(env, args)
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


def cmd_staff(env: Environment, args) -> int:
    from .staff import commands

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


def add_admin_commands(sub, command) -> None:
    """The subcommands of ``ts_host.admin`` (see docs/admin.md)."""

    def scope_options(p, kind_help: str) -> None:
        p.add_argument("--uai", help="l'établissement (obligatoire), ex. 0541234Y")
        p.add_argument("--class", dest="division", metavar="CLASSE", help="une classe, ex. 3B")
        p.add_argument("--pupil", help="un élève : ELEVE_ID SIECLE ou identifiant")
        p.add_argument("--responsable", help="un responsable : PERSONNE_ID SIECLE ou identifiant")
        p.add_argument("--kind", help=kind_help)

    codes_help = "codes d'activation : émettre, régénérer, révoquer, lister"
    codes = sub.add_parser("codes", help=codes_help, description=codes_help)
    actions = codes.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, help_text in (
        ("generate", "émet les codes manquants (CAR des responsables légaux, CAE des élèves)"),
        ("regenerate", "remplace les codes inutilisés ; les anciens sont révoqués aussitôt"),
        ("revoke", "enregistre un refus (coupon réponse) : le code ne sert plus"),
        ("list", "liste les codes (--csv pour un publipostage)"),
    ):
        p = actions.add_parser(name, help=help_text, description=help_text)
        p.add_argument("ini", help="fichier de configuration (ex. etc/development.ini)")
        p.set_defaults(handler=cmd_codes)
        scope_options(p, "CAR ou CAE (défaut : les deux)")
        if name == "revoke":
            p.add_argument("--code", help="le code refusé, tel qu'imprimé sur la lettre")
        if name == "list":
            p.add_argument("--state", help="unused, used ou revoked (défaut : tous)")
            p.add_argument("--csv", action="store_true", help="CSV (;) pour un publipostage")
            p.add_argument("-o", "--output", help="fichier CSV à écrire (défaut : la sortie)")
    letters = command(
        "letters", cmd_letters, "imprime les lettres d'information (PDF, une page par lettre)"
    )
    scope_options(letters, "CAR (défaut, une lettre par responsable et enfant) ou CAE")
    letters.add_argument("-o", "--output", help="fichier PDF à écrire, ex. lettres.pdf")
    letters.add_argument("--quiet", action="store_true", help="sans barre de progression")
    stats = command("stats", cmd_stats, "par établissement : codes, comptes, connexions")
    stats.add_argument("--uai", help="seulement cet établissement")

    gdpr_help = "RGPD : exporter les données d'un élève, ou effacer un élève sorti"
    gdpr = sub.add_parser("gdpr", help=gdpr_help, description=gdpr_help)
    gdpr_actions = gdpr.add_subparsers(dest="action", required=True, metavar="ACTION")

    def gdpr_action(name, handler, help_text):
        p = gdpr_actions.add_parser(name, help=help_text, description=help_text)
        p.add_argument("ini", help="fichier de configuration (ex. etc/development.ini)")
        p.set_defaults(handler=handler)
        p.add_argument("--uai", help="l'établissement de l'élève, ex. 0541234Y")
        p.add_argument("--pupil", help="l'élève : ELEVE_ID SIECLE ou identifiant")
        return p

    export = gdpr_action(
        "export",
        cmd_gdpr_export,
        "écrit en JSON tout ce que le portail et ses services savent de l'élève",
    )
    export.add_argument("-o", "--output", help="fichier JSON à écrire (défaut : la sortie)")
    erase = gdpr_action(
        "erase",
        cmd_gdpr_erase,
        "efface un élève sorti et tout ce qui le concerne (sans --yes : ce qui partirait)",
    )
    erase.add_argument("--yes", action="store_true", help="effacer pour de bon")

    staff_help = "comptes du personnel de l'espace de gestion (/gestion/)"
    staff = sub.add_parser("staff", help=staff_help, description=staff_help)
    staff_actions = staff.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, help_text in (
        ("add", "ouvre un compte et affiche son lien d'activation"),
        ("list", "liste les comptes du personnel"),
        ("disable", "désactive un compte et met fin à ses sessions"),
    ):
        p = staff_actions.add_parser(name, help=help_text, description=help_text)
        p.add_argument("ini", help="fichier de configuration (ex. etc/development.ini)")
        p.set_defaults(handler=cmd_staff)
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
    imp.add_argument("more", nargs="*", help="import siecle : les autres fichiers (.xml ou .zip)")
    imp.add_argument("--uai", help="import siecle : l'établissement des fichiers")
    imp.add_argument("--quiet", action="store_true", help="sans barre de progression")
    add_admin_commands(sub, command)
    add_offline_commands(sub)
    add_backup_commands(sub)
    for service in service_commands():
        service.configure(command(service.name, service_command(service), service.help))
    return top


# Commands that need no ini file: they run without the application.

NEW_PLUGIN_HELP = "crée un nouveau service, distribution à part (sans fichier de configuration)"


def add_offline_commands(sub) -> None:
    new_plugin = sub.add_parser("new-plugin", help=NEW_PLUGIN_HELP, description=NEW_PLUGIN_HELP)
    scaffold.configure(new_plugin)
    new_plugin.set_defaults(offline=scaffold.run)


# Backups with repozo (ts_host.backup): they run beside a live server, without
# the application, so the database is never opened here.

BACKUP_HELP = "sauvegarde la base (repozo : complète, puis incrémentale), serveur en marche"
RESTORE_HELP = "restaure une sauvegarde dans la base du fichier ini (serveur arrêté)"


def add_backup_commands(sub) -> None:
    save = sub.add_parser("backup", help=BACKUP_HELP, description=BACKUP_HELP)
    save.add_argument("ini", help="fichier de configuration (ex. etc/production.ini)")
    save.add_argument("destination", help="dossier des sauvegardes")
    save.add_argument("--full", action="store_true", help="sauvegarde complète")
    save.set_defaults(offline=cmd_backup)
    load = sub.add_parser("restore", help=RESTORE_HELP, description=RESTORE_HELP)
    load.add_argument("ini", help="fichier de configuration de la base à écrire")
    load.add_argument("source", help="dossier des sauvegardes")
    load.add_argument("--date", help="état à cette date (UTC) : AAAA-MM-JJ[-HH[-MM[-SS]]]")
    load.add_argument("--force", action="store_true", help="remplace une base existante")
    load.set_defaults(offline=cmd_restore)


def ini_settings(ini: str) -> dict:
    if not Path(ini).is_file():
        raise CommandError(f"fichier de configuration introuvable : {ini}")
    return get_appsettings(ini)


def cmd_backup(args) -> int:
    backup.backup(ini_settings(args.ini), Path(args.destination), full=args.full)
    audit(None, "database.backed_up", destination=args.destination, full=args.full)
    print(f"Sauvegarde écrite dans {args.destination}.")
    return 0


def cmd_restore(args) -> int:
    target = backup.restore(ini_settings(args.ini), Path(args.source), args.date, args.force)
    audit(None, "database.restored", source=args.source, target=str(target), date=args.date)
    print(f"Base restaurée : {target}.")
    return 0


def run_offline(args) -> int:
    try:
        return args.offline(args)
    except CommandError as exc:
        print(f"ts-admin: {exc}", file=sys.stderr)
        return 2


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"nombre entier attendu : {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("nombre strictement positif attendu")
    return value


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
    gettext.bindtextdomain("argparse", str(Path(__file__).parent / "locale"))
    gettext.textdomain("argparse")
    os.environ["LANGUAGE"] = "fr"


def main(argv: list[str] | None = None) -> int:
    french_argparse()
    args = parser().parse_args(argv)
    if getattr(args, "offline", None):
        return run_offline(args)
    if args.command == "import":
        _ini_first(args)
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
    except BrokenPipeError:
        return stdout_closed()
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
