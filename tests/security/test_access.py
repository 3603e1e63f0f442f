"""Access control, from the route table: nobody reaches a pupil who is not theirs.

For every route under ``/eleve/{pupil}/`` of every installed service, each
intruder gets exactly what a pupil that does not exist gets: same status,
same location, same page (modulo CSRF tokens and keypad digits).
"""

from __future__ import annotations

import pytest
import webtest

from ts_host import main
from ts_host.testing import (
    ESTABLISHMENT_A,
    ESTABLISHMENT_B,
    PASSWORD,
    TestApp,
    attach_responsable,
    establishments_toml,
    installed_services,
    login,
    make_account,
    open_site,
    pupils_of,
)
from ts_host.testing import app_settings as settings_for

from .compare import body_text, normalised
from .routes import all_routes, pupil_routes

MISSING_RESPONSABLE = "e" * 16


def csrf_token(app: webtest.TestApp) -> str:
    page = app.get("/connexion") if "ts_auth" not in app.cookies else app.get("/compte")
    return page.html.select_one("input[name=csrf_token]")["value"]


def ask(app, route, method: str, token: str, **values):
    path = route.path(**values)
    if method == "GET":
        return app.get(path, expect_errors=True)
    return app.post(path, {"csrf_token": token}, expect_errors=True)


def responsable_of(site, tm, pupil_id: str) -> str:
    with tm:
        return site.pupils[pupil_id].responsables[0].responsable_id


def intrusions(app, routes, method, target, missing, **values) -> list[str]:
    """The routes where asking for ``target`` differs from asking for ``missing``."""
    token = csrf_token(app)
    found = []
    for route in routes:
        got = ask(app, route, method, token, pupil=target, **values)
        baseline = ask(app, route, method, token, pupil=missing, **values)
        if normalised(got, pupil=target) != normalised(baseline, pupil=missing):
            found.append(f"{method} {route.pattern}: {got.status} (inexistant : {baseline.status})")
    return found


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_intruders_get_what_a_missing_pupil_gets_on_every_pupil_route(
    ts_app, cast, client, site, tm, method
):
    routes = pupil_routes(ts_app.registry)
    assert routes, "aucun service installé : la matrice ne testerait rien"
    cases = {
        "une famille, l'élève d'une autre famille": (client("owner"), cast.stranger),
        "un compte élève, son frère ou sa sœur": (client("pupil"), cast.sibling),
        "un visiteur anonyme, un élève existant": (client(), cast.own),
        "une famille de B, où le service est désactivé": (client("b"), cast.in_b),
    }
    failures = {
        label: intrusions(
            app,
            routes,
            method,
            target,
            cast.missing,
            responsable=responsable_of(site, tm, target),
        )
        for label, (app, target) in cases.items()
    }
    assert not any(failures.values()), failures


def test_the_owner_is_served_on_every_pupil_route(ts_app, cast, client, site, tm):
    """The control of the matrix: its paths are real ones, not 404s for everyone."""
    app = client("owner")
    token = csrf_token(app)
    responsable = responsable_of(site, tm, cast.own)
    unserved = []
    for route in pupil_routes(ts_app.registry):
        served = False
        for method in ("GET", "POST"):
            got = ask(app, route, method, token, pupil=cast.own, responsable=responsable)
            baseline = ask(app, route, method, token, pupil=cast.missing, responsable=responsable)
            served |= normalised(got, pupil=cast.own) != normalised(baseline, pupil=cast.missing)
        if not served:
            unserved.append(route.pattern)
    assert not unserved


def personal_bits(responsable) -> set[str]:
    """What identifies one responsable's own data on a page."""
    bits = {responsable.email, *responsable.phones.values()}
    return {bit for bit in bits if bit}


def test_a_second_responsable_on_a_shared_account_never_sees_the_first_ones_data(
    ts_app, site, tm, client
):
    """The account speaks for the second responsable of one pupil and, shared,
    for a responsable of another family: every page of every route, for
    every responsable of these pupils, shows none of the others' data."""
    with tm:
        pupils = pupils_of(site, ESTABLISHMENT_A)
        two = [p for p in pupils if len(p.responsables) == 2]
        pupil, other = (
            two[0],
            next(
                p
                for p in two[1:]
                if not {r.responsable_id for r in p.responsables}
                & {r.responsable_id for r in two[0].responsables}
            ),
        )
        first, second = (site.responsables[r.responsable_id] for r in pupil.responsables)
        other_first, other_second = (
            site.responsables[r.responsable_id] for r in other.responsables
        )
        account = make_account(
            site, ts_app.registry.ts_hasher, [pupil.id], "second.parent", responsable_index=1
        )
        attach_responsable(site, account, other.id, other_second.id)
        hidden = personal_bits(first) | personal_bits(other_first)
        hidden -= personal_bits(second) | personal_bits(other_second)
        pupil_ids = [pupil.id, other.id]
        responsable_ids = [first.id, second.id, other_first.id, other_second.id]
        assert hidden
    app = client("second.parent")
    seen = []
    for route in all_routes(ts_app.registry):
        if route.name.startswith("__"):  # static files
            continue
        choices = responsable_ids if "responsable" in route.placeholders else responsable_ids[:1]
        for pupil_id in pupil_ids:
            for responsable_id in choices:
                page = app.get(
                    route.path(pupil=pupil_id, responsable=responsable_id), expect_errors=True
                )
                text = body_text(page)
                seen += [(route.pattern, bit) for bit in hidden if bit in text]
    assert not seen


def test_a_pupil_route_for_a_responsable_not_spoken_for_answers_like_a_missing_one(
    ts_app, site, tm, client
):
    with tm:
        pupil = next(p for p in pupils_of(site, ESTABLISHMENT_A) if len(p.responsables) == 2)
        first = pupil.responsables[0].responsable_id
        make_account(site, ts_app.registry.ts_hasher, [pupil.id], "deuxieme", responsable_index=1)
    app = client("deuxieme")
    differing = []
    for route in pupil_routes(ts_app.registry):
        if "responsable" not in route.placeholders:
            continue
        for method in ("GET", "POST"):
            token = csrf_token(app)
            got = ask(app, route, method, token, pupil=pupil.id, responsable=first)
            missing = ask(
                app, route, method, token, pupil=pupil.id, responsable=MISSING_RESPONSABLE
            )
            if normalised(got, responsable=first) != normalised(
                missing, responsable=MISSING_RESPONSABLE
            ):
                differing.append(f"{method} {route.pattern}")
    assert not differing


LEAKY_PLUGIN = """
from pyramid.response import Response
from ts_host.api import ServiceDescription, hookimpl


@hookimpl
def ts_describe_service():
    return ServiceDescription(id="{service}", title="Service ajouté plus tard",
                              description="", version="1.0")


def page(context, request):
    return Response("page de l'élève")


def leak(request):
    pupil = request.site.pupils.get(request.matchdict["pupil"])
    return Response(f"bulletin de {{getattr(pupil, 'first_name', '')}}")


@hookimpl
def ts_configure(config):
    config.add_pupil_route("{service}", "")
    config.add_view(page, route_name="{service}", permission="view")
    config.add_pupil_route("{service}.detail", "/detail/{{item}}")
    config.add_view(page, route_name="{service}.detail", permission="view")
    {leak}
"""
#: A route added with ``add_route`` rather than ``add_pupil_route``: no
#: pupil factory, so it shows any pupil to anyone.
LEAK = (
    'config.add_route("{service}.leak", "/bulletin")\n'
    '    config.add_view(leak, route_name="{service}.leak")'
)


def app_with_plugin(installed_distribution, tmp_path, zodb_uri, service: str, leaky: bool):
    """An application where a distribution installed now adds ``service``."""
    leak = LEAK.format(service=service) if leaky else ""
    module = f"fake_{service}"
    source = LEAKY_PLUGIN.format(service=service, leak=leak)
    installed_distribution(f"{service}-dist", {module: source}, {service: module})
    services = installed_services()
    assert service in services
    toml = tmp_path / "establishments.toml"
    toml.write_text(establishments_toml({ESTABLISHMENT_A: services, ESTABLISHMENT_B: []}))
    return main({}, **settings_for(tmp_path, toml, zodb_uri))


@pytest.mark.parametrize("leaky", [False, True], ids=["correct", "leaky"])
def test_a_plugin_installed_later_is_in_the_matrix_and_a_leak_is_caught(
    installed_distribution, tmp_path, ts_zodb_uri, pupil_enabled, leaky
):
    wsgi = app_with_plugin(installed_distribution, tmp_path, ts_zodb_uri, "ajout", leaky)
    with open_site(wsgi) as site:
        pupils = pupils_of(site, ESTABLISHMENT_A)
        own = pupils[0].id
        stranger = next(p.id for p in pupils[1:] if p.responsables != pupils[0].responsables)
        make_account(site, wsgi.registry.ts_hasher, [own], "famille.ajout")
    routes = pupil_routes(wsgi.registry)
    added = {route.pattern for route in routes if "/ajout" in route.pattern}
    assert "/eleve/{pupil}/ajout/detail/{item}" in added
    app = TestApp(wsgi, extra_environ={"HTTP_HOST": "teleservices.test"})
    assert login(app, "famille.ajout", PASSWORD).status_int == 303
    found = intrusions(app, routes, "GET", stranger, "f" * 16, responsable="x")
    leak = "GET /eleve/{pupil}/ajout/bulletin: 200 OK (inexistant : 200 OK)"
    assert found == ([leak] if leaky else [])


def test_the_contact_page_shows_the_family_s_own_establishments_only(ts_app, site, tm, client):
    """/contact (in the route matrix above like every page) names establishments
    from the account's links: nobody learns another establishment's contacts
    through it, and an anonymous visitor none."""
    with tm:
        pupil = pupils_of(site, ESTABLISHMENT_B)[0]
        make_account(site, ts_app.registry.ts_hasher, [pupil.id], "famille.lycee")
    own, anonymous = client("famille.lycee").get("/contact"), client().get("/contact")
    assert "vie-scolaire@lycee-b.test" in own.text
    assert "vs@college-a.test" not in own.text
    assert "vie-scolaire@lycee-b.test" not in anonymous.text
    assert "vs@college-a.test" not in anonymous.text


#: Service pages outside ``/eleve/`` and ``/gestion/`` (``config.add_public_route``):
#: open to anyone, so they must show a family no more than an anonymous visitor.
PUBLIC_SERVICE_ROUTES = {"ts_dossier.verify", "ts_dossier.verify_code"}


def test_every_public_service_route_is_declared_and_shows_nobody_more(ts_app, cast, client):
    routes = [
        route
        for route in all_routes(ts_app.registry)
        if "." in route.name and not route.about_a_pupil and not route.for_staff
    ]
    assert {route.name for route in routes} == PUBLIC_SERVICE_ROUTES
    anonymous, owner = client(), client("owner", address="192.0.2.21")
    for route in routes:
        seen = anonymous.get(route.path(), expect_errors=True)
        assert seen.status_int == 200, route.name
        assert main_text(seen) == main_text(owner.get(route.path(), expect_errors=True))


def main_text(response) -> str:
    return response.html.find("main").get_text(" ", strip=True)
