"""Two application processes on one shared storage, as an academy scales out.

The test's database is a ZEO server or a PostgreSQL database (the
``shared_storage`` mark: ZEO when ``TS_TEST_STORAGE`` is ``file``), and two
real waitress processes serve it while the test reads it too.
"""

import pytest

from ts_host.testing import login

from . import app_processes
from .accounts_helpers import create_responsable, unused_codes

pytestmark = pytest.mark.shared_storage

FAILED = "Identifiant ou mot de passe incorrect"
CONCURRENT_FAILURES = 50


@pytest.fixture
def processes(tmp_path, ts_settings, ts_app):
    """Two application processes on the test's database (``ts_app`` opened it first)."""
    apps = app_processes.start(tmp_path / "processes", ts_settings, 2)
    yield apps
    app_processes.stop(apps)


def server_errors(apps) -> list[str]:
    return [
        line
        for app in apps
        for line in app.output.splitlines()
        if "Traceback" in line or "ConflictError" in line or " ERROR " in line
    ]


def test_an_account_created_on_one_process_logs_in_on_the_other(processes, site, tm):
    first, second = processes
    rows = unused_codes(site, tm)
    assert create_responsable(first.client(), rows).status_int == 303

    other = second.client()
    assert login(other, "dupont.famille", "860357").status_int == 303
    home = other.get("/")
    assert all(first_name in home for _code, first_name, _birth in rows)
    assert server_errors(processes) == []
