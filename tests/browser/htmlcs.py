"""HTML_CodeSniffer, the engine pa11y runs, as a second opinion beside axe-core.

The two engines read WCAG differently: axe reports only what it is sure of,
HTML_CodeSniffer also holds the markup to the WCAG techniques it names (a
``fieldset`` without ``legend``, H71; data cells not tied to their headers,
H43) and computes contrast on every text, disabled controls included.
``Journey.check`` asks both for zero errors on every page and open dialog.

``vendor/HTMLCS.js`` (see ``vendor/VERSION.md``) is given to every page as an
init script of the browser context, like axe: the page's CSP stays enforced.
It is run with the ``WCAG2AA`` standard on the whole document, and only its
errors count: its warnings and notices ask a person to check something by
hand (« check that the title describes the document »), no engine can settle
them.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import BrowserContext, Page

SOURCE = Path(__file__).parent / "vendor" / "HTMLCS.js"
STANDARD = "WCAG2AA"

#: Error codes not counted (a prefix of the message's code), each with its reason.
IGNORED: dict[str, str] = {}

RUN = """([standard, ignored]) => new Promise((resolve, reject) => {
    const describe = (element) => {
        if (!element || !element.tagName) return 'document';
        const id = element.id ? '#' + element.id : '';
        const classes = typeof element.className === 'string' && element.className.trim()
            ? '.' + element.className.trim().split(/\\s+/).join('.') : '';
        const text = (element.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 60);
        return `${element.tagName.toLowerCase()}${id}${classes} « ${text} »`;
    };
    HTMLCS.process(standard, document, () => resolve(HTMLCS.getMessages()
        .filter((message) => message.type === HTMLCS.ERROR)
        .filter((message) => !ignored.some((code) => message.code.startsWith(code)))
        .map((message) => `${message.code}: ${message.msg} - ${describe(message.element)}`)),
        () => reject(new Error('HTML_CodeSniffer could not run')), 'en');
})"""


def install(context: BrowserContext) -> None:
    """Give the engine to every page the context opens, before the page's scripts."""
    context.add_init_script(path=SOURCE)


def errors(page: Page) -> list[str]:
    """The engine's errors on the page as it is now (``code: message - element``)."""
    return page.evaluate(RUN, [STANDARD, list(IGNORED)])


def assert_no_errors(page: Page, name: str) -> None:
    found = errors(page)
    assert not found, f"{name} ({page.url}): HTML_CodeSniffer errors:\n" + "\n".join(found)
