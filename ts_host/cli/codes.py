"""``ts-admin codes generate|regenerate|revoke|list``: activation codes (see docs/admin.md)."""

from __future__ import annotations

import sys

from ..activation import display
from ..admin import codes as admin_codes
from ..contract import hookimpl
from ..i18n import of_name
from ..models import CodeKind, CodeState
from .core import INI_HELP, Environment, HostCommand, establishment

HELP = "codes d'activation : émettre, régénérer, révoquer, lister"

ACTIONS = (
    ("generate", "émet les codes manquants (CAR des responsables légaux, CAE des élèves)"),
    ("regenerate", "remplace les codes inutilisés ; les anciens sont révoqués aussitôt"),
    ("revoke", "enregistre un refus (coupon réponse) : le code ne sert plus"),
    ("list", "liste les codes (--csv pour un publipostage)"),
)


def scope_options(parser, kind_help: str) -> None:
    """The selection of ``codes`` and ``letters``: an establishment, a class, a pupil..."""
    parser.add_argument("--uai", help="l'établissement (obligatoire), ex. 0541234Y")
    parser.add_argument("--class", dest="division", metavar="CLASSE", help="une classe, ex. 3B")
    parser.add_argument("--pupil", help="un élève : ELEVE_ID SIECLE ou identifiant")
    parser.add_argument("--responsable", help="un responsable : PERSONNE_ID SIECLE ou identifiant")
    parser.add_argument("--kind", help=kind_help)


def scope(env: Environment, args) -> admin_codes.Scope:
    return admin_codes.Scope(
        establishment(env, args.uai).uai,
        division=args.division or "",
        pupil=args.pupil or "",
        responsable=args.responsable or "",
        kinds=admin_codes.parse_kind(args.kind),
    )


def cmd_codes(env: Environment, args) -> int:
    selected = scope(env, args)
    with env.tm:
        selection = admin_codes.select(env.site, selected)
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


def configure(parser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, help_text in ACTIONS:
        p = actions.add_parser(name, help=help_text, description=help_text)
        p.add_argument("ini", help=INI_HELP)
        scope_options(p, "CAR ou CAE (défaut : les deux)")
        if name == "revoke":
            p.add_argument("--code", help="le code refusé, tel qu'imprimé sur la lettre")
        if name == "list":
            p.add_argument("--state", help="unused, used ou revoked (défaut : tous)")
            p.add_argument("--csv", action="store_true", help="CSV (;) pour un publipostage")
            p.add_argument("-o", "--output", help="fichier CSV à écrire (défaut : la sortie)")


@hookimpl(tryfirst=True)
def ts_admin_commands():
    return [HostCommand("codes", HELP, configure, cmd_codes, ini=False)]
