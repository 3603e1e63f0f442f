"""The signed token of an unsubscribe link.

It names an account, a holder (the account's address or a responsable's)
and the services of one mail; signed with a key derived from
``ts.auth_secret`` (WebOb's HMAC serializer, salted for this purpose only),
so that nobody can make one for another account or another service.  It
does not expire: a link in a mail of last year must still work (RFC 8058
expects the link of a mail to stay valid), and all it can do is turn off
those services' mails, which the holder can turn on again.
"""

from __future__ import annotations

from dataclasses import dataclass

from webob.cookies import SignedSerializer

SALT = "ts-notifications-unsubscribe"


@dataclass(frozen=True)
class Unsubscribe:
    account_id: str
    holder: str
    services: tuple[str, ...]


def _serializer(secret: str) -> SignedSerializer:
    return SignedSerializer(secret, SALT, hashalg="sha256")


def unsubscribe_token(secret: str, account_id: str, holder: str, services: list[str]) -> str:
    payload = {"a": account_id, "h": holder, "s": list(services)}
    return _serializer(secret).dumps(payload).decode("ascii")


def read_unsubscribe_token(secret: str, token: str) -> Unsubscribe | None:
    """What a token asks, or ``None`` when it is forged, altered or malformed."""
    try:
        payload = _serializer(secret).loads(token.encode("ascii"))
    except (ValueError, UnicodeError, TypeError):
        return None
    if not isinstance(payload, dict):
        return None
    account_id, holder, services = payload.get("a"), payload.get("h"), payload.get("s")
    if not (
        isinstance(account_id, str)
        and isinstance(holder, str)
        and isinstance(services, list)
        and services
        and all(isinstance(s, str) for s in services)
    ):
        return None
    return Unsubscribe(account_id, holder, tuple(services))
