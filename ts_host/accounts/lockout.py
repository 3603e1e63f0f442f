"""Locking an account after repeated failures, and unlocking it.

After ``THRESHOLD`` consecutive failures the account locks for one minute,
then two, four… each time it locks again.  The account's address receives a
link that unlocks it at once.  Every failure is counted in ZODB, so parallel
failures in several processes all count: the counter resolves its own
conflicts, and the rarer writes to the account itself are retried.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .. import tokens
from ..audit import audit
from ..i18n import _
from ..mail import send_mail
from ..models import Account

THRESHOLD = 5
FIRST_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(days=1)


def is_locked(account, now: datetime | None = None) -> bool:
    return account.locked_until is not None and (now or datetime.now()) < account.locked_until


def count_failure(account) -> timedelta | None:
    """Count one failed login; lock the account when due and return for how long.

    Shared by family and staff accounts (both carry ``failure_count``,
    ``lockouts`` and ``locked_until``).
    """
    now = datetime.now()
    account.failure_count.change(1)
    if account.failures < THRESHOLD or is_locked(account, now):
        return None
    delay = min(FIRST_DELAY * 2**account.lockouts, MAX_DELAY)
    account.locked_until = now + delay
    account.lockouts += 1
    return delay


def record_failure(request, account: Account) -> None:
    delay = count_failure(account)
    if delay is not None:
        token = tokens.issue(request.site, request.hasher, account, "unlock", MAX_DELAY)
        audit(
            request,
            "account.locked",
            target=account.id,
            minutes=delay.total_seconds() / 60,
        )
        send_mail(
            request,
            account.email,
            _("Votre compte scolarité services est verrouillé"),
            "ts_host:templates/mail/account_locked.txt",
            {
                "account": account,
                "url": public_url(request, "unlock", token=token),
                "until": account.locked_until,
            },
        )


def record_success(site, account: Account) -> None:
    account.lockouts = 0
    unlock(site, account)


def unlock(site, account: Account) -> None:
    account.locked_until = None
    account.failure_count.set(0)
    tokens.revoke(site, account, "unlock")


def public_url(request, route_name: str, **kw) -> str:
    """A link for a mail, from the configured public URL, never the Host header."""
    path = request.route_path(route_name, **kw)
    return request.academy.public_url + path
