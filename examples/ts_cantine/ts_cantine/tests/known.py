"""What the tests set up, and how they read the page (tests run on Monday 15/02/2027)."""

from __future__ import annotations

import re
from datetime import date

from ts_host.testing import ESTABLISHMENT_A, college_config

#: What establishment A sets for the canteen in these tests (defaults: 3,90 € and 10,00 €).
MEAL_PRICE = 410
LOW_BALANCE = 1500
SETTINGS = {
    ESTABLISHMENT_A: {"cantine": {"meal_price": MEAL_PRICE / 100, "low_balance": LOW_BALANCE / 100}}
}
NBSP = "\u00a0"
#: Establishment A as configuration, enabling the canteen.
COLLEGE = college_config("cantine")


def d(text: str) -> date:
    day, month, year = (int(part) for part in text.split("/"))
    return date(year, month, day)


def url(pupil_id: str, week: str | None = None) -> str:
    return f"/eleve/{pupil_id}/cantine" + (f"?semaine={week}" if week else "")


def text_of(node) -> str:
    """The node's text with its spaces collapsed, non-breaking ones kept."""
    return re.sub(r"[ \t\r\n]+", " ", node.get_text(" ")).strip()


def table_rows(page, index: int = 0) -> list[list[str]]:
    table = page.html.find_all("table")[index]
    return [[text_of(cell) for cell in row.find_all(["th", "td"])] for row in table.tbody("tr")]


def headers(page, index: int = 0) -> list[str]:
    return [text_of(th) for th in page.html.find_all("table")[index].thead("th")]
