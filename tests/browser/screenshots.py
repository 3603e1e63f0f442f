"""The README's screenshots: ``make screenshots`` (``python -m tests.browser.screenshots``).

The login page, a family's dashboard and the notes page at a phone's and a
desktop's width, taken in Chromium headless from the browser journeys' live
server (the demo data, the repository's ``etc/establishments.toml``), by a
family that creates its account the way the journeys do.  Other pages can be
asked for by path (``--page /aide``) or by service (``--service absences``:
the first child's page of it; ``--service notes/equipe``: a page below it),
each at both widths, for a look at what a
change does.
"""

from __future__ import annotations

import argparse
import re
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image
from playwright.sync_api import expect, sync_playwright

from .conftest import CHROMIUM_ARGS, chromium_executable
from .pages import SCREENSHOT, SETTLE, VIEWPORTS, Journey, choose_child, logged_in, tile_links
from .server import REPOSITORY, LiveServer

FOLDER = REPOSITORY / "docs" / "screenshots"
WIDTHS = {"phone": 390, "desktop": 1280}
#: A README image needs no more: 128 colours keep a page legible at a
#: fraction of the size (Pillow comes with reportlab, the LPC's PDF).
COLOURS = 128


def shoot(journey: Journey, folder: Path, name: str) -> Path:
    """The page as it settles once the DSFR has started (the journeys check
    it; a picture of a page they fail is still a picture)."""
    page = journey.page
    page.wait_for_load_state("load")
    expect(page.locator("html")).to_have_attribute("data-fr-js", "true")
    page.evaluate(SETTLE)
    path = folder / f"{name}-{WIDTHS[journey.viewport]}.png"
    journey.page.screenshot(path=path, **SCREENSHOT)
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(COLOURS)
    small.save(path, optimize=True)
    return path


def service_path(journey: Journey, server: LiveServer, family, service: str) -> str:
    """The page of ``service`` of one of the family's children: the first
    whose page shows a table (grades published, menus…), else the last."""
    segment = server.url_segment(service)
    paths = []
    for child in family.children:
        if not server.offers(child, service):
            continue
        journey.visit("/")
        choose_child(journey, child)
        paths += [
            urlsplit(url).path
            for url, _ in tile_links(journey)
            if re.match(rf"^/eleve/[^/]+/{re.escape(segment)}(/|$)", urlsplit(url).path)
        ]
    assert paths, f"no {service} tile for {family}"
    for path in paths:
        journey.visit(path)
        if journey.page.locator("main table").count():
            break
    return path


def take(folder: Path, extra_pages: list[str], services: list[str]) -> list[Path]:
    taken = []
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as scratch:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable(), args=CHROMIUM_ARGS
        )
        server = LiveServer(Path(scratch))
        server.start()
        try:
            for viewport in VIEWPORTS:
                context = browser.new_context(
                    **VIEWPORTS[viewport], locale="fr-FR", timezone_id="Europe/Paris"
                )
                journey = Journey(context, server, Path(scratch), viewport)
                journey.visit("/connexion")
                taken.append(shoot(journey, folder, "connexion"))
                family = logged_in(journey, server, "notes")
                choose_child(journey, family.children[0])
                taken.append(shoot(journey, folder, "tableau-de-bord"))
                for asked in ["notes", *services]:
                    service, _, below = asked.partition("/")
                    path = service_path(journey, server, family, service)
                    journey.visit(f"{path}/{below}" if below else path)
                    expect(journey.page.locator("main h1").first).to_be_visible()
                    taken.append(shoot(journey, folder, asked.replace("/", "-")))
                for path in extra_pages:
                    journey.visit(path)
                    name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "accueil"
                    taken.append(shoot(journey, folder, name))
                context.close()
        finally:
            server.stop()
            browser.close()
    return taken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=FOLDER)
    parser.add_argument("--page", action="append", default=[], help="another path to shoot")
    parser.add_argument(
        "--service",
        action="append",
        default=[],
        help="another service's page to shoot (absences), or a page below it (notes/equipe)",
    )
    arguments = parser.parse_args()
    arguments.folder.mkdir(parents=True, exist_ok=True)
    for path in take(arguments.folder, arguments.page, arguments.service):
        print(path)


if __name__ == "__main__":
    main()
