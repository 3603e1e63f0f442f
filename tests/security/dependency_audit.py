"""Known vulnerabilities in the pinned dependencies: pip-audit, with a fallback.

``python -m tests.security.dependency_audit constraints.txt`` runs
``pip-audit`` on the exact pins, against PyPI's vulnerability data
(``--vulnerability-service pypi``).  pip-audit asks PyPI for each release
(``/pypi/NAME/VERSION/json``); where that answer is missing (the PyPI
mirror this project's machines reach serves only the project pages
``/pypi/NAME/json``), the release is checked against the project page,
whose ``vulnerabilities`` are those of its latest release: valid when the
pin *is* the latest release, and otherwise the package is reported as not
audited.  Any vulnerability or any package not audited fails the run.

A pin that a release replaced less than :data:`GRACE` ago is listed as due
for an update without failing: it was the latest, hence audited, until
then, and the registry publishes a new release of one package or another
every few days; a CI that failed on the day of every upstream patch would
fail at random.  Past the grace period it is not audited, and fails.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

PROJECT_PAGE = "https://pypi.org/pypi/{name}/json"
#: How long a pin replaced by a newer release passes, listed as due for update.
GRACE = timedelta(days=7)
#: Seconds before each new request for a project page the network failed to
#: bring: PyPI drops a connection now and then, and one drop failed a whole
#: CI run (2026-12-05, « Remote end closed connection without response »).
PAUSES = (2.0, 10.0)


@dataclass
class Report:
    by_pip_audit: list[str] = field(default_factory=list)
    by_project_page: list[str] = field(default_factory=list)
    vulnerable: list[str] = field(default_factory=list)
    not_audited: list[str] = field(default_factory=list)
    due: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.vulnerable and not self.not_audited

    def lines(self) -> list[str]:
        lines = [
            f"{len(self.by_pip_audit)} paquets audités par pip-audit, "
            f"{len(self.by_project_page)} par la page du projet sur PyPI",
        ]
        lines += [f"VULNÉRABLE : {item}" for item in self.vulnerable]
        lines += [f"NON AUDITÉ : {item}" for item in self.not_audited]
        lines += [f"À METTRE À JOUR : {item}" for item in self.due]
        return lines


def run_pip_audit(constraints: Path) -> dict:
    done = subprocess.run(  # pip-audit, installed beside this interpreter
        [
            str(Path(sys.executable).with_name("pip-audit")),
            "--requirement",
            str(constraints),
            "--no-deps",
            "--disable-pip",
            "--vulnerability-service",
            "pypi",
            "--format",
            "json",
            "--progress-spinner",
            "off",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if not done.stdout.strip():
        raise SystemExit(f"pip-audit n'a rien produit :\n{done.stderr}")
    return json.loads(done.stdout)


def project_page(name: str, pauses: tuple[float, ...] = PAUSES) -> dict:
    """The project page of ``name``, asked for again after each pause of
    ``pauses`` while the network fails or PyPI answers 5xx (not after a 4xx)."""
    url = PROJECT_PAGE.format(name=name)  # a fixed https address
    for pause in (*pauses, None):
        try:
            with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
                return json.load(response)
        except urllib.error.HTTPError as error:
            if error.code < 500 or pause is None:
                raise
        except (OSError, http.client.HTTPException):
            if pause is None:
                raise
        time.sleep(pause)


def pins(constraints: Path) -> dict[str, str]:
    """Canonical name -> pinned version (pip-audit's JSON omits it for a skipped package)."""
    found = {}
    for line in constraints.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            found[canonicalize_name(name)] = version.strip()
    return found


def replaced_on(page: dict, version: str) -> datetime | None:
    """When the first release after ``version`` was uploaded, per the project page."""
    try:
        pinned = Version(version)
    except InvalidVersion:
        return None
    uploads = []
    for release, files in (page.get("releases") or {}).items():
        try:
            newer = Version(release) > pinned
        except InvalidVersion:
            continue
        if newer:
            uploads += [f["upload_time_iso_8601"] for f in files if f.get("upload_time_iso_8601")]
    if not uploads:
        return None
    return min(datetime.fromisoformat(upload.replace("Z", "+00:00")) for upload in uploads)


def audit(
    results: dict,
    pinned_versions: dict[str, str],
    fetch: Callable[[str], dict] = project_page,
    now: datetime | None = None,
) -> Report:
    now = now or datetime.now(UTC)
    report = Report()
    for dependency in results["dependencies"]:
        name = dependency["name"]
        version = dependency.get("version") or pinned_versions[canonicalize_name(name)]
        pinned = f"{name}=={version}"
        if "skip_reason" not in dependency:
            report.by_pip_audit.append(pinned)
            vulns = dependency.get("vulns", [])
        else:
            page = fetch(name)
            latest = page["info"]["version"]
            if latest != version:
                replaced = replaced_on(page, version)
                if replaced is not None and now - replaced < GRACE:
                    report.due.append(
                        f"{pinned} (dernière version {latest}, parue le {replaced:%d/%m/%Y} : "
                        f"mettez à jour la contrainte avant le {replaced + GRACE:%d/%m/%Y})"
                    )
                else:
                    report.not_audited.append(
                        f"{pinned} (dernière version {latest} : mettez à jour la "
                        "contrainte, ou auditez cette version à la main)"
                    )
                continue
            report.by_project_page.append(pinned)
            vulns = page.get("vulnerabilities") or []
        for vuln in vulns:
            fixed = ", ".join(vuln.get("fix_versions") or vuln.get("fixed_in") or []) or "aucune"
            report.vulnerable.append(f"{pinned} : {vuln['id']} (corrigé en {fixed})")
    return report


def main(argv: list[str]) -> int:
    constraints = Path(argv[0] if argv else "constraints.txt")
    report = audit(run_pip_audit(constraints), pins(constraints))
    print("\n".join(report.lines()))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
