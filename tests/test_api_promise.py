"""A plugin written against API 1.0 works, unchanged, on this host.

Every name ``ts_host.api`` exported in 1.0 is still there (none is
deprecated yet: a renamed one would warn, naming its replacement).
``tests/data/ts_cantine-f5088c4.tar.gz`` is the example plugin as it was
published with API 1.0, frozen by ``git archive f5088c4 examples/ts_cantine``:
an artefact standing for the third parties' plugins outside this repository,
never to be edited (the living example, ``examples/ts_cantine``, follows the
API as it grows).  The test unpacks it and runs a cross-section of its own
tests against the current host: its school weeks and accounts, its hooks
and its data export, its imports through ``read_csv``, an evolve step, and
its page fetched from an application built with it.  It runs in a
subprocess whose ``PYTHONPATH`` puts the frozen ``ts_cantine`` first,
entry point included, since the living example is installed under the same
name.  Cost: one application built, about 10 s on a busy machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import warnings
from pathlib import Path

from ts_host import api

#: ``ts_host.api.__all__`` in API 1.0 (commit f5088c4), and the two
#: constants the module held unlisted.
API_1_0 = (
    *("API_VERSION", "AdminCommand", "BadLine", "CSRFSchema", "CommandError", "Contact"),
    *("Container", "DateRange", "EstablishmentConfig", "EvolveStep", "FormView"),
    *("HelpSection", "ImportFormat", "ImportRejected", "ImportSummary", "Period", "Pupil"),
    *("PupilContext", "Responsable", "ServiceDescription", "Site", "Tile", "TileLink"),
    *("date_ranges", "find_date_range", "format_date", "format_decimal", "hookimpl"),
    *("of_name", "parse_french_date", "read_csv", "service_data", "site_data", "today"),
    *("MONTHS", "YEAR_KEY"),
)

ARCHIVE = Path(__file__).parent / "data" / "ts_cantine-f5088c4.tar.gz"
FROZEN_TESTS = (
    "ts_cantine/tests/test_models.py",
    "ts_cantine/tests/test_hooks.py",
    "ts_cantine/tests/test_importers.py::test_the_service_offers_two_formats_documented_in_their_help",
    "ts_cantine/tests/test_importers.py::test_the_sample_menus_replace_those_of_their_days",
    "ts_cantine/tests/test_importers.py::test_bad_account_lines_are_all_cited_and_nothing_is_written",
    "ts_cantine/tests/test_importers.py::test_a_wrong_header_is_refused_at_line_1",
    "ts_cantine/tests/test_evolve.py::test_step_1_renames_the_meals_and_leaves_new_accounts_alone",
    "ts_cantine/tests/test_views.py::test_the_current_week_shows_the_menus_and_the_meals_taken",
)
#: Where the subprocess finds ``ts_cantine``, without importing it.
FIND_SPEC = "import importlib.util as u; print(u.find_spec('ts_cantine').origin)"


def test_every_name_of_api_1_0_is_still_exported_without_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        assert [name for name in API_1_0 if not hasattr(api, name)] == []
    assert set(API_1_0) <= set(api.__all__)


def test_the_api_version_stays_in_its_major_range():
    major, minor = (int(part) for part in api.API_VERSION.split("."))
    assert major == 1 and minor >= 1


def test_the_example_published_with_api_1_0_passes_its_own_tests(tmp_path):
    with tarfile.open(ARCHIVE) as archive:
        archive.extractall(tmp_path, filter="data")
    example = tmp_path / "examples" / "ts_cantine"
    env = {**os.environ, "PYTHONPATH": str(example)}
    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "import importlib.util as u; print(u.find_spec('ts_cantine').origin)",
        ],
        cwd=example,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()) == example / "ts_cantine" / "__init__.py"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *FROZEN_TESTS],
        cwd=example,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-2000:]
    assert " failed" not in run.stdout and " skipped" not in run.stdout
