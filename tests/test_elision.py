"""« de » before a first name: « d'Antoine », « de Hugo »."""

import pytest
from pyramid import testing

from ts_host.api import of_name
from ts_host.i18n import elides


@pytest.mark.parametrize(
    "name",
    [
        "Antoine",
        "Emma",
        "Inès",
        "Oscar",
        "Ulysse",
        "Élodie",
        "Ève",
        "Îlyès",
        "Œdipe",
        "Æsa",
        "ÉLODIE",
        "antoine",
        "Ambre-Lou",
        "  Antoine",
    ],
)
def test_a_vowel_accented_or_capital_elides(name):
    assert elides(name)


@pytest.mark.parametrize("name", ["Yves", "Yvonne", "Ysaline", "YVES"])
def test_a_y_sounding_as_a_vowel_elides(name):
    assert elides(name)


@pytest.mark.parametrize("name", ["Yann", "Yasmine", "Yoann", "Yéléna", "Y", "Yy"])
def test_a_y_before_a_vowel_is_a_consonant(name):
    assert not elides(name)


@pytest.mark.parametrize("name", ["Hugo", "Hélène", "Hector", "HUGO"])
def test_no_elision_before_an_h_mute_or_aspirated(name):
    assert not elides(name)


@pytest.mark.parametrize(
    "name", ["Bruno", "Zoé", "Çelik", "", "   ", "2Pac", "'Aïcha", "-Anne", "Ñ", "Ωmega"]
)
def test_consonants_and_odd_names_keep_de(name):
    assert not elides(name)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Antoine", "d'Antoine"),
        ("Élodie", "d'Élodie"),
        ("Œdipe", "d'Œdipe"),
        ("Yves", "d'Yves"),
        ("Yann", "de Yann"),
        ("Hugo", "de Hugo"),
        ("Hélène", "de Hélène"),
        (" Antoine ", "d'Antoine"),
        ("", "de"),
    ],
)
def test_of_name_puts_the_right_preposition(name, expected):
    request = testing.DummyRequest()
    assert of_name(request, name) == expected
    assert of_name(None, name) == expected


def test_of_name_is_translated_through_the_catalogue():
    """The two fragments are messages: a language without elision says one thing."""

    class Localizer:
        def translate(self, fragment):
            assert fragment.domain == "ts_host"
            return fragment.interpolate("of ${first_name}")

    request = testing.DummyRequest()
    request.localizer = Localizer()
    assert of_name(request, "Antoine") == "of Antoine"
    assert of_name(request, "Hugo") == "of Hugo"


def test_the_dashboard_elides_before_the_child_s_name(family_app, family, site, tm):
    pupil_id = family.pupil_ids[0]
    with tm:
        site.pupils[pupil_id].first_name = "Antoine"
    home = family_app.get("/", params={"eleve": pupil_id})
    assert home.html.find("h2", id="scolarite").get_text(" ", strip=True) == (
        "La scolarité d'Antoine"
    )
