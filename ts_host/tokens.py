"""Single-use tokens sent by e-mail (unlock, password reset and staff activation links).

Only a keyed digest of each token is stored, indexed in ``site.tokens``,
with its purpose, its account and its expiry.  An account holds at most one
live token per purpose: issuing a new one kills the previous one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from .models import Account, Site


@dataclass(frozen=True)
class TokenRecord:
    purpose: str
    account_id: str
    expires: datetime


def issue(site: Site, hasher, account: Account, purpose: str, ttl: timedelta) -> str:
    revoke(site, account, purpose)
    token = secrets.token_urlsafe(32)
    digest = hasher.token_digest(token)
    site.tokens.set(digest, TokenRecord(purpose, account.id, datetime.now() + ttl))
    account.tokens[purpose] = digest
    return token


def decoy(site: Site) -> Account:
    """One of the site's decoy accounts (:func:`ts_host.models.site.token_decoys`),
    to :func:`issue` a token to when no account may have one: the same work
    and the same writes as for an account, and a token that finds nothing."""
    return site.token_decoys[secrets.randbelow(len(site.token_decoys))]


def find(site: Site, hasher, purpose: str, token: str, accounts=None) -> Account | None:
    """The account ``token`` was issued to for ``purpose``, if still valid.

    ``accounts`` is where to look the owner up: families' accounts unless
    told otherwise (the staff directory's for a staff activation link).
    """
    record = site.tokens.get(hasher.token_digest(token))
    if record is None or record.purpose != purpose or record.expires < datetime.now():
        return None
    return (site.accounts if accounts is None else accounts).get(record.account_id)


def revoke(site: Site, account: Account, purpose: str) -> None:
    digest = account.tokens.pop(purpose, None)
    if digest is not None:
        site.tokens.pop(digest)
