"""A wide table scrolls inside its own container, never the page (WCAG 1.4.10).

The DSFR's markup (``fr-table__wrapper`` > ``fr-table__container`` >
``fr-table__content``) with the portal's stylesheets, in Chromium at 320 CSS
pixels: a static page, no server, so it takes a second.
"""

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

STATIC = Path(__file__).resolve().parents[2] / "ts_host" / "static"
CELL = '<td>14,50<span class="fr-sr-only">moyenne de la classe : 10,42</span></td>'
PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{static}/dsfr/dsfr.main.min.css">
<link rel="stylesheet" href="{static}/ts/app.css">
<title>Tableau</title></head>
<body><main class="fr-container">
<div class="fr-table">
  <div class="fr-table__wrapper">
    <div class="fr-table__container" tabindex="0" role="region" aria-labelledby="titre">
      <div class="fr-table__content">
        <table>
          <caption id="titre">Notes</caption>
          <thead><tr>{headers}</tr></thead>
          <tbody><tr><th scope="row">Participation orale</th>{cells}</tr></tbody>
        </table>
      </div>
    </div>
  </div>
</div>
</main></body></html>"""
WIDTHS = """() => [document.documentElement.scrollWidth,
    document.querySelector('.fr-table__container').scrollWidth,
    document.querySelector('.fr-table__container').clientWidth]"""


@pytest.mark.parametrize("width", [320, 390])
def test_a_wide_table_scrolls_in_its_container_with_its_hidden_texts(browser, tmp_path, width):
    page_file = tmp_path / "table.html"
    page_file.write_text(
        PAGE.format(
            static=STATIC.as_uri(),
            headers="".join(f"<th scope='col'>Colonne {n}</th>" for n in range(8)),
            cells=CELL * 7,
        ),
        encoding="utf-8",
    )
    context = browser.new_context(viewport={"width": width, "height": 700})
    try:
        page = context.new_page()
        page.goto(page_file.as_uri())
        document, table, container = page.evaluate(WIDTHS)
    finally:
        context.close()
    assert table > container, "the table is not wide enough to prove anything"
    assert document == width, f"the page scrolls sideways: {document}px wide at {width}px"
