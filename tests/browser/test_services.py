"""The dashboard and the services in Chromium (guide, section 2.4).

A responsable of two children switches from one child to the other and
opens every tile of each, with every filter and every dialog of the page it
leads to; downloads the LPC's PDF and asks for a change of address on the
fiche de renseignements when the establishment offers those services.  The
tiles are found on the dashboard, not listed here: the journeys cover the
services ``etc/establishments.toml`` enables, as they are enabled.  Every
journey runs on a phone-sized viewport and on a desktop one, and every page
and dialog passes ``Journey.check`` (axe WCAG 2.1 A/AA, console, reflow).

Screenshots: each step is captured as ``test-artifacts/<test name>/NN-step.png``;
the folder is deleted when the test passes and kept when it fails, with the
browser console and the server's log.
"""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from ts_host.api import of_name

from .pages import choose_child, logged_in, tile_links, tiles
from .server import ESTABLISHMENTS

pytestmark = pytest.mark.browser

NEW_ADDRESS = "12 rue des Journées Portes Ouvertes"
NO_SERVICE = "L'établissement ne propose pas encore de service en ligne."


def open_service(journey, server, family, service: str):
    """From the dashboard, the first child's tile of ``service`` (its pages are
    under ``/eleve/<pupil>/<its URL segment>``); a service may show no tile
    for a pupil it has nothing for, but one of the two children must have it."""
    pattern = re.compile(rf"^/eleve/[^/]+/{re.escape(server.url_segment(service))}(/|$)")
    for child in family.children:
        if not server.offers(child, service):
            continue
        choose_child(journey, child)
        found = [
            i for i, (url, _) in enumerate(tile_links(journey)) if pattern.match(urlsplit(url).path)
        ]
        if found:
            journey.follow(tiles(journey).nth(found[0]))
            expect(journey.page.locator("main")).to_contain_text(child.first_name)
            journey.check(f"{service} of {child.first_name}")
            return child
    raise AssertionError(f"no tile of {service} for {family}")


def test_each_child_s_tiles_open_with_their_filters_and_dialogs(journey, server):
    family = logged_in(journey, server)
    page = journey.page
    internal_by_child = []
    for child in family.children:
        choose_child(journey, child)
        dashboard = page.url
        if not server.services[child.uai]:
            expect(page.get_by_text(NO_SERVICE)).to_be_visible()
        internal = set()
        for index, (url, rel) in enumerate(tile_links(journey)):
            if urlsplit(url).netloc != urlsplit(dashboard).netloc:
                assert urlsplit(url).scheme == "https" and "noopener" in rel, (url, rel)
                continue
            name = f"{child.first_name} tile {index + 1}"
            journey.follow(tiles(journey).nth(index))
            expect(page.locator("main")).to_contain_text(child.first_name)
            journey.check(name)
            journey.exercise_filters(name)
            journey.exercise_dialogs(name)
            page.goto(dashboard)
            heading = f"La scolarité {of_name(None, child.first_name)}"
            expect(journey.heading(heading)).to_be_visible()
            internal.add(url)
        internal_by_child.append(internal)
    first, second = internal_by_child
    assert not first & second, "the two children's tiles lead to the same pages"


@pytest.mark.parametrize("viewport", ["phone"])
def test_a_phone_shows_a_grade_beside_its_control(journey, server, viewport):
    """The notes on a phone (390 px) without scrolling the table: the subjects
    run down their column (``ts-table--grouped``), where their names took a
    third of the width and pushed the grades out of sight.  Then the
    teaching team, a page of its own, and back to the grades."""
    family = logged_in(journey, server, "notes", name="notes-telephone")
    open_service(journey, server, family, "notes")
    table = journey.page.locator("#notes-table .fr-table__container")
    assert_in_sight(table, table.locator("tbody tr").first.locator("td").nth(2))  # the grade
    journey.follow(journey.page.get_by_role("link", name="équipe pédagogique"))
    expect(journey.heading("L'équipe pédagogique")).to_be_visible()
    expect(journey.page.locator("#notes-equipe-table tbody th").first).to_be_visible()
    journey.check("notes team")
    journey.follow(journey.page.locator("#notes-liste"))
    expect(journey.page.locator("#notes-table")).to_be_visible()


@pytest.mark.parametrize("viewport", ["phone"])
def test_a_phone_shows_each_competence_s_status(journey, server, viewport):
    """The livret on a phone (390 px): the competences' labels wrap
    (``fr-table--multiline``), where each on one line pushed the status out
    of sight."""
    require_lpc(server)
    family = logged_in(journey, server, "lpc", name="lpc-telephone")
    open_service(journey, server, family, "lpc")
    table = journey.page.locator("#competences .fr-table__container")
    assert_in_sight(table, table.locator("tbody tr").first.locator("td").nth(1))  # the status


@pytest.mark.parametrize("viewport", ["phone"])
def test_a_phone_shows_each_week_s_count(journey, server, viewport):
    """The absences on a phone (390 px): every table's cells are padded less
    and its headers wrap (the host's ``app.css``), where the DSFR's padding
    put each week's count, the table's last column, past the screen's edge."""
    family = logged_in(journey, server, "absences", name="absences-telephone")
    open_service(journey, server, family, "absences")
    table = journey.page.locator("[aria-labelledby='absences-titre']")
    assert_in_sight(table, table.locator("tbody tr").first.locator("td").last)  # the count
    assert_in_sight(table, table.locator("thead th").last)


def assert_in_sight(table, cell) -> None:
    """``cell`` shows whole in ``table``'s scrolling container, unscrolled."""
    expect(cell).to_be_visible()
    shown, box = table.bounding_box(), cell.bounding_box()
    assert box["x"] + box["width"] <= shown["x"] + shown["width"], (box, shown)


def require_lpc(server) -> None:
    if not any("lpc" in services for services in server.services.values()):
        pytest.skip(f"no establishment of {ESTABLISHMENTS} enables the lpc service")


def test_the_lpc_pdf_downloads(journey, server):
    require_lpc(server)
    family = logged_in(journey, server, "lpc")
    child = open_service(journey, server, family, "lpc")
    with journey.page.expect_download() as download:
        journey.page.locator("main a[href*='.pdf']").first.click()
    path = download.value.path()
    assert path.read_bytes().startswith(b"%PDF-")
    reader = PdfReader(path)
    assert child.first_name in reader.pages[0].extract_text()
    journey.check("after the download")
    journey.follow(journey.page.get_by_role("link", name="Compétence 1").first)
    journey.check("competence 1")
    offsets = journey.page.evaluate(MARKS_OFF_CENTRE)
    assert offsets and max(offsets) <= 2, offsets
    journey.exercise_dialogs("competence 1")


#: How far each item's status mark is from the middle of its row, in px: an
#: item's mark that opens its details is a button, which the DSFR's callout
#: gave a top margin, low in a row it made taller.
MARKS_OFF_CENTRE = """() => Array.from(document.querySelectorAll('.ts-lpc-items tbody tr'))
    .map((row) => {
        const box = row.getBoundingClientRect();
        const mark = row.querySelector('svg').getBoundingClientRect();
        return Math.abs((mark.top + mark.bottom) / 2 - (box.top + box.bottom) / 2);
    })"""


def test_the_fiche_takes_a_change_of_address_for_validation(journey, server):
    if not any("fiche" in services for services in server.services.values()):
        pytest.skip(f"no establishment of {ESTABLISHMENTS} enables the fiche service")
    family = logged_in(journey, server, "fiche")
    page = journey.page
    open_service(journey, server, family, "fiche")
    journey.follow(page.get_by_role("link", name="Demander une modification").first)
    journey.check("change request form")
    page.get_by_role("textbox", name=re.compile(r"^Adresse( \*)?$")).fill(NEW_ADDRESS)
    page.locator("main form [type=submit]").first.click()
    expect(page.get_by_text("en attente de validation").first).to_be_visible()
    journey.check("change request sent")
    expect(page.locator("main")).to_contain_text(NEW_ADDRESS)
