"""Who is asking: login sessions, principals and the security policy.

The login is an auth ticket cookie holding the account id and a session id.
The session id must also be listed in the account's ``sessions`` in ZODB,
which is what lets logout, a password change or a reset end a session on
the server: a replayed cookie names a session that no longer exists.  The
ticket's own timeout gives the idle limit; the recorded start gives the
absolute one.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from pyramid.authentication import AuthTktCookieHelper
from pyramid.authorization import ACLHelper, Authenticated, Everyone
from pyramid.csrf import SessionCSRFStoragePolicy
from pyramid.request import RequestLocalCache
from pyramid.security import forget, remember
from pyramid.session import JSONSerializer, SignedCookieSessionFactory
from pyramid.settings import asbool
from pyramid_nacl_session import EncryptedSerializer

from .models import Account

IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)


@dataclass(frozen=True)
class Identity:
    account: Account
    session_id: str


class SecurityPolicy:
    def __init__(self, secret: str, secure: bool) -> None:
        self.helper = AuthTktCookieHelper(
            secret,
            cookie_name="ts_auth",
            secure=secure,
            http_only=True,
            samesite="Lax",
            timeout=int(IDLE_TIMEOUT.total_seconds()),
            reissue_time=120,
            hashalg="sha512",
            # Host-only: a Domain attribute would send the ticket to subdomains too.
            wild_domain=False,
        )
        self.acl = ACLHelper()
        # Pyramid asks for the identity several times a request (the account,
        # each permission check, the audit log): look it up once.
        self.identity_cache = RequestLocalCache(self.load_identity)

    def identity(self, request) -> Identity | None:
        return self.identity_cache.get_or_create(request)

    def load_identity(self, request) -> Identity | None:
        ticket = self.helper.identify(request)
        if not ticket or len(ticket["tokens"]) != 1:
            return None
        account = request.site.accounts.get(ticket["userid"])
        if account is None:
            return None
        session_id = ticket["tokens"][0]
        started = account.sessions.get(session_id)
        if started is None or datetime.now() - started > ABSOLUTE_TIMEOUT:
            return None
        return Identity(account, session_id)

    def authenticated_userid(self, request) -> str | None:
        identity = request.identity
        return identity.account.id if identity else None

    def permits(self, request, context, permission):
        principals = [Everyone]
        if request.identity:
            principals += [Authenticated, *request.identity.account.principals()]
        return self.acl.permits(context, principals, permission)

    def remember(self, request, userid, **kw):
        self.identity_cache.clear(request)
        return self.helper.remember(request, userid, **kw)

    def forget(self, request, **kw):
        self.identity_cache.clear(request)
        return self.helper.forget(request)


def start_session(request, account: Account) -> list:
    """Log ``account`` in: a fresh session id and CSRF token; return headers."""
    now = datetime.now()
    for session_id, started in list(account.sessions.items()):
        if now - started > ABSOLUTE_TIMEOUT:
            del account.sessions[session_id]
    session_id = "s" + secrets.token_hex(16)  # auth_tkt tokens start with a letter
    account.sessions[session_id] = now
    account.last_login = now
    request.session.invalidate()
    request.session.new_csrf_token()
    return remember(request, account.id, tokens=(session_id,))


def end_session(request) -> list:
    """Log out: the session is removed on the server, the cookies cleared."""
    identity = request.identity
    if identity is not None:
        identity.account.sessions.pop(identity.session_id, None)
    request.session.invalidate()
    return forget(request)


def end_other_sessions(request, account: Account) -> None:
    """After a password change or reset, only the current session survives."""
    identity = request.identity
    keep = identity.session_id if identity and identity.account is account else None
    for session_id in list(account.sessions.keys()):
        if session_id != keep:
            del account.sessions[session_id]


def get_account(request) -> Account | None:
    identity = request.identity
    return identity.account if identity else None


def includeme(config) -> None:
    """Sessions are JSON (never pickle), signed and encrypted: the keypad
    layout they carry must not be readable from the cookie."""
    settings = config.registry.settings
    secure = asbool(settings.get("ts.secure_cookies", not settings["ts.development"]))
    config.set_session_factory(
        SignedCookieSessionFactory(
            settings["ts.session_secret"],
            cookie_name="ts_session",
            secure=secure,
            httponly=True,
            samesite="Lax",
            timeout=int(IDLE_TIMEOUT.total_seconds()),
            reissue_time=60,
            serializer=EncryptedSerializer(
                hashlib.sha256(
                    b"ts-session-box:" + settings["ts.session_secret"].encode()
                ).digest(),
                serializer=JSONSerializer(),
            ),
        )
    )
    config.set_csrf_storage_policy(SessionCSRFStoragePolicy())
    config.set_default_csrf_options(require_csrf=True)
    config.set_security_policy(SecurityPolicy(settings["ts.auth_secret"], secure))
    config.add_request_method(get_account, "account", reify=True)
