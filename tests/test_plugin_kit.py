"""The plugin kit: reference docs, scaffold, test kit, public API, refusals.

What a third party relies on: every hook, public name and kit fixture is
documented in ``docs/plugins.md``; ``ts-admin new-plugin`` makes a
distribution that installs, shows its tile and page where it is enabled
only, and passes its own tests; ``register_plugin`` adds a plugin with its
pages for one test; plugins import nothing but the public API; a refused
plugin says why, in French.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from dataclasses import dataclass, replace
from importlib.metadata import entry_points
from pathlib import Path

import pyramid.paster
import pytest
import webtest
from persistent import Persistent

import ts_host
from ts_host import api, cli, hookspecs, main, testing
from ts_host.api import ServiceDescription
from ts_host.hookspecs import all_hookspecs
from ts_host.plugins import SCAFFOLD_DESCRIPTION, PluginStatus
from ts_host.storage import get_database
from ts_host.testing import (
    ESTABLISHMENT_A,
    ESTABLISHMENT_B,
    PASSWORD,
    ServiceAccessTests,
    TestApp,
    assert_public_api_only,
    establishments_toml,
    login,
    make_account,
    open_site,
    pupils_of,
)
from ts_host.testing.admin import command_length, installed_commands
from ts_host.testing.imports import non_public_imports

from . import fake_services, leaky_service, sample_service

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs" / "plugins.md"

# -- the reference documents the whole contract ------------------------------


def doc_headings() -> list[str]:
    return [line for line in DOCS.read_text(encoding="utf-8").splitlines() if line.startswith("#")]


@pytest.mark.parametrize("hook", all_hookspecs())
def test_every_hook_has_a_section_in_the_reference(hook):
    assert any(re.search(rf"`{hook}`", heading) for heading in doc_headings()), (
        f"docs/plugins.md: add a heading for the hook {hook}"
    )


def kit_fixtures() -> list[str]:
    return [
        name
        for name, value in vars(testing.plugin).items()
        if type(value).__name__ == "FixtureFunctionDefinition" and not name.startswith("_")
    ]


@pytest.mark.parametrize(
    "name",
    sorted({*api.__all__, *ts_host.__all__, *testing.__all__, *kit_fixtures()}),
)
def test_every_public_name_and_kit_fixture_is_documented(name):
    documented = re.search(rf"`{re.escape(name)}[`(]", DOCS.read_text(encoding="utf-8"))
    assert documented, f"docs/plugins.md: document {name}"


# -- plugins use the public API only -----------------------------------------

PLUGIN_PACKAGES = sorted(
    [*ROOT.glob("plugins/ts_*/__init__.py"), *ROOT.glob("examples/*/ts_*/__init__.py")]
)


def test_the_bundled_plugins_and_the_example_are_all_checked():
    names = {path.parent.name for path in PLUGIN_PACKAGES}
    assert {"ts_cantine", "ts_notes", "ts_absences", "ts_fiche", "ts_lpc"} <= names


@pytest.mark.parametrize(
    "package", [path.parent for path in PLUGIN_PACKAGES], ids=lambda path: path.name
)
def test_a_plugin_imports_only_the_public_api_of_the_host(package):
    assert_public_api_only(package)


def test_the_import_check_finds_a_host_internal(tmp_path):
    package = tmp_path / "ts_sneaky"
    (package / "tests").mkdir(parents=True)
    (package / "__init__.py").write_text(
        "from ts_host.api import hookimpl\nfrom ts_host.models import Site\nimport ts_host.cli\n"
    )
    (package / "views.py").write_text("from ts_host.testing import login\n")
    (package / "tests" / "test_x.py").write_text("from ts_host.testing import login, site\n")
    assert [problem.split(": ", 1)[1] for problem in non_public_imports(package)] == [
        "module non public ts_host.models",
        "module non public ts_host.cli",
        "ts_host.testing.site n'est pas public",
        "module non public ts_host.testing",
    ]
    with pytest.raises(AssertionError, match=r"ts_sneaky/__init__.py:2: module non public"):
        assert_public_api_only(package)


def test_the_import_check_takes_an_imported_package(monkeypatch, tmp_path):
    (tmp_path / "ts_tidy").mkdir()
    (tmp_path / "ts_tidy" / "__init__.py").write_text("from ts_host.api import hookimpl\n")
    (tmp_path / "ts_messy").mkdir()
    (tmp_path / "ts_messy" / "__init__.py").write_text("from ts_host import models\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import ts_messy
    import ts_tidy

    assert_public_api_only(ts_tidy)
    with pytest.raises(AssertionError, match=r"ts_host\.models n'est pas public"):
        assert_public_api_only(ts_messy)


def test_the_example_is_installed_as_a_distribution_of_its_own():
    (entry_point,) = [e for e in entry_points(group="ts_host.plugins") if e.name == "cantine"]
    assert entry_point.value == "ts_cantine"
    assert entry_point.dist.name == "ts-cantine"


# -- a plugin refused says why, in French --------------------------------------


def test_ts_admin_plugins_says_why_a_plugin_is_refused(installed_distribution, ts_admin, caplog):
    installed_distribution(
        "fake-dist",
        {"fake_future": fake_services.INCOMPATIBLE, "fake_badhook": fake_services.BAD_HOOK},
        {"future": "fake_future", "badhook": "fake_badhook"},
    )
    with caplog.at_level(logging.WARNING, logger="ts_host.plugins"):
        result = ts_admin("plugins")
    assert result.status == 0, result.err
    lines = result.out.splitlines()
    future = next(i for i, line in enumerate(lines) if line.startswith("future "))
    assert "incompatible" in lines[future]
    assert (
        lines[future + 2].split()
        == (
            "raison : demande l'API hôte en version « >=7.0 », or cet hôte fournit la version "
            f"{api.API_VERSION} : installez une version du service prévue pour l'API "
            f"{api.API_VERSION}"
        ).split()
    )
    badhook = next(line for line in lines if "ne respecte pas le contrat" in line)
    assert "unknown_argument" in badhook
    assert "plugin future refused: demande l'API hôte en version « >=7.0 »" in caplog.text


# -- the scaffold --------------------------------------------------------------


@dataclass
class Generated:
    root: Path  # the distribution's folder
    site: Path  # where pip installed it


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Generated:
    """``ts-admin new-plugin meteo`` (no ini file), installed by pip into a folder of its own."""
    folder = tmp_path_factory.mktemp("scaffold")
    assert cli.main(["new-plugin", "meteo", "--directory", str(folder), "--title", "La météo"]) == 0
    site = folder / "site"
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site)]
    subprocess.run([*pip, str(folder / "ts_meteo")], check=True)
    return Generated(folder / "ts_meteo", site)


def test_new_plugin_needs_no_ini_file_and_says_what_to_do_next(tmp_path, capsys):
    assert cli.main(["new-plugin", "meteo", "--directory", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"pip install -e {tmp_path / 'ts_meteo'}" in out
    files = {p.relative_to(tmp_path / "ts_meteo").as_posix() for p in tmp_path.rglob("*.*")}
    assert {
        "pyproject.toml",
        "README.md",
        "ts_meteo/__init__.py",
        "ts_meteo/i18n.py",
        "ts_meteo/locale/ts_meteo.pot",
        "ts_meteo/views.py",
        "ts_meteo/models.py",
        "ts_meteo/schemas.py",
        "ts_meteo/demo.py",
        "ts_meteo/templates/page.pt",
        "ts_meteo/templates/help.pt",
        "ts_meteo/tests/conftest.py",
        "ts_meteo/tests/test_service.py",
        "ts_meteo/office.py",
        "ts_meteo/templates/office.pt",
        "ts_meteo/templates/office_import.pt",
        "ts_meteo/tests/test_office.py",
    } <= files
    assert 'meteo = "ts_meteo"' in (tmp_path / "ts_meteo" / "pyproject.toml").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Météo"], "nom de service invalide « Météo »"),
        (["x"], "nom de service invalide « x »"),
        (["meteo", "--title", 'La "météo"'], "ni guillemet droit"),
    ],
)
def test_new_plugin_refuses_a_bad_name(tmp_path, capsys, args, message):
    assert cli.main(["new-plugin", *args, "--directory", str(tmp_path)]) == 2
    assert message in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_new_plugin_never_overwrites_a_folder(tmp_path, capsys):
    (tmp_path / "ts_meteo").mkdir()
    assert cli.main(["new-plugin", "meteo", "--directory", str(tmp_path)]) == 2
    assert "existe déjà" in capsys.readouterr().err


def test_the_generated_code_is_lint_clean(generated):
    ruff = Path(sys.executable).parent / "ruff"
    result = subprocess.run(
        [str(ruff), "check", "--no-cache", "pyproject.toml", "ts_meteo"],
        cwd=generated.root,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout


def test_the_generated_distribution_passes_its_own_tests(generated):
    env = {**os.environ, "PYTHONPATH": str(generated.site)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:warnings"],
        cwd=generated.root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\b18 passed\b", result.stdout), result.stdout


def test_ts_admin_plugins_fails_until_the_generated_description_is_written(
    generated, monkeypatch, tmp_path, capsys
):
    monkeypatch.syspath_prepend(str(generated.site))
    toml = tmp_path / "establishments.toml"
    toml.write_text(establishments_toml({ESTABLISHMENT_A: ["meteo"], ESTABLISHMENT_B: []}))
    settings = testing.app_settings(tmp_path, toml, f"file://{tmp_path / 'Data.fs'}")
    ini = tmp_path / "meteo.ini"
    lines = "".join(f"{key} = {value}\n" for key, value in settings.items())
    ini.write_text(f"[app:main]\nuse = egg:teleservices\n{lines}", encoding="utf-8")
    try:
        assert cli.main(["plugins", str(ini)]) == 1
        assert "à compléter : description du gabarit" in capsys.readouterr().out
    finally:
        for module in [m for m in sys.modules if m == "ts_meteo" or m.startswith("ts_meteo.")]:
            del sys.modules[module]


def test_a_described_service_has_nothing_left_to_complete():
    described = ServiceDescription(
        id="meteo", title="La météo", description="La météo de la sortie.", version="1.0"
    )
    placeholder = replace(described, description=SCAFFOLD_DESCRIPTION)
    assert PluginStatus("meteo", "ts-meteo", "ok", description=described).unfinished == ""
    assert PluginStatus("meteo", "ts-meteo", "ok", description=placeholder).unfinished


@pytest.fixture
def meteo_app(generated, monkeypatch, tmp_path):
    """The generated service installed, enabled by A only, on a new demo database."""
    monkeypatch.syspath_prepend(str(generated.site))
    toml = tmp_path / "establishments.toml"
    toml.write_text(establishments_toml({ESTABLISHMENT_A: ["meteo"], ESTABLISHMENT_B: []}))
    database = testing.build_demo_storage(tmp_path / "Data.fs", toml)
    app = main({}, **testing.app_settings(tmp_path, toml, f"file://{database}"))
    with open_site(app) as site:
        pupils = [pupils_of(site, ESTABLISHMENT_A)[0].id, pupils_of(site, ESTABLISHMENT_B)[0].id]
        make_account(site, app.registry.ts_hasher, pupils, "famille.meteo")
    browser = TestApp(app, extra_environ=testing.TEST_ENVIRON)
    assert login(browser, "famille.meteo", PASSWORD).status_int == 303
    yield browser, pupils
    get_database(app.registry).close()
    for module in [m for m in sys.modules if m == "ts_meteo" or m.startswith("ts_meteo.")]:
        del sys.modules[module]


def test_the_generated_service_shows_its_tile_and_page_where_it_is_enabled(meteo_app):
    browser, (in_a, _in_b) = meteo_app
    home = browser.get("/", params={"eleve": in_a})
    link = home.html.find("a", href=f"http://teleservices.test/eleve/{in_a}/meteo")
    assert link.get_text(strip=True).startswith("Consultez les informations d")
    page = browser.get(f"/eleve/{in_a}/meteo")
    assert page.html.h1.get_text(strip=True) == "La météo"
    assert len(page.html.find("table").tbody.find_all("tr")) == 3  # its demo data


def test_the_generated_service_is_invisible_to_the_other_establishment(meteo_app):
    browser, (_in_a, in_b) = meteo_app
    home = browser.get("/", params={"eleve": in_b})
    assert "/meteo" not in home.text
    browser.get(f"/eleve/{in_b}/meteo", status=404)


# -- register_plugin: a plugin for one test ------------------------------------


def test_register_plugin_adds_the_pages_and_the_tile_for_a_only(
    register_plugin, family, pupil_enabled, pupil_disabled, site, tm
):
    browser = register_plugin(sample_service, "exemple", {"colour": "vert"})
    assert login(browser, family.login, family.password).status_int == 303
    with tm:
        pupil = site.pupils[pupil_enabled]
        first_name, visits = pupil.first_name, pupil.services["exemple"].count
    home = browser.get("/", params={"eleve": pupil_enabled})
    assert f"Consultez l'exemple de {first_name}" in home.text
    page = browser.get(f"/eleve/{pupil_enabled}/exemple")
    assert page.text == f"{first_name} en vert : {visits}"  # its setting and its demo data
    assert "Consultez l'exemple" not in browser.get("/", params={"eleve": pupil_disabled}).text
    browser.get(f"/eleve/{pupil_disabled}/exemple", status=404)


def test_a_registered_plugin_is_gone_in_the_next_test(family_app, pupil_enabled):
    family_app.get(f"/eleve/{pupil_enabled}/exemple", status=404)


def test_a_command_may_set_up_logging_on_the_test_s_captured_stderr(capsys):
    """As ``ts-admin`` does with its ini file; the next test must not inherit it."""
    pyramid.paster.setup_logging(str(ROOT / "etc" / "development.ini"))
    logging.getLogger("ts_host").info("configured")
    assert "configured" in capsys.readouterr().err


def test_the_next_test_logs_without_the_former_test_s_closed_stream(capsys):
    logging.getLogger("ts_host.later").warning("still logging")
    assert "Logging error" not in capsys.readouterr().err


def test_register_plugin_fails_the_test_for_a_refused_plugin(
    register_plugin, installed_distribution
):
    installed_distribution("fake-dist", {"fake_future": fake_services.INCOMPATIBLE}, {})
    import fake_future

    with pytest.raises(pytest.fail.Exception, match="service future refusé : demande l'API"):
        register_plugin(fake_future, "future")


# -- the kit's caches ----------------------------------------------------------


def test_the_kit_writes_one_file_per_configuration(ts_demo_bases):
    first = ts_demo_bases.establishments_file(establishments_toml({ESTABLISHMENT_A: []}))
    again = ts_demo_bases.establishments_file(establishments_toml({ESTABLISHMENT_A: []}))
    other = ts_demo_bases.establishments_file(establishments_toml({ESTABLISHMENT_A: ["x"]}))
    assert first == again
    assert other != first


# -- the GDPR check: nothing stored escapes the exports ------------------------


def test_the_gdpr_check_fails_a_plugin_whose_stored_data_is_not_exported(register_plugin, site, tm):
    """The sample service keeps a count per pupil and has no ts_pupil_data."""
    browser = register_plugin(sample_service, "exemple")
    with tm, pytest.raises(AssertionError, match="exemple enregistre des données"):
        testing.assert_gdpr_export_covers(site, browser.app.registry.ts_plugins, "exemple")


def test_the_gdpr_check_passes_once_the_plugin_exports_what_it_stores(
    register_plugin, site, tm, monkeypatch
):
    def ts_pupil_data(pupil):
        visits = pupil.services.get("exemple")
        return {"visites": visits.count} if visits is not None else None

    monkeypatch.setattr(sample_service, "ts_pupil_data", api.hookimpl(ts_pupil_data), raising=False)
    browser = register_plugin(sample_service, "exemple")
    with tm:
        testing.assert_gdpr_export_covers(site, browser.app.registry.ts_plugins, "exemple")


# -- the kit's ts_admin: a command and its action --------------------------------


@pytest.mark.parametrize(
    ("words", "length"),
    [
        (["plugins"], 1),
        (["gdpr", "export", "--uai", ESTABLISHMENT_A], 2),
        (["codes", "list", "--csv"], 2),
        (["import", "siecle", "eleves.xml"], 1),
        (["evolve", "plugins"], 1),
    ],
)
def test_the_ini_file_comes_after_the_command_and_its_action(words, length):
    assert command_length(installed_commands(), words) == length


def exported(out: str) -> dict:
    """A GDPR export, without the time it was made at."""
    document = json.loads(out)
    del document["exporte_le"]
    return document


def test_ts_admin_runs_a_command_and_its_action_given_apart(ts_admin):
    with ts_admin.site() as site:
        pupil = pupils_of(site, ESTABLISHMENT_A)[0]
        pupil_id, last_name = pupil.id, pupil.last_name
    apart = ts_admin("gdpr", "export", "--uai", ESTABLISHMENT_A, "--pupil", pupil_id)
    assert apart.status == 0, apart.err
    assert last_name in apart.out
    together = ts_admin("gdpr export", "--uai", ESTABLISHMENT_A, "--pupil", pupil_id)
    assert exported(together.out) == exported(apart.out)
    refused = ts_admin("gdpr", "--uai", ESTABLISHMENT_A)
    assert refused.status == 2 and "ACTION" in refused.err


# -- test_settings: renamed app_settings ----------------------------------------


def test_the_former_test_settings_warns_and_is_not_collected(tmp_path):
    with pytest.warns(DeprecationWarning, match="renommé app_settings"):
        from ts_host.testing import test_settings as former
    assert former.__test__ is False  # pytest collects no test from a module importing it
    toml = tmp_path / "establishments.toml"
    assert former(tmp_path, toml, "memory://") == testing.app_settings(tmp_path, toml, "memory://")


# -- the kit's access tests fail a page the host does not guard -------------------


def test_the_kits_access_tests_fail_on_a_page_left_unguarded(
    register_plugin, ts_app, site, tm, family, pupil_enabled
):
    def urls(pupil_id):
        return [f"/eleve/{pupil_id}/fuite"]

    checks = ServiceAccessTests()
    family_app = register_plugin(leaky_service, "fuite")
    assert login(family_app, family.login, family.password).status_int == 303
    with pytest.raises(webtest.AppError, match="Bad response: 200 OK"):
        checks.test_the_family_sees_its_child_in_a_and_gets_404_where_the_service_is_disabled(
            family_app, family, urls
        )
    other_app = register_plugin(leaky_service, "fuite")
    with pytest.raises(webtest.AppError, match="Bad response: 200 OK"):
        checks.test_another_familys_pupil_answers_404(
            other_app, ts_app, site, tm, pupil_enabled, urls
        )
    anonymous = register_plugin(leaky_service, "fuite")
    with pytest.raises(webtest.AppError, match="Bad response: 200 OK"):
        checks.test_an_anonymous_visitor_is_sent_to_the_login_page(anonymous, pupil_enabled, urls)


# -- the GDPR check's contract: the family's data, the establishment's, codes ----


class Marks(Persistent):
    """A service's record: a grade, a state code, the teacher, packed days."""

    def __init__(self, grade: str, state: str, teacher: str, days: bytes) -> None:
        self.grade, self.state, self.teacher, self.days = grade, state, teacher, days


class DeclaredMarks(Marks):
    gdpr_contract = {
        "establishment": ("teacher",),
        "labels": {"state": {"signalee": "signalée"}},
        "encoded": {"days": lambda marks: [f"jour {day}" for day in marks.days]},
    }


class ExportsOf:
    """A plugin registry whose service ``essai`` exports ``exports[pupil id]``."""

    def __init__(self, exports: dict) -> None:
        self.exports = exports

    def call_service(self, service_id, hook, site, pupil=None, responsable=None):
        return self.exports.get(pupil.id) if hook is hookspecs.ts_pupil_data else None


@pytest.fixture
def two_pupils(site, tm):
    """Two pupils of A; what a test stores for them is thrown away."""
    tm.begin()
    yield site, pupils_of(site, ESTABLISHMENT_A)[:2]
    tm.abort()


FULL_EXPORT = {"note": "12,5", "etat": "signalée", "jours": ["jour 3", "jour 4"]}


def test_the_contract_leaves_out_establishment_data_and_reads_labels_and_encodings(two_pupils):
    site, (pupil, _other) = two_pupils
    pupil.services.add("essai", DeclaredMarks("12,5", "signalee", "M. MARTIN", bytes([3, 4])))
    testing.assert_gdpr_export_covers(site, ExportsOf({pupil.id: FULL_EXPORT}), "essai")


@pytest.mark.parametrize(
    ("missing", "named"),
    [("note", "'12,5'"), ("etat", "'signalee'"), ("jours", "'jour 3'")],
)
def test_the_contract_still_fails_what_the_export_omits(two_pupils, missing, named):
    site, (pupil, _other) = two_pupils
    pupil.services.add("essai", DeclaredMarks("12,5", "signalee", "M. MARTIN", bytes([3, 4])))
    export = {key: value for key, value in FULL_EXPORT.items() if key != missing}
    with pytest.raises(AssertionError, match=named):
        testing.assert_gdpr_export_covers(site, ExportsOf({pupil.id: export}), "essai")


def test_without_a_contract_teachers_codes_and_bytes_count_as_the_family_s(two_pupils):
    site, (pupil, _other) = two_pupils
    pupil.services.add("essai", Marks("12,5", "signalee", "M. MARTIN", bytes([3, 4])))
    with pytest.raises(AssertionError) as failed:
        testing.assert_gdpr_export_covers(site, ExportsOf({pupil.id: FULL_EXPORT}), "essai")
    for named in ("'M. MARTIN'", "'signalee'", "octets encodés"):
        assert named in str(failed.value)


def test_a_pupil_s_data_must_be_in_its_own_export_not_another_s(two_pupils):
    site, (pupil, other) = two_pupils
    pupil.services.add("essai", DeclaredMarks("12,5", "signalee", "M. MARTIN", bytes([3, 4])))
    with pytest.raises(AssertionError, match=f"élève {pupil.id}"):
        testing.assert_gdpr_export_covers(site, ExportsOf({other.id: FULL_EXPORT}), "essai")


def test_a_contract_naming_a_missing_attribute_or_an_unknown_key_fails(two_pupils, monkeypatch):
    site, (pupil, _other) = two_pupils
    pupil.services.add("essai", DeclaredMarks("12,5", "signalee", "M. MARTIN", b""))
    exports = ExportsOf({pupil.id: FULL_EXPORT})
    contract = {**DeclaredMarks.gdpr_contract, "establishment": ("teachers",)}
    monkeypatch.setattr(DeclaredMarks, "gdpr_contract", contract)
    with pytest.raises(AssertionError, match=r"attributs absents : \['teachers'\]"):
        testing.assert_gdpr_export_covers(site, exports, "essai")
    monkeypatch.setattr(DeclaredMarks, "gdpr_contract", {"etablissement": ("teacher",)})
    with pytest.raises(AssertionError, match="clés inconnues"):
        testing.assert_gdpr_export_covers(site, exports, "essai")


def test_a_service_that_says_it_stores_nothing_fails_when_it_stores_something(two_pupils):
    site, (pupil, _other) = two_pupils
    exports = ExportsOf({})
    testing.assert_gdpr_export_covers(site, exports, "essai", stores_data=False)
    pupil.services.add("essai", DeclaredMarks("12,5", "signalee", "M. MARTIN", b""))
    with pytest.raises(AssertionError, match="essai enregistre des données"):
        testing.assert_gdpr_export_covers(site, exports, "essai", stores_data=False)
