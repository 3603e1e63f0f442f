"""The office's journal: the audit events of staff and of ``ts-admin``, kept in ZODB.

The audit log file holds every event; the journal keeps those someone
answers for — a staff member's action, an administration command — so the
académie can read them on the web, filtered.  Anonymous events (a failed
sign-in) stay in the log file only: what strangers send must not grow the
database.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

from BTrees.Length import Length
from BTrees.LOBTree import LOBTree
from persistent import Persistent


@dataclass(frozen=True)
class JournalEntry:
    at: datetime
    event: str
    who: str  #: a staff login, or ``ts-admin (user@host)``
    uai: str = ""
    target: str = ""
    details: dict = field(default_factory=dict)


class Journal(Persistent):
    """Entries keyed by microseconds since the epoch, newest last."""

    def __init__(self) -> None:
        self.entries = LOBTree()
        self.count = Length()

    def __len__(self) -> int:
        return self.count()

    def add(self, entry: JournalEntry) -> None:
        key = time.time_ns() // 1000
        while key in self.entries:  # two events in the same microsecond
            key += 1
        self.entries[key] = entry
        self.count.change(1)

    def newest_first(self, since: datetime | None = None, until: datetime | None = None):
        """The entries between ``since`` and ``until`` (included), newest first, lazily."""
        low = int(since.timestamp() * 1_000_000) if since else None
        high = int(until.timestamp() * 1_000_000) if until else None
        for key in reversed(self.entries.keys(low, high)):
            yield self.entries[key]
