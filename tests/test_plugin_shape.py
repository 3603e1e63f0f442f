"""Every bundled service and the example keep the one plugin shape
(docs/plugins.md, « The shape of a service »)."""

import importlib
import inspect
from pathlib import Path

import pytest

SERVICES = [
    "notes",
    "absences",
    "lpc",
    "fiche",
    "external_link",
    "cantine",
    "dossier",
    "inscription",
]


@pytest.mark.parametrize("service_id", SERVICES)
def test_init_holds_the_hook_implementations_only(service_id):
    package = importlib.import_module(f"ts_{service_id}")
    own = [
        name
        for name, value in vars(package).items()
        if inspect.isfunction(value) and value.__module__ == package.__name__
    ]
    assert own
    assert [name for name in own if not hasattr(vars(package)[name], "ts_host_impl")] == []


@pytest.mark.parametrize("service_id", SERVICES)
def test_the_id_is_in_models_and_the_message_factory_in_i18n(service_id):
    package = f"ts_{service_id}"
    assert service_id == importlib.import_module(f"{package}.models").SERVICE_ID
    assert importlib.import_module(f"{package}.i18n")._("Les notes").domain == package


@pytest.mark.parametrize("service_id", SERVICES)
def test_each_service_ships_its_own_translation_domain(ts_app, service_id):
    package = f"ts_{service_id}"
    locale = Path(importlib.import_module(package).__file__).parent / "locale"
    assert (locale / f"{package}.pot").is_file()
    for language in ("fr", "en"):
        assert (locale / language / "LC_MESSAGES" / f"{package}.po").is_file()
    directories = ts_app.registry.introspector.get_category("translation directories")
    registered = [entry["introspectable"]["spec"] for entry in directories]
    assert f"{package}:locale/" in registered


@pytest.mark.parametrize("service_id", SERVICES)
def test_route_names_start_with_the_package_name(ts_app, service_id):
    description = ts_app.registry.ts_plugins.services[service_id]
    prefix = f"eleve/{{pupil}}/{description.url_segment or service_id}"
    names = [
        intr["introspectable"]["name"]
        for intr in ts_app.registry.introspector.get_category("routes")
        if intr["introspectable"]["pattern"].strip("/").startswith(prefix)
    ]
    assert [name for name in names if not name.startswith(f"ts_{service_id}.")] == []
