"""``python -m bench``: load each page at each scale and print the tables.

For each size of database (1,000 and 100,000 pupils by default) the server
is started on a fresh copy of the cached demo database.  Each page is loaded
by wrk after a warm-up, in rounds that alternate with the bare view served
by the same server: a page's ratio is the median over the rounds of its
throughput divided by the bare view's measured just before.  The family
floor (:mod:`bench.app`) is measured in the same way: the ratio no family
page can pass.  The login POST
is compared in the same way with what argon2 allows on this machine: verifies
with the application's parameters, one per core at once, as the login load
runs them, measured between rounds (argon2 is memory-hard: two verifies at
once share the memory bandwidth and each costs more than one alone, which
the table also shows).
Then the worker's resident memory.  Then the mixed family workload through
the production topology (:mod:`bench.topology`); ``--topology`` runs only
that, ``--no-topology`` only the pages.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

import webtest
from pyramid.paster import get_appsettings

from ts_host.passwords import hasher_from_settings
from ts_host.storage import blob_folder
from ts_host.testing import keypad_positions

from . import topology
from .app import BARE_PATH, FLOOR_PATH
from .database import Fixtures, database
from .load import Measure, load
from .server import REPOSITORY, Server, write_ini

#: Throughput of a page / the bare view's, at least (the issue's targets).
PAGE_TARGETS = {"dashboard": 0.5, "notes": 0.25, "absences": 0.4, "lpc": 0.4}
#: A kept page (ts_host.page_cache) is measured twice: seen again, as wrk
#: asks for one address, and seen for the first time (first_view.lua).
FIRST_VIEW = "{}_first_view"
LOGIN_TARGET = 0.8  # of the argon2 bound
SCALE_TARGET = 0.9  # largest scale / smallest scale, per page
MEMORY_TARGET = 250 * 2**20  # bytes, at the largest scale
#: Accounts the login POST's load logs in, in turn (distinct accounts, so
#: that concurrent logins write different sessions).
LOGIN_POSTS = 64
ARGON2_SAMPLES = 20
LABELS = {
    "family_floor": "family floor (identity, session, a cached 13 KB page)",
    "login_page": "login page",
    "dashboard": "dashboard",
    "notes": "notes (whole year)",
    "absences": "absences",
    "lpc": "LPC",
    "lpc_pdf": "LPC PDF",
    "login_post": "login POST",
}
LABELS.update(
    {FIRST_VIEW.format(page): f"{LABELS[page]}, first view (not kept)" for page in PAGE_TARGETS}
)


@dataclass
class PageResult:
    #: The page over all rounds (medians of the rounds' latencies).
    measure: Measure
    #: Median over the rounds of the page's throughput / the reference's in the same round.
    ratio: float
    #: The same with the server's CPU time per request: the reference's / the page's.
    cpu_ratio: float


@dataclass
class ScaleResult:
    pupils: int
    database_bytes: int
    fixtures: dict
    argon2_alone_ms: list[float] = field(default_factory=list)
    argon2_verify_ms: list[float] = field(default_factory=list)
    argon2_verify_cpu_ms: list[float] = field(default_factory=list)
    bare: list[Measure] = field(default_factory=list)
    pages: dict[str, PageResult] = field(default_factory=dict)
    tiles: int = 0
    resident_bytes: int = 0

    @property
    def argon2_bound(self) -> float:
        """Verifies per second, every core verifying."""
        return cores() / (statistics.median(self.argon2_verify_ms) / 1000)


@dataclass(frozen=True)
class Argon2:
    """argon2 verifies with the application's parameters, in seconds: one
    alone (wall), and one per core at once (wall and CPU per verify)."""

    alone: float
    wall: float
    cpu: float


def argon2_verify(ini: Path) -> Argon2:
    hasher = hasher_from_settings(get_appsettings(str(ini)))
    stored = hasher.hash("860357")

    def verifies(count: int) -> None:
        for _ in range(count):
            hasher.verify(stored, "860357")

    alone = []
    for _ in range(ARGON2_SAMPLES // 4):
        start = time.perf_counter()
        verifies(1)
        alone.append(time.perf_counter() - start)
    # argon2-cffi lets go of the GIL: the threads verify on every core.
    workers = cores()
    with ThreadPoolExecutor(workers) as pool:
        wall, cpu = time.perf_counter(), time.process_time()
        list(pool.map(verifies, [ARGON2_SAMPLES] * workers))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    done = ARGON2_SAMPLES * workers
    return Argon2(statistics.median(alone), wall * workers / done, cpu / done)


def cores() -> int:
    return len(os.sched_getaffinity(0))


def client(url: str) -> webtest.TestApp:
    host = url.split("//", 1)[1]
    return webtest.TestApp(url, extra_environ={"HTTP_HOST": host})


def cookie_header(app: webtest.TestApp) -> str:
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in app.cookiejar)


def log_in(url: str, login: str, password: str) -> webtest.TestApp:
    app = client(url)
    page = app.get("/connexion")
    form = page.forms["connexion"]
    form["login"] = login
    form["password"] = keypad_positions(page, password)
    response = form.submit("submit")
    if response.status_int != 303:
        raise RuntimeError(f"the benchmark's family could not log in:\n{response.text[:2000]}")
    return app


def login_requests(url: str, fixtures: Fixtures, path: Path) -> Path:
    """One ready login POST for each of :data:`LOGIN_POSTS` accounts: its
    session cookie and its form body.

    The dealt keypad and the CSRF token live in the signed session cookie,
    so each line can be sent again, as a family retrying would.
    """
    lines = []
    for login in fixtures.logins[:LOGIN_POSTS]:
        app = client(url)
        page = app.get("/connexion")
        form = page.forms["connexion"]
        form["login"] = login
        form["password"] = keypad_positions(page, fixtures.password)
        lines.append(f"{cookie_header(app)}\t{urlencode(form.submit_fields('submit'))}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def combined(measures: list[Measure]) -> Measure:
    """The rounds of one page as one measure; a round that served nothing
    (a machine too busy for wrk's window) has no time to add."""
    measures = [m for m in measures if m.requests]
    if not measures:
        raise SystemExit("no round served a request: the machine is too busy to measure")
    requests = sum(m.requests for m in measures)
    return Measure(
        requests_per_second=requests / sum(m.requests / m.requests_per_second for m in measures),
        median_ms=statistics.median(m.median_ms for m in measures),
        p99_ms=statistics.median(m.p99_ms for m in measures),
        requests=requests,
        failures=sum(m.failures for m in measures),
        cpu_ms=sum(m.cpu_ms * m.requests for m in measures) / requests,
    )


def compare(url: str, reference, args, **kw) -> PageResult:
    """Load ``url`` in rounds, each right after measuring the reference.

    Alternating cancels the drift of whatever else the machine does: each
    round's ratio compares two figures taken seconds apart.
    """
    load(url, seconds=args.warmup, connections=args.connections, **kw)
    measures, ratios, cpu_ratios = [], [], []
    for _ in range(args.rounds):
        throughput, cpu_ms = reference()
        measured = load(url, seconds=args.seconds, connections=args.connections, **kw)
        measures.append(measured)
        ratios.append(measured.requests_per_second / throughput)
        cpu_ratios.append(cpu_ms / measured.cpu_ms)
    return PageResult(combined(measures), statistics.median(ratios), statistics.median(cpu_ratios))


def bench_scale(pupils: int, args) -> ScaleResult:
    cached, fixtures = database(pupils, args.establishments, args.rebuild)
    result = ScaleResult(pupils, cached.stat().st_size, asdict(fixtures))
    with tempfile.TemporaryDirectory(prefix="ts-bench-") as temporary:
        folder = Path(temporary)
        for suffix in ("", ".index"):
            shutil.copyfile(f"{cached}{suffix}", folder / f"Data.fs{suffix}")
        shutil.copytree(blob_folder(cached), blob_folder(folder / "Data.fs"))
        ini = write_ini(folder, folder / "Data.fs", args.establishments)
        server = Server(ini).start()
        try:
            bare_url = server.url + BARE_PATH

            cpu = {"cpu": server.cpu_seconds}

            def bare() -> tuple[float, float]:
                measured = load(bare_url, seconds=args.seconds, connections=args.connections, **cpu)
                result.bare.append(measured)
                return measured.requests_per_second, measured.cpu_ms

            def argon2() -> tuple[float, float]:
                measured = argon2_verify(ini)
                result.argon2_alone_ms.append(measured.alone * 1000)
                result.argon2_verify_ms.append(measured.wall * 1000)
                result.argon2_verify_cpu_ms.append(measured.cpu * 1000)
                return cores() / measured.wall, measured.cpu * 1000

            load(bare_url, seconds=args.warmup, connections=args.connections)
            family = log_in(server.url, fixtures.family_login, fixtures.password)
            cookie = {"BENCH_COOKIE": cookie_header(family)}
            result.tiles = family.get(fixtures.pages["dashboard"]).text.count('class="fr-tile ')
            result.pages["family_floor"] = compare(
                server.url + FLOOR_PATH, bare, args, environment=cookie, **cpu
            )
            result.pages["login_page"] = compare(server.url + "/connexion", bare, args, **cpu)
            for name, path in fixtures.pages.items():
                result.pages[name] = compare(
                    server.url + path, bare, args, environment=cookie, **cpu
                )
                if name in PAGE_TARGETS:
                    result.pages[FIRST_VIEW.format(name)] = compare(
                        server.url + path,
                        bare,
                        args,
                        script="first_view.lua",
                        environment=cookie,
                        **cpu,
                    )
            logins = login_requests(server.url, fixtures, folder / "logins.tsv")
            result.pages["login_post"] = compare(
                server.url + "/connexion",
                argon2,
                args,
                script="login.lua",
                status=303,
                environment={"BENCH_LOGINS": str(logins)},
                **cpu,
            )
            result.resident_bytes = server.resident_memory()
        finally:
            server.stop()
    return result


def verdict(value: float, target: float) -> str:
    return "met" if value >= target else "**missed**"


def scale_table(result: ScaleResult) -> str:
    fixtures, bare = result.fixtures, combined(result.bare)
    alone = statistics.median(result.argon2_alone_ms)
    verify = statistics.median(result.argon2_verify_ms)
    verify_cpu = statistics.median(result.argon2_verify_cpu_ms)
    rows = [
        f"### {result.pupils:,} pupils".replace(",", " "),
        "",
        f"Database {result.database_bytes / 2**20:.0f} MB; the family's dashboard shows "
        f"{result.tiles} tiles ({', '.join(fixtures['services'])}); the notes pupil has "
        f"{fixtures['grades']} grades; argon2 verify {alone:.1f} ms alone, {verify:.1f} ms "
        f"({verify_cpu:.1f} ms CPU) with one per core at once, bound "
        f"{result.argon2_bound:.1f} logins/s on {cores()} cores.",
        "",
        "| page | req/s | median ms | p99 ms | ratio | target | | server CPU ms/req | CPU ratio |",
        "|---|---:|---:|---:|---:|---:|---|---:|---:|",
        f"| bare view (all rounds) | {bare.requests_per_second:.0f} | {bare.median_ms:.1f} | "
        f"{bare.p99_ms:.1f} | 1 | | | {bare.cpu_ms:.2f} | 1 |",
    ]
    for page, measured in result.pages.items():
        m, ratio = measured.measure, measured.ratio
        reference = "× argon2 bound" if page == "login_post" else "× bare"
        target = LOGIN_TARGET if page == "login_post" else PAGE_TARGETS.get(first_of(page))
        plural = "s" if m.failures > 1 else ""
        failures = f" ({m.failures} wrong answer{plural})" if m.failures else ""
        rows.append(
            f"| {LABELS[page]}{failures} | {m.requests_per_second:.1f} | {m.median_ms:.1f} | "
            f"{m.p99_ms:.1f} | {ratio:.2f} {reference} | "
            + (f"≥ {target} | {verdict(ratio, target)} |" if target else "| |")
            + f" {m.cpu_ms:.2f} | {measured.cpu_ratio:.2f} |"
        )
    rows.append(f"\nWorker resident memory after the run: {result.resident_bytes / 2**20:.0f} MB.")
    return "\n".join(rows)


def first_of(page: str) -> str:
    """The page a first-view measure is of (``notes_first_view``: ``notes``)."""
    return page.removesuffix(FIRST_VIEW.format(""))


def comparison_table(small: ScaleResult, large: ScaleResult) -> str:
    rows = [
        f"### {large.pupils:,} against {small.pupils:,} pupils".replace(",", " "),
        "",
        "Each page's ratio (to the bare view, or to the argon2 bound) at both sizes; "
        "the last column compares the CPU ratios.",
        "",
        "| page | ratio small | ratio large | large / small | target | | CPU large / small |",
        "|---|---:|---:|---:|---:|---|---:|",
    ]
    for page, measured in large.pages.items():
        if page not in small.pages:
            continue
        before, after = small.pages[page], measured
        scale = after.ratio / before.ratio
        rows.append(
            f"| {LABELS[page]} | {before.ratio:.2f} | {after.ratio:.2f} | {scale:.2f} | "
            f"≥ {SCALE_TARGET} | {verdict(scale, SCALE_TARGET)} | "
            f"{after.cpu_ratio / before.cpu_ratio:.2f} |"
        )
    memory = large.resident_bytes
    rows.append(
        f"\nWorker memory at {large.pupils:,} pupils: {memory / 2**20:.0f} MB "
        f"(target ≤ {MEMORY_TARGET // 2**20} MB: "
        f"{'met' if memory <= MEMORY_TARGET else '**missed**'})."
    )
    return "\n".join(rows)


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
    ).stdout.strip()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return (
        f"{datetime.now():%Y-%m-%d %H:%M}, commit {commit or '?'}; "
        f"{model.group(1) if model else platform.processor()}, {cores()} cores, "
        f"{memory / 2**30:.0f} GB; Python {platform.python_version()}, {platform.system()}"
    )


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    top.add_argument("--pupils", type=int, nargs="+", default=[1000, 100000])
    top.add_argument("--seconds", type=float, default=4, help="load per round (default 4)")
    top.add_argument("--rounds", type=int, default=3, help="rounds per page (default 3)")
    top.add_argument("--warmup", type=float, default=3, help="warm-up per page (default 3)")
    top.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    top.add_argument(
        "--establishments",
        type=Path,
        default=REPOSITORY / "etc" / "establishments.toml",
        help="establishments file (default etc/establishments.toml)",
    )
    top.add_argument("--rebuild", action="store_true", help="build the databases again")
    production = top.add_mutually_exclusive_group()
    production.add_argument(
        "--topology",
        action="store_true",
        help="only the mixed family workload through the production topology",
    )
    production.add_argument(
        "--no-topology", action="store_true", help="only the pages, without the topology"
    )
    top.add_argument(
        "--concurrency",
        type=int,
        nargs="+",
        default=[1, 4, 16, 64],
        help="families at once through the topology (default 1 4 16 64)",
    )
    top.add_argument(
        "--journey-seconds",
        type=float,
        default=15,
        help="load per concurrency step through the topology (default 15)",
    )
    top.add_argument(
        "--pg-dsn", help="a PostgreSQL server for the topology (default: a private one)"
    )
    top.add_argument("--json", type=Path, help="also write the figures to this file")
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    args.establishments = args.establishments.resolve()
    print(f"## Benchmark\n\n{machine()}\n")
    results, production = [], []
    if not args.topology:
        for pupils in sorted(args.pupils):
            results.append(bench_scale(pupils, args))
            print(scale_table(results[-1]) + "\n", flush=True)
        if len(results) > 1:
            print(comparison_table(results[0], results[-1]) + "\n")
    if not args.no_topology:
        production = topology.bench_topologies(args)
        for result in production:
            print(topology.topology_table(result) + "\n", flush=True)
        if len(production) > 1:
            print(topology.comparison_table(production[0], production[-1]) + "\n")
    if args.json:
        figures = {
            "pages": [asdict(r) for r in results],
            "topology": [asdict(r) for r in production],
        }
        args.json.write_text(json.dumps(figures, indent=2, default=list), encoding="utf-8")
    errors = topology.total_errors(production)
    if errors:
        print(f"THE TOPOLOGY RUN HAD {sum(errors.values())} ERRORS: {dict(errors)}")
        return 1
    return 0
