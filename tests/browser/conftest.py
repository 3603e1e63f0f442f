"""Fixtures of the browser journeys: Chromium, a live server per module, a journey per test.

Chromium is Debian's (``/usr/bin/chromium``, or ``TS_CHROMIUM``), driven by
the ``playwright`` package; Playwright's own browser download is not used.
Without Chromium the journeys are skipped with the reason, except when
``CI`` or ``TS_REQUIRE_BROWSER`` is set: there a missing browser fails.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from .pages import VIEWPORTS, Journey
from .server import LiveServer

#: Flags this machine needs: no sandbox as root, and nothing that reaches the network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
#: Room for a busy CI machine: the journeys wait for what a page shows.
expect.set_options(timeout=15_000)
REPORTS = pytest.StashKey[dict]()


def chromium_executable() -> str | None:
    candidate = os.environ.get("TS_CHROMIUM", "/usr/bin/chromium")
    if os.access(candidate, os.X_OK):
        return candidate
    return shutil.which("chromium")


def browser_required() -> bool:
    return bool(os.environ.get("CI") or os.environ.get("TS_REQUIRE_BROWSER"))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item: the journey fixture keeps its
    screenshots only when the test failed."""
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def browser():
    executable = chromium_executable()
    if executable is None:
        reason = "Chromium not found (/usr/bin/chromium or TS_CHROMIUM): apt-get install chromium"
        if browser_required():
            pytest.fail(f"{reason}; CI or TS_REQUIRE_BROWSER requires the browser journeys")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server(request, browser, tmp_path_factory):
    """One server per test module; each journey takes its own family's codes.

    It needs ``browser`` so that without Chromium no server is started at all.
    A module that sets ``SERVED_FROM_ZEO = True`` gets its database served by
    ZEO, so that its journeys may run ``ts-admin`` (``server.admin``) meanwhile.
    """
    zeo = getattr(request.module, "SERVED_FROM_ZEO", False)
    live = LiveServer(tmp_path_factory.mktemp("server"), zeo=zeo)
    try:
        live.start()
        yield live
    finally:
        live.stop()


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request) -> str:
    return request.param


@pytest.fixture
def locale() -> str:
    """The browser's language; a test parametrizes ``locale`` to try another."""
    return "fr-FR"


@pytest.fixture
def journey(request, browser, server, viewport, locale):
    """A fresh browser context on the live server, at the test's viewport.

    Every step's screenshot goes to ``test-artifacts/<test name>/``; the
    folder is deleted when the test passes and kept, with the console and
    the server's log, when it fails.
    """
    folder = ARTIFACTS / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    context = browser.new_context(
        **VIEWPORTS[viewport], locale=locale, timezone_id="Europe/Paris", accept_downloads=True
    )
    log_start = server.log_size()
    trip = Journey(context, server, folder, viewport)
    yield trip
    test_failed = any(report.failed for report in request.node.stash.get(REPORTS, {}).values())
    problems = trip.problems(log_start)
    if test_failed or problems:
        trip.keep_evidence(log_start)
    context.close()
    if not (test_failed or problems):
        shutil.rmtree(folder)
    if problems and not test_failed:
        pytest.fail("errors during the journey:\n" + "\n".join(problems))
