"""Outgoing mail, sent only when the transaction commits.

Production uses pyramid_mailer's SMTP settings (``mail.host`` …).  With
``mail.directory`` set (development), messages are written as ``.eml`` files
there instead, still through repoze.sendmail's transactional delivery:
pyramid_mailer's own DebugMailer writes at once, even when the transaction
is then aborted, which would hide exactly the bugs we want to see.
"""

from __future__ import annotations

import logging
import queue
import re
import secrets
import smtplib
import threading
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
from repoze.sendmail.encoding import encode_message

log = logging.getLogger(__name__)


class DirectoryMailer:
    """A repoze.sendmail mailer that writes each message to a file."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def send(self, fromaddr, toaddrs, message) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        path = self.directory / f"{stamp}-{secrets.token_hex(3)}.eml"
        # Written aside then renamed: a reader never sees half a message.
        partial = path.with_suffix(".part")
        partial.write_bytes(encode_message(message))
        partial.rename(path)


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


#: A line end that is not CRLF.
BARE_LINE_END = re.compile(rb"\r?\n")


def crlf(message: bytes) -> bytes:
    """``message`` with every line ended by CRLF, as RFC 5321 wants on the wire."""
    return BARE_LINE_END.sub(b"\r\n", message)


class CRLFSMTP(smtplib.SMTP):
    """``smtplib.SMTP`` that ends the lines of a message given as bytes with CRLF.

    repoze.sendmail hands ``sendmail`` the message as bytes with bare LF line
    ends, and smtplib fixes line ends only for ``str``: a server that holds
    to RFC 5321 (as many do since « SMTP smuggling », CVE-2023-51764) reads
    the whole message as one line and refuses it as too long.
    """

    def sendmail(self, from_addr, to_addrs, msg, mail_options=(), rcpt_options=()):
        if isinstance(msg, bytes):
            msg = crlf(msg)
        return super().sendmail(from_addr, to_addrs, msg, mail_options, rcpt_options)


class CRLFSMTPSSL(smtplib.SMTP_SSL, CRLFSMTP):
    """The same over TLS from the start (``mail.ssl``)."""


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


class Outbox:
    """Messages built and sent by one thread of the process, after the response.

    A message given to :func:`send_after_commit` costs its request nothing but
    a place in this queue; what a mail costs (the template, the SMTP
    exchange) is paid here, where no client can time it.  A message still
    queued when the process stops is lost, like one refused by the SMTP
    server (logged): only mails whose loss the user can repair by asking
    again go this way (see docs/decisions.md).
    """

    def __init__(self) -> None:
        self.queue: queue.Queue = queue.Queue()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def put(self, job) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self.run, name="ts-outbox", daemon=True)
                self.thread.start()
        self.queue.put(job)

    def run(self) -> None:
        while True:
            job = self.queue.get()
            try:
                job()
            except Exception:
                log.exception("courriel non envoyé")
            finally:
                self.queue.task_done()

    def join(self) -> None:
        """Wait until every queued message is sent (tests, orderly stops)."""
        self.queue.join()


OUTBOX = Outbox()
#: ``environ`` key of the jobs the guard hands to the outbox once the response
#: is complete: the thread would otherwise compete with the request's last steps.
AFTER_RESPONSE = "ts.after_response"


def send_after_commit(
    request, to: str, subject: str, template: str, values: dict, *, deliver: bool = True
) -> None:
    """Send a message once the transaction commits, from the :data:`OUTBOX`.

    With ``deliver=False`` the message is built all the same, then dropped:
    the request and the outbox thread (which shares the interpreter with the
    requests) do the same work as for a message that leaves, so the time of
    the answer reveals nothing (« no account has this address »).  ``values``
    must hold plain values, not persistent objects: the message is built in
    another thread.
    """
    mailer, academy = request.mailer, request.academy
    subject = request.localizer.translate(subject)

    def build_and_send() -> None:
        body = text_template(template)(**values, academy=academy)
        message = Message(
            subject=subject, sender=mailer.default_sender, recipients=[to], body=body
        ).to_message()
        if deliver:
            mailer.smtp_mailer.send(mailer.default_sender, [to], message)
        else:
            encode_message(message)  # what the mailer does first, and costs most

    def queue_when_committed(committed: bool) -> None:
        if not committed:
            return
        after_response = request.environ.get(AFTER_RESPONSE)
        if after_response is None:  # not served through the guard (a script)
            OUTBOX.put(build_and_send)
        else:
            after_response.append(build_and_send)

    request.tm.get().addAfterCommitHook(queue_when_committed)


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
        mailer.smtp_mailer.smtp = CRLFSMTP
        mailer.smtp_mailer.smtp_ssl = CRLFSMTPSSL
    config.registry.registerUtility(mailer, IMailer)
    config.add_request_method(get_mailer, "mailer", reify=True)
