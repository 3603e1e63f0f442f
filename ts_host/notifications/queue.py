"""The notification queue: report, fan out, plan digests, claim, record.

Each function works on the site inside the caller's transaction; the
protocol of ``ts-admin notify`` (:mod:`.sending`) gives each step its own.

1. A service reports an event (:func:`report_event`) in the transaction of
   the data that caused it: no event without its data, no data without its
   event.
2. :func:`plan` gives the due events to their recipients, by their
   preferences: a :class:`~ts_host.models.notifications.Mail` at once, or a
   line of their next digest; once a day (after ``digest_hour``) it turns
   each recipient's waiting lines into one digest mail.
3. :func:`claim` leases a batch of mails to one runner until a deadline;
   another runner reaching for the same mail conflicts and backs off.
4. The runner sends, then :func:`record_sent` marks each mail sent.  A
   runner killed between 3 and 4 leaves leases that expire: the next runner
   sends those mails again, with the same Message-ID.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from pyramid.i18n import TranslationString

from ..models import Pupil, Site, email_key
from ..models.notifications import (
    ACCOUNT_HOLDER,
    IMMEDIATE,
    NONE,
    Event,
    Mail,
    Recipient,
    new_id,
    preferences,
)

#: A mail refused this many times (a dead address) is given up, and logged.
MAX_REFUSALS = 5
#: How long the id of a sent mail is kept (what was sent, for the administrator).
KEEP_SENT = timedelta(days=30)


def report_event(
    site: Site,
    pupil: Pupil,
    service_id: str,
    kind: str,
    text: str,
    *,
    path: str = "",
    not_before: datetime | None = None,
) -> Event:
    """Report that something is new for ``pupil`` in the service ``service_id``.

    Call it in the transaction that writes what is new (an import, a form):
    the event is stored in the same commit, or not at all.  ``kind`` is a
    short word of the service (``"notes"``, ``"absence"``); ``text`` a short
    sentence through the service's catalogue (``_("De nouvelles notes…")``,
    a ``TranslationString``, translated for each recipient); it names what is
    new, never a grade or a reason: mail is not a safe channel.  ``path`` is
    the page to link to, relative to the pupil's page of the service.  The
    event is not sent before ``not_before``.
    """
    mapping = getattr(text, "mapping", None) or {}
    event = Event(
        id=new_id(),
        pupil_id=pupil.id,
        service_id=service_id,
        kind=kind,
        text=str(text),
        domain=getattr(text, "domain", None) or "ts_host",
        mapping=tuple(sorted((str(k), str(v)) for k, v in mapping.items())),
        path=path,
        created=datetime.now(),
        not_before=not_before,
    )
    site.notifications.events[event.id] = event
    return event


def translation(event: Event) -> TranslationString:
    return TranslationString(event.text, domain=event.domain, mapping=dict(event.mapping))


def recipients(site: Site, pupil_ids: Iterable[str]) -> dict[str, list[Recipient]]:
    """Who hears of each pupil's events: the address of every account that
    follows the pupil, and, in an account shared by several responsables,
    the own address of each one of the pupil's who has one (each choosing
    for themselves).

    One pass over the accounts (there is no index from pupil to accounts).
    """
    wanted = set(pupil_ids)
    found: dict[str, list[Recipient]] = defaultdict(list)
    for account in site.accounts.values():
        for pupil_id in wanted.intersection(account.pupil_ids):
            addresses = set()
            if account.email:
                addresses.add(email_key(account.email))
                found[pupil_id].append(_recipient(account, ACCOUNT_HOLDER, account.email))
            for responsable_id in shared_responsables(account, pupil_id):
                responsable = site.responsables.get(responsable_id)
                address = getattr(responsable, "email", "")
                if address and email_key(address) not in addresses:
                    addresses.add(email_key(address))
                    found[pupil_id].append(_recipient(account, responsable_id, address))
    return found


def shared_responsables(account, pupil_id: str) -> list[str]:
    """The responsables of ``pupil_id`` who share ``account``, when it holds
    several (parents who use one login); none for one person's account."""
    ids = list(
        dict.fromkeys(
            link.responsable_id
            for link in account.links
            if link.pupil_id == pupil_id and link.responsable_id
        )
    )
    return ids if len(ids) > 1 else []


def _recipient(account, holder: str, address: str) -> Recipient:
    return Recipient(account.id, holder, address, preferences(account, holder).language)


def plan(site: Site, now: datetime, digest_hour: int) -> tuple[int, int]:
    """Give due events to their recipients and make the day's digests.

    Returns how many immediate mails and how many digests were made.
    """
    outbox = site.notifications
    due = [e for e in outbox.events.values() if e.not_before is None or e.not_before <= now]
    immediate = 0
    if due:
        found = recipients(site, {event.pupil_id for event in due})
        for event in due:
            for recipient in found.get(event.pupil_id, ()):
                account = site.accounts.get(recipient.account_id)
                mode = preferences(account, recipient.holder).mode(event.service_id)
                if mode == IMMEDIATE:
                    mail_id = f"{event.id}.{recipient.key}"
                    outbox.mails[mail_id] = Mail(mail_id, recipient, (event,), digest=False)
                    immediate += 1
                elif mode != NONE:
                    outbox.digests[(recipient.key, event.id)] = (recipient, event)
            del outbox.events[event.id]
    digests = 0
    if now.hour >= digest_hour:
        digests = _make_digests(outbox, now)
    _prune(outbox, now)
    return immediate, digests


def _make_digests(outbox, now: datetime) -> int:
    """One digest per recipient with waiting lines, at most one a day."""
    today = now.date()
    waiting: dict[str, list] = defaultdict(list)
    for (key, _event_id), line in outbox.digests.items():
        if outbox.last_digest.get(key) != today:
            waiting[key].append(line)
    for key, lines in waiting.items():
        recipient = lines[-1][0]  # the latest address and language
        events = tuple(event for _recipient, event in lines)
        mail_id = f"quotidien.{today.isoformat()}.{key}"
        outbox.mails[mail_id] = Mail(mail_id, recipient, events, digest=True)
        outbox.last_digest[key] = today
        for event in events:
            del outbox.digests[(key, event.id)]
    return len(waiting)


def _prune(outbox, now: datetime) -> None:
    for mail_id in list(outbox.sent.keys()):
        if outbox.sent[mail_id] < now - KEEP_SENT:
            del outbox.sent[mail_id]


def claim(site: Site, owner: str, now: datetime, lease: timedelta, limit: int) -> list[Mail]:
    """Lease up to ``limit`` mails to ``owner`` until ``now + lease``.

    Mails never claimed, and mails whose lease expired (a runner killed, or
    one that could not send them), are taken.  A mail already recorded sent
    is no longer among them.  The caller commits at once:
    a concurrent claim of the same mail fails there with a ``ConflictError``.
    """
    taken = []
    for mail in site.notifications.mails.values():
        if len(taken) == limit:
            break
        if mail.claimable(now):
            mail.lease_owner = owner
            mail.lease_until = now + lease
            mail.attempts += 1
            taken.append(mail)
    return taken


def record_sent(site: Site, mail_id: str, now: datetime) -> None:
    """The SMTP server accepted the mail: it is never sent again."""
    outbox = site.notifications
    del outbox.mails[mail_id]
    outbox.sent[mail_id] = now


def refused(site: Site, mail_id: str) -> bool:
    """The SMTP server refused the mail for good (a 5xx answer): drop it once
    refused :data:`MAX_REFUSALS` times (kept in ``abandoned``, never sent
    again).  Returns whether it was dropped.

    Until then its lease is left to expire, so that a later run tries again
    rather than at once.  A server that cannot be reached refuses nothing:
    the run stops, and the mails wait for it however long it is down.
    """
    outbox = site.notifications
    mail = outbox.mails[mail_id]
    mail.refusals += 1
    if mail.refusals < MAX_REFUSALS:
        return False
    del outbox.mails[mail_id]
    outbox.abandoned[mail_id] = mail
    return True
