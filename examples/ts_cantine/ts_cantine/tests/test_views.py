"""The canteen page and tile as a family sees them (today is Monday 15/02/2027)."""

import pytest
from ts_host.api import service_data, site_data
from ts_host.testing import ESTABLISHMENT_A, ServiceAccessTests

from ts_cantine.models import SERVICE_ID, CantineSite, EstablishmentMenus, Menu, PupilAccount

from .known import MEAL_PRICE, NBSP, d, headers, table_rows, text_of, url

MEALS = ["08/02/2027", "09/02/2027", "11/02/2027", "12/02/2027", "15/02/2027", "16/02/2027"]


def set_account(site, tm, pupil_id, paid_on_first_of_february: int) -> None:
    """Meals on the days of :data:`MEALS` (16/02 is tomorrow) and two payments."""
    with tm:
        account = service_data(site.pupils[pupil_id], SERVICE_ID, PupilAccount)
        account.replace(
            dict.fromkeys(map(d, MEALS), MEAL_PRICE),
            {d("01/02/2027"): paid_on_first_of_february, d("16/02/2027"): 5000},
        )


@pytest.fixture
def known_week(site, tm, pupil_enabled):
    """A's menus of the week of 15/02 (none on Wednesday), and an account with 19,50 €."""
    with tm:
        store = site_data(site, SERVICE_ID, CantineSite)
        menus = store.menus[ESTABLISHMENT_A] = EstablishmentMenus()
        menus.set(d("15/02/2027"), Menu("Carottes râpées", "Poulet rôti", "Yaourt", "lait"))
        menus.set(d("16/02/2027"), Menu("", "Lasagnes", "Pomme", "gluten, lait"))
        menus.set(d("18/02/2027"), Menu("Taboulé", "Colin, purée", "Orange", "poisson"))
        menus.set(d("19/02/2027"), Menu("Salade", "Curry de légumes", "Crème", "lait"))
    # 40,00 € paid, five meals at 4,10 € up to today: 19,50 €.
    set_account(site, tm, pupil_enabled, 4000)
    return pupil_enabled


def test_the_current_week_shows_the_menus_and_the_meals_taken(family_app, known_week, site, tm):
    with tm:
        site.pupils[known_week].first_name = "Antoine"
    page = family_app.get(url(known_week))
    assert text_of(page.html.h1) == "La cantine"
    caption = text_of(page.html.find("caption"))
    assert caption == "Les menus de la semaine du 15/02/2027 au 19/02/2027"
    assert headers(page)[:5] == ["Jour", "Entrée", "Plat", "Dessert", "Allergènes"]
    assert headers(page)[5] == "Repas d'Antoine"
    assert "Le compte d'Antoine" in text_of(page.html.find("main"))
    assert table_rows(page) == [
        ["lundi 15/02/2027", "Carottes râpées", "Poulet rôti", "Yaourt", "lait", "pris"],
        ["mardi 16/02/2027", "", "Lasagnes", "Pomme", "gluten, lait", ""],
        ["mercredi 17/02/2027", "Menu non communiqué", ""],
        ["jeudi 18/02/2027", "Taboulé", "Colin, purée", "Orange", "poisson", ""],
        ["vendredi 19/02/2027", "Salade", "Curry de légumes", "Crème", "lait", ""],
    ]


def test_a_past_week_shows_which_meals_were_taken(family_app, known_week):
    rows = table_rows(family_app.get(url(known_week, "2027-02-08")))
    assert [row[0] for row in rows][:2] == ["lundi 08/02/2027", "mardi 09/02/2027"]
    assert [row[-1] for row in rows] == ["pris", "pris", "non pris", "pris", "pris"]


def test_the_balance_counts_up_to_today(family_app, known_week):
    page = family_app.get(url(known_week))
    text = text_of(page.html.find("main") or page.html)
    assert f"Solde au 15/02/2027 : 19,50{NBSP}€" in text
    assert f"Prix d'un repas : 4,10{NBSP}€" in text
    assert "Le solde couvre encore 4 repas." in text
    assert "Repas pris depuis la rentrée : 5" in text
    assert table_rows(page, 1) == [["01/02/2027", f"40,00{NBSP}€"]]
    assert not page.html.select(".fr-alert")


def test_a_low_balance_asks_to_top_up(family_app, site, tm, known_week):
    set_account(site, tm, known_week, 2500)  # 25,00 - 20,50 = 4,50 € < 15,00 €
    page = family_app.get(url(known_week))
    (alert,) = page.html.select(".fr-alert--warning")
    assert text_of(alert) == "Le solde est bas : pensez à approvisionner le compte."
    assert "Le solde couvre encore 1 repas." in text_of(page.html)


def test_an_account_in_debt_says_so(family_app, site, tm, known_week):
    set_account(site, tm, known_week, 1000)
    page = family_app.get(url(known_week))
    assert f"Solde au 15/02/2027 : -10,50{NBSP}€" in text_of(page.html)
    (alert,) = page.html.select(".fr-alert--error")
    assert "Le compte est débiteur" in text_of(alert)
    assert not page.html.select(".fr-alert--warning")
    assert "couvre encore" not in page.text


def test_a_pupil_without_account_sees_the_menus_only(family_app, site, tm, known_week):
    with tm:
        site.pupils[known_week].services.pop(SERVICE_ID)
        first_name = site.pupils[known_week].first_name
    page = family_app.get(url(known_week))
    assert headers(page) == ["Jour", "Entrée", "Plat", "Dessert", "Allergènes"]
    assert f"{first_name} n'a pas de compte de cantine" in text_of(page.html)
    assert "Solde au" not in page.text


def test_the_week_selector_lists_the_school_weeks(family_app, known_week):
    page = family_app.get(url(known_week))
    select = page.html.find("select", id="semaine")
    form = select.find_parent("form")
    assert form["method"] == "get"
    assert text_of(form.find("label", attrs={"for": "semaine"})) == "Semaine"
    assert text_of(form.find("button", type="submit")) == "Valider"
    options = select.find_all("option")
    # From the week of Tuesday 01/09/2026 to the week of Saturday 03/07/2027.
    assert (options[0]["value"], options[-1]["value"]) == ("2026-08-31", "2027-06-28")
    assert len(options) == 44
    chosen = select.find("option", selected=True)
    assert (chosen["value"], text_of(chosen)) == ("2027-02-15", "du 15/02/2027 au 19/02/2027")


def test_previous_and_next_week_links(family_app, known_week):
    page = family_app.get(url(known_week))
    previous = page.html.find("a", string=lambda s: s and "Semaine précédente" in s)
    following = page.html.find("a", string=lambda s: s and "Semaine suivante" in s)
    assert previous["href"].endswith(url(known_week, "2027-02-08"))
    assert following["href"].endswith(url(known_week, "2027-02-22"))
    first = family_app.get(url(known_week, "2026-08-31"))
    assert "Semaine précédente" not in first.text
    assert "Semaine suivante" in first.text


def test_an_unknown_week_falls_back_to_the_current_one(family_app, known_week):
    page = family_app.get(url(known_week, "2027-02-16"))
    assert page.html.find("option", selected=True)["value"] == "2027-02-15"


def test_page_keeps_to_the_content_security_policy(family_app, known_week):
    page = family_app.get(url(known_week))
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert 'style="' not in page.text
    assert not [s for s in page.html.find_all("script") if not s.get("src")]
    assert not [
        tag for tag in page.html.find_all(True) if any(a.startswith("on") for a in tag.attrs)
    ]
    assert all(th.get("scope") for th in page.html.find_all("th"))


def test_the_tile_shows_for_the_establishment_that_enables_the_service(
    family_app, site, tm, family
):
    pupil_id = family.pupil_ids[0]
    with tm:
        first_name = site.pupils[pupil_id].first_name
    page = family_app.get("/", params={"eleve": pupil_id})
    link = page.html.find("a", href=f"http://teleservices.test{url(pupil_id)}")
    assert text_of(link) == f"Consultez la cantine de {first_name}"
    tile = link.find_parent(class_="fr-tile")
    assert text_of(tile.find(class_="fr-tile__title")) == "La cantine"
    assert text_of(tile.find(class_="fr-tile__desc")) == (
        f"Les menus de la semaine et le solde de {first_name}."
    )


class TestAccess(ServiceAccessTests):
    """The host's access promises on the page (the kit's test set)."""

    page_text = "Solde au"
    tile_text = "La cantine"
