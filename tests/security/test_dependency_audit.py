"""The dependency audit's reading of pip-audit and of PyPI's project pages."""

import http.client
import io
import urllib.error
import urllib.request
from datetime import UTC, datetime

import pytest

from .dependency_audit import PROJECT_PAGE, audit, project_page

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)

PINS = {"webob": "1.8.11", "waitress": "2.1.1", "pyramid": "2.1"}


def page(version: str, vulnerabilities=()) -> dict:
    return {"info": {"version": version}, "vulnerabilities": list(vulnerabilities)}


def test_a_known_vulnerability_fails_the_audit_whoever_found_it():
    results = {
        "dependencies": [
            {
                "name": "waitress",
                "version": "2.1.1",
                "vulns": [{"id": "PYSEC-1", "fix_versions": ["2.1.2"]}],
            },
            {"name": "webob", "skip_reason": "not found on PyPI"},
        ]
    }
    advisory = {"id": "GHSA-x", "fixed_in": ["1.8.12"]}
    report = audit(results, PINS, fetch=lambda name: page("1.8.11", [advisory]))
    assert not report.ok
    assert report.vulnerable == [
        "waitress==2.1.1 : PYSEC-1 (corrigé en 2.1.2)",
        "webob==1.8.11 : GHSA-x (corrigé en 1.8.12)",
    ]


def test_a_pin_older_than_the_latest_release_is_not_taken_as_audited():
    results = {"dependencies": [{"name": "WebOb", "skip_reason": "404"}]}
    report = audit(results, {"webob": "1.8.0"}, fetch=lambda name: page("1.8.11"))
    assert not report.ok and "WebOb==1.8.0" in report.not_audited[0]


def test_a_clean_set_passes():
    results = {
        "dependencies": [
            {"name": "pyramid", "version": "2.1", "vulns": []},
            {"name": "webob", "skip_reason": "404"},
        ]
    }
    report = audit(results, PINS, fetch=lambda name: page("1.8.11"))
    assert report.ok and report.by_pip_audit == ["pyramid==2.1"]
    assert report.by_project_page == ["webob==1.8.11"]


def replaced(on: str) -> dict:
    """webob's page: 1.8.0 pinned, 1.8.11 uploaded ``on``."""
    releases = {
        "1.8.0": [{"upload_time_iso_8601": "2026-01-05T10:00:00Z"}],
        "1.8.11": [{"upload_time_iso_8601": on}],
    }
    return {**page("1.8.11"), "releases": releases}


def test_a_pin_replaced_days_ago_passes_listed_as_due_for_update():
    results = {"dependencies": [{"name": "WebOb", "skip_reason": "404"}]}
    report = audit(
        results, {"webob": "1.8.0"}, fetch=lambda name: replaced("2026-12-01T16:02:49Z"), now=NOW
    )
    assert report.ok and not report.not_audited
    assert report.due == [
        "WebOb==1.8.0 (dernière version 1.8.11, parue le 01/12/2026 : "
        "mettez à jour la contrainte avant le 08/12/2026)"
    ]


def test_a_pin_replaced_more_than_a_week_ago_is_not_audited():
    results = {"dependencies": [{"name": "WebOb", "skip_reason": "404"}]}
    report = audit(
        results, {"webob": "1.8.0"}, fetch=lambda name: replaced("2026-11-20T12:58:26Z"), now=NOW
    )
    assert not report.ok and "WebOb==1.8.0" in report.not_audited[0]


def answering(monkeypatch, *answers) -> list[str]:
    """``urlopen`` giving ``answers`` in turn (an exception is raised); the URLs asked."""
    asked, waiting = [], list(answers)

    def urlopen(url, timeout):
        asked.append(url)
        answer = waiting.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return io.BytesIO(answer)

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    return asked


def test_a_project_page_is_asked_for_again_when_the_connection_drops(monkeypatch):
    dropped = http.client.RemoteDisconnected("Remote end closed connection without response")
    asked = answering(monkeypatch, dropped, TimeoutError(), b'{"info": {"version": "2.1"}}')
    assert project_page("pyramid", pauses=(0, 0)) == {"info": {"version": "2.1"}}
    assert asked == [PROJECT_PAGE.format(name="pyramid")] * 3

    asked = answering(monkeypatch, dropped, dropped, dropped)
    with pytest.raises(http.client.RemoteDisconnected):
        project_page("pyramid", pauses=(0, 0))
    assert len(asked) == 3


def test_a_project_page_pypi_does_not_have_is_not_asked_for_again(monkeypatch):
    url = PROJECT_PAGE.format(name="nothing")
    missing = urllib.error.HTTPError(url, 404, "Not Found", {}, None)
    asked = answering(monkeypatch, missing)
    with pytest.raises(urllib.error.HTTPError):
        project_page("nothing", pauses=(0, 0))
    assert len(asked) == 1
