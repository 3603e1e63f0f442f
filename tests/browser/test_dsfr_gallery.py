"""Every DSFR component docs/plugins.md offers a service renders right.

The table « The components a service page may use » in docs/plugins.md is
the promise; ``data/dsfr-gallery.html`` holds one sample of each, written
as a service writes it.  The journey puts the samples in a real page's
``<main>`` (the layout, the vendored DSFR and the Content-Security-Policy
the application serves), where the DSFR's script brings them to life, and
runs the checks of every page: axe-core, HTML_CodeSniffer and the layout
checks at 390 px (and 320) and 1280 px.  A component the table lists but
the vendored CSS lacks, or whose markup overflows a phone, fails here
before a plugin author meets it.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

REPOSITORY = Path(__file__).resolve().parents[2]
GALLERY = Path(__file__).with_name("data") / "dsfr-gallery.html"
#: A row of the table: « | Accordéon | `fr-accordion` | … ».
COMPONENT_ROW = re.compile(r"^\s*\| [^|]+ \| (`fr-[^|]+) \|", re.MULTILINE)


def offered_root_classes() -> set[str]:
    """The root classes the plugin author's guide lists, e.g. ``fr-btns-group``."""
    guide = (REPOSITORY / "docs" / "plugins.md").read_text(encoding="utf-8")
    return {
        name
        for cell in COMPONENT_ROW.findall(guide)
        for name in re.findall(r"`(fr-[a-z-]+)`", cell)
    }


def test_the_gallery_has_a_sample_of_every_component_the_guide_offers():
    offered = offered_root_classes()
    assert len(offered) > 30, "the guide's component table was not found"
    gallery = GALLERY.read_text(encoding="utf-8")
    missing = {name for name in offered if not re.search(rf'class="(?:[^"]* )?{name}[ "]', gallery)}
    assert not missing, f"docs/plugins.md offers components the gallery lacks: {sorted(missing)}"


def test_every_component_renders_right(journey):
    page = journey.page
    journey.visit("/aide")
    image = page.locator("link[rel=icon][type='image/svg+xml']").get_attribute("href")
    samples = GALLERY.read_text(encoding="utf-8").replace("IMAGE", image)
    page.evaluate("(html) => { document.querySelector('main').innerHTML = html; }", samples)
    # The DSFR's script has taken each component in hand: the tabs measure
    # their panel, the stepper draws its steps.
    expect(page.locator(".fr-tabs")).to_have_attribute("data-fr-js-tabs-group", "true")
    journey.check("galerie des composants")

    second_period = page.get_by_role("tab", name="Trimestre 2")
    second_period.click()
    expect(second_period).to_have_attribute("aria-selected", "true")
    expect(page.get_by_text("Aucune note publiée.")).to_be_visible()
    page.get_by_role("button", name="Horaires du secrétariat").click()
    expect(page.get_by_text("Du lundi au vendredi")).to_be_visible()
    page.get_by_role("button", name="Transcription").click()
    expect(page.get_by_text("Bienvenue à toutes les familles")).to_be_visible()
    journey.check("galerie des composants, ouverts")
    journey.exercise_dialogs("galerie des composants")
