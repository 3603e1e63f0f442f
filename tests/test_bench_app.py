"""The benchmark's bare view lives in the benchmark's application, never in the product."""

import pytest
from pyramid.paster import get_appsettings

from bench import database as bench_database
from bench.app import BARE_PATH, FLOOR_BODY, FLOOR_PATH
from bench.app import main as bench_main
from bench.load import Measure
from bench.run import combined
from bench.server import REPOSITORY, write_ini
from ts_host import main
from ts_host.storage import blob_folder, get_database, with_blob_folder
from ts_host.testing import TestApp, login


def test_the_bare_view_is_served_by_the_benchmark_application_only(ts_settings):
    for factory, status in ((bench_main, 200), (main, 404)):
        app = factory({}, **ts_settings)
        try:
            client = TestApp(app, extra_environ={"HTTP_HOST": "teleservices.test"})
            response = client.get(BARE_PATH, status=status)
        finally:
            get_database(app.registry).close()
        assert (response.text == "bare") is (status == 200)


def test_a_round_that_served_nothing_is_left_out_of_the_page_s_figures():
    """On a machine too busy for wrk's window a round may serve no request:
    the page's figures come from the others, and with none the run says why."""
    served = Measure(
        requests_per_second=100.0, median_ms=5.0, p99_ms=9.0, requests=200, failures=0, cpu_ms=2.0
    )
    idle = Measure(
        requests_per_second=0.0, median_ms=0.0, p99_ms=0.0, requests=0, failures=0, cpu_ms=0.0
    )
    assert combined([served, idle]).requests_per_second == 100.0
    with pytest.raises(SystemExit, match="too busy"):
        combined([idle])


def test_the_benchmark_s_database_keeps_its_blobs_beside_it(tmp_path):
    """The shipped ini's options, but not its blob directory, written relative to
    etc/: read raw, it named a folder « %(here)s » in the working directory."""
    ini = write_ini(tmp_path, tmp_path / "Data.fs", tmp_path / "establishments.toml")
    uri = get_appsettings(str(ini))["zodbconn.uri"]
    assert "connection_cache_size=" in uri and "blobstorage_dir" not in uri
    assert with_blob_folder(uri).endswith(f"blobstorage_dir={tmp_path}/blobs")


def test_the_benchmark_renders_templates_as_production_does(tmp_path):
    """Compiled once, not checked against their files at each render (development's way)."""
    ini = write_ini(tmp_path, tmp_path / "Data.fs", tmp_path / "establishments.toml")
    production = get_appsettings(str(REPOSITORY / "etc" / "production.ini"))
    assert get_appsettings(str(ini))["pyramid.reload_templates"] == "false"
    assert production["pyramid.reload_templates"] == "false"


@pytest.fixture
def ts_app(ts_settings):
    """The benchmark's application, for the kit's clients and family."""
    app = bench_main({}, **ts_settings)
    yield app
    get_database(app.registry).close()


def test_the_family_floor_is_served_to_a_logged_in_family_only(testapp, family):
    anonymous = testapp.get(FLOOR_PATH, status=303)
    assert "/connexion" in anonymous.location
    login(testapp, family.login, family.password)
    page = testapp.get(FLOOR_PATH)
    assert page.body == FLOOR_BODY and page.content_type == "text/html"


@pytest.mark.slow
def test_a_kept_database_keeps_its_blobs(tmp_path, monkeypatch):
    """The dossier's bulletins are blobs: without them, the topology's copy
    into PostgreSQL logged a POSKeyError per pupil and the bulletins were lost."""
    monkeypatch.setattr(bench_database, "CACHE", tmp_path)
    path, fixtures = bench_database.database(120, REPOSITORY / "etc" / "establishments.toml")
    assert path.parent.parent == tmp_path and (path.parent / "fixtures.json").exists()
    assert fixtures.family_login and any(blob_folder(path).rglob("*.blob"))
    again, _ = bench_database.database(120, REPOSITORY / "etc" / "establishments.toml")
    assert again == path


def test_pages_are_measured_on_the_last_day_of_the_school_year(ts_settings):
    """Every grade of the year is published then: the notes page of the whole
    year shows the whole year, whatever day the benchmark runs."""
    unset = {key: value for key, value in ts_settings.items() if key != "ts.today"}
    # The kit's establishments' years end on 03/07/2027; an ini's own day is kept.
    for settings, expected in ((unset, "2027-07-03"), (ts_settings, ts_settings["ts.today"])):
        app = bench_main({}, **settings)
        try:
            assert app.registry.settings["ts.today"] == expected
        finally:
            get_database(app.registry).close()
