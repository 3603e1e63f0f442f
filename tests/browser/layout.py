"""What a person sees is laid out right: the journeys' layout checks.

``check_layout`` runs on every page and every open dialog of the journeys
(from ``Journey.check``), at the journey's width and, on the phone, at
320 CSS px too (the width WCAG 1.4.10 asks to reflow to) before going back:

- no element of ``<main>`` overlaps the header or the footer (a tile as
  tall as the page running over the footer's links);
- ``<main>`` reads in the order it is shown: no flex or grid item moved
  before what precedes it by CSS ``order`` (a DSFR tile orders its parts:
  a link without the tile's classes jumped above its title);
- no text is wider than its box: buttons, links, keypad keys, tabs and
  table headers whose text spills out or is cut (the text's own boxes, not
  the element's content, which a padding or a negative margin can widen:
  the DSFR's logos do so);
- the document does not scroll sideways (a wide table scrolls in its own
  container);
- no image has a zero size (a broken or squeezed ``<img>``);
- no DSFR icon class draws nothing (an icon the Makefile's ``DSFR_ICONS``
  does not vendor shows an empty square);
- the page is drawn in standards mode: without a doctype the browser falls
  back to quirks mode, where tables, fonts and boxes are sized otherwise.

axe-core sees none of these: they break no accessibility rule's DOM test.
When a check fails, a screenshot of the page at that width is kept in the
journey's ``test-artifacts/`` folder, named after the step.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page

#: The width WCAG 1.4.10 (reflow) asks a page to work at without scrolling
#: sideways; the phone journeys check it besides their own 390 px.
NARROWEST = 320
#: Sub-pixel rounding: a box may measure a pixel less than its text.
TOLERANCE = 1

#: Every layout problem of the page, as sentences.  Elements inside a DSFR
#: dialog are exempt from the overlap check only: an open dialog is a layer
#: above the header and the footer by design.  A button or link whose text
#: the DSFR hides on purpose (its icon-only form, the phone's « Menu ») is
#: not text spilling out, and an item without anything to read (a card's
#: decorative image) may be shown out of order.
LAYOUT_PROBLEMS = """([tolerance, width]) => {
    const problems = [];
    if (document.compatMode !== 'CSS1Compat') {
        problems.push('the page has no <!DOCTYPE html>: it is drawn in quirks mode');
    }
    const describe = (element) => {
        const text = (element.innerText || element.getAttribute('aria-label') || '')
            .trim().replace(/\\s+/g, ' ').slice(0, 60);
        const classes = typeof element.className === 'string' && element.className
            ? '.' + element.className.trim().split(/\\s+/).join('.') : '';
        return `<${element.tagName.toLowerCase()}${classes}> « ${text} »`;
    };
    // Laid out is not shown: a closed <details> keeps its content's boxes
    // (content-visibility), a screen reader's text is clipped to a pixel.
    const shown = (element) => element.checkVisibility({visibilityProperty: true})
        && element.getClientRects().length > 0 && !element.closest('.fr-sr-only');
    // What a reader meets: text, an image with a text alternative, a field.
    // The DSFR shows a card's or a tile's decorative image (alt="") above
    // its title by CSS order, which changes nothing a reader reads.
    const read = (element) => (element.innerText ?? element.textContent).trim() !== ''
        || element.matches('img:not([alt=""]), input, select, textarea')
        || element.querySelector('img:not([alt=""]), input, select, textarea') !== null;
    // The DSFR's icon-only form of a button or link (pagination's first and
    // last, a tooltip's button, a button with a title): its text is clipped on
    // purpose and stays its accessible name; the icon is drawn by ::before.
    const iconOnly = (element) => {
        const style = getComputedStyle(element);
        if (style.overflow !== 'hidden' || style.whiteSpace !== 'nowrap') return false;
        if (element.hasAttribute('title') && element.matches('.fr-btn')) return true;
        const icon = getComputedStyle(element, '::before');
        return icon.content !== 'none' && icon.maskImage !== 'none';
    };
    const main = document.querySelector('main');
    const bands = ['header', 'footer']
        .map((tag) => [tag, document.querySelector(`body > ${tag}, body > * > ${tag}`)])
        .filter(([, band]) => band && shown(band));
    if (main) {
        for (const element of main.querySelectorAll('*')) {
            if (element.closest('.fr-modal') || !shown(element)) continue;
            const box = element.getBoundingClientRect();
            if (box.width === 0 || box.height === 0) continue;
            for (const [tag, band] of bands) {
                const edge = band.getBoundingClientRect();
                const overlap = Math.min(box.bottom, edge.bottom) - Math.max(box.top, edge.top);
                const across = Math.min(box.right, edge.right) - Math.max(box.left, edge.left);
                if (overlap > tolerance && across > tolerance) {
                    problems.push(
                        `${describe(element)} overlaps the ${tag} by ${Math.round(overlap)}px`);
                }
            }
        }
    }
    if (main) {
        for (const container of main.querySelectorAll('*')) {
            if (!/flex|grid/.test(getComputedStyle(container).display)) continue;
            const children = Array.from(container.children).filter(shown).filter(read);
            const orders = children.map((child) => Number(getComputedStyle(child).order));
            const moved = children.find((child, index) => orders
                .some((order, other) => other > index && order < orders[index]));
            if (moved) {
                problems.push(`${describe(moved)} is shown after what follows it`
                    + ' (CSS order): the page reads out of order');
            }
        }
    }
    const boxes = 'button, a, [role=tab], th, .fr-btn, [data-ts-key]';
    for (const element of document.querySelectorAll(boxes)) {
        if (!shown(element) || getComputedStyle(element).display === 'inline') continue;
        if (iconOnly(element)) continue;
        const box = element.getBoundingClientRect();
        let left = box.left, right = box.right;
        const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
            const text = walker.currentNode;
            if (!text.data.trim() || text.parentElement.closest('.fr-sr-only')) continue;
            const range = document.createRange();
            range.selectNodeContents(text);
            for (const line of range.getClientRects()) {
                left = Math.min(left, line.left);
                right = Math.max(right, line.right);
            }
        }
        const spill = Math.round(right - left - box.width);
        if (spill > tolerance) {
            problems.push(`${describe(element)}: its text is ${spill}px wider than its box`);
        }
    }
    const sideways = document.documentElement.scrollWidth - width;
    if (sideways > 0) {
        const inside = (element) => !element
            || element.getBoundingClientRect().right <= width + tolerance;
        // The outermost elements of <main> past the right edge: what makes the
        // page wide (the header's and the dialogs' follow the widened page).
        const wide = Array.from((main || document.body).querySelectorAll('*'))
            .filter((element) => shown(element) && !inside(element)
                && inside(element.parentElement))
            .slice(0, 3).map(describe);
        problems.push(`the page scrolls sideways by ${sideways}px (${wide.join(', ')})`);
    }
    // An icon class the vendored DSFR lacks draws an empty square
    // (only the Makefile's DSFR_ICONS are vendored).
    for (const element of document.querySelectorAll('[class*="fr-icon-"]')) {
        if (!shown(element)) continue;
        const drawn = ['::before', '::after'].some((pseudo) => {
            const icon = getComputedStyle(element, pseudo);
            return icon.maskImage !== 'none' || icon.backgroundImage !== 'none';
        });
        if (!drawn) {
            const name = element.className.match(/fr-icon-[a-z0-9-]+/)[0];
            problems.push(`${describe(element)}: the icon ${name} is not vendored (DSFR_ICONS)`);
        }
    }
    for (const image of document.querySelectorAll('img, [role=img]')) {
        if (!shown(image)) continue;
        const box = image.getBoundingClientRect();
        const broken = image.tagName === 'IMG' && image.complete && image.naturalWidth === 0;
        if (broken || box.width === 0 || box.height === 0) {
            const source = image.getAttribute('src') || image.getAttribute('aria-label') || '';
            const size = `${Math.round(box.width)}×${Math.round(box.height)}`;
            problems.push(`image ${source} has a zero size (${size}${broken ? ', broken' : ''})`);
        }
    }
    return problems;
}"""


def layout_problems(page: Page) -> list[str]:
    """The problems at the page's viewport width: the width asked for, not
    ``innerWidth``, which a mobile browser widens to fit a page too wide for
    the screen (it zooms out), so that the page never seems to overflow."""
    return page.evaluate(LAYOUT_PROBLEMS, [TOLERANCE, page.viewport_size["width"]])


def check_layout(journey, name: str) -> None:
    """The layout checks at the journey's width, then at 320 px on a phone."""
    page = journey.page
    size = page.viewport_size
    widths = [size["width"]]
    if journey.viewport == "phone" and size["width"] > NARROWEST:
        widths.append(NARROWEST)
    failures = []
    try:
        for width in widths:
            if width != page.viewport_size["width"]:
                page.set_viewport_size({"width": width, "height": size["height"]})
            problems = layout_problems(page)
            if problems:
                slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
                path = journey.folder / f"layout-{slug}-{width}px.png"
                page.screenshot(path=path, full_page=True, caret="initial")
                failures.append(f"at {width}px ({path.name}):\n  " + "\n  ".join(problems))
    finally:
        if page.viewport_size != size:
            page.set_viewport_size(size)
    assert not failures, f"{name} ({page.url}): layout\n" + "\n".join(failures)
