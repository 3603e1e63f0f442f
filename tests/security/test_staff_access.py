"""The establishment office's access matrix: every ``/gestion/`` route, each kind of visitor.

The routes come from the route table; each must be declared below with who
may use it, so a staff page added later without a declaration fails here.
"""

from __future__ import annotations

import itertools

import pytest

from ts_host.models import Role
from ts_host.testing import (
    ESTABLISHMENT_A,
    ESTABLISHMENT_B,
    TestApp,
    login,
    make_staff,
    open_site,
    staff_login,
)

from .routes import all_routes, requests

#: Who may use each staff route: before sign-in (``public``), any staff
#: member (``staff``), those who change codes (``codes``: not the vie
#: scolaire), a service's page that changes data (``edit``,
#: ``STAFF_EDIT_PERMISSION``: not the vie scolaire either) or the académie
#: only (``academie``).  Routes under ``/gestion/{uai}/`` are also closed
#: (404) to staff of other establishments.
DECLARED = {
    "staff_bare": "public",
    "staff_login": "public",
    "staff_second_factor": "public",
    "staff_enrol": "public",
    "staff_logout": "public",
    "staff_activate": "public",
    "staff_home": "staff",
    "staff_accounts": "academie",
    "staff_account_disable": "academie",
    "staff_account_enable": "academie",
    "staff_account_reset_second_factor": "academie",
    "staff_journal": "academie",
    "office": "staff",
    "office_codes": "staff",
    "office_services": "staff",
    "office_regenerate": "codes",
    "office_refusal": "codes",
    "office_mail_code": "codes",
    "office_letters": "codes",
    "office_siecle": "codes",
    "ts_notes.office": "staff",
    "ts_notes.office_import": "edit",
    "ts_cantine.office": "staff",
    "ts_cantine.office_menus": "edit",
    "office_sts": "codes",
    "office_import_progress": "staff",
}
LOGIN_PAGE = "/gestion/connexion"
numbers = itertools.count()


def staff_routes(registry):
    return [route for route in all_routes(registry) if route.for_staff]


def member(ts_app, role, uais=()):
    with open_site(ts_app) as site:
        return make_staff(site, ts_app.registry.ts_hasher, f"agent{next(numbers)}", role, uais)


def signed_in(testapp, role, uais=()):
    """A client of its own (the kit's ``testapp``'s host), signed in as a new staff member."""
    app = TestApp(testapp.app, extra_environ=testapp.extra_environ)
    staff_login(app, member(testapp.app, role, uais))
    return app


def needed(route) -> str:
    """A route's declaration; a service's page (``ts_<id>.…``, added with
    ``add_staff_route``) not declared is any staff member's of an establishment
    enabling it."""
    return DECLARED[route.name] if "." not in route.name else DECLARED.get(route.name, "staff")


def test_every_staff_route_of_the_host_is_declared(ts_app):
    names = {route.name for route in staff_routes(ts_app.registry) if "." not in route.name}
    assert names == {name for name in DECLARED if "." not in name}


def protected(registry, method, uai=ESTABLISHMENT_A):
    for route, match in requests(registry, method):
        if route.for_staff and needed(route) != "public":
            yield route, route.path(id="g0", uai=uai, **match)


def expected(route, role) -> set[int]:
    """What ``role`` gets on ``route`` of its own establishment (a GET, or a POST
    with a valid token but nothing named: 404 for an unknown code)."""
    level = needed(route)
    if level == "academie" and role != Role.ACADEMIE:
        return {403}
    if level in ("codes", "edit") and role == Role.VIE_SCOLAIRE:
        return {403}
    return {200, 303, 404} if level == "codes" or "." in route.name else {200}


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_anonymous_visitors_and_families_are_sent_to_the_staff_sign_in(
    ts_app, testapp, family, method
):
    family_app = TestApp(ts_app, extra_environ=testapp.extra_environ)
    login(family_app, family.login, family.password)
    for route, path in protected(ts_app.registry, method):
        for app in (testapp, family_app):
            response = getattr(app, method.lower())(path, status="*")
            assert response.status_int == 303, (route.name, response.status)
            assert response.location.split("?")[0].endswith(LOGIN_PAGE), route.name


@pytest.mark.parametrize("role", [Role.ETABLISSEMENT, Role.VIE_SCOLAIRE])
def test_establishment_staff_reach_what_their_role_allows(ts_app, testapp, role):
    app = signed_in(testapp, role, [ESTABLISHMENT_A])
    token = app.get("/gestion/").html.select_one("input[name=csrf_token]")["value"]
    for route, path in protected(ts_app.registry, "GET"):
        assert app.get(path, status="*").status_int in expected(route, role), route.name
    for route, path in protected(ts_app.registry, "POST"):
        status = app.post(path, {"csrf_token": token}, status="*").status_int
        assert status in expected(route, role), route.name


@pytest.mark.parametrize("role", [Role.ETABLISSEMENT, Role.VIE_SCOLAIRE])
def test_another_establishment_s_office_answers_like_a_missing_one(ts_app, testapp, role):
    app = signed_in(testapp, role, [ESTABLISHMENT_A])
    token = app.get("/gestion/").html.select_one("input[name=csrf_token]")["value"]
    for uai in (ESTABLISHMENT_B, "0999999Z"):
        for route, path in protected(ts_app.registry, "GET", uai):
            if "{uai" in route.pattern:
                assert app.get(path, status="*").status_int == 404, route.name
        for route, path in protected(ts_app.registry, "POST", uai):
            if "{uai" in route.pattern:
                assert app.post(path, {"csrf_token": token}, status="*").status_int == 404


def test_the_academie_reaches_every_staff_page(ts_app, testapp):
    app = signed_in(testapp, Role.ACADEMIE)
    for route, path in protected(ts_app.registry, "GET"):
        assert app.get(path, status="*").status_int == 200, route.name


def test_every_staff_post_refuses_a_missing_or_wrong_token(ts_app, testapp):
    app = signed_in(testapp, Role.ACADEMIE)
    refused = []
    for route, match in requests(ts_app.registry, "POST"):
        if not route.for_staff:
            continue
        path = route.path(id="g0", token="x" * 43, uai=ESTABLISHMENT_A, **match)
        for how in ({}, {"params": {"csrf_token": "0" * 32}}):
            if app.post(path, status="*", **how).status_int != 400:
                refused.append(f"{route.name} {how}")
    assert not refused
