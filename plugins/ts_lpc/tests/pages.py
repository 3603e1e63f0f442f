"""Reading the livret's pages in tests."""

from __future__ import annotations


def statuses(page) -> dict[int, str]:
    rows = page.html.select("#competences tbody tr")
    return {
        int(row["id"].removeprefix("competence-")): " ".join(row.select("td")[-1].text.split())
        for row in rows
    }


def tabs(page) -> list[str]:
    nav = page.html.select_one("nav[aria-label^='Compétences du palier']")
    return [" ".join(a.text.split()) for a in nav.select("a")]
