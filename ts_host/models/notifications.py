"""The stored side of notifications (:mod:`ts_host.notifications`): events,
per-recipient mails, preferences.

Everything lives in one :class:`Outbox` at ``site.notifications``.  Its
BTrees are keyed so that concurrent writers touch different keys (an
event's id is time-ordered with a random tail), which BTrees' conflict
resolution merges; a :class:`Mail` is a record of its own, so that claiming
or recording one mail writes that mail only, and two runners that reach for
the same one conflict on it: the later commit fails and backs off.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime

from BTrees.OOBTree import OOBTree
from persistent import Persistent
from persistent.mapping import PersistentMapping

#: The three choices of « Gérer son compte », per service.
NONE, DIGEST, IMMEDIATE = "rien", "quotidien", "immediat"
MODES = (NONE, DIGEST, IMMEDIATE)
#: What an account gets before it chooses: one mail a day at most, whatever
#: the service (grades and absences above all, which change often).
DEFAULT_MODE = DIGEST
#: The key of the account's own address among its preferences; a
#: responsable of a shared account with an address of their own chooses
#: under their responsable id.
ACCOUNT_HOLDER = ""


def new_id() -> str:
    """A time-ordered id with a random tail: ids sort in the order of events,
    and two processes never make the same one."""
    return f"{time.time_ns():020d}-{secrets.token_hex(4)}"


@dataclass(frozen=True)
class Event:
    """Something new for a pupil, reported by a service (see :func:`report_event`).

    ``text`` is the message id of a translation string of ``domain`` (with
    its ``mapping``), translated for each recipient when the mail is built.
    ``path`` is relative to the pupil's page of the service.  An event is
    not sent before ``not_before`` (grades published on a later day).
    """

    id: str
    pupil_id: str
    service_id: str
    kind: str
    text: str
    domain: str
    mapping: tuple[tuple[str, str], ...]
    path: str
    created: datetime
    not_before: datetime | None = None


@dataclass(frozen=True)
class Recipient:
    """One address that a pupil's events go to, and whose preferences choose."""

    account_id: str
    holder: str  # ACCOUNT_HOLDER or a responsable id
    address: str
    language: str

    @property
    def key(self) -> str:
        return f"{self.account_id}/{self.holder}"


class Mail(Persistent):
    """One message to one recipient: an event at once, or a day's digest.

    ``id`` is stable, and so is the Message-ID derived from it: a mail sent
    twice (the one window, see docs/admin.md) is recognisable as the same.
    A runner holds it while ``lease_until`` is in the future; ``attempts``
    counts its claims, ``refusals`` the SMTP server's refusals of it (a class
    default: mails stored before it was counted have none).
    """

    refusals = 0

    def __init__(self, id: str, recipient: Recipient, events: tuple[Event, ...], digest: bool):
        self.id = id
        self.recipient = recipient
        self.events = events
        self.digest = digest
        self.created = datetime.now()
        self.lease_owner = ""
        self.lease_until: datetime | None = None
        self.attempts = 0

    def claimable(self, now: datetime) -> bool:
        return self.lease_until is None or self.lease_until <= now


class Outbox(Persistent):
    """The queue: reported events, digests waiting for their day, mails to send."""

    def __init__(self) -> None:
        self.events = OOBTree()  # event id -> Event, not yet given to recipients
        self.digests = OOBTree()  # (recipient key, event id) -> (Recipient, Event)
        self.mails = OOBTree()  # mail id -> Mail, to send
        self.sent = OOBTree()  # mail id -> when the SMTP server accepted it
        self.abandoned = OOBTree()  # mail id -> Mail refused too many times
        self.last_digest = OOBTree()  # recipient key -> date of its last digest

    def forget_pupil(self, pupil_id: str) -> None:
        """GDPR erasure: drop what waits about the pupil (events, digest
        lines, mails not sent; a digest also about a brother or sister loses
        only the pupil's lines)."""
        for event_id in [k for k, e in self.events.items() if e.pupil_id == pupil_id]:
            del self.events[event_id]
        for key in [k for k, (_r, e) in self.digests.items() if e.pupil_id == pupil_id]:
            del self.digests[key]
        for mail_id, mail in list(self.mails.items()):
            kept = tuple(e for e in mail.events if e.pupil_id != pupil_id)
            if not kept:
                del self.mails[mail_id]
            elif kept != mail.events:
                mail.events = kept

    def forget_account(self, account_id: str) -> None:
        """Drop what waits for the account's addresses (a deleted account)."""
        prefix = f"{account_id}/"
        for key in [k for k in self.digests if k[0].startswith(prefix)]:
            del self.digests[key]
        for mail_id in [k for k, m in self.mails.items() if m.recipient.account_id == account_id]:
            del self.mails[mail_id]
        for key in [k for k in self.last_digest.keys(prefix) if k.startswith(prefix)]:
            del self.last_digest[key]


@dataclass
class Preferences:
    """One holder's choices: service id -> mode, and the language of its mails."""

    modes: dict[str, str] = field(default_factory=dict)
    language: str = "fr"

    def mode(self, service_id: str) -> str:
        return self.modes.get(service_id, DEFAULT_MODE)


def preferences(account, holder: str = ACCOUNT_HOLDER) -> Preferences:
    """The holder's preferences in ``account`` (defaults when never chosen)."""
    stored = account.notification_preferences
    found = stored.get(holder) if stored is not None else None
    return Preferences(dict(found["modes"]), found["language"]) if found else Preferences()


def set_preferences(account, holder: str, chosen: Preferences) -> None:
    """Store the holder's preferences (plain values, replaced as a whole)."""
    if account.notification_preferences is None:
        account.notification_preferences = PersistentMapping()
    account.notification_preferences[holder] = {
        "modes": dict(chosen.modes),
        "language": chosen.language,
    }
