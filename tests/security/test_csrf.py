"""Every route whose views accept POST refuses a missing or wrong CSRF token.

The routes and their methods are read from the route table and the views'
``request_method``; a plugin installed later is covered as it lands.
"""

from __future__ import annotations

import pytest

from .routes import requests

WRONG = "0" * 32
#: Routes whose POST takes no CSRF token, by design, and why.
EXEMPT = {
    # RFC 8058: the mail client POSTs with no session and no page of ours;
    # the signed token in the address stands for the CSRF token, and the POST
    # can only turn off the mails it names (tests/test_notification_pages.py).
    "unsubscribe": "désabonnement en un clic (RFC 8058)",
}


def post_targets(registry, cast, site, tm):
    with tm:
        responsable = site.pupils[cast.own].responsables[0].responsable_id
    for route, match in requests(registry, "POST"):
        if route.for_staff:  # families are strangers there: test_staff_access.py
            continue
        if route.name in EXEMPT:
            continue
        yield route, route.path(pupil=cast.own, responsable=responsable, token="x" * 43, **match)


@pytest.mark.parametrize(
    "how",
    [
        pytest.param({}, id="sans jeton"),
        pytest.param({"params": {"csrf_token": WRONG}}, id="jeton faux"),
        pytest.param({"headers": {"X-CSRF-Token": WRONG}}, id="en-tête faux"),
        pytest.param({"params": {"csrf_token": ""}}, id="jeton vide"),
    ],
)
def test_every_post_route_refuses_a_missing_or_wrong_token(ts_app, cast, client, site, tm, how):
    targets = list(post_targets(ts_app.registry, cast, site, tm))
    assert len(targets) > 5
    app = client("owner")
    accepted = []
    for route, path in targets:
        response = app.post(path, status="*", **how)
        if response.status_int != 400:
            accepted.append(f"{route.name} {path}: {response.status}")
    assert not accepted


def test_anonymous_posts_without_token_are_refused_too(ts_app, cast, client, site, tm):
    app = client()
    accepted = []
    for route, path in post_targets(ts_app.registry, cast, site, tm):
        if route.about_a_pupil:  # sent to the login page before any view runs
            continue
        response = app.post(path, status="*")
        if response.status_int != 400:
            accepted.append(f"{route.name} {path}: {response.status}")
    assert not accepted


def test_with_the_right_token_the_same_posts_get_past_the_check(ts_app, cast, client, site, tm):
    """The control: the 400s above come from the token, not from the paths."""
    refused = []
    for route, path in post_targets(ts_app.registry, cast, site, tm):
        app = client("owner")  # a POST may end the session (logout, deletion)
        token = app.get("/compte").html.select_one("input[name=csrf_token]")["value"]
        response = app.post(path, {"csrf_token": token}, status="*")
        if response.status_int == 400:
            refused.append(f"{route.name} {path}")
    assert not refused


def test_only_the_declared_routes_take_posts_without_a_token(ts_app):
    """(Views without a route, the error views, answer no POST of their own.)"""
    exempt = {
        view["introspectable"]["route_name"]
        for view in ts_app.registry.introspector.get_category("views")
        if view["introspectable"]["require_csrf"] is False
        and view["introspectable"]["route_name"] is not None
    }
    assert exempt == set(EXEMPT)
