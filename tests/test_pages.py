"""The information pages: help, contact, legal notice, accessibility statement."""

import logging
import types
from urllib.parse import urlsplit

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
    page = app.get("/aide")
    section = help_section(page, "aidee")
    assert section.h3.get_text(strip=True) == "Le service aidé"
    assert (
        page.html.find("nav", attrs={"aria-labelledby": "aide-sommaire"})
        .find("a", href="#aide-aidee")
        .get_text(strip=True)
        == "Le service aidé"
    )
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


# -- contact, legal notice, accessibility statement, logo ---------------------

ACADEMY_TABLES = """
[academy.contact]
email = "assistance@ac-test.fr"
phone = "03 83 00 00 00"
address = ["Rectorat de test", "1 place de l'Académie", "54000 NANCY"]

[academy.legal]
publisher = "Rectorat de l'académie de test"
director = "Le recteur de l'académie de test"
host_name = "Hébergeur Public"
host_address = ["3 rue des Serveurs", "57000 METZ"]
dpo_email = "dpd@ac-test.fr"

[academy.accessibility]
status = "partial"
audit_date = 2026-10-02
compliance_rate = 74
declaration_date = 2026-10-15
non_compliant = ["Le graphique des notes n'a pas d'alternative complète."]

[academy.logo]
path = "logo.svg"
alt = "Académie de test"
"""


@pytest.fixture
def configured(testapp, tmp_path, monkeypatch):
    """The test application, its academy reading the tables above."""
    from ts_host.establishments import load_academy
    from ts_host.testing import ESTABLISHMENT_A, establishments_toml

    (tmp_path / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    path = tmp_path / "establishments.toml"
    path.write_text(establishments_toml({ESTABLISHMENT_A: []}) + ACADEMY_TABLES)
    registry = testapp.app.registry
    monkeypatch.setattr(registry, "ts_academy", load_academy(path, {}))
    return testapp


def texts(page):
    return page.html.main.get_text(" ", strip=True)


def test_an_anonymous_visitor_gets_the_academy_help_contact_only(configured):
    page = configured.get("/contact")
    assert "assistance@ac-test.fr" in texts(page)
    assert "1 place de l'Académie" in texts(page)
    assert "vs@college-a.test" not in page.text
    assert page.html.find("a", href="mailto:assistance@ac-test.fr") is not None


def test_a_family_gets_each_establishment_s_address_and_vie_scolaire(family_app):
    page = family_app.get("/contact")
    headings = [h.get_text(strip=True) for h in page.html.main.find_all("h2")]
    assert headings[:2] == ["Collège A", "Lycée B"]
    assert "1 rue du Collège" in texts(page) and "2 rue du Lycée" in texts(page)
    assert page.html.find("a", href="mailto:vs@college-a.test") is not None
    assert page.html.find("a", href="tel:0383000003") is not None
    assert "Adressez-vous au secrétariat" in texts(page)  # no academy contact configured


def test_the_footer_links_to_the_contact_page(testapp):
    link = testapp.get("/aide").html.footer.find("a", href="/contact")
    assert link.get_text(strip=True) == "Contact"


def test_the_legal_notice_names_publisher_director_host_and_data_protection(configured):
    page = configured.get("/mentions-legales")
    sections = {
        h2.get_text(strip=True): h2.find_next_sibling().get_text(" ", strip=True)
        for h2 in page.html.main.find_all("h2")
    }
    assert sections["Éditeur"] == "Rectorat de l'académie de test"
    assert sections["Directeur de la publication"] == "Le recteur de l'académie de test"
    assert sections["Hébergeur"] == "Hébergeur Public"
    assert "3 rue des Serveurs" in texts(page)
    assert page.html.find("a", href="mailto:dpd@ac-test.fr") is not None
    assert "droit d'accès, de rectification, d'effacement" in texts(page)


def test_the_legal_notice_without_configuration_names_the_academy(testapp):
    page = testapp.get("/mentions-legales")
    assert (
        page.html.main.find("h2", string="Éditeur").find_next_sibling("p").get_text(strip=True)
        == "académie de test"
    )


def test_the_accessibility_statement_follows_the_rgaa_model(configured):
    page = configured.get("/accessibilite")
    headings = [h.get_text(strip=True) for h in page.html.main.find_all("h2")]
    assert headings == [
        "État de conformité",
        "Résultats des tests",
        "Contenus non accessibles",
        "Établissement de cette déclaration",
        "Retour d'information et contact",
        "Voies de recours",
    ]
    text = texts(page)
    assert "partiellement conforme avec le référentiel général" in text
    assert "74 % des critères du RGAA" in text
    assert "Le graphique des notes n'a pas d'alternative complète." in text
    assert "établie le 15/10/2026" in text
    assert "axe-core" not in text
    assert page.html.find("a", href="https://formulaire.defenseurdesdroits.fr/") is not None
    assert "Libre réponse 71120" in text
    footer = page.html.footer.find("a", href="/accessibilite").get_text(" ", strip=True)
    assert footer == "Accessibilité : partiellement conforme"


def test_without_audit_the_statement_says_non_conforme(testapp):
    page = testapp.get("/accessibilite")
    assert "non conforme avec le référentiel" in texts(page)
    assert "aucun audit" in texts(page)
    footer = page.html.footer.find("a", href="/accessibilite").get_text(" ", strip=True)
    assert footer == "Accessibilité : non conforme"


def test_the_academy_logo_sits_beside_the_marianne_block(configured):
    page = configured.get("/aide")
    image = page.html.header.find("div", class_="fr-header__operator").img
    assert image["alt"] == "Académie de test"
    assert image["src"] == "/logo-academie.svg"
    logo = configured.get("/logo-academie.svg")
    assert logo.content_type == "image/svg+xml"
    assert logo.body.startswith(b"<svg")
    configured.get("/logo-academie.png", status=404)


def test_no_logo_is_configured_by_default(testapp):
    assert testapp.get("/aide").html.find("div", class_="fr-header__operator") is None
    testapp.get("/logo-academie.svg", status=404)


def test_a_print_stylesheet_is_linked_for_print_only(testapp):
    links = testapp.get("/aide").html.head.find_all("link", rel="stylesheet")
    printed = [link for link in links if link.get("media") == "print"]
    assert [urlsplit(link["href"]).path.rsplit("/", 1)[-1] for link in printed] == ["print.css"]
    css = testapp.get(printed[0]["href"].replace("http://teleservices.test", "")).text
    assert ".fr-footer" in css and ".fr-header__tools" in css
