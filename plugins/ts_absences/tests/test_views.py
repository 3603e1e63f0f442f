"""The absences page as a family sees it (tests run on 15/02/2027, a Monday)."""

from datetime import date, datetime

import pytest

from ts_absences.models import PROCESSED, REPORTED, SERVICE_ID, Absence, PupilAbsences
from ts_host.api import service_data
from ts_host.testing import ESTABLISHMENT_A, ServiceAccessTests, kept_pages, set_today

TITLE = "Le nombre par semaine des demi-journées où au moins une absence a été signalée et traitée"


def at(text: str) -> datetime:
    return datetime.strptime(text, "%d/%m/%Y %H:%M")


KNOWN = [
    Absence(at("01/02/2027 08:00"), at("01/02/2027 11:55"), PROCESSED, True),
    Absence(at("03/02/2027 13:30"), at("05/02/2027 17:00"), PROCESSED, True),
    Absence(at("09/02/2027 10:00"), at("09/02/2027 11:00"), PROCESSED, False),
    Absence(at("15/02/2027 08:00"), at("15/02/2027 17:00"), REPORTED, False),
    Absence(at("12/01/2027 11:00"), at("12/01/2027 12:00"), PROCESSED, True),
    Absence(at("01/09/2026 08:00"), at("01/09/2026 11:55"), PROCESSED, True),
]


@pytest.fixture
def known_absences(site, tm, pupil_enabled):
    with tm:
        data = service_data(site.pupils[pupil_enabled], SERVICE_ID, PupilAbsences)
        data.replace(KNOWN)
    return pupil_enabled


def url(pupil_id: str, **query) -> str:
    suffix = "".join(f"?periode={value}" for value in query.values())
    return f"/eleve/{pupil_id}/absences{suffix}"


def table_rows(page) -> list[list[str]]:
    table = page.html.find("table")
    return [
        [" ".join(cell.get_text().split()) for cell in row.find_all(["th", "td"])]
        for row in table.tbody.find_all("tr")
    ]


def test_default_is_the_current_month_with_the_guides_columns(family_app, known_absences):
    page = family_app.get(url(known_absences))
    assert page.html.h1.get_text(" ", strip=True).split() == TITLE.split()
    headers = [th.get_text(strip=True) for th in page.html.find("table").thead.find_all("th")]
    assert headers == ["Numéro semaine", "Du", "Au", "Nombre de demi-journées"]
    assert table_rows(page) == [
        ["7", "lun. 15/02/2027", "sam. 20/02/2027", "0"],
        ["6", "lun. 08/02/2027", "sam. 13/02/2027", "0"],
        ["5", "lun. 01/02/2027", "sam. 06/02/2027", "6"],
    ]
    selected = page.html.find("select", id="periode").find("option", selected=True)
    assert selected["value"] == "2027-02"


def test_on_the_1st_the_page_opens_on_the_week_begun_the_month_before(
    family_app, site, tm, pupil_enabled
):
    with tm:
        data = service_data(site.pupils[pupil_enabled], SERVICE_ID, PupilAbsences)
        data.replace([Absence(at("29/09/2026 08:00"), at("29/09/2026 17:00"), PROCESSED, True)])
    set_today(family_app, date(2026, 10, 1))
    page = family_app.get(url(pupil_enabled))
    assert table_rows(page)[0] == ["40", "lun. 28/09/2026", "sam. 03/10/2026", "2"]
    selected = page.html.find("select", id="periode").find("option", selected=True)
    assert selected["value"] == "2026-09"


def test_the_page_says_what_is_counted(family_app, known_absences):
    text = " ".join(family_app.get(url(known_absences)).html.get_text().split())
    assert "Ce qui est compté :" in text
    assert "le CPE a coché « motif légitime »" in text
    assert "le dimanche n'est jamais compté" in text


def test_filter_by_another_month(family_app, known_absences):
    rows = table_rows(family_app.get(url(known_absences, periode="2027-01")))
    assert [row[0] for row in rows] == ["4", "3", "2", "1"]
    assert rows[2] == ["2", "lun. 11/01/2027", "sam. 16/01/2027", "2"]


def test_filter_by_period_lists_its_weeks_up_to_today(family_app, known_absences):
    page = family_app.get(url(known_absences, periode="T2"))
    rows = table_rows(page)
    # T2 runs from Tuesday 01/12/2026: its first week starts on Monday 07/12.
    assert rows[0][:2] == ["7", "lun. 15/02/2027"]
    assert rows[-1][:2] == ["50", "lun. 07/12/2026"]
    assert sum(int(row[3]) for row in rows) == 8
    assert page.html.find("option", selected=True)["value"] == "T2"


def test_filter_by_the_whole_year(family_app, known_absences):
    rows = table_rows(family_app.get(url(known_absences, periode="annee")))
    # From the week of Tuesday 01/09/2026 (week 36) to the current week 7.
    assert rows[0][0] == "7"
    assert rows[-1] == ["36", "lun. 31/08/2026", "sam. 05/09/2026", "1"]
    assert len(rows) == 25
    assert sum(int(row[3]) for row in rows) == 9


def test_a_month_to_come_lists_no_week(family_app, known_absences):
    page = family_app.get(url(known_absences, periode="2027-04"))
    assert "Numéro semaine" not in page.text
    assert "n'a encore commencé" in page.text


def test_an_unknown_filter_falls_back_to_the_current_month(family_app, known_absences):
    page = family_app.get(url(known_absences, periode="nimporte"))
    assert page.html.find("option", selected=True)["value"] == "2027-02"


def test_the_filter_offers_periods_months_and_the_year(family_app, known_absences):
    select = family_app.get(url(known_absences)).html.find("select", id="periode")
    assert select.find_parent("form")["method"] == "get"
    assert page_label(select) == "Filtre par"
    values = [option["value"] for option in select.find_all("option")]
    assert values[:3] == ["T1", "T2", "T3"]
    assert "2026-09" in values and "2027-07" in values
    assert values[-1] == "annee"


def page_label(select) -> str:
    return (
        select.find_parent("form").find("label", attrs={"for": select["id"]}).get_text(strip=True)
    )


def test_contact_dialog_shows_the_vie_scolaire(family_app, ts_app, known_absences):
    establishment = ts_app.registry.ts_academy.establishment(ESTABLISHMENT_A)
    contact = establishment.contact
    assert contact.email and contact.phone and contact.fax
    page = family_app.get(url(known_absences))
    button = page.html.find("button", attrs={"aria-controls": "vie-scolaire"})
    assert button.get_text(strip=True) == "Contacter la vie scolaire"
    dialog = page.html.find("dialog", id="vie-scolaire")
    assert dialog.find("h1").get_text(strip=True) == "La vie scolaire"
    text = " ".join(dialog.get_text(" ").split())
    assert "Adresse " + " ".join(establishment.address) in text
    headers = [th.get_text(strip=True) for th in dialog.find_all("th")]
    assert headers == ["email", "téléphone", "télécopie"]
    assert dialog.find("a", href=f"mailto:{contact.email}").get_text() == contact.email
    phone = dialog.find("a", href=f"tel:{contact.phone.replace(' ', '')}")
    assert phone.get_text() == contact.phone
    assert dialog.find_all("td")[-1].get_text() == contact.fax


def test_page_keeps_to_the_content_security_policy(family_app, known_absences):
    page = family_app.get(url(known_absences))
    assert 'style="' not in page.text
    assert not [s for s in page.html.find_all("script") if not s.get("src")]
    assert not [
        tag for tag in page.html.find_all(True) if any(a.startswith("on") for a in tag.attrs)
    ]


def test_pupil_without_absences_sees_weeks_with_zero(family_app, site, tm, pupil_enabled):
    with tm:
        site.pupils[pupil_enabled].services.pop(SERVICE_ID)
    rows = table_rows(family_app.get(url(pupil_enabled)))
    assert [row[3] for row in rows] == ["0", "0", "0"]


def test_tile_for_the_establishment_that_enables_the_service(family_app, site, tm, family):
    with tm:
        site.pupils[family.pupil_ids[0]].first_name = "Antoine"
    page = family_app.get("/", params={"eleve": family.pupil_ids[0]})
    link = page.html.find("a", href=f"http://teleservices.test{url(family.pupil_ids[0])}")
    assert link.get_text(strip=True) == "Consultez les absences d'Antoine"
    assert "Les absences" in page.text


class TestAccess(ServiceAccessTests):
    """The host's access promises on the page (the kit's test set)."""

    pupil_paths = ("", "/justifier", "/annoncer")
    page_text = "Numéro semaine"
    tile_text = "Consultez les absences"


def test_a_page_kept_between_views_shows_no_stale_count(family_app, site, tm, known_absences):
    """The page is kept from the family's second view (ts_host.page_cache):
    an absence processed since counts at the next."""
    kept = family_app.get(url(known_absences))
    assert family_app.get(url(known_absences)).body == kept.body and kept_pages(family_app) == 1
    with tm:
        data = service_data(site.pupils[known_absences], SERVICE_ID, PupilAbsences)
        data.replace(
            [*KNOWN, Absence(at("16/02/2027 08:00"), at("16/02/2027 11:55"), PROCESSED, True)]
        )
    assert table_rows(family_app.get(url(known_absences)))[0] == [
        "7",
        "lun. 15/02/2027",
        "sam. 20/02/2027",
        "1",
    ]
