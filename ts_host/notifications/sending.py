"""``ts-admin notify``'s work: build the mails, send them, record them.

The protocol (see docs/admin.md, « Notifications »): plan in one
transaction; then, batch after batch, claim (a lease, committed), send
each mail, and record each one sent in a transaction of its own.  A runner
killed after the SMTP server accepted a mail and before that was recorded
leaves it leased; when the lease expires the next run sends it again, with
the same Message-ID: the one window in which a mail may be repeated.
"""

from __future__ import annotations

import hashlib
import logging
import os
import random
import secrets
import smtplib
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import Message as EmailMessage
from email.utils import formataddr
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from chameleon import PageTemplate, PageTextTemplate
from pyramid.i18n import TranslationString, make_localizer
from pyramid.interfaces import ITranslationDirectories
from pyramid_mailer.message import Message
from ZODB.POSException import ConflictError

from ..i18n import _
from ..models.notifications import Mail
from . import queue
from .tokens import unsubscribe_token

log = logging.getLogger(__name__)

DEFAULT_SENDER = "ne-pas-repondre@teleservices.invalid"
TEMPLATES = Path(__file__).parent.parent / "templates" / "notifications"


@cache
def _templates() -> tuple[PageTextTemplate, PageTemplate]:
    text = (TEMPLATES / "mail.txt").read_text(encoding="utf-8")
    html = (TEMPLATES / "mail.pt").read_text(encoding="utf-8")
    return PageTextTemplate(text), PageTemplate(html)


@dataclass(frozen=True)
class Settings:
    """What a run needs from the ini file (``ts.notify.*``)."""

    digest_hour: int = 17
    lease: timedelta = timedelta(minutes=5)
    batch: int = 50

    @classmethod
    def from_settings(cls, settings: dict) -> Settings:
        return cls(
            digest_hour=int(settings.get("ts.notify.digest_hour", 17)),
            lease=timedelta(seconds=int(settings.get("ts.notify.lease_seconds", 300))),
            batch=int(settings.get("ts.notify.batch", 50)),
        )


def message_id(mail_id: str, public_url: str) -> str:
    """The Message-ID of a mail: derived from its id alone, so a repeat carries
    the same one (RFC 5322 lets the receiver recognise it)."""
    digest = hashlib.sha256(mail_id.encode()).hexdigest()[:40]
    domain = urlsplit(public_url).hostname or "teleservices.invalid"
    return f"<{digest}.notification@{domain}>"


class Builder:
    """Builds a mail's message in the recipient's language, from the site's data."""

    def __init__(self, registry, site) -> None:
        self.registry = registry
        self.site = site
        self.academy = registry.ts_academy
        self.services = registry.ts_plugins.services
        self.sender = registry.settings.get("mail.default_sender", DEFAULT_SENDER)
        self.secret = registry.settings["ts.auth_secret"]
        self.dirs = registry.queryUtility(ITranslationDirectories, default=[])

    def localizer(self, language: str):
        return make_localizer(language, self.dirs)

    def service_title(self, translate, service_id: str) -> str:
        description = self.services.get(service_id)
        if description is None:
            return service_id
        domain = description.translation_domain
        return translate(TranslationString(description.title, domain=domain))

    def url(self, path: str) -> str:
        return self.academy.public_url + path

    def build(self, mail: Mail) -> EmailMessage:
        recipient = mail.recipient
        localizer = self.localizer(recipient.language)
        translate = localizer.translate
        lines = []
        for event in mail.events:
            pupil = self.site.pupils.get(event.pupil_id)
            description = self.services.get(event.service_id)
            segment = (description.url_segment if description else "") or event.service_id
            # The service's own page has no trailing slash (add_pupil_route's
            # inherit_slash): « …/absences/ » would be a 404.
            page = f"/eleve/{event.pupil_id}/{segment}"
            lines.append(
                {
                    "pupil": pupil.first_name if pupil else "",
                    "service": self.service_title(translate, event.service_id),
                    "text": translate(queue.translation(event)),
                    "url": self.url(f"{page}/{event.path}" if event.path else page),
                }
            )
        services = sorted({event.service_id for event in mail.events})
        token = unsubscribe_token(self.secret, recipient.account_id, recipient.holder, services)
        unsubscribe = self.url(f"/desabonnement/{token}")
        if mail.digest:
            subject = translate(_("Résumé du jour : du nouveau sur scolarité services"))
        else:
            subject = translate(
                _(
                    "Du nouveau pour ${first_name} : ${service}",
                    mapping={"first_name": lines[0]["pupil"], "service": lines[0]["service"]},
                )
            )
        words = {
            "hello": translate(_("Bonjour,")),
            "intro": translate(
                _("Voici ce qui est nouveau aujourd'hui sur scolarité services :")
                if mail.digest
                else _("Il y a du nouveau sur scolarité services :")
            ),
            "see": translate(_("Voir la page")),
            "why": translate(
                _(
                    "Pour le détail, connectez-vous : ce message ne donne ni note ni "
                    "motif, le courriel n'étant pas un moyen sûr."
                )
            ),
            "choose": translate(_("Choisir les courriels que vous recevez")),
            "stop": translate(_("Ne plus recevoir ces courriels")),
            "auto": translate(_("Ce message est envoyé automatiquement : n'y répondez pas.")),
        }
        values = {
            "subject": subject,
            "lines": lines,
            "words": words,
            "academy": self.academy.name,
            "preferences_url": self.url("/compte/notifications"),
            "unsubscribe_url": unsubscribe,
            "language": recipient.language,
            # Text templates have no loop: the list is laid out here.
            "listing": "\n".join(
                f"- {line['pupil']} — {line['service']} : {line['text']}\n"
                f"  {words['see']} : {line['url']}"
                for line in lines
            ),
        }
        text_template, html_template = _templates()
        message = Message(
            subject=subject,
            sender=formataddr((self.academy.name, self.sender)),
            recipients=[recipient.address],
            body=text_template(**values),
            html=html_template(**values),
            extra_headers={
                "Message-ID": message_id(mail.id, self.academy.public_url),
                # RFC 8058: a mail client may unsubscribe with one POST of
                # « List-Unsubscribe=One-Click » to this HTTPS address.
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Content-Language": recipient.language,
                "Auto-Submitted": "auto-generated",
            },
        ).to_message()
        return message


@dataclass
class Report:
    planned: int = 0
    digests: int = 0
    sent: int = 0
    failed: int = 0
    abandoned: int = 0


def runner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def retrying(tm, work, attempts: int = 10):
    """Run ``work()`` in a transaction, again after a conflict (another
    runner committed first), after a short random pause."""
    for _attempt in range(attempts - 1):
        try:
            with tm:
                return work()
        except ConflictError:
            time.sleep(random.uniform(0.05, 0.5))  # noqa: S311 - a pause, not a secret
    with tm:  # the last attempt: a conflict now is the caller's
        return work()


def run(tm, get_site, registry, smtp_mailer, settings: Settings, now=datetime.now) -> Report:
    """Send everything that is due, batch after batch, until nothing is left
    that this runner may claim."""
    report = Report()
    owner = runner_id()
    report.planned, report.digests = retrying(
        tm, lambda: queue.plan(get_site(), now(), settings.digest_hour)
    )
    while True:

        def claim_and_build():
            site = get_site()
            builder = Builder(registry, site)
            mails = queue.claim(site, owner, now(), settings.lease, settings.batch)
            return [(mail.id, mail.recipient.address, builder.build(mail)) for mail in mails]

        try:
            batch = retrying(tm, claim_and_build, attempts=3)
        except ConflictError:
            break  # others are claiming the rest: they will send it
        if not batch:
            break
        sender = registry.settings.get("mail.default_sender", DEFAULT_SENDER)
        for mail_id, address, message in batch:
            try:
                smtp_mailer.send(sender, [address], message)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as exc:
                if isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code < 500:
                    log.warning("notifications : serveur SMTP indisponible (%s)", exc)
                    report.failed += 1
                    return report  # a 4xx: try again later, the leases expire
                log.warning("notification %s refusée pour %s : %s", mail_id, address, exc)
                report.failed += 1
                if retrying(tm, lambda mail_id=mail_id: queue.refused(get_site(), mail_id)):
                    report.abandoned += 1
                continue
            except OSError as exc:  # no server, or the connection dropped
                log.warning("notifications : serveur SMTP injoignable (%s)", exc)
                report.failed += 1
                return report
            retrying(tm, lambda mail_id=mail_id: queue.record_sent(get_site(), mail_id, now()))
            report.sent += 1
    return report
