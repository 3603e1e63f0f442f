"""Outgoing mail, sent only when the transaction commits.

Production uses pyramid_mailer's SMTP settings (``mail.host`` …).  With
``mail.directory`` set (development), messages are written as ``.eml`` files
there instead, still through repoze.sendmail's transactional delivery:
pyramid_mailer's own DebugMailer writes at once, even when the transaction
is then aborted, which would hide exactly the bugs we want to see.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from functools import cache
from pathlib import Path

from chameleon import PageTextTemplate
from pyramid.path import AssetResolver
from pyramid_mailer import get_mailer
from pyramid_mailer.interfaces import IMailer
from pyramid_mailer.mailer import Mailer
from pyramid_mailer.message import Message
from repoze.sendmail.delivery import DirectMailDelivery, MailDataManager


class DirectoryMailer:
    """A repoze.sendmail mailer that writes each message to a file."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def send(self, fromaddr, toaddrs, message) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        path = self.directory / f"{stamp}-{secrets.token_hex(3)}.eml"
        path.write_bytes(message.as_bytes())


class MessageDataManager(MailDataManager):
    """repoze.sendmail's data manager, whose ``abort`` accepts a failed commit.

    When a storage fails to vote, the transaction calls ``abort`` on the
    resources that have not voted yet, then ``tpc_abort`` on all of them;
    repoze.sendmail raises ``TPC_InProgress`` from that ``abort``
    (repoze/repoze.sendmail#31, zopefoundation/transaction#128), logged as a
    second traceback after the storage's error.  The ``tpc_abort`` that
    follows drops the message: ``abort`` has nothing to do then.
    """

    def abort(self, trans) -> None:
        if self.tpc_phase != 0 and trans is self.transaction:
            return
        super().abort(trans)


class MessageDelivery(DirectMailDelivery):
    def createDataManager(self, fromaddr, toaddrs, message):
        return MessageDataManager(
            self.mailer.send,
            args=(fromaddr, toaddrs, message),
            transaction_manager=self.transaction_manager,
        )


class TransactionalMailer(Mailer):
    """pyramid_mailer's ``Mailer`` whose messages use :class:`MessageDataManager`."""

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.direct_delivery = MessageDelivery(
            self.smtp_mailer, transaction_manager=self.transaction_manager
        )


@cache
def text_template(spec: str) -> PageTextTemplate:
    """A Chameleon text template, read as UTF-8 (the renderer's default is ASCII)."""
    path = Path(AssetResolver().resolve(spec).abspath())
    return PageTextTemplate(path.read_text(encoding="utf-8"))


def send_mail(request, to: str, subject: str, template: str, values: dict) -> None:
    """Render ``template`` (asset spec of a text template) and queue the message."""
    body = text_template(template)(**values, academy=request.academy)
    subject = request.localizer.translate(subject)
    request.mailer.send(Message(subject=subject, recipients=[to], body=body))


def includeme(config) -> None:
    settings = config.registry.settings
    settings.setdefault("mail.default_sender", "ne-pas-repondre@teleservices.invalid")
    directory = settings.get("mail.directory")
    if directory:
        mailer = TransactionalMailer(
            smtp_mailer=DirectoryMailer(directory),
            default_sender=settings["mail.default_sender"],
        )
    else:
        # What config.include("pyramid_mailer") does, with this module's class.
        mailer = TransactionalMailer.from_settings(settings)
    config.registry.registerUtility(mailer, IMailer)
    config.add_request_method(get_mailer, "mailer", reify=True)
