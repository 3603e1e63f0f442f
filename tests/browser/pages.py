"""One family's journey in Chromium, and the checks every page of it passes.

``Journey.check`` runs on every page and every open dialog:

- axe-core (``vendor/axe.min.js``) with the WCAG 2.0 and 2.1 A and AA rules:
  zero violations;
- HTML_CodeSniffer (``htmlcs.py``), the engine pa11y runs, with WCAG2AA:
  zero errors;
- the browser console: no error and no uncaught exception.  Chromium reports
  a script or style the CSP blocks (an inline one) and a resource that fails
  to load as console errors, so this also proves no page needs inline script;
- the layout (``layout.py``): nothing of ``<main>`` over the header or the
  footer, no text wider than its box, no sideways scrolling (WCAG 1.4.10),
  no image of zero size; at the viewport's width and, on a phone, at 320 px;
- the DSFR script has started (its dialogs, menus and focus traps work);
- a numbered screenshot of the step.

axe is given to every page as an init script of the browser context: the
DevTools protocol evaluates it before the page's own scripts, outside the
page's CSP, which therefore stays fully enforced on everything the page
loads (never ``bypass_csp``).  An inline ``<script>`` would be refused by
``script-src 'self'``; serving axe through ``context.route`` under the
application's origin works too, but routing turns the HTTP cache off and
every page then reloads the DSFR's files, slowing the journeys by a third.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import BrowserContext, Error, Locator, Page, expect

from ts_host.api import of_name

from . import htmlcs
from .layout import check_layout
from .server import Family, LiveServer

AXE_SOURCE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
VIEWPORTS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 900}},
}
#: Playwright hides the caret by writing ``caret-color`` into each input's
#: ``style`` attribute, and leaves ``style=""`` behind: the DSFR's header then
#: copies its tools (the logout form's hidden input) into the phone menu with
#: ``innerHTML``, and the page's ``style-src 'self'`` refuses that attribute.
#: A screenshot must not change the page it shows.
SCREENSHOT = {"full_page": True, "caret": "initial"}
#: Options tried in each filter: the first, middle and last not already chosen.
OPTIONS_PER_FILTER = 3
MAX_TABS = 80

#: Wait for the CSS transitions under way (a dialog fading in) to end.
SETTLE = """() => Promise.all(document.getAnimations()
    .filter((animation) => animation.effect.getComputedTiming().endTime !== Infinity)
    .map((animation) => animation.finished.catch(() => null)))"""
RUN_AXE = """(tags) => axe.run(document, {
    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"""
#: The DSFR outlines the focused element, or its ``::before`` for a link that
#: enlarges to its whole tile (``fr-enlarge-link``).
FOCUS_VISIBLE = """() => {
    const element = document.activeElement;
    if (!element || element === document.body) return null;
    const visible = [null, '::before', '::after'].some((pseudo) => {
        const style = getComputedStyle(element, pseudo);
        return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    });
    return visible ? '' : element.outerHTML.slice(0, 200);
}"""
#: Where focus is relative to ``element``: 0 on it, 1 before it, -1 after it.
FOCUS_POSITION = """(element) => {
    const active = document.activeElement;
    if (active === element) return 0;
    return element.compareDocumentPosition(active) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
}"""
PASTE = """(box, text) => {
    const data = new DataTransfer();
    data.setData('text/plain', text);
    box.focus();
    box.dispatchEvent(new ClipboardEvent('paste', {
        clipboardData: data, bubbles: true, cancelable: true}));
}"""
#: Visible error messages no field points to with aria-describedby.
UNTIED_ERRORS = """() => Array.from(document.querySelectorAll('main .fr-error-text'))
    .filter((error) => error.offsetParent !== null)
    .filter((error) => !error.id
        || !document.querySelector(`[aria-describedby~="${CSS.escape(error.id)}"]`))
    .map((error) => error.textContent.trim())"""


def digits_label(count: int) -> str:
    """What the keypad announces after ``count`` digits."""
    return f"{count} chiffre saisi" if count < 2 else f"{count} chiffres saisis"


class Journey:
    """A browser context on the live server, with the checks and the screenshots."""

    def __init__(
        self, context: BrowserContext, server: LiveServer, folder: Path, viewport: str
    ) -> None:
        self.context = context
        self.server = server
        self.folder = folder
        self.viewport = viewport
        self.console: list[str] = []
        self.errors: list[str] = []
        self.steps = 0
        self.layout_dialogs: set[str] = set()
        context.add_init_script(path=AXE_SOURCE)
        htmlcs.install(context)
        context.on("page", self._watch)
        self.page: Page = context.new_page()

    # -- what the browser reports -------------------------------------------------

    def _watch(self, page: Page) -> None:
        def console(message):
            line = f"{message.type}: {page.url}: {message.text}"
            self.console.append(line)
            if message.type == "error":
                self.errors.append(line)

        def server_error(response):
            if response.status >= 500:
                self.errors.append(f"HTTP {response.status}: {response.url}")

        page.on("console", console)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {page.url}: {error}"))
        page.on("response", server_error)

    def problems(self, log_start: int) -> list[str]:
        """Console errors and server errors of the whole journey."""
        server_errors = self.server.errors_since(log_start)
        return self.errors + [f"server: {line}" for line in server_errors]

    def keep_evidence(self, log_start: int) -> None:
        """After a failure: the last state of each page, the console, the server's log."""
        for number, page in enumerate(self.context.pages, start=1):
            try:
                page.screenshot(path=self.folder / f"zz-failure-page{number}.png", **SCREENSHOT)
            except Error:
                continue
        (self.folder / "console.txt").write_text("\n".join(self.console), encoding="utf-8")
        with self.server.log_path.open("rb") as stream:
            stream.seek(log_start)
            (self.folder / "server.log").write_bytes(stream.read())

    # -- pages ---------------------------------------------------------------------

    def visit(self, path: str) -> None:
        response = self.page.goto(self.server.url(path))
        assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"

    def follow(self, link: Locator) -> None:
        """Click a link of this site; the page it opens must answer 2xx."""
        href = link.evaluate("(a) => a.href")
        with self.page.expect_response(lambda response: response.url == href) as answer:
            link.click()
        assert answer.value.ok, f"{href}: HTTP {answer.value.status}"
        self.page.wait_for_load_state("load")

    def step(self, name: str) -> None:
        self.steps += 1
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        self.page.screenshot(path=self.folder / f"{self.steps:02d}-{slug}.png", **SCREENSHOT)

    def check(self, name: str) -> None:
        """The checks of every page (see the module's docstring), then a screenshot."""
        page = self.page
        page.wait_for_load_state("load")
        expect(page.locator("html")).to_have_attribute("data-fr-js", "true")
        page.evaluate(SETTLE)
        self.step(name)
        assert not self.errors, f"{name}: the browser reported errors:\n" + "\n".join(self.errors)
        violations = self.axe()
        assert not violations, f"{name} ({page.url}): axe violations:\n" + "\n".join(violations)
        htmlcs.assert_no_errors(page, name)
        check_layout(self, name)

    def axe(self) -> list[str]:
        result = self.page.evaluate(RUN_AXE, AXE_TAGS)
        return [
            f"{violation['id']} ({violation['impact']}): {violation['help']} - "
            + "; ".join(" ".join(map(str, node["target"])) for node in violation["nodes"])
            for violation in result["violations"]
        ]

    def heading(self, text: str) -> Locator:
        return self.page.get_by_role("heading", name=text)

    def assert_errors_tied_to_fields(self) -> None:
        untied = self.page.evaluate(UNTIED_ERRORS)
        assert not untied, f"error messages no field refers to: {untied}"

    # -- keyboard --------------------------------------------------------------------

    def assert_focus_visible(self) -> None:
        hidden = self.page.evaluate(FOCUS_VISIBLE)
        assert not hidden, f"the focused element shows no focus outline: {hidden}"

    def tab_to(self, target: Locator) -> None:
        """Move the focus to ``target`` with Tab and Shift+Tab only; every element
        met on the way must show its focus."""
        for _ in range(MAX_TABS):
            position = target.evaluate(FOCUS_POSITION)
            if position == 0:
                self.assert_focus_visible()
                return
            self.page.keyboard.press("Tab" if position > 0 else "Shift+Tab")
            self.assert_focus_visible()
        raise AssertionError(f"{target} cannot be reached with the Tab key")

    # -- the keypad ----------------------------------------------------------------

    def keypad(self, label: str) -> Locator:
        return self.page.get_by_role("group", name=label, exact=True)

    def keypad_announcement(self, label: str) -> Locator:
        return self.page.locator(".ts-keypad", has=self.keypad(label)).locator("[aria-live]")

    def type_by_mouse(self, label: str, digits: str) -> None:
        keys, announced = self.keypad(label), self.keypad_announcement(label)
        expect(announced).to_have_text(digits_label(0))
        for count, digit in enumerate(digits, start=1):
            keys.get_by_role("button", name=digit, exact=True).click()
            expect(announced).to_have_text(digits_label(count))

    def type_by_keyboard(self, label: str, digits: str) -> None:
        """Tab to each digit's key and press it, with Enter and Space in turn."""
        keys, announced = self.keypad(label), self.keypad_announcement(label)
        for count, digit in enumerate(digits, start=1):
            self.tab_to(keys.get_by_role("button", name=digit, exact=True))
            self.page.keyboard.press("Enter" if count % 2 else " ")
            expect(announced).to_have_text(digits_label(count))

    # -- dialogs and filters -----------------------------------------------------------

    def open_dialog(self, opener: Locator, name: str) -> Locator:
        """Open a DSFR dialog with the keyboard; the focus must move into it."""
        dialog_id = opener.get_attribute("aria-controls")
        dialog = self.page.locator(f'[id="{dialog_id}"]')
        opener.focus()
        self.page.keyboard.press("Enter")
        expect(dialog).to_have_class(re.compile(r"\bfr-modal--opened\b"))
        expect(dialog).to_be_visible()
        self.page.wait_for_function(
            "(dialog) => dialog.contains(document.activeElement)", arg=dialog.element_handle()
        )
        self.check(f"{name} dialog {dialog_id}")
        return dialog

    def exercise_dialog(self, opener: Locator, name: str) -> None:
        """Open, check, Tab around (the focus stays inside), Escape (the focus returns)."""
        dialog = self.open_dialog(opener, name)
        focusable = dialog.locator(
            "a[href], button:not([disabled]), input:not([type=hidden]), select, textarea"
        ).count()
        handle = dialog.element_handle()
        for _ in range(focusable + 2):
            self.page.keyboard.press("Tab")
            inside = self.page.evaluate("(d) => d.contains(document.activeElement)", handle)
            assert inside, f"{name}: Tab leaves the open dialog {dialog}"
            self.assert_focus_visible()
        self.page.keyboard.press("Escape")
        expect(dialog).not_to_have_class(re.compile(r"\bfr-modal--opened\b"))
        self.page.wait_for_function(
            "(opener) => document.activeElement === opener", arg=opener.element_handle()
        )

    def exercise_dialogs(self, name: str) -> None:
        """Every dialog the page can open (DSFR: ``[aria-controls][data-fr-opened]``);
        the layout's own (the phone's menu) once per journey."""
        openers = self.page.locator("[aria-controls][data-fr-opened]")
        for index in range(openers.count()):
            opener = openers.nth(index)
            in_layout = not opener.evaluate("(button) => !!button.closest('main')")
            dialog_id = opener.get_attribute("aria-controls")
            if opener.is_visible() and not (in_layout and dialog_id in self.layout_dialogs):
                self.exercise_dialog(opener, name)
                if in_layout:
                    self.layout_dialogs.add(dialog_id)

    def filters(self) -> list[tuple[str, list[str]]]:
        """The page's GET forms' selects: (name, values) of each."""
        return self.page.evaluate(
            """() => Array.from(document.querySelectorAll('main form'))
                .filter((form) => form.method === 'get')
                .flatMap((form) => Array.from(form.querySelectorAll('select')))
                .map((select) => [select.name, Array.from(select.options, (o) => o.value)])"""
        )

    def exercise_filters(self, name: str) -> None:
        """Choose options of every filter, submit, and see the page apply them."""
        for select_name, values in self.filters():
            select = self.page.locator(f'main form select[name="{select_name}"]')
            others = [v for v in values if v != select.input_value()]
            if len(others) > OPTIONS_PER_FILTER:
                others = [others[0], others[len(others) // 2], others[-1]]
            for value in others:
                form = self.page.locator(
                    "main form", has=self.page.locator(f'select[name="{select_name}"]')
                )
                form.locator(f'select[name="{select_name}"]').select_option(value)
                form.locator("[type=submit], button:not([type])").first.click()
                self.page.wait_for_load_state("load")
                query = parse_qs(urlsplit(self.page.url).query, keep_blank_values=True)
                assert query.get(select_name) == [value], f"{name}: {self.page.url}"
                expect(self.page.locator(f'main form select[name="{select_name}"]')).to_have_value(
                    value
                )
                self.check(f"{name} filter {select_name}={value}")

    # -- accounts --------------------------------------------------------------------

    def type_code(self, row: Locator, code: str) -> None:
        """Type a code as printed, without its dashes: the focus moves from box to box."""
        self.code_box(row, 1).click()
        self.page.keyboard.type(code.replace("-", "").lower(), delay=10)
        self.assert_code_boxes(row, code)

    def paste_code(self, row: Locator, code: str) -> None:
        """Paste the whole code, dashes included, into the first box."""
        self.code_box(row, 1).evaluate(PASTE, code)
        self.assert_code_boxes(row, code)

    def code_box(self, row: Locator, number: int) -> Locator:
        return row.get_by_role("textbox", name=f"Code Activation {number}/4")

    def assert_code_boxes(self, row: Locator, code: str) -> None:
        for number, part in enumerate(code.split("-"), start=1):
            expect(self.code_box(row, number)).to_have_value(re.compile(f"^{part}$", re.I))

    def fill_children(self, family: Family, *, paste_second: bool = False) -> None:
        for number, child in enumerate(family.children, start=1):
            row = self.page.get_by_role("group", name=f"Enfant {number}", exact=True)
            if paste_second and number == 2:
                self.paste_code(row, child.code)
            else:
                self.type_code(row, child.code)
            row.get_by_label("Prénom").fill(child.first_name)
            # Typed key by key, as the field's hint says: jj/mm/aaaa.
            row.get_by_label("Né(e) le").press_sequentially(child.birth_date.strftime("%d/%m/%Y"))

    def fill_credentials(self, login: str, password: str, confirmation: str) -> None:
        page = self.page
        page.get_by_label("votre identifiant").fill(login)
        self.type_by_mouse("votre mot de passe", password)
        self.type_by_mouse("… confirmation du mot de passe", confirmation)
        page.get_by_label("votre adresse e-mail").fill(f"{login}@example.org")

    def fill_questions(self, answers: dict[str, str]) -> None:
        (first, answer1), (second, answer2), (custom, answer3) = answers.items()
        page = self.page
        page.get_by_label("question 1").select_option(label=first)
        page.get_by_label("réponse 1").fill(answer1)
        page.get_by_label("question 2").select_option(label=second)
        page.get_by_label("réponse 2").fill(answer2)
        page.get_by_label("question personnalisée").fill(custom)
        page.get_by_label("réponse personnalisée").fill(answer3)

    def create_account(self, family: Family, login: str, password: str) -> None:
        """The shortest way to a responsable account holding the family's two children."""
        self.visit("/creer-compte/responsable")
        self.fill_children(family)
        self.fill_credentials(login, password, password)
        self.fill_questions(ANSWERS)
        self.page.get_by_role("button", name="Valider").click()
        expect(self.heading("Confirmation de la création de votre compte")).to_be_visible()
        self.step("account created")

    def log_in_by_mouse(self, login: str, password: str) -> None:
        """Fill the login form with the mouse; the caller checks what follows."""
        self.visit("/connexion")
        self.page.get_by_label("votre identifiant").fill(login)
        self.type_by_mouse("votre mot de passe", password)
        self.page.get_by_role("button", name="Valider").click()
        self.page.wait_for_load_state("load")
        self.step("login submitted")

    def log_out(self) -> None:
        """The header's button; on a phone it is in the menu dialog."""
        if self.viewport == "phone":
            self.open_dialog(self.page.get_by_role("button", name="Menu"), "menu")
        self.page.get_by_role("button", name="se déconnecter").click()
        expect(self.heading("Accédez à votre compte")).to_be_visible()
        self.check("logged out")


#: Security questions and answers of the journeys' accounts.
ANSWERS = {
    "Mon lieu de naissance ?": "Nancy",
    "Mon deuxième prénom ?": "Marie",
    "Le nom de mon premier instituteur ?": "Durand",
}

#: The password of the accounts the service journeys create.
PASSWORD = "29481736"


def logged_in(journey, server, service=None, name=None):
    """A new account for a family of two children, logged in on the dashboard;
    its login is ``name`` (or the service's), then the viewport."""
    family = server.take_family(service)
    login = f"{name or service or 'tuiles'}.{journey.viewport}"
    journey.create_account(family, login, PASSWORD)
    journey.log_in_by_mouse(login, PASSWORD)
    expect(journey.heading("Bienvenue")).to_be_visible()
    expect(journey.page.get_by_text("2 enfants sont rattachés à votre compte.")).to_be_visible()
    return family


def choose_child(journey, child) -> None:
    """The dashboard's selector: pick the child and press « Afficher »."""
    selector = journey.page.get_by_label("Sélectionner votre enfant")
    names = selector.locator("option").all_text_contents()
    name = next(n for n in names if n.startswith(f"{child.first_name} "))
    selector.select_option(label=name)
    journey.page.get_by_role("button", name="Afficher").click()
    expect(journey.heading(f"La scolarité {of_name(None, child.first_name)}")).to_be_visible()
    expect(selector.locator("option:checked")).to_have_text(name)
    journey.check(f"dashboard of {child.first_name}")


def tiles(journey):
    return journey.page.locator("main .fr-tile a[href]")


def tile_links(journey) -> list[tuple[str, str]]:
    """(address, rel) of each link of the dashboard's tiles, in order."""
    return tiles(journey).evaluate_all("(links) => links.map((link) => [link.href, link.rel])")
