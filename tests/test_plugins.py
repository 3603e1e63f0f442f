"""The plugin contract: discovery, refusal with a reason, per-establishment subsets."""

import logging

import pytest
from pyramid.exceptions import ConfigurationError

from ts_host import hookspecs, main
from ts_host.api import API_VERSION
from ts_host.plugins import PluginRegistry
from ts_host.testing import (
    ESTABLISHMENT_A,
    ESTABLISHMENT_B,
    TestApp,
    establishments_toml,
    kept_pages,
    login,
)

from . import fake_services


def registry_with(installed_distribution, **modules) -> PluginRegistry:
    installed_distribution(
        "fake-dist",
        {f"fake_{k}": v for k, v in modules.items()},
        {k: f"fake_{k}" for k in modules},
    )
    registry = PluginRegistry()
    registry.load_entry_points()
    return registry


def test_a_plugin_is_discovered_from_a_distribution_on_sys_path(installed_distribution):
    registry = registry_with(installed_distribution, fake=fake_services.GOOD)
    status = registry.statuses["fake"]
    assert status.ok
    assert status.distribution == "fake-dist"
    assert registry.services["fake"].title == "Le service factice"


def test_an_incompatible_plugin_is_skipped_with_its_reason(installed_distribution, caplog):
    with caplog.at_level(logging.WARNING, logger="ts_host.plugins"):
        registry = registry_with(installed_distribution, future=fake_services.INCOMPATIBLE)
    status = registry.statuses["future"]
    assert status.status == "incompatible"
    assert ">=7.0" in status.reason and API_VERSION in status.reason
    assert "future" not in registry.services
    assert "refused" in caplog.text


@pytest.mark.parametrize(
    ("requires_host", "status"),
    [
        (">=1.0,<2", "ok"),  # written for API 1.0: 1.1 to 1.3 only add names
        (">=1.1,<2", "ok"),
        (">=1.2,<2", "ok"),
        (">=1.3,<2", "ok"),
        (">=1.4,<2", "incompatible"),
        (">=2.0", "incompatible"),
    ],
)
def test_a_plugin_written_for_an_earlier_minor_version_is_accepted(
    installed_distribution, requires_host, status
):
    source = fake_services.INCOMPATIBLE.replace(">=7.0", requires_host)
    registry = registry_with(installed_distribution, future=source)
    assert registry.statuses["future"].status == status


def test_a_plugin_failing_to_import_is_reported_not_fatal(installed_distribution):
    registry = registry_with(
        installed_distribution,
        broken=fake_services.BROKEN_IMPORT,
        fake=fake_services.GOOD,
    )
    assert registry.statuses["broken"].status == "broken"
    assert "libfoo" in registry.statuses["broken"].reason
    assert registry.statuses["fake"].ok


def test_a_plugin_breaking_the_contract_is_refused(installed_distribution):
    registry = registry_with(installed_distribution, badhook=fake_services.BAD_HOOK)
    assert registry.statuses["badhook"].status == "broken"
    assert "unknown_argument" in registry.statuses["badhook"].reason


def test_each_establishment_calls_only_the_services_it_enables(installed_distribution):
    registry = registry_with(
        installed_distribution,
        fake=fake_services.GOOD,
        crashy=fake_services.FAILING_TILE,
    )
    caller = registry.caller(hookspecs.ts_describe_service, ["fake"])
    assert caller().id == "fake"


@pytest.fixture
def fake_app(installed_distribution, tmp_path, ts_zodb_uri):
    """An application with the fake services installed, enabled in A only."""
    installed_distribution(
        "fake-dist",
        {"fake_good": fake_services.GOOD, "fake_crashy": fake_services.FAILING_TILE},
        {"fake": "fake_good", "crashy": "fake_crashy"},
    )
    toml = tmp_path / "establishments.toml"
    toml.write_text(
        establishments_toml(
            {ESTABLISHMENT_A: ["crashy", "fake"], ESTABLISHMENT_B: []},
            {ESTABLISHMENT_A: {"fake": {"colour": "vert"}}},
        )
    )
    from ts_host.testing import app_settings

    app = main({}, **app_settings(tmp_path, toml, ts_zodb_uri))
    return TestApp(app, extra_environ={"HTTP_HOST": "teleservices.test"})


@pytest.fixture
def fake_family(fake_app, pupil_enabled, pupil_disabled):
    import transaction

    from ts_host.storage import get_database
    from ts_host.testing import make_account

    tm = transaction.TransactionManager(explicit=True)
    connection = get_database(fake_app.app.registry).open(transaction_manager=tm)
    from ts_host.root import appmaker

    with tm:
        site = appmaker(connection.root())
        make_account(
            site,
            fake_app.app.registry.ts_hasher,
            [pupil_enabled, pupil_disabled],
            "fake.family",
        )
    connection.close()
    assert login(fake_app, "fake.family", "860357").status_int == 303
    return fake_app


def test_the_service_page_uses_the_establishments_settings(fake_family, pupil_enabled):
    page = fake_family.get(f"/eleve/{pupil_enabled}/fake")
    assert "en vert" in page.text


def test_a_disabled_service_answers_404_for_that_establishments_pupil(fake_family, pupil_disabled):
    fake_family.get(f"/eleve/{pupil_disabled}/fake", status=404)


def test_a_failing_tile_is_hidden_and_logged_the_page_still_renders(
    fake_family, pupil_enabled, caplog
):
    with caplog.at_level(logging.ERROR, logger="ts_host.dashboard.views"):
        home = fake_family.get("/", params={"eleve": pupil_enabled})
    assert "Consultez le service factice" in home.text
    assert "Le service qui plante" not in home.text
    assert "tile of service crashy failed" in caplog.text
    # Not kept without the tile (ts_host.page_cache): it may show next time.
    fake_family.get("/", params={"eleve": pupil_enabled})
    assert kept_pages(fake_family) == 0


def test_the_dashboard_of_a_child_in_another_establishment_has_no_tile_of_it(
    fake_family, pupil_disabled
):
    home = fake_family.get("/", params={"eleve": pupil_disabled})
    assert "Consultez le service factice" not in home.text


def test_hooks_are_called_by_their_specification_not_by_a_name(installed_distribution):
    registry = registry_with(installed_distribution, fake=fake_services.GOOD)
    description = registry.call_service("fake", hookspecs.ts_describe_service)
    assert description.id == "fake"
    with pytest.raises(TypeError, match="spécification"):
        registry.call_service("fake", "ts_describe_service")
    with pytest.raises(TypeError, match="spécification"):
        registry.call_service("fake", fake_services.__name__.__len__)


def test_a_call_with_other_arguments_than_the_specification_fails(installed_distribution):
    registry = registry_with(installed_distribution, fake=fake_services.GOOD)
    with pytest.raises(
        TypeError, match=r"ts_tile attend les arguments \['pupil', 'request', 'settings'\]"
    ):
        registry.call_service("fake", hookspecs.ts_tile, request=None, pupil=None)


@pytest.mark.parametrize(
    ("other", "clash"),
    [
        ("twin", "le nom de route « fake »"),
        ("alias", "l'adresse « /eleve/{pupil}/fake »"),
    ],
)
def test_two_services_sharing_a_route_name_or_an_address_stop_the_start(
    installed_distribution, tmp_path, ts_zodb_uri, other, clash
):
    sources = {"twin": fake_services.SAME_ROUTE_NAME, "alias": fake_services.SAME_PATH}
    installed_distribution(
        "fake-dist",
        {"fake_good": fake_services.GOOD, f"fake_{other}": sources[other]},
        {"fake": "fake_good", other: f"fake_{other}"},
    )
    toml = tmp_path / "establishments.toml"
    toml.write_text(establishments_toml({ESTABLISHMENT_A: ["fake", other], ESTABLISHMENT_B: []}))
    from ts_host.testing import app_settings

    with pytest.raises(ConfigurationError) as refused:
        main({}, **app_settings(tmp_path, toml, ts_zodb_uri))
    first, second = sorted(["fake", other], key=lambda s: (100, s))
    assert f"les services « {first} » et « {second} » déclarent tous deux {clash}" in str(
        refused.value
    )
