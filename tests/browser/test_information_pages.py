"""Help, contact, legal notice and accessibility statement, and printing, in Chromium.

Each information page is reached by its link in the header or the footer,
anonymous then logged in, and passes ``Journey.check``.  A service page
printed (``emulate_media(media="print")``, as ``print.css`` applies) keeps
the child's name, the establishment and the content, and drops the header's
tools, the footer and every button.
"""

import re
import tomllib

import pytest
from playwright.sync_api import expect

from .pages import logged_in, tile_links, tiles
from .server import ESTABLISHMENTS

pytestmark = pytest.mark.browser

#: Each page: the link that leads to it (in the header or the footer) and its heading.
INFORMATION_PAGES = [
    ("header", re.compile(r"^aide$"), "Aide"),
    ("footer", re.compile(r"^Contact$"), "Contact"),
    ("footer", re.compile(r"^Mentions légales$"), "Mentions légales"),
    ("footer", re.compile(r"^Accessibilité : "), "Déclaration d'accessibilité"),
]


def visit_information_pages(journey, who: str) -> None:
    page = journey.page
    for where, link_name, heading in INFORMATION_PAGES:
        menu = page.locator("header").get_by_role("button", name="Menu")
        if where == "header" and menu.is_visible():  # a phone: the tools are in the menu
            menu.click()
        journey.follow(page.locator(where).get_by_role("link", name=link_name))
        expect(journey.heading(heading)).to_be_visible()
        journey.check(f"{who}: {heading}")


def establishment_name(uai: str) -> str:
    configuration = tomllib.loads(ESTABLISHMENTS.read_text(encoding="utf-8"))
    return configuration["establishments"][uai]["name"]


def help_titles(journey) -> list[str]:
    journey.visit("/aide")
    return journey.page.locator("main section[id^=aide-] h3").all_text_contents()


def print_service_pages(journey, family, dashboard: str) -> None:
    """Print each notes, absences or LPC page of the first child's tiles: the
    child, the establishment and the table stay; navigation, footer, buttons go."""
    page = journey.page
    printed = 0
    for index, (url, _) in enumerate(tile_links(journey)):
        if not re.search(r"/eleve/[^/]+/(notes|absences|competences)$", url):
            continue
        journey.follow(tiles(journey).nth(index))
        journey.check(url.rsplit("/", 1)[-1])  # the DSFR's scripts have settled
        page.emulate_media(media="print")
        journey.step(f"printed {url.rsplit('/', 1)[-1]}")
        main = page.locator("main")
        expect(main.get_by_text(re.compile(r"La scolarité d"))).to_be_visible()
        child = next(c for c in family.children if c.first_name in main.inner_text())
        expect(main).to_contain_text(establishment_name(child.uai))
        expect(main.locator("h1").first).to_be_visible()
        for hidden in ("footer", ".fr-header__tools", "main button", "main form"):
            for element in page.locator(hidden).all():
                expect(element).to_be_hidden()
        visible_tables = [t for t in main.locator("table").all() if t.is_visible()]
        no_data = main.get_by_text(re.compile(r"^Aucune")).count()
        assert visible_tables or no_data, f"{url}: nothing of the table is printed"
        page.emulate_media(media="screen")
        page.goto(dashboard)
        printed += 1
    assert printed, "no notes, absences or LPC tile to print"


def test_the_information_pages_anonymous_then_logged_in(journey, server):
    journey.visit("/connexion")
    visit_information_pages(journey, "anonymous")
    anonymous_sections = help_titles(journey)
    assert anonymous_sections, "no service gives a help section"

    family = logged_in(journey, server, "notes")  # its login: notes.<viewport>
    dashboard = journey.page.url
    print_service_pages(journey, family, dashboard)
    visit_information_pages(journey, "logged in")
    page = journey.page
    journey.visit("/contact")
    for child in family.children:
        expect(page.get_by_role("heading", name=establishment_name(child.uai))).to_be_visible()
    assert set(help_titles(journey)) <= set(anonymous_sections)
