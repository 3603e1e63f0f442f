"""« Autres rubriques »: the establishment's links on the dashboard."""

import colander
import pytest

import ts_external_link
from ts_external_link.schemas import settings_schema
from ts_external_link.views import dashboard_tile
from ts_host.api import TileLink
from ts_host.testing import assert_gdpr_export_covers

from .conftest import LINKS_A


def tile_of(page):
    title = page.html.find("h3", string="Autres rubriques")
    return title.find_parent(class_="fr-tile") if title else None


def test_tile_lists_the_links_of_the_establishment(family_app, family):
    page = family_app.get("/", params={"eleve": family.pupil_ids[0]})
    tile = tile_of(page)
    assert tile is not None
    text = " ".join(tile.get_text(" ").split())
    assert "Accédez aux autres rubriques qui vous sont proposées :" in text
    links = [(a.get_text(strip=True), a["href"]) for a in tile.find_all("a")]
    assert links == [(title, url) for title, _description, url in LINKS_A]
    assert all(description in text for _title, description, _url in LINKS_A if description)


def test_links_open_without_opener_nor_referrer(family_app, family):
    tile = tile_of(family_app.get("/", params={"eleve": family.pupil_ids[0]}))
    for anchor in tile.find_all("a"):
        assert anchor["rel"] == ["noopener", "noreferrer"]
        assert "target" not in anchor.attrs


def test_urls_are_escaped_in_the_page(family_app, family):
    page = family_app.get("/", params={"eleve": family.pupil_ids[0]})
    assert 'href="http://cdt.example.fr/college-a?vue=eleve&amp;x=1"' in page.text


def test_no_tile_where_the_service_is_disabled(family_app, family):
    page = family_app.get("/", params={"eleve": family.pupil_ids[1]})
    assert tile_of(page) is None
    assert "ent.example.fr" not in page.text


def test_no_tile_when_the_establishment_offers_no_link():
    assert dashboard_tile(settings_schema().deserialize({})) is None


def test_the_tile_carries_the_links_in_order_and_no_page_link():
    settings = settings_schema().deserialize(
        {"links": [{"title": "ENT", "url": "https://ent.example.fr"}]}
    )
    tile = dashboard_tile(settings)
    assert tile.links == (TileLink("ENT", "https://ent.example.fr"),)
    assert tile.url == ""
    assert tile.title == "Autres rubriques"


def test_an_empty_table_is_valid():
    assert settings_schema().deserialize({}) == {"links": ()}


def test_a_link_needs_a_title_and_an_address_and_may_have_a_description():
    settings = settings_schema().deserialize(
        {"links": [{"title": "ENT", "url": "https://ent.example.fr/"}]}
    )
    assert settings["links"] == [
        {"title": "ENT", "description": "", "url": "https://ent.example.fr/"}
    ]
    with pytest.raises(colander.Invalid) as caught:
        settings_schema().deserialize({"links": [{"url": "https://ent.example.fr/"}]})
    assert "links.0.title" in caught.value.asdict()


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://ent.example.fr/",
        "//ent.example.fr/",
        "/eleve/ent",
        "https://",
        "https://ent.example.fr/a b",
        "https://ent.example.fr/\nx",
    ],
)
def test_only_web_addresses_are_accepted(url):
    with pytest.raises(colander.Invalid) as caught:
        settings_schema().deserialize({"links": [{"title": "ENT", "url": url}]})
    assert "https:// ou http://" in caught.value.asdict()["links.0.url"]


def test_an_unknown_key_in_a_link_is_refused():
    with pytest.raises(colander.Invalid):
        settings_schema().deserialize(
            {"links": [{"title": "ENT", "url": "https://ent.example.fr", "titre": "x"}]}
        )


def test_the_service_holds_no_pupil_data():
    assert ts_external_link.ts_pupil_data(pupil=None) is None
    assert ts_external_link.ts_erase_pupil_data(pupil=None) is None
    assert ts_external_link.ts_import_formats() == []


def test_the_service_stores_nothing_after_its_demo_and_a_visit(
    ts_app, site, tm, family_app, family
):
    family_app.get("/", params={"eleve": family.pupil_ids[0]})
    with tm:
        assert_gdpr_export_covers(
            site, ts_app.registry.ts_plugins, "external_link", stores_data=False
        )
