"""The dependency audit's reading of pip-audit and of PyPI's project pages."""

from .dependency_audit import audit

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
