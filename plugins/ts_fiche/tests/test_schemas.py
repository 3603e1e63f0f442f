"""The checks of the form, one rule at a time."""

import colander
import pytest

import ts_fiche
from ts_fiche.models import FIELDS
from ts_fiche.schemas import (
    LABELS,
    FicheSchema,
    comparable,
    is_french_postcode,
    normalise_phone,
    settings_schema,
    to_appstruct,
    to_values,
)


@pytest.mark.parametrize(
    "postcode",
    [
        "01000",
        "54000",
        "20000",
        "20290",
        "75116",
        "95999",
        "97100",
        "97400",
        "97600",
        "97133",
        "98000",
        "98600",
        "98714",
        "98890",
    ],
)
def test_french_postcodes_accepted(postcode):
    assert is_french_postcode(postcode)


@pytest.mark.parametrize(
    "postcode",
    [
        "00000",
        "00123",
        "96000",
        "97000",
        "97900",
        "98100",
        "98891",
        "98900",
        "99000",
        "5400",
        "540000",
        "2A000",
        "54 000",
        "",
    ],
)
def test_impossible_postcodes_refused(postcode):
    assert not is_french_postcode(postcode)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0612345678", "06 12 34 56 78"),
        ("06 12 34 56 78", "06 12 34 56 78"),
        ("06.12.34.56.78", "06 12 34 56 78"),
        ("06-12-34-56-78", "06 12 34 56 78"),
        ("+33612345678", "06 12 34 56 78"),
        ("+33 6 12 34 56 78", "06 12 34 56 78"),
        ("+33 (0)6 12 34 56 78", "06 12 34 56 78"),
        ("0033 3 83 12 34 56", "03 83 12 34 56"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_phone_numbers_are_normalised(typed, stored):
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "061234567",
        "06123456789",
        "0012345678",
        "6 12 34 56 78",
        "+33 6 12 34 56",
        "06 12 34 56 7a",
        "+0 123456789",
        "appelez-moi",
    ],
)
def test_impossible_phone_numbers_refused(typed):
    with pytest.raises(ValueError):
        normalise_phone(typed)


def form_data(**overrides):
    data = {
        "csrf_token": "t",
        "address": {
            "line1": "1 rue de la Paix",
            "line2": "",
            "line3": "",
            "postcode": "54000",
            "city": "Nancy",
            "country": "",
        },
        "phones": {"phone_personal": "", "phone_mobile": "", "phone_work": ""},
        "email": "",
        "sms_consent": "false",
        "profession": "",
    }
    for key, value in overrides.items():
        part = "address" if key in data["address"] else "phones" if key in data["phones"] else None
        (data[part] if part else data)[key] = value
    return data


def errors(**overrides):
    try:
        FicheSchema().deserialize(form_data(**overrides))
    except colander.Invalid as exc:
        return exc.asdict()
    return {}


def test_a_complete_form_is_flattened_with_upper_case_city_and_default_country():
    values = to_values(FicheSchema().deserialize(form_data(phone_mobile="0611223344")))
    assert set(values) == set(FIELDS)
    assert (values["city"], values["country"]) == ("NANCY", "FRANCE")
    assert values["phone_mobile"] == "06 11 22 33 44"
    assert values["sms_consent"] is False
    assert to_values(to_appstruct(values)) == values


def test_address_line_commune_and_french_postcode_are_required():
    found = errors(line1="", city="", postcode="")
    assert set(found) == {"address.line1", "address.city"}
    assert "address.postcode" in errors(postcode="")


def test_a_foreign_address_takes_its_own_postcode():
    assert errors(country="Belgique", postcode="1000") == {}
    assert errors(country="Royaume-Uni", postcode="SW1A 1AA") == {}
    assert errors(country="Suisse", postcode="") == {}
    assert "address.postcode" in errors(country="Belgique", postcode="1000;DROP")


def test_email_is_checked_when_given():
    assert errors(email="parent@example.org") == {}
    assert errors(email="parent@") == {"email": "Adresse e-mail invalide"}


def test_sms_consent_needs_a_mobile_phone():
    assert "sms_consent" in errors(sms_consent="true")
    assert errors(sms_consent="true", phone_mobile="06 11 22 33 44") == {}


def test_address_lines_have_siecle_length():
    assert "address.line1" in errors(line1="x" * 51)


def test_comparable_writes_school_data_as_the_form_would():
    school = {key: "" for key in FIELDS} | {
        "phone_mobile": "0611223344",
        "city": "Nancy ",
        "country": "",
        "sms_consent": True,
    }
    assert comparable(school)["phone_mobile"] == "06 11 22 33 44"
    assert comparable(school)["city"] == "NANCY"
    assert comparable(school)["country"] == "FRANCE"
    assert comparable({**school, "phone_mobile": "n/a"})["phone_mobile"] == "n/a"


def test_every_field_has_a_label():
    assert set(LABELS) == set(FIELDS)


def test_an_empty_settings_table_is_valid():
    assert settings_schema().deserialize({}) == {"message": ""}


def test_service_description():
    description = ts_fiche.ts_describe_service()
    assert description.id == "fiche"
    assert description.translation_domain == "ts_fiche"
