"""The benchmark's databases: the demo at a given size, built once and kept.

``ts-admin demo`` fills a FileStorage with N pupils (100,000 take minutes),
then the benchmark adds its own accounts: a family with two children in the
establishment that offers the most services, and the families of the
production topology's journeys, one child each, drawn from every
establishment (the first of them also make the login POST's load).  The
database is packed and kept in a folder of var/bench/ named after the size
and a digest of what shapes it (the establishments file, the versions of
the host and of the services): Data.fs, its index, its blobs (the
dossier's bulletins) beside it where the host looks for them, and
fixtures.json, which describes the fixtures.  ``--rebuild`` builds it again
(after a change to the demo data, say).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path

import transaction
from pyramid.paster import bootstrap

from ts_host import evolve, hookspecs
from ts_host.api import date_ranges
from ts_host.plugins import PluginRegistry
from ts_host.root import appmaker
from ts_host.storage import get_database
from ts_host.testing import PASSWORD, make_account

from .server import REPOSITORY, environment, write_ini

CACHE = REPOSITORY / "var" / "bench"
#: The families of the topology's journeys.  An evening's families are each
#: other's strangers: journeys that cycled through 64 of them kept their
#: children's records in every cache and hid what an evening of many keeps
#: (a process's RelStorage cache filled past the memory target).  Two
#: thousand families fill a process's caches within a run.
LOGIN_ACCOUNTS = 2000
#: Bump when the fixtures below change, so that cached databases are rebuilt.
FIXTURES_VERSION = 5
#: The pupils looked at to find a family (the demo's families are spread evenly).
FAMILY_SEARCH = 5000
FAMILY_CANDIDATES = 50
#: The notes page is measured for a pupil with about this many grades (the issue's).
GRADES = 300


@dataclass
class Fixtures:
    """What the benchmark created in the database, and the pages it will load."""

    family_login: str
    password: str
    uai: str
    services: list[str]
    #: The family's children; the dashboard shows the first one.
    pupil_ids: list[str]
    #: The first child's grades (the notes service's GDPR export), if notes is enabled.
    grades: int | None
    #: Page name -> path, for the services the establishment enables.
    pages: dict[str, str]
    logins: list[str]
    #: Per login account, the two service pages of its child that a family's
    #: journey through the production topology loads (bench/topology.py).
    journey_pages: dict[str, list[str]]


def cache_key(pupils: int, establishments: Path) -> str:
    registry = PluginRegistry()
    registry.load_entry_points()
    versions = sorted(
        (name, status.description.version if status.description else status.status)
        for name, status in registry.statuses.items()
    )
    digest = hashlib.sha256()
    digest.update(establishments.read_bytes())
    # The host's data generation: a database built before an upgrade step
    # (the page cache's read marker) is not the one production would serve.
    generation = evolve.latest(evolve.HOST_STEPS)
    shape = [pupils, version("teleservices"), versions, generation, FIXTURES_VERSION]
    digest.update(json.dumps(shape).encode())
    return digest.hexdigest()[:12]


def database(pupils: int, establishments: Path, rebuild: bool = False) -> tuple[Path, Fixtures]:
    """The cached database of ``pupils`` pupils and its fixtures, built if needed."""
    kept = CACHE / f"Data-{pupils}-{cache_key(pupils, establishments)}"
    path, described = kept / "Data.fs", kept / "fixtures.json"
    if rebuild or not described.exists():
        build(pupils, establishments, kept)
    return path, Fixtures(**json.loads(described.read_text(encoding="utf-8")))


def build(pupils: int, establishments: Path, kept: Path) -> None:
    """The demo and the fixtures in a temporary folder, then moved to ``kept``
    whole (the fixtures' description last: it says the folder is complete)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(kept, ignore_errors=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as temporary:
        folder = Path(temporary)
        ini = write_ini(folder, folder / "Data.fs", establishments)
        ts_admin = Path(sys.executable).parent / "ts-admin"
        subprocess.run(
            [str(ts_admin), "demo", str(ini), "--pupils", str(pupils)],
            check=True,
            env=environment(),
        )
        fixtures = add_fixtures(ini)
        kept.mkdir()
        for name in ("Data.fs", "Data.fs.index", "blobs"):
            shutil.move(folder / name, kept / name)
    (kept / "fixtures.json").write_text(json.dumps(asdict(fixtures), indent=2), encoding="utf-8")


def add_fixtures(ini: Path) -> Fixtures:
    """Create the benchmark's accounts, then pack the database."""
    env = bootstrap(str(ini))
    request, registry = env["request"], env["registry"]
    db = get_database(registry)
    manager = transaction.TransactionManager(explicit=True)
    connection = db.open(transaction_manager=manager)
    try:
        with manager:
            site = appmaker(connection.root())
            fixtures = create_accounts(site, request, registry)
        connection.close()
        db.pack()
    finally:
        env["closer"]()
        db.close()
    return fixtures


def grades_of(site, plugins, establishment, pupil_id: str) -> int | None:
    """A pupil's grades, as the notes service exports them (None without notes)."""
    if not establishment.enables("notes"):
        return None
    export = plugins.call_service(
        "notes", hookspecs.ts_pupil_data, site=site, pupil=site.pupils[pupil_id]
    )
    return len(export["notes"]) if export else 0


def choose_family(site, plugins, establishment, pupil_ids: list[str]) -> list[str]:
    """Two children of one responsable; first the one whose grades are nearest to 300."""
    children: dict[str, list[str]] = {}
    for pupil_id in pupil_ids:
        pupil = site.pupils[pupil_id]
        children.setdefault(pupil.responsables[0].responsable_id, []).append(pupil_id)
    families = [ids[:2] for ids in children.values() if len(ids) >= 2][:FAMILY_CANDIDATES]

    def distance(pupil_id: str) -> int:
        grades = grades_of(site, plugins, establishment, pupil_id)
        return 0 if grades is None else abs(grades - GRADES)

    best = min((distance(p), p, family) for family in families for p in family)
    _distance, first, family = best
    return [first, *(p for p in family if p != first)]


def journey_children(site, academy, exclude: list[str]) -> list[str]:
    """:data:`LOGIN_ACCOUNTS` pupils, taken in turn from each establishment
    (pupil ids are random, so each establishment's first ones are spread over
    its divisions)."""
    columns = [
        [p for p in site.establishments[uai].pupil_ids.keys()[:FAMILY_SEARCH] if p not in exclude]
        for uai in sorted(academy.establishments)
    ]
    taken = [p for row in itertools.zip_longest(*columns) for p in row if p is not None]
    return taken[:LOGIN_ACCOUNTS]


def create_accounts(site, request, registry) -> Fixtures:
    academy, plugins, hasher = registry.ts_academy, registry.ts_plugins, registry.ts_hasher
    establishment = max(academy.establishments.values(), key=lambda e: len(e.services))
    pupil_ids = list(site.establishments[establishment.uai].pupil_ids.keys()[:FAMILY_SEARCH])
    family = choose_family(site, plugins, establishment, pupil_ids)
    make_account(site, hasher, family, "bench.famille")
    others = journey_children(site, academy, exclude=family)
    logins = [f"bench.connexion{number:04d}" for number in range(len(others))]
    for login, pupil_id in zip(logins, others, strict=True):
        make_account(site, hasher, [pupil_id], login)

    first = site.pupils[family[0]]
    grades = grades_of(site, plugins, establishment, first.id)
    year = next(r for r in date_ranges(establishment) if r.kind == "year")
    routes = {
        "notes": ("ts_notes.pupil", {"periode": year.key}),  # the notes page's period parameter
        "absences": ("ts_absences.pupil", {}),
        "lpc": ("ts_lpc.pupil", {}),
        "lpc_pdf": ("ts_lpc.pdf", {}),
    }
    journey_pages = {
        login: [
            request.route_path(route, pupil=pupil_id)
            for route in ("ts_absences.pupil", "ts_notes.pupil")
            if academy.establishments[site.pupils[pupil_id].uai].enables(
                route.split(".")[0].removeprefix("ts_")
            )
        ]
        for login, pupil_id in zip(logins, others, strict=True)
    }
    pages = {"dashboard": request.route_path("home", _query={"eleve": first.id})}
    for name, (route, query) in routes.items():
        if establishment.enables(name.split("_")[0]):
            pages[name] = request.route_path(route, pupil=first.id, _query=query)
    return Fixtures(
        family_login="bench.famille",
        password=PASSWORD,
        uai=establishment.uai,
        services=list(establishment.services),
        pupil_ids=family,
        grades=grades,
        pages=pages,
        logins=logins,
        journey_pages=journey_pages,
    )
