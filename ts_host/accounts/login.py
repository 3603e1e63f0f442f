"""Logging in on the keypad, logging out, unlocking (guide, section 2.1).

Every failure (unknown identifiant, wrong password, locked account) gives
the same message and status after the same argon2 work.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote, urlsplit

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import forbidden_view_config, view_config

from .. import throttle, tokens
from ..audit import audit
from ..forms import FormView
from ..i18n import _
from ..layout import flash
from ..security import end_session, is_staff_path, start_session
from .lockout import is_locked, record_failure, record_success, unlock
from .schemas import LoginSchema

CLIENT_LIMIT = 30
CLIENT_WINDOW = timedelta(minutes=15)
FAILED = _(
    "Identifiant ou mot de passe incorrect. Au bout de 5 erreurs, le compte est "
    "verrouillé et un courriel vous permet de le débloquer."
)
OUTDATED = _(
    "Votre mot de passe ne suit plus les règles de l'académie : choisissez-en un nouveau, "
    "de 12 caractères au moins."
)
TOO_MANY = _("Trop de tentatives depuis cet appareil : réessayez dans quelques minutes.")


def local_path(target: str) -> str | None:
    """``target`` as a path of this site, percent-encoded, or ``None``.

    Only a path is accepted: no scheme, no host, nothing a browser could
    read as another site (``//``, ``\\``), no control character (a CR/LF
    would split the headers).  What remains is encoded to ASCII, since a
    ``Location`` header carries nothing else.
    """
    if any(ord(char) < 32 or ord(char) == 127 for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith("//") or "\\" in target:
        return None
    path = quote(parts.path, safe="/%:@!$&'()*+,;=-._~")
    query = quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    return path + (f"?{query}" if query else "")


def safe_next(request, default: str) -> str:
    """Only a local path may be a destination after login."""
    path = local_path(request.params.get("came_from", ""))
    return request.application_url + path if path else default


@view_config(route_name="login", renderer="ts_host:templates/accounts/login.pt")
class LoginView(FormView):
    schema = LoginSchema
    form_id = "connexion"

    def __call__(self):
        if self.request.account is not None and self.request.method == "GET":
            return HTTPSeeOther(self.request.route_url("home"))
        return super().__call__()

    def values(self):
        return {
            "message": self.request.academy.login_message,
            "came_from": self.request.params.get("came_from", ""),
        }

    def submit_success(self, appstruct):
        request, site = self.request, self.request.site
        client_key = f"login-ip:{request.client_addr}"
        if not throttle.allowed(site, client_key, limit=CLIENT_LIMIT, window=CLIENT_WINDOW):
            audit(request, "login.throttled")
            return self.invalid(appstruct, TOO_MANY)
        account = site.account_by_login(appstruct["login"])
        verified = request.hasher.verify(
            account.password_hash if account else None, appstruct["password"]
        )
        if account is not None and verified and not is_locked(account):
            if request.hasher.needs_rehash(account.password_hash):
                account.password_hash = request.hasher.hash(appstruct["password"])
            record_success(site, account)
            headers = start_session(request, account)
            audit(request, "login.succeeded", target=account.id)
            target = safe_next(request, request.route_url("home"))
            policy = request.password_policy
            if not policy.keypad and policy.problems(appstruct["password"]):
                # The academy moved to a stronger policy after this password was chosen.
                flash(request, OUTDATED, "warning")
                target = request.route_url("account_part", part="mot-de-passe")
            return HTTPSeeOther(target, headers=headers)
        throttle.record(site, client_key, window=CLIENT_WINDOW)
        if account is not None:
            record_failure(request, account)
        audit(
            request,
            "login.failed",
            target=account.id if account else None,
            locked=bool(account and is_locked(account)),
        )
        return self.invalid({"login": appstruct["login"]}, FAILED)


@view_config(route_name="logout", request_method="POST")
def logout_view(request):
    audit(request, "logout")
    headers = end_session(request)
    return HTTPSeeOther(request.route_url("login"), headers=headers)


@view_config(route_name="unlock", renderer="ts_host:templates/accounts/unlock.pt")
def unlock_view(request):
    """The e-mailed link: GET shows a button, POST unlocks (mail scanners only GET)."""
    account = tokens.find(request.site, request.hasher, "unlock", request.matchdict["token"])
    if request.method == "POST" and account is not None:
        unlock(request.site, account)
        audit(request, "account.unlocked", target=account.id)
        flash(
            request,
            _("Votre compte est débloqué : vous pouvez vous connecter."),
            "success",
        )
        return HTTPSeeOther(request.route_url("login"))
    return {"valid": account is not None}


@forbidden_view_config()
def forbidden_view(request):
    """Anonymous visitors go to the login page (the staff's under ``/gestion/``);
    others get a plain refusal."""
    if request.identity is None:
        route = "staff_login" if is_staff_path(request.path_info) else "login"
        return HTTPSeeOther(request.route_url(route, _query={"came_from": request.path}))
    request.response.status = 403
    return request.response
