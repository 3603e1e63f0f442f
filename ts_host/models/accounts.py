"""Internet accounts of responsables and pupils."""

from dataclasses import dataclass
from datetime import datetime

from BTrees.Length import Length
from BTrees.OOBTree import OOBTree
from persistent import Persistent
from persistent.list import PersistentList
from persistent.mapping import PersistentMapping


@dataclass(frozen=True)
class Link:
    """What one activation code gave an account.

    A CAR link grants the pupil and the personal data of ``responsable_id``;
    a CAE link grants the pupil only (``responsable_id`` is ``None``).
    """

    code: str
    pupil_id: str
    responsable_id: str | None


@dataclass(frozen=True)
class SecurityQuestion:
    """A recovery question and the keyed hash of its normalised answer."""

    question: str
    answer_hash: str


class Account(Persistent):
    """An account created from one or more activation codes.

    ``kind`` is ``"responsable"`` (CAR links) or ``"eleve"`` (one CAE link).
    Failure counters live here, in the database, so that a lockout holds
    across processes and restarts; ``sessions`` maps the id of each live
    login session to its start, so logout and password changes can end
    sessions on the server.

    ``notification_preferences`` maps a holder (``""`` for the account's own
    address, or a responsable id) to its choices
    (:mod:`ts_host.notifications`); a class default, so accounts stored
    before notifications existed have it, ``None`` until one chooses.
    """

    notification_preferences: PersistentMapping | None = None

    def __init__(self, id: str, kind: str, login: str, email: str) -> None:
        self.id = id
        self.kind = kind
        self.login = login
        self.email = email
        self.password_hash = ""
        self.questions = PersistentList()
        self.links = PersistentList()
        self.created_at = datetime.now()
        self.last_login: datetime | None = None
        # A conflict-resolving counter in a record of its own: concurrent
        # failed logins in several processes all add up instead of
        # conflicting on the account.
        self.failure_count = Length()
        self.lockouts = 0
        self.locked_until: datetime | None = None
        self.tokens = PersistentMapping()  # purpose -> digest in site.tokens
        self.answer_failures = 0
        self.sessions = OOBTree()

    @property
    def failures(self) -> int:
        """Consecutive failed logins since the last success or unlock."""
        return self.failure_count()

    @property
    def pupil_ids(self) -> list[str]:
        seen: dict[str, None] = {}
        for link in self.links:
            seen.setdefault(link.pupil_id)
        return list(seen)

    @property
    def responsable_ids(self) -> list[str]:
        return [link.responsable_id for link in self.links if link.responsable_id]

    def principals(self) -> list[str]:
        """The principals this account holds beyond its own id."""
        principals = [f"account:{self.id}"]
        principals += [f"pupil:{pid}" for pid in self.pupil_ids]
        principals += [f"responsable:{rid}" for rid in self.responsable_ids]
        return principals

    def responsables_for(self, pupil_id: str) -> list[str]:
        """The responsables this account speaks for, for one pupil."""
        return [
            link.responsable_id
            for link in self.links
            if link.pupil_id == pupil_id and link.responsable_id
        ]
