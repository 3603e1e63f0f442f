"""``ts-admin notify``: send the notifications that are due (docs/admin.md)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from pyramid_mailer import get_mailer

from ..calendar import reference_day
from ..contract import hookimpl
from ..notifications.sending import Settings, run
from .core import Environment, HostCommand


def cmd_notify(env: Environment, args) -> int:
    settings = Settings.from_settings(env.settings)
    if args.batch:
        settings = replace(settings, batch=args.batch)
    if args.digest_hour is not None:
        settings = replace(settings, digest_hour=args.digest_hour)
    mailer = get_mailer(env.registry)
    report = run(
        env.tm, lambda: env.site, env.registry, mailer.smtp_mailer, settings, now=lambda: now(env)
    )
    print(
        f"Notifications : {report.planned} immédiate(s) et {report.digests} résumé(s) "
        f"préparés, {report.sent} courriel(s) envoyé(s), {report.failed} refusé(s)"
        + (f" dont {report.abandoned} abandonné(s)" if report.abandoned else "")
        + "."
    )
    return 1 if report.failed else 0


def now(env: Environment) -> datetime:
    """Now, on the day of the ``ts.today`` setting when it is fixed (demo, tests)."""
    return datetime.combine(reference_day(env.settings), datetime.now().time())


def configure(parser) -> None:
    parser.add_argument(
        "--lot",
        dest="batch",
        type=int,
        default=0,
        help="courriels réservés d'un coup (défaut : ts.notify.batch, 50)",
    )
    parser.add_argument(
        "--heure-du-resume",
        dest="digest_hour",
        type=int,
        choices=range(25),
        metavar="HEURE",
        default=None,
        help="heure (0 à 24) après laquelle ce passage prépare le résumé du jour "
        "(défaut : ts.notify.digest_hour, 17) ; 0 le prépare dès maintenant, "
        "une fois par jour et par destinataire comme toujours",
    )


@hookimpl(tryfirst=True)
def ts_admin_commands():
    return [
        HostCommand(
            "notify",
            "envoyer les notifications dues (immédiates, et le résumé du jour)",
            configure,
            cmd_notify,
        )
    ]
