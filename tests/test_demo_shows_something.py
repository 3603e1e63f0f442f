"""The demo, as ``etc/establishments.toml`` configures it, has something to show
on any day of the school year: every service each demo establishment
enables shows a demo pupil more than an empty state, on its default page,
whatever day the demo is looked at.

One demo database is built from ``etc/establishments.toml`` (about as long as
the kit's own); each date then costs one page per enabled service.
"""

import io
import re
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from ts_host.api import principals
from ts_host.testing import ESTABLISHMENT_A, ESTABLISHMENT_B, set_today

DEMO_ESTABLISHMENTS = Path(__file__).parents[1] / "etc" / "establishments.toml"
DATES = [
    date(2026, 9, 2),  # the second day of the year
    date(2026, 11, 18),
    date(2026, 12, 1),  # the collège's second trimestre begins
    date(2027, 1, 5),  # back from the Christmas holidays
    date(2027, 1, 25),  # the lycée's second semestre begins
    date(2027, 6, 30),
    date(2027, 7, 20),  # the summer holidays
]


def rows(page, selector: str) -> list:
    return page.html.select(selector)


def notes(app, pupil: str):
    return rows(app.get(f"/eleve/{pupil}/notes"), "#notes-table tbody tr:not(.ts-notes-moyenne)")


def absences(app, pupil: str):
    page = app.get(f"/eleve/{pupil}/absences")
    tables = [t for t in page.html.select("table") if "par semaine" in t.caption.get_text()]
    return tables[0].tbody.find_all("tr") if tables else []


def lpc(app, pupil: str):
    """The default palier lists its competences, and some palier holds a validation."""
    listed = rows(app.get(f"/eleve/{pupil}/competences"), "#competences tbody tr")
    validated = [
        palier
        for palier in (1, 2, 3)
        if "validée le" in app.get(f"/eleve/{pupil}/competences?palier={palier}").text
    ]
    return listed if validated else []


def fiche(app, pupil: str):
    return rows(app.get(f"/eleve/{pupil}/fiche"), "table#eleve td")


def dossier(app, pupil: str):
    return rows(app.get(f"/eleve/{pupil}/dossier"), "main table tbody tr")


def cantine(app, pupil: str):
    page = app.get(f"/eleve/{pupil}/cantine")
    return [row for row in page.html.select("main table tbody tr") if row.td]


def external_link(app, pupil: str):
    page = app.get("/", params={"eleve": pupil})
    return [a for a in page.html.select("main a[href^='https://']")]


def inscription(app, pupil: str):
    """A campaign concerns the pupils of one level, during its dates: such a
    pupil's page lists the file's steps; any other pupil has neither a tile
    nor a page, which is what the service has to show them."""
    page = app.get(f"/eleve/{pupil}/inscription", expect_errors=True)
    if page.status_int == 404:
        home = app.get("/", params={"eleve": pupil})
        return [] if f"/eleve/{pupil}/inscription" in home.text else ["aucune campagne"]
    return rows(page, "ol.ts-inscription-steps li")


#: Per service, what its page shows a pupil when it shows something.
SOMETHING = {
    "notes": notes,
    "absences": absences,
    "lpc": lpc,
    "fiche": fiche,
    "dossier": dossier,
    "cantine": cantine,
    "external_link": external_link,
    "inscription": inscription,
}


@pytest.fixture
def ts_establishments_file(ts_demo_bases) -> Path:
    return ts_demo_bases.establishments_file(DEMO_ESTABLISHMENTS.read_text(encoding="utf-8"))


def test_every_demo_service_is_checked(ts_app):
    academy = ts_app.registry.ts_academy
    assert set(academy.establishments) == {ESTABLISHMENT_A, ESTABLISHMENT_B}
    enabled = {s for e in academy.establishments.values() for s in e.services}
    assert enabled <= set(SOMETHING)


def test_every_demo_service_shows_something_on_any_day(family_app, family):
    academy = family_app.app.registry.ts_academy
    pupils = dict(zip((ESTABLISHMENT_A, ESTABLISHMENT_B), family.pupil_ids, strict=True))
    empty = []
    for day in DATES:
        set_today(family_app, day)
        for uai, pupil in pupils.items():
            for service in academy.establishments[uai].services:
                if not SOMETHING[service](family_app, pupil):
                    empty.append((day.isoformat(), uai, service))
    assert empty == []


#: A teacher marked professeur principal in the notes page's team dialog.
MARKED = re.compile(r"([^,]+?) \*\(professeur principal\)")


def test_the_notes_page_and_the_lpc_booklet_name_the_same_professeur_principal(
    family_app, family, site, tm
):
    pupil_id = family.pupil_ids[0]
    with tm:
        pupil = site.pupils[pupil_id]
        (principal,) = principals(site.establishments[pupil.uai], pupil.division)
    name = principal.display_name
    team = family_app.get(f"/eleve/{pupil_id}/notes").click(linkid="notes-equipe")
    marked = {
        found.strip()
        for cell in team.html.find("table", id="notes-equipe-table").find("tbody").find_all("td")
        for found in MARKED.findall(" ".join(cell.get_text().split()))
    }
    assert marked == {name}
    pdf = family_app.get(f"/eleve/{pupil_id}/competences/livret.pdf").body
    first = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert f"Professeur principal : {name}" in first
