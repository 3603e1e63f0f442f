"""The livret's pages as a family sees them (guide, § 2.4.3)."""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

import pytest
from pyramid import testing
from pyramid.httpexceptions import HTTPNotFound

from ts_host.testing import (
    TODAY,
    ServiceAccessTests,
    kept_pages,
    login,
    make_account,
)
from ts_lpc import views
from ts_lpc.models import SERVICE_ID
from ts_lpc.referential import note_aux_parents

from .pages import statuses, tabs

# -- the list ---------------------------------------------------------------


def test_the_list_shows_each_competence_with_its_status(family_app, livret):
    page = family_app.get(f"/eleve/{livret}/competences")
    assert page.html.select_one("h1").text == "Le livret de compétences"
    assert statuses(page) == {
        1: "validée le 12/01/2027",
        2: "validée le 01/02/2027",
        3: "non validée à ce jour",  # validated on 20/03/2027, after today
        4: "non validée à ce jour",
        5: "non validée à ce jour",
        6: "non validée à ce jour",
        7: "non validée à ce jour",
    }
    first = page.html.select_one("#competence-1")
    assert first.select_one("th a").text == "Compétence 1"
    assert first.select("td")[0].text == "La maîtrise de la langue française"
    link = first.select_one("th a")["href"]
    assert link.endswith(f"/eleve/{livret}/competences/competence/1?palier=3")


def test_palier_3_is_shown_by_default_and_others_on_request(family_app, livret):
    page = family_app.get(f"/eleve/{livret}/competences")
    assert tabs(page) == [f"Compétence {n}" for n in range(1, 8)]
    assert "fr-callout--green-emeraude" in page.html.select_one(".fr-callout")["class"]
    palier2 = family_app.get(f"/eleve/{livret}/competences", params={"palier": "2"})
    assert statuses(palier2)[1] == "validée le 20/06/2023"
    # Competence 3 of palier 2 is validated in two parts: one is not enough.
    assert statuses(palier2)[3] == "non validée à ce jour"
    assert "fr-callout--orange-terre-battue" in palier2.html.select_one(".fr-callout")["class"]
    palier1 = family_app.get(f"/eleve/{livret}/competences", params={"palier": "1"})
    assert tabs(palier1) == ["Compétence 1", "Compétence 3", "Compétence 6"]
    assert list(statuses(palier1)) == [1, 3, 6]
    assert "fr-callout--blue-cumulus" in palier1.html.select_one(".fr-callout")["class"]
    assert "Palier 1" in palier1.html.select_one("#competences caption").text


def test_an_unknown_palier_shows_palier_3(family_app, livret):
    page = family_app.get(f"/eleve/{livret}/competences", params={"palier": "9"})
    assert tabs(page) == [f"Compétence {n}" for n in range(1, 8)]


def test_the_palier_selector_offers_3_2_1_with_a_valider_button(family_app, livret):
    page = family_app.get(f"/eleve/{livret}/competences", params={"palier": "2"})
    form = page.forms["choix-palier"]
    assert form.method.lower() == "get"
    select = page.html.select_one("select#palier")
    assert page.html.select_one("label[for=palier]").text == "Palier"
    assert [(o["value"], o.text) for o in select.select("option")] == [
        ("3", "Palier 3"),
        ("2", "Palier 2"),
        ("1", "Palier 1"),
    ]
    assert form["palier"].value == "2"
    assert page.html.select_one("#choix-palier button[type=submit]").text == "Valider"
    form["palier"] = "1"
    assert tabs(form.submit()) == ["Compétence 1", "Compétence 3", "Compétence 6"]


def test_the_note_aux_parents_opens_left_of_the_palier_selector(family_app, livret):
    page = family_app.get(f"/eleve/{livret}/competences")
    form = page.html.select_one("#choix-palier")
    button = form.select_one("button[aria-controls=note-aux-parents]")
    assert button.text == "Note aux parents"
    assert form.find_all(["button", "select"])[0] is button  # before the select
    dialog = page.html.select_one("dialog#note-aux-parents")
    text = " ".join(dialog.text.split())
    assert "NOTE AUX PARENTS" in text
    for block in note_aux_parents()[1:]:
        for words in [block.plain_text, *(t for _b, t in block.items)]:
            assert " ".join(words.split()) in text
    assert dialog.select_one("strong").text == "Le livret personnel de compétences"


def test_the_pdf_is_offered_for_the_palier_shown(family_app, livret):
    page = family_app.get(f"/eleve/{livret}/competences", params={"palier": "2"})
    link = page.html.select_one("a.fr-link--download")
    assert link["href"].endswith(f"/eleve/{livret}/competences/livret.pdf?palier=2")
    assert "Télécharger le bilan détaillé du palier 2" in link.text


def test_the_page_has_no_inline_style_or_script(family_app, livret):
    for url in (f"/eleve/{livret}/competences", f"/eleve/{livret}/competences/competence/1"):
        text = family_app.get(url).text
        assert " style=" not in text
        assert not re.search(r"<script(?![^>]*\bsrc=)", text)
        assert not re.search(r"\son[a-z]+=", text)


# -- a competence ------------------------------------------------------------


def item_row(page, code: str):
    return page.html.select_one(f"#item-{code.replace('.', '-')}")


def test_a_competence_shows_its_domains_and_items(family_app, livret):
    page = family_app.get(f"/eleve/{livret}/competences/competence/1")
    assert page.html.select_one("h2").text == "Compétence 1 - La maîtrise de la langue française"
    assert [c.text for c in page.html.select("table caption")][:3] == ["LIRE", "ÉCRIRE", "DIRE"]
    assert len(page.html.select("tr[id^=item-]")) == 13
    assert item_row(page, "3.1.1.1").td.text.startswith("Adapter son mode de lecture")
    assert tabs(page) == [f"Compétence {n}" for n in range(1, 8)]
    current = page.html.select_one("nav a[aria-current=page]")
    assert " ".join(current.text.split()) == "Compétence 1"
    back = page.html.select_one("a#liste")
    assert back.text == "Les compétences du Palier 3"
    assert back["href"].endswith(f"/eleve/{livret}/competences?palier=3")


def mark(element) -> tuple[str, str, str | None]:
    """The diamond in ``element``: its kind, fill and stroke; it is hidden from
    screen readers, which read the text beside it."""
    svg = element.select_one("svg.ts-lpc-losange")
    assert svg["aria-hidden"] == "true" and svg["focusable"] == "false"
    kind = next(c for c in svg["class"] if c.startswith("ts-lpc-losange--"))
    polygon = svg.polygon
    return kind.removeprefix("ts-lpc-losange--"), polygon["fill"], polygon.get("stroke")


def relative_luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    dark, light = sorted((relative_luminance(first), relative_luminance(second)))
    return (light + 0.05) / (dark + 0.05)


def test_the_diamonds_stand_at_3_to_1_against_the_darkest_table_background(family_app, livret):
    # WCAG 1.4.11; #e5e5e5 is darker than any background a table row or a
    # palier's light tint gives the diamonds.
    page = family_app.get(f"/eleve/{livret}/competences/competence/1")
    colours = {
        colour
        for svg in page.html.select("svg.ts-lpc-losange")
        for colour in (svg.polygon["fill"], svg.polygon.get("stroke"))
        if colour not in (None, "none")
    }
    assert len(colours) == 2
    for colour in colours:
        assert contrast(colour, "#e5e5e5") >= 3, colour


def test_the_legend_shows_both_diamonds_with_their_meaning(family_app, livret):
    page = family_app.get(f"/eleve/{livret}/competences/competence/1")
    filled, empty = page.html.select("#legende-losanges li")
    assert mark(filled)[0] == "renseigne" and mark(empty)[0] == "vide"
    assert filled.get_text(" ", strip=True).startswith("losange orange plein : item renseigné")
    assert empty.get_text(" ", strip=True) == "losange gris vide : item non renseigné"


def test_the_note_aux_parents_draws_the_guides_diamonds(family_app, livret):
    page = family_app.get(f"/eleve/{livret}/competences")
    items = [li for li in page.html.select("dialog#note-aux-parents li") if li.svg]
    assert [(mark(li)[0], li.get_text(strip=True)) for li in items] == [
        ("renseigne", "item acquis"),
        ("vide", "item non acquis"),
    ]


def test_an_informed_item_has_a_filled_diamond_opening_its_renseignements(family_app, livret):
    page = family_app.get(f"/eleve/{livret}/competences/competence/1")
    button = item_row(page, "3.1.1.1").select_one("button")
    assert button.get_text(" ", strip=True) == "renseigné : voir les renseignements"
    assert mark(button) == ("renseigne", "#c45100", None)
    dialog = page.html.select_one(f"dialog#{button['aria-controls']}")
    assert button["data-fr-opened"] == "false"
    rows = [[td.text for td in tr.select("td")] for tr in dialog.select("tbody tr")]
    assert rows == [["Français", "05/10/2026"], ["Histoire-Géographie", "12/11/2026"]]
    assert "Adapter son mode de lecture" in dialog.text


def test_an_item_not_informed_by_today_has_an_empty_diamond(family_app, livret):
    page = family_app.get(f"/eleve/{livret}/competences/competence/1")
    row = item_row(page, "3.1.1.2")  # informed on 01/03/2027 only
    assert row.select_one("button") is None
    assert row.select("td")[1].get_text(" ", strip=True) == "non renseigné"
    assert mark(row) == ("vide", "none", "#666666")
    assert page.html.select_one("dialog#renseignements-3-1-1-2") is None
    informed = [tr for tr in page.html.select("tr[id^=item-]") if tr.select_one("button")]
    assert len(informed) == len(page.html.select("dialog[id^=renseignements-]")) == 2


def test_a_validated_competence_has_its_box_checked_and_dated(family_app, livret):
    page = family_app.get(f"/eleve/{livret}/competences/competence/1")
    box = page.html.select_one("#validation input[type=checkbox]")
    assert box.has_attr("disabled") and box.has_attr("checked")
    label = " ".join(page.html.select_one(f"label[for={box['id']}]").text.split())
    assert label == "La compétence 1 est validée le 12/01/2027"
    assert box["title"] == "12/01/2027"


def test_a_competence_not_validated_by_today_has_its_box_unchecked(family_app, livret):
    page = family_app.get(f"/eleve/{livret}/competences/competence/3")
    box = page.html.select_one("#validation input[type=checkbox]")
    assert box.has_attr("disabled") and not box.has_attr("checked")
    label = " ".join(page.html.select_one(f"label[for={box['id']}]").text.split())
    assert label == "La compétence 3 est validée non validée à ce jour"


def test_competence_2_names_its_level_and_language(family_app, livret):
    page = family_app.get(f"/eleve/{livret}/competences/competence/2")
    text = " ".join(page.html.select_one("#validation").text.split())
    assert "La maîtrise du niveau A2 est validée en ANGLAIS LV1 le 01/02/2027" in text
    assert "niveau A2 du cadre européen commun de référence" in page.text


def test_palier_2_competence_3_has_a_box_per_part(family_app, livret):
    page = family_app.get(f"/eleve/{livret}/competences/competence/3", params={"palier": "2"})
    boxes = page.html.select("#validation input[type=checkbox]")
    assert [b.has_attr("checked") for b in boxes] == [True, False]
    labels = [" ".join(label.text.split()) for label in page.html.select("#validation label")]
    assert labels[0].startswith("La compétence « principaux éléments de mathématiques »")
    assert labels[0].endswith("le 20/06/2023")
    parts = [h.text for h in page.html.select("h3")]
    assert parts == [
        "Les principaux éléments de mathématiques",
        "La culture scientifique et technologique",
    ]
    assert "fr-callout--orange-terre-battue" in page.html.select_one("#domaines")["class"]


def test_a_competence_the_palier_lacks_leads_to_the_palier_list(family_app, livret):
    response = family_app.get(f"/eleve/{livret}/competences/competence/2", params={"palier": "1"})
    assert response.status_int == 303
    assert response.location.endswith(f"/eleve/{livret}/competences?palier=1")


@pytest.mark.parametrize("number", ["0", "8", "12", "x"])
def test_there_is_no_competence_beyond_7(family_app, livret, number):
    family_app.get(f"/eleve/{livret}/competences/competence/{number}", status=404)


# -- access -------------------------------------------------------------------


def test_the_tile_leads_to_the_livret(family_app, family):
    pupil_id = family.pupil_ids[0]
    home = family_app.get("/", params={"eleve": pupil_id})
    assert "Le livret de compétences" in home.text
    assert "La liste exhaustive des compétences, tout au long de la scolarité." in home.text
    link = home.html.find("a", string=re.compile("Consultez le livret de compétences d"))
    assert link["href"].endswith(f"/eleve/{pupil_id}/competences")


def test_no_tile_where_the_establishment_does_not_offer_the_service(family_app, family):
    home = family_app.get("/", params={"eleve": family.pupil_ids[1]})
    assert "Consultez le livret de compétences" not in home.text


class TestAccess(ServiceAccessTests):
    """The host's access promises on the livret, a skill and the PDF (the kit's test set)."""

    pupil_paths = ("", "/competence/1", "/livret.pdf")
    page_text = "Le livret de compétences"


def test_a_pupil_reads_their_own_livret(testapp, ts_app, site, tm, livret):
    with tm:
        make_account(site, ts_app.registry.ts_hasher, [livret], "eleve.test", kind="eleve")
    assert login(testapp, "eleve.test", "860357").status_int == 303
    assert statuses(testapp.get(f"/eleve/{livret}/competences"))[1] == "validée le 12/01/2027"


def test_reading_the_livret_writes_nothing(family_app, site, tm, family):
    pupil_id = family.pupil_ids[0]
    with tm:
        site.pupils[pupil_id].services.pop(SERVICE_ID)
    page = family_app.get(f"/eleve/{pupil_id}/competences")
    assert set(statuses(page).values()) == {"non validée à ce jour"}
    with tm:  # a new transaction sees what the application committed
        assert site.pupils[pupil_id].services.get(SERVICE_ID) is None


# -- the establishment's setting ---------------------------------------------


@pytest.fixture
def dummy_request():
    with testing.testConfig(settings={"ts.today": TODAY}) as config:
        config.include("pyramid_chameleon")
        for name, pattern in [
            (views.LIST_ROUTE, "/eleve/{pupil}/competences"),
            (views.COMPETENCE_ROUTE, "/eleve/{pupil}/competences/competence/{number}"),
            (views.PDF_ROUTE, "/eleve/{pupil}/competences/livret.pdf"),
        ]:
            config.add_route(name, pattern)
        yield testing.DummyRequest()


def test_an_establishment_may_not_offer_the_pdf(dummy_request, site, tm, pupil_enabled):
    dummy_request.site = site
    with tm:
        pupil = site.pupils[pupil_enabled]
        offered = SimpleNamespace(pupil=pupil, settings={"pdf": True})
        withheld = SimpleNamespace(pupil=pupil, settings={"pdf": False})
        assert views.livret_view(offered, dummy_request)["pdf_url"]
        assert views.livret_view(withheld, dummy_request)["pdf_url"] is None
    with pytest.raises(HTTPNotFound):
        views.pdf_view(withheld, dummy_request)


def test_a_page_kept_between_views_shows_no_stale_status(family_app, site, tm, livret):
    """The list is kept from the family's second view (ts_host.page_cache):
    a competence validated since shows at the next."""
    path = f"/eleve/{livret}/competences"
    kept = family_app.get(path)
    assert family_app.get(path).body == kept.body and kept_pages(family_app) == 1
    with tm:
        record = site.pupils[livret].services.get(SERVICE_ID)
        record.palier_for_update(3).validate("4", date.fromisoformat(TODAY))
    assert statuses(family_app.get(path))[4] == "validée le 15/02/2027"
