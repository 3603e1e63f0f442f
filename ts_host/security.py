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

from .models import Account, StaffAccount

IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
#: Staff hold more (every family of an establishment): shorter sessions.
STAFF_IDLE_TIMEOUT = timedelta(minutes=15)
STAFF_ABSOLUTE_TIMEOUT = timedelta(hours=8)
#: Where the establishment office lives; its pages know staff only.
STAFF_PREFIX = "/gestion"


@dataclass(frozen=True)
class Identity:
    account: Account | StaffAccount
    session_id: str


class TicketPolicy:
    """Logins of one kind of account, in an auth ticket cookie of their own.

    ``accounts(request)`` gives the container the ticket's user id is looked
    up in; a disabled account has no identity.
    """

    def __init__(
        self,
        secret: str,
        secure: bool,
        cookie_name: str,
        path: str,
        idle: timedelta,
        absolute: timedelta,
        accounts,
    ) -> None:
        self.helper = AuthTktCookieHelper(
            secret,
            cookie_name=cookie_name,
            secure=secure,
            http_only=True,
            samesite="Lax",
            timeout=int(idle.total_seconds()),
            reissue_time=min(120, int(idle.total_seconds()) // 5),
            hashalg="sha512",
            path=path,
            # Host-only: a Domain attribute would send the ticket to subdomains too.
            wild_domain=False,
        )
        self.absolute = absolute
        self.accounts = accounts

    def identity(self, request) -> Identity | None:
        ticket = self.helper.identify(request)
        if not ticket or len(ticket["tokens"]) != 1:
            return None
        account = self.accounts(request).get(ticket["userid"])
        if account is None or getattr(account, "disabled", False):
            return None
        session_id = ticket["tokens"][0]
        started = account.sessions.get(session_id)
        if started is None or datetime.now() - started > self.absolute:
            return None
        return Identity(account, session_id)


def is_staff_path(path: str) -> bool:
    return path == STAFF_PREFIX or path.startswith(STAFF_PREFIX + "/")


class SecurityPolicy:
    """Families everywhere but under ``/gestion/``, where only staff exist.

    Each kind has its own cookie (the staff's is sent only to ``/gestion/``)
    and its own account container, so a family login never opens a staff
    page and a staff login never a family page.
    """

    def __init__(self, secret: str, secure: bool) -> None:
        self.family = TicketPolicy(
            secret,
            secure,
            "ts_auth",
            "/",
            IDLE_TIMEOUT,
            ABSOLUTE_TIMEOUT,
            lambda request: request.site.accounts,
        )
        self.staff = TicketPolicy(
            secret,
            secure,
            "ts_staff",
            STAFF_PREFIX,
            STAFF_IDLE_TIMEOUT,
            STAFF_ABSOLUTE_TIMEOUT,
            lambda request: request.site.staff.accounts,
        )
        self.acl = ACLHelper()
        # Pyramid asks for the identity several times a request (the account,
        # each permission check, the audit log): look it up once.
        self.identity_cache = RequestLocalCache(self.load_identity)

    def policy_for(self, request) -> TicketPolicy:
        return self.staff if is_staff_path(request.path_info) else self.family

    def identity(self, request) -> Identity | None:
        return self.identity_cache.get_or_create(request)

    def load_identity(self, request) -> Identity | None:
        return self.policy_for(request).identity(request)

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
        return self.policy_for(request).helper.remember(request, userid, **kw)

    def forget(self, request, **kw):
        self.identity_cache.clear(request)
        return self.policy_for(request).helper.forget(request)


def start_session(request, account: Account | StaffAccount) -> list:
    """Log ``account`` in: a fresh session id and CSRF token; return headers.

    A staff account is logged in on a ``/gestion/`` page, hence by the staff's
    cookie (see ``SecurityPolicy.policy_for``).
    """
    now = datetime.now()
    limit = STAFF_ABSOLUTE_TIMEOUT if isinstance(account, StaffAccount) else ABSOLUTE_TIMEOUT
    for session_id, started in list(account.sessions.items()):
        if now - started > limit:
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
    """The family account logged in, or ``None`` (on a staff page too)."""
    identity = request.identity
    return identity.account if identity and isinstance(identity.account, Account) else None


def get_staff(request) -> StaffAccount | None:
    """The staff account logged in, or ``None`` (on a family page too)."""
    identity = request.identity
    return identity.account if identity and isinstance(identity.account, StaffAccount) else None


class TextCSRFStoragePolicy(SessionCSRFStoragePolicy):
    """Pyramid's session policy, for which a token sent as a file (a forged
    multipart body) is a wrong token, answered 400, and not a ``TypeError``."""

    def check_csrf_token(self, request, supplied_token) -> bool:
        if not isinstance(supplied_token, str):
            return False
        return super().check_csrf_token(request, supplied_token)


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
    config.set_csrf_storage_policy(TextCSRFStoragePolicy())
    config.set_default_csrf_options(require_csrf=True)
    config.set_security_policy(SecurityPolicy(settings["ts.auth_secret"], secure))
    config.add_request_method(get_account, "account", reify=True)
    config.add_request_method(get_staff, "staff", reify=True)
