"""The plugin kit: reference docs, scaffold, test kit, public API, refusals.

What a third party relies on: every hook, public name and kit fixture is
documented in ``docs/plugins.md``; ``ts-admin new-plugin`` makes a
distribution that installs, shows its tile and page where it is enabled
only, and passes its own tests; ``register_plugin`` adds a plugin with its
pages for one test; plugins import nothing but the public API; a refused
plugin says why, in French.
"""

from __future__ import annotations

import ast
import logging
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

import pytest
import webtest

import ts_host
from ts_host import api, cli, main, testing
from ts_host.hookspecs import all_hookspecs
from ts_host.storage import get_database
from ts_host.testing import (
    ESTABLISHMENT_A,
    ESTABLISHMENT_B,
    PASSWORD,
    establishments_toml,
    login,
    make_account,
    open_site,
    pupils_of,
)

from . import fake_services, sample_service

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
        for name, value in vars(testing).items()
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

#: What a plugin may import from the host: ``ts_host`` and ``ts_host.api``,
#: plus ``ts_host.testing`` in its tests; and of each, the names of ``__all__``.
PUBLIC = {"ts_host": set(ts_host.__all__), "ts_host.api": set(api.__all__)}
PUBLIC_IN_TESTS = {**PUBLIC, "ts_host.testing": set(testing.__all__)}
PLUGIN_PACKAGES = sorted(
    [*ROOT.glob("plugins/ts_*/__init__.py"), *ROOT.glob("examples/*/ts_*/__init__.py")]
)


def non_public_imports(package: Path) -> list[str]:
    problems = []
    for path in sorted(package.rglob("*.py")):
        allowed = PUBLIC_IN_TESTS if "tests" in path.relative_to(package).parts else PUBLIC
        where = path.relative_to(package.parent)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                imported = [(alias.name, None) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported = [(node.module, alias.name) for alias in node.names]
            else:
                continue
            for module, name in imported:
                if module.split(".")[0] != "ts_host":
                    continue
                if module not in allowed:
                    problems.append(f"{where}:{node.lineno}: module non public {module}")
                elif name is not None and name not in allowed[module]:
                    problems.append(f"{where}:{node.lineno}: {module}.{name} n'est pas public")
    return problems


def test_the_bundled_plugins_and_the_example_are_all_checked():
    names = {path.parent.name for path in PLUGIN_PACKAGES}
    assert {"ts_cantine", "ts_notes", "ts_absences", "ts_fiche", "ts_lpc"} <= names


@pytest.mark.parametrize(
    "package", [path.parent for path in PLUGIN_PACKAGES], ids=lambda path: path.name
)
def test_a_plugin_imports_only_the_public_api_of_the_host(package):
    assert non_public_imports(package) == []


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
    assert re.search(r"\b8 passed\b", result.stdout), result.stdout


@pytest.fixture
def meteo_app(generated, monkeypatch, tmp_path):
    """The generated service installed, enabled by A only, on a new demo database."""
    monkeypatch.syspath_prepend(str(generated.site))
    toml = tmp_path / "establishments.toml"
    toml.write_text(establishments_toml({ESTABLISHMENT_A: ["meteo"], ESTABLISHMENT_B: []}))
    database = testing.build_demo_storage(tmp_path / "Data.fs", toml)
    app = main({}, **testing.test_settings(tmp_path, toml, f"file://{database}"))
    with open_site(app) as site:
        pupils = [pupils_of(site, ESTABLISHMENT_A)[0].id, pupils_of(site, ESTABLISHMENT_B)[0].id]
        make_account(site, app.registry.ts_hasher, pupils, "famille.meteo")
    browser = webtest.TestApp(app, extra_environ=testing.TEST_ENVIRON)
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
