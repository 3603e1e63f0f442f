"""etc/establishments.toml: mistakes stop the start with a message that says where."""

from pathlib import Path

import colander
import pytest

from ts_host.establishments import ConfigurationError, load_academy, uai_is_valid
from ts_host.testing import ESTABLISHMENT_A, ESTABLISHMENT_B, establishments_toml

ROOT = Path(__file__).parent.parent


def settings_schema():
    schema = colander.MappingSchema()
    schema.add(colander.SchemaNode(colander.Integer(), name="delay", missing=0))
    return schema


SERVICES = {"notes": settings_schema(), "links": None}


def load(tmp_path, text, services=SERVICES):
    path = tmp_path / "establishments.toml"
    path.write_text(text, encoding="utf-8")
    return load_academy(path, services)


def valid(services=("notes",), **options):
    return establishments_toml({ESTABLISHMENT_A: list(services), ESTABLISHMENT_B: []}, **options)


@pytest.mark.parametrize(
    "uai,ok",
    [
        ("0541234Y", True),
        ("0010856A", True),
        ("0751234J", True),
        ("0541234A", False),
        ("541234Y", False),
        ("0991234X", False),
        ("0541234y", False),
    ],
)
def test_a_uai_has_seven_digits_and_its_check_letter(uai, ok):
    assert uai_is_valid(uai) is ok


def test_the_demo_file_loads_with_two_establishments():
    from ts_host.plugins import PluginRegistry

    registry = PluginRegistry()
    registry.load_entry_points()
    academy = load_academy(ROOT / "etc" / "establishments.toml", registry.settings_schemas())
    kinds = {e.kind for e in academy.establishments.values()}
    assert kinds == {"college", "lycee"}
    services = [set(e.services) for e in academy.establishments.values()]
    assert services[0] != services[1]


def test_a_valid_file_gives_the_settings_validated_by_the_services_schema(tmp_path):
    academy = load(tmp_path, valid(settings={ESTABLISHMENT_A: {"notes": {"delay": 3}}}))
    establishment = academy.establishment(ESTABLISHMENT_A)
    assert establishment.settings_for("notes") == {"delay": 3}
    assert establishment.period_kind == "trimestre"
    assert [p.name for p in establishment.periods] == ["T1", "T2", "T3"]


def expect_error(tmp_path, text, *fragments):
    with pytest.raises(ConfigurationError) as error:
        load(tmp_path, text)
    message = str(error.value)
    assert "establishments.toml" in message
    for fragment in fragments:
        assert fragment in message, message


def test_an_unknown_service_is_named_with_its_establishment(tmp_path):
    expect_error(tmp_path, valid(["notes", "cantine"]), ESTABLISHMENT_A, "cantine", "services")


def test_a_bad_uai_is_named(tmp_path):
    expect_error(tmp_path, valid().replace(ESTABLISHMENT_B, "0542345A"), "0542345A", "UAI")


def test_a_bad_date_is_reported_with_the_toml_line(tmp_path):
    text = valid().replace("end = 2026-11-30", "end = 2026-11-31")
    expect_error(tmp_path, text, "TOML", "line")


def test_periods_in_the_wrong_order_are_refused(tmp_path):
    text = valid().replace(
        "start = 2026-12-01, end = 2027-03-07", "start = 2026-10-01, end = 2027-03-07"
    )
    expect_error(tmp_path, text, ESTABLISHMENT_A, "chevauchent")


def test_an_unknown_setting_of_a_service_is_named(tmp_path):
    text = valid(settings={ESTABLISHMENT_A: {"notes": {"colour": "bleu"}}})
    expect_error(tmp_path, text, ESTABLISHMENT_A, "settings.notes.colour")


def test_a_setting_of_the_wrong_type_is_refused(tmp_path):
    text = valid(settings={ESTABLISHMENT_A: {"notes": {"delay": "demain"}}})
    expect_error(tmp_path, text, ESTABLISHMENT_A, "settings.notes")


def test_an_unknown_key_is_named(tmp_path):
    text = valid().replace('kind = "college"', 'kind = "college"\ncolour = "bleu"')
    expect_error(tmp_path, text, "colour")


def test_the_error_points_at_the_line(tmp_path):
    text = valid(["cantine"])
    with pytest.raises(ConfigurationError) as error:
        load(tmp_path, text)
    line = next(n for n, text_line in enumerate(text.splitlines(), 1) if "cantine" in text_line)
    assert f"establishments.toml:{line}:" in str(error.value)


def test_a_missing_file_is_reported(tmp_path):
    with pytest.raises(ConfigurationError, match="illisible"):
        load_academy(tmp_path / "absent.toml", {})


# -- [academy]: contact, legal notice, accessibility statement, logo ---------


def with_academy(text: str, table: str, body: str) -> str:
    return f"{text}\n[academy.{table}]\n{body}\n"


def test_the_academy_tables_are_optional_with_neutral_defaults(tmp_path):
    academy = load(tmp_path, valid())
    assert not academy.contact
    assert academy.legal.publisher == "académie de test"
    assert academy.accessibility.status_label == "non conforme"
    assert academy.accessibility.audit_date is None
    assert academy.logo is None


def test_the_demo_file_fills_every_academy_table():
    from ts_host.plugins import PluginRegistry

    registry = PluginRegistry()
    registry.load_entry_points()
    academy = load_academy(ROOT / "etc" / "establishments.toml", registry.settings_schemas())
    assert academy.contact.email and academy.contact.address
    assert academy.legal.director and academy.legal.host_name and academy.legal.dpo_email
    assert academy.accessibility.declaration_date is not None
    assert academy.logo.path.is_file() and academy.logo.alt


def test_a_complete_statement_is_read(tmp_path):
    body = (
        'status = "partial"\naudit_date = 2026-10-02\ncompliance_rate = 74\n'
        'auditor = "Cabinet A"\nnon_compliant = ["Le graphique des notes."]'
    )
    statement = load(tmp_path, with_academy(valid(), "accessibility", body)).accessibility
    assert statement.status_label == "partiellement conforme"
    assert statement.compliance_rate == 74
    assert statement.non_compliant == ("Le graphique des notes.",)


@pytest.mark.parametrize(
    ("table", "body", "fragments"),
    [
        ("legal", 'editor = "X"', ["[academy.legal]", "clé inconnue", "legal.editor"]),
        ("contact", 'email = "pas une adresse"', ["adresse électronique", "contact.email"]),
        ("contact", 'url = "ftp://x"', ["http://", "contact.url"]),
        ("legal", 'host_address = "1 rue"', ["liste de textes", "legal.host_address"]),
        ("accessibility", 'declaration_date = "hier"', ["AAAA-MM-JJ", "declaration_date"]),
        ("accessibility", 'status = "presque"', ["total, partial ou none", "status"]),
        ("accessibility", 'status = "partial"', ["audit_date", "compliance_rate"]),
        (
            "accessibility",
            'status = "partial"\naudit_date = 2026-10-02\ncompliance_rate = 40',
            ["40 %", "partiellement conforme", "accessibility.compliance_rate"],
        ),
        (
            "accessibility",
            'status = "total"\naudit_date = 2026-10-02\ncompliance_rate = 98',
            ["totalement conforme", "accessibility.compliance_rate"],
        ),
        ("accessibility", "compliance_rate = 120", ["de 0 à 100"]),
        ("logo", 'path = "logo.png"', ["logo.alt", "texte alternatif"]),
        ("logo", 'path = "absent.png"\nalt = "A"', ["introuvable", "logo.path"]),
        ("logo", 'path = "establishments.toml"\nalt = "A"', ["PNG, SVG", "logo.path"]),
    ],
)
def test_a_mistake_in_an_academy_table_names_its_key_and_line(tmp_path, table, body, fragments):
    text = with_academy(valid(), table, body)
    with pytest.raises(ConfigurationError) as error:
        load(tmp_path, text)
    message = str(error.value)
    for fragment in fragments:
        assert fragment in message, message
    first_key = body.splitlines()[0].split(" =")[0]
    line = text.splitlines().index(body.splitlines()[0]) + 1
    if first_key in message:
        assert f"establishments.toml:{line}:" in message, message


def test_a_logo_path_is_read_beside_the_establishments_file(tmp_path):
    (tmp_path / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    academy = load(tmp_path, with_academy(valid(), "logo", 'path = "logo.svg"\nalt = "Académie"'))
    assert academy.logo.path == tmp_path / "logo.svg"
    assert academy.logo.media_type == "image/svg+xml"
