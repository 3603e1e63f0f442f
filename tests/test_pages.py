"""The information pages: help, contact, legal notice, accessibility statement."""

import logging
import types

import pytest

from ts_host.api import HelpSection, ServiceDescription, hookimpl
from ts_host.testing import ESTABLISHMENT_B, PASSWORD, login, make_account, pupils_of


def service(service_id, help=None, *, has_help=True):
    """A throw-away service module; ``help`` is what its ``ts_help`` gives
    (raised when it is an exception)."""
    module = types.ModuleType(__name__)  # an importable name, for its package

    @hookimpl
    def ts_describe_service():
        return ServiceDescription(
            id=service_id, title=f"Le service {service_id}", description="", version="1"
        )

    @hookimpl
    def ts_help():
        if isinstance(help, Exception):
            raise help
        return help

    module.ts_describe_service = ts_describe_service
    if has_help:
        module.ts_help = ts_help
    return module


HELPFUL = HelpSection(title="Le service aidé", template="tests:data/help-section.pt")


def help_section(page, service_id):
    return page.html.find("section", id=f"aide-{service_id}")


def test_help_links_to_the_pages_it_names_instead_of_showing_their_paths(testapp):
    page = testapp.get("/aide")
    assert "/creer-compte/responsable" not in page.html.main.get_text()
    links = {a.get_text(" ", strip=True): a["href"] for a in page.html.main.find_all("a")}
    assert links["« Vous êtes un Parent »"] == "http://teleservices.test/creer-compte/responsable"
    assert links["« Vous êtes un Élève »"] == "http://teleservices.test/creer-compte/eleve"
    assert links["« Mot de passe oublié ? »"] == "http://teleservices.test/mot-de-passe-oublie"
    assert links["Contact"] == "http://teleservices.test/contact"


def test_an_anonymous_visitor_reads_the_help_of_services_some_establishment_enables(
    register_plugin,
):
    app = register_plugin(service("aidee", HELPFUL), "aidee", demo=False)
    section = help_section(app.get("/aide"), "aidee")
    assert section.h3.get_text(strip=True) == "Le service aidé"
    assert (
        section.p.get_text(strip=True) == "Comment lire la page du service aidé, pour "
        "académie de test."
    )


def test_a_family_reads_the_help_of_its_childrens_services_only(
    register_plugin, ts_app, site, tm, family
):
    app = register_plugin(service("aidee", HELPFUL), "aidee", demo=False)
    assert login(app, family.login, family.password).status_int == 303
    assert help_section(app.get("/aide"), "aidee") is not None

    with tm:
        child_in_b = pupils_of(site, ESTABLISHMENT_B)[3].id
        make_account(site, ts_app.registry.ts_hasher, [child_in_b], "famille.lycee")
    other = register_plugin(service("aidee", HELPFUL), "aidee", demo=False)
    assert login(other, "famille.lycee", PASSWORD).status_int == 303
    page = other.get("/aide")
    assert help_section(page, "aidee") is None
    assert page.html.find(id="services") is None


def test_a_service_without_help_section_leaves_the_page_whole(register_plugin):
    app = register_plugin(service("muette", has_help=False), "muette", demo=False)
    page = app.get("/aide")
    assert help_section(page, "muette") is None
    assert page.html.h1.get_text(strip=True) == "Aide"


def test_a_service_returning_none_has_no_section(register_plugin):
    app = register_plugin(service("discrete", None), "discrete", demo=False)
    assert help_section(app.get("/aide"), "discrete") is None


def test_a_failing_help_section_is_logged_and_left_out(register_plugin, caplog):
    app = register_plugin(service("cassee", RuntimeError("boom")), "cassee", demo=False)
    with caplog.at_level(logging.ERROR, logger="ts_host.pages"):
        page = app.get("/aide")
    assert help_section(page, "cassee") is None
    assert "help section of service cassee failed" in caplog.text


@pytest.mark.parametrize("wrong", ["du texte", 42])
def test_a_help_section_of_the_wrong_type_is_left_out(register_plugin, caplog, wrong):
    app = register_plugin(service("bizarre", wrong), "bizarre", demo=False)
    assert help_section(app.get("/aide"), "bizarre") is None
    assert "ts_help doit renvoyer une HelpSection" in caplog.text
