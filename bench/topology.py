"""``python -m bench --topology``: the mixed family workload through production.

The deployment of etc/production/ started by the kit's launcher
(:mod:`ts_host.testing.production`, the one tests/test_production.py
uses): nginx over TLS in front of two application processes (the units'
``pserve``, waitress) on RelStorage/PostgreSQL, a private PostgreSQL server
(``.ci/postgresql``) unless ``--pg-dsn`` or ``TS_TEST_PG_DSN`` gives one.
The benchmark's demo database (:mod:`bench.database`) is copied into it.

Families play their journeys (:mod:`bench.journeys`) at rising concurrency,
first with two processes, then with one (the upstream of the shipped site
cut to its first server), on the same database.  For each step the CPU time
of nginx, of the application processes, of PostgreSQL and of the load
generator is read from /proc, and the machine's, so that what others run
on the machine shows; after the run, each process's resident memory.
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2

from ts_host.testing.production import ETC, Missing, Topology, private_postgresql, replaced
from ts_host.testing.storages import PostgreSQL

from .database import Fixtures, database
from .journeys import Family, Tally, percentile, play
from .server import DEVELOPMENT_INI

MEMORY_TARGET = 250 * 2**20
SCALE_TARGET = 0.9
COMPONENTS = ("nginx", "application", "PostgreSQL", "load generator")


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def descendants(pid: int) -> list[int]:
    """``pid`` and every process under it (nginx's workers, PostgreSQL's backends)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                children.setdefault(int(_stat(int(entry.name))[1]), []).append(int(entry.name))
            except (OSError, IndexError):
                continue  # gone meanwhile
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        pending.extend(children.get(current, []))
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time of ``pids`` so far (those still running)."""
    total = 0
    for pid in pids:
        try:
            fields = _stat(pid)
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU time the machine spent on anything but idling, all cores (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def resident_bytes(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE).group(1)) * 1024


def postmaster_pid(dsn: str) -> int:
    """The PostgreSQL server's main process, from its data directory."""
    connection = psycopg2.connect(dsn)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW data_directory")
            folder = cursor.fetchone()[0]
    finally:
        connection.close()
    return int((Path(folder) / "postmaster.pid").read_text().split("\n", 1)[0])


@dataclass
class Step:
    processes: int
    connections: int
    tally: Tally
    #: CPU seconds over the step, per component, and the machine's ("machine").
    cpu: dict[str, float]


@dataclass
class TopologyResult:
    pupils: int
    copy_seconds: float
    #: The copy's VACUUM (ANALYZE) and CHECKPOINT (:func:`settle`).
    settle_seconds: float = 0.0
    steps: list[Step] = field(default_factory=list)
    #: Resident memory of each application process after its run, per process count.
    memory: dict[int, list[int]] = field(default_factory=dict)
    #: What went wrong during the warm-ups: errors too, though not measured.
    warmup_errors: Counter = field(default_factory=Counter)


def families(fixtures: Fixtures) -> list[Family]:
    return [
        Family(login, fixtures.password, fixtures.journey_pages[login]) for login in fixtures.logins
    ]


def development_pepper() -> str:
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(DEVELOPMENT_INI, encoding="utf-8")
    return ini["app:main"]["ts.password_pepper"]


def relstorage_conf(folder: Path, dsn: str) -> Path:
    """etc/relstorage.conf on the benchmark's database (as tests/test_production.py)."""
    shipped = (ETC / "relstorage.conf").read_text(encoding="utf-8")
    path = folder / "relstorage.conf"
    path.write_text(replaced(shipped, {"dsn dbname=teleservices": f"dsn {dsn}"}), encoding="utf-8")
    return path


def measure(topology: Topology, postmaster: int, players: list[Family], connections, args):
    def sample() -> dict[str, float]:
        times = os.times()
        return {
            "nginx": cpu_seconds(descendants(topology.nginx.pid)),
            "application": cpu_seconds([p.pid for p in topology.apps]),
            "PostgreSQL": cpu_seconds(descendants(postmaster)),
            "load generator": times.user + times.system,
            "machine": machine_busy_seconds(),
        }

    before = sample()
    tally = play(
        topology.url,
        players,
        connections=connections,
        seconds=args.journey_seconds,
        cafile=str(topology.certificate),
    )
    after = sample()
    return Step(len(topology.apps), connections, tally, {k: after[k] - before[k] for k in after})


def run_topology(
    result: TopologyResult, processes: int, dsn: str, establishments: str, players, args
) -> None:
    folder = Path(tempfile.mkdtemp(prefix="ts-bench-topology-"))
    folder.chmod(0o755)  # nginx's workers (www-data, as root) read the certificate
    try:
        topology = Topology.create(folder, processes)
        # The benchmark's accounts were hashed by its database builder, with
        # development.ini's pepper: the processes verify with the same.
        topology.environment["TS_PASSWORD_PEPPER"] = development_pepper()
        topology.start(establishments, relstorage_conf(folder, dsn))
        try:
            postmaster = postmaster_pid(dsn)
            warmup = play(
                topology.url,
                players,
                connections=max(args.concurrency),
                seconds=args.warmup,
                cafile=str(topology.certificate),
            )
            result.warmup_errors.update(warmup.errors)
            for connections in args.concurrency:
                step = measure(topology, postmaster, players, connections, args)
                result.steps.append(step)
                print(
                    f"  {processes} process(es), {connections} connections: "
                    f"{step.tally.journeys_per_second:.1f} journeys/s, "
                    f"{step.tally.error_count} errors",
                    flush=True,
                )
            result.memory[processes] = [resident_bytes(p.pid) for p in topology.apps]
        finally:
            topology.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def settle(dsn: str) -> None:
    """Leave the freshly copied database as a server that has run a while has it.

    The copy is a bulk load (1 GB at 100 000 pupils): after it, autovacuum
    analyses the tables and the kernel writes the dirty pages out, on the
    two cores the first measured step runs on (4.9 ms of « others » per
    journey at 100 000 pupils, 2026-12-05).  Vacuumed, analysed and
    checkpointed first, the copy costs the steps nothing, at either size.
    """
    connection = psycopg2.connect(dsn)
    try:
        connection.autocommit = True  # VACUUM cannot run in a transaction block
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
            try:
                cursor.execute("CHECKPOINT")
            except psycopg2.errors.InsufficientPrivilege:
                print(
                    "  CHECKPOINT refused to this role (superuser or pg_checkpoint): "
                    "the first step shares the machine with the copy's writes",
                    flush=True,
                )
    finally:
        connection.close()


def bench_topology(pupils: int, dsn: str, args) -> TopologyResult:
    cached, fixtures = database(pupils, args.establishments, args.rebuild)
    server = PostgreSQL(dsn)
    started = time.monotonic()
    name = server.create_template(cached)
    copied = time.monotonic()
    settle(server.dsn_of(name))
    result = TopologyResult(pupils, copied - started, time.monotonic() - copied)
    establishments = args.establishments.read_text(encoding="utf-8")
    try:
        for processes in (2, 1):
            run_topology(
                result, processes, server.dsn_of(name), establishments, families(fixtures), args
            )
    finally:
        server.drop(name)
    return result


def bench_topologies(args) -> list[TopologyResult]:
    """Each size of database through the production topology."""
    given = args.pg_dsn or os.environ.get("TS_TEST_PG_DSN")
    try:
        if given:
            return [bench_topology(pupils, given, args) for pupils in sorted(args.pupils)]
        with private_postgresql() as dsn:
            return [bench_topology(pupils, dsn, args) for pupils in sorted(args.pupils)]
    except Missing as missing:
        raise SystemExit(
            f"the production topology cannot run: {missing} (--no-topology: the pages only)"
        ) from missing


def errors_cell(tally: Tally) -> str:
    """Errors are errors: a step with any is shouted in its row."""
    count = tally.error_count
    return f"**{count} ERRORS**" if count else "0"


def topology_table(result: TopologyResult) -> str:
    title = f"### Production topology, {result.pupils:,} pupils".replace(",", " ")
    rows = [
        title,
        "",
        f"nginx (TLS) → waitress processes → RelStorage/PostgreSQL; the database copied into "
        f"PostgreSQL in {result.copy_seconds:.0f} s, then vacuumed, analysed and checkpointed "
        f"in {result.settle_seconds:.0f} s.  A journey: login page, login POST, "
        "dashboard, absences, notes (current period), logout: 6 requests.",
        "",
        "| processes | connections | journeys/s | req/s | p50 ms | p99 ms | journey p50 ms "
        "| errors | CPU ms per journey: nginx | app | PostgreSQL | load gen. | others "
        "| CPU bound journeys/s |",
        "|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    failing: list[str] = []
    for step in result.steps:
        tally = step.tally
        journeys = max(tally.journeys, 1)
        ours = sum(step.cpu[c] for c in COMPONENTS)
        cpu = [step.cpu[c] for c in COMPONENTS] + [max(step.cpu["machine"] - ours, 0)]
        rows.append(
            f"| {step.processes} | {step.connections} | {tally.journeys_per_second:.1f} | "
            f"{tally.requests_per_second:.0f} | {percentile(tally.latencies_ms, 0.5):.0f} | "
            f"{percentile(tally.latencies_ms, 0.99):.0f} | "
            f"{percentile(tally.journey_ms, 0.5):.0f} | {errors_cell(tally)} | "
            + " | ".join(f"{seconds * 1000 / journeys:.1f}" for seconds in cpu)
            + f" | {cpu_bound(step):.1f} |"
        )
        if tally.errors:
            kinds = ", ".join(f"{kind} × {n}" for kind, n in tally.errors.most_common())
            failing.append(f"{step.processes} process(es), {step.connections} connections: {kinds}")
    if result.warmup_errors:
        kinds = ", ".join(f"{kind} × {n}" for kind, n in result.warmup_errors.most_common())
        failing.append(f"warm-up: {kinds}")
    if failing:
        rows += ["", "**THIS RUN HAD ERRORS**: the figures above are not valid.", ""]
        rows += [f"- {line}" for line in failing]
    rows += ["", scaling_table(result), "", memory_line(result)]
    return "\n".join(rows)


def cpu_bound(step: Step) -> float:
    """The journeys/s this machine's cores would allow if they ran only the
    topology (nginx, the processes, PostgreSQL) at this step's CPU cost per
    journey: a figure that what else runs on the machine hardly moves."""
    server = sum(step.cpu[c] for c in ("nginx", "application", "PostgreSQL"))
    return len(os.sched_getaffinity(0)) * step.tally.journeys / server if server else 0.0


def scaling_table(result: TopologyResult) -> str:
    by = {(s.processes, s.connections): s.tally for s in result.steps}
    rows = [
        "| connections | journeys/s, 1 process | 2 processes | 2 / 1 |",
        "|---:|---:|---:|---:|",
    ]
    for connections in sorted({c for _p, c in by}):
        one, two = by.get((1, connections)), by.get((2, connections))
        if one and two:
            ratio = two.journeys_per_second / max(one.journeys_per_second, 1e-9)
            rows.append(
                f"| {connections} | {one.journeys_per_second:.1f} | "
                f"{two.journeys_per_second:.1f} | {ratio:.2f} |"
            )
    return "\n".join(rows)


def memory_line(result: TopologyResult) -> str:
    parts = []
    for processes, sizes in sorted(result.memory.items(), reverse=True):
        shown = ", ".join(f"{size / 2**20:.0f} MB" for size in sizes)
        parts.append(f"{processes} process(es): {shown}")
    largest = max((s for sizes in result.memory.values() for s in sizes), default=0)
    verdict = "met" if largest <= MEMORY_TARGET else "**missed**"
    return (
        f"Resident memory of each application process after its run: {'; '.join(parts)} "
        f"(target ≤ {MEMORY_TARGET // 2**20} MB: {verdict})."
    )


def comparison_table(small: TopologyResult, large: TopologyResult) -> str:
    """The largest database against the smallest, step by step: journeys/s,
    and the CPU bound, which what else runs on the machine hardly moves."""
    before = {(s.processes, s.connections): s for s in small.steps}
    after = {(s.processes, s.connections): s for s in large.steps}
    rows = [
        f"### Production topology, {large.pupils:,} against {small.pupils:,} pupils".replace(
            ",", " "
        ),
        "",
        "| processes | connections | journeys/s small | large | large / small | "
        "CPU bound small | large | large / small | target |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for key in sorted(set(before) & set(after), reverse=True):
        old, new = before[key], after[key]
        ratios = []
        for value_old, value_new in (
            (old.tally.journeys_per_second, new.tally.journeys_per_second),
            (cpu_bound(old), cpu_bound(new)),
        ):
            ratio = value_new / max(value_old, 1e-9)
            verdict = "" if ratio >= SCALE_TARGET else " **missed**"
            ratios.append(f"{value_old:.1f} | {value_new:.1f} | {ratio:.2f}{verdict}")
        rows.append(f"| {key[0]} | {key[1]} | {' | '.join(ratios)} | ≥ {SCALE_TARGET} |")
    return "\n".join(rows)


def total_errors(results: list[TopologyResult]) -> Counter:
    errors: Counter = Counter()
    for result in results:
        errors.update(result.warmup_errors)
        for step in result.steps:
            errors.update(step.tally.errors)
    return errors
