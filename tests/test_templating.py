"""Templates compile one at a time, whatever the number of serving threads,
without their indentation, and every page drawn with the layout has its
doctype."""

import re
import threading
import time
from pathlib import Path

from chameleon.template import BaseTemplate
from chameleon.zpt.template import PageTemplate, PageTextTemplate

from ts_host import templating

ROOT = Path(__file__).parent.parent


def test_the_application_compiles_its_templates_one_at_a_time(ts_app, monkeypatch):
    inside = most = 0

    def compile_slowly(template, body, builtins):
        nonlocal inside, most
        inside += 1
        most = max(most, inside)
        time.sleep(0.01)
        inside -= 1
        return ""

    monkeypatch.setattr(templating, "_compile", compile_slowly)
    threads = [
        threading.Thread(target=BaseTemplate._compile, args=(None, "", ())) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == 1


#: Every page template of the repository that fills the host's layout.
LAYOUT_PAGES = sorted(
    path
    for folder in ("ts_host", "plugins", "examples")
    for path in (ROOT / folder).rglob("*.pt")
    if "macros['layout']" in path.read_text(encoding="utf-8")
)


def test_the_layout_writes_the_doctype_of_every_page(testapp, family_app):
    """Without a doctype a browser draws the page in quirks mode (tables,
    fonts and boxes sized otherwise): Chameleon writes the doctype of the
    page's own file, so the layout's wrapper carries it for every page."""
    for page in (testapp.get("/aide"), family_app.get("/")):
        assert page.text.startswith("<!DOCTYPE html>\n<html")
        assert page.text.count("<!DOCTYPE") == 1


def test_no_page_template_writes_a_second_doctype():
    assert LAYOUT_PAGES
    assert [path for path in LAYOUT_PAGES if "<!DOCTYPE" in path.read_text(encoding="utf-8")] == []


def test_a_page_has_none_of_its_template_s_indentation(testapp):
    page = testapp.get("/aide")
    assert "\n<head>\n<meta charset" in page.text
    assert re.findall(r"\n[ \t]+\S", page.text) == []


def test_a_text_template_keeps_its_indentation():
    """A mail's plain text is laid out by its spaces."""
    body = "Bonjour,\n\n  Identifiant : ${login}\n"
    assert templating.unindented(PageTextTemplate(body), body) == body
    page = templating.unindented(PageTemplate("<p/>"), body)
    assert page == "Bonjour,\n\nIdentifiant : ${login}\n"
