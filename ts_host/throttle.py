"""Counting attempts in the database, so limits hold across processes.

Each key (``login-ip:…``, ``activation-code:…``) has a window; within it,
attempts beyond the limit are refused.  Concurrent attempts under one key
are merged by the window's conflict resolution, so every one is counted
without a retry.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from persistent import Persistent
from ZODB.POSException import ConflictError

from .models import Site


class Window(Persistent):
    def __init__(self, started: datetime) -> None:
        self.started = started
        self.count = 0

    def _p_resolveConflict(self, old: dict, committed: dict, new: dict) -> dict:
        """Two transactions counted attempts in the same window: add both."""
        if committed["started"] != new["started"]:
            raise ConflictError("the window was restarted meanwhile")
        merged = dict(committed)
        merged["count"] = committed["count"] + new["count"] - old["count"]
        return merged


def _window(site: Site, key: str, length: timedelta, now: datetime) -> Window | None:
    window = site.throttles.get(key)
    if window is not None and now - window.started > length:
        return None
    return window


def allowed(site: Site, key: str, *, limit: int, window: timedelta, now=None) -> bool:
    """Whether another attempt under ``key`` may be made now."""
    current = _window(site, key, window, now or datetime.now())
    return current is None or current.count < limit


def record(site: Site, key: str, *, window: timedelta, now=None) -> int:
    """Count one attempt; return the count in the current window."""
    now = now or datetime.now()
    current = _window(site, key, window, now)
    if current is None:
        current = Window(now)
        site.throttles.set(key, current)
    current.count += 1
    return current.count


def clear(site: Site, key: str) -> None:
    site.throttles.pop(key)
