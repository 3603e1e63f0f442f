"""The journeys' checks catch what they guard against: a clean journey
proves something only if a broken page would have failed it.

Each test spoils a real page of the application, served with its real
Content-Security-Policy, in the browser context the journeys use.
"""

import re

import pytest
from playwright.sync_api import expect

from . import htmlcs
from .layout import check_layout
from .pages import VIEWPORTS, Journey, choose_child, logged_in, tiles

pytestmark = pytest.mark.browser

INLINE_SCRIPT = """() => {
    const script = document.createElement('script');
    script.textContent = 'window.inlineScriptRan = true';
    document.body.append(script);
}"""


@pytest.fixture
def spoiled(browser, server, tmp_path):
    context = browser.new_context()
    journey = Journey(context, server, tmp_path, "desktop")
    journey.visit("/connexion")
    yield journey
    context.close()


@pytest.fixture
def phone(browser, server, tmp_path):
    context = browser.new_context(**VIEWPORTS["phone"])
    journey = Journey(context, server, tmp_path, "phone")
    journey.visit("/connexion")
    yield journey
    context.close()


def test_the_pages_forbid_inline_scripts_and_the_journeys_see_the_refusal(spoiled):
    response = spoiled.page.request.get(spoiled.server.url("/connexion"))
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    with spoiled.page.expect_console_message(lambda message: message.type == "error"):
        spoiled.page.evaluate(INLINE_SCRIPT)
    assert spoiled.page.evaluate("() => window.inlineScriptRan") is None
    assert "Content Security Policy" in spoiled.errors[0]


def test_axe_reports_an_image_without_a_text_alternative(spoiled):
    spoiled.page.evaluate(
        "() => document.querySelector('main').append(document.createElement('img'))"
    )
    assert any(violation.startswith("image-alt ") for violation in spoiled.axe())


UNNAMED_FIELDSET = """() => {
    const fieldset = document.createElement('fieldset');
    const label = document.createElement('label');
    label.textContent = 'Prénom';
    label.htmlFor = 'spoiled-first-name';
    const input = document.createElement('input');
    input.id = 'spoiled-first-name';
    fieldset.append(label, input);
    document.querySelector('main').append(fieldset);
}"""


def test_html_codesniffer_fails_a_fieldset_without_legend_that_axe_lets_pass(spoiled):
    assert htmlcs.errors(spoiled.page) == []
    spoiled.page.evaluate(UNNAMED_FIELDSET)
    assert spoiled.axe() == []
    found = htmlcs.errors(spoiled.page)
    assert any(".H71.NoLegend: " in error for error in found), found
    with pytest.raises(AssertionError, match=r"(?s)HTML_CodeSniffer errors:.*\.H71\.NoLegend"):
        spoiled.check("fieldset without legend")


def test_a_key_without_a_focus_outline_fails_the_keyboard_journey(spoiled):
    spoiled.page.evaluate(
        "() => document.querySelectorAll('[data-ts-key]')"
        ".forEach((key) => key.style.setProperty('outline', 'none', 'important'))"
    )
    with pytest.raises(AssertionError, match="no focus outline"):
        spoiled.type_by_keyboard("votre mot de passe", "1")


def test_a_keypad_whose_keys_do_nothing_fails_the_typing(spoiled):
    # The keys are there, and their clicks never reach the keypad's script.
    spoiled.page.evaluate(
        "() => document.addEventListener('click', (event) => {"
        " if (event.target.closest('[data-ts-key]')) event.stopImmediatePropagation(); }, true)"
    )
    with pytest.raises(AssertionError, match="1 chiffre saisi"):
        spoiled.type_by_mouse("votre mot de passe", "1")


def test_a_broken_tile_and_a_broken_child_switch_fail_the_journey(spoiled, server):
    family = logged_in(spoiled, server)
    first, second = family.children
    choose_child(spoiled, first)
    link = tiles(spoiled).first
    expect(link).to_be_visible()
    link.evaluate("(a) => { a.href = a.href.replace(/eleve\\/[^/]+/, 'eleve/inconnu'); }")
    with pytest.raises(AssertionError, match="HTTP 404"):
        spoiled.follow(link)
    spoiled.visit("/")
    spoiled.page.evaluate(
        "(name) => Array.from(document.querySelectorAll('main select option'))"
        ".filter((option) => option.textContent.startsWith(name + ' '))"
        ".forEach((option) => option.remove())",
        second.first_name,
    )
    with pytest.raises(StopIteration):
        choose_child(spoiled, second)


def test_the_journeys_screenshots_leave_no_inline_style_in_the_page(spoiled):
    # The DSFR copies the header's tools, the logout form's hidden input
    # included, into the phone menu with innerHTML: a style="" left there by
    # a screenshot is an inline style the page's CSP refuses (a flaky error).
    spoiled.step("login page")
    assert spoiled.page.locator("input[style]").count() == 0


#: Each spoils the login page the way a layout defect would, through the
#: CSSOM (which the page's CSP allows): (what breaks, what the check says).
BROKEN_LAYOUTS = {
    "a tile over the footer": (
        """() => {
            const tile = document.querySelector('main .fr-tile');
            const shift = document.querySelector('footer').getBoundingClientRect().top
                - tile.getBoundingClientRect().top + 20;
            tile.style.setProperty('transform', `translateY(${shift}px)`);
        }""",
        "overlaps the footer",
    ),
    "a tile's title after its link": (
        "() => document.querySelector('main .fr-tile__title').style.setProperty('order', '9')",
        "is shown after what follows it",
    ),
    "a key too narrow for its text": (
        "() => document.querySelector('[data-ts-erase]').style.setProperty('width', '2rem')",
        "« Suppr »: its text is",
    ),
    "a button cutting its text": (
        """() => Object.assign(document.querySelector('main [type=submit]').style,
            {maxWidth: '2rem', overflow: 'hidden', whiteSpace: 'nowrap'})""",
        "« Valider »: its text is",
    ),
    "a block wider than the screen": (
        """() => {
            const wide = document.createElement('div');
            wide.style.setProperty('width', '2000px');
            wide.textContent = 'Le tableau des notes';
            document.querySelector('main').append(wide);
        }""",
        "the page scrolls sideways",
    ),
    "an icon that is not vendored": (
        """() => document.querySelector('main [type=submit]').classList.add(
            'fr-icon-rocket-line', 'fr-btn--icon-left')""",
        "the icon fr-icon-rocket-line is not vendored",
    ),
    "a broken image": (
        """() => new Promise((loaded) => {
            const image = document.createElement('img');
            image.alt = 'absente';
            image.onerror = loaded;
            image.src = '/static/ts/absente.png';
            document.querySelector('main').append(image);
        })""",
        "image /static/ts/absente.png has a zero size",
    ),
}


@pytest.mark.parametrize("spoil", BROKEN_LAYOUTS)
def test_each_layout_check_fails_on_a_page_broken_for_it(spoiled, spoil):
    script, message = BROKEN_LAYOUTS[spoil]
    spoiled.check("login page")
    spoiled.page.evaluate(script)
    with pytest.raises(AssertionError, match=re.escape(message)):
        check_layout(spoiled, spoil)
    assert list(spoiled.folder.glob("layout-*.png")), "no screenshot kept"


def test_a_phone_journey_checks_the_layout_at_320_px_too(phone):
    script, _ = BROKEN_LAYOUTS["a block wider than the screen"]
    # 330 px wide: fine at 390, scrolls sideways at 320.
    phone.page.evaluate(script.replace("2000px", "330px"))
    with pytest.raises(AssertionError, match=r"at 320px .*\n.*scrolls sideways"):
        check_layout(phone, "phone")
    assert phone.page.viewport_size["width"] == 390
    assert [path.name for path in phone.folder.glob("layout-*.png")] == ["layout-phone-320px.png"]
