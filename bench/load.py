"""Loading one page with wrk, from a process of its own, and what it measured."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

WRK_SCRIPTS = Path(__file__).resolve().parent / "wrk"
SETTLE_SECONDS = 0.2


@dataclass(frozen=True)
class Measure:
    requests_per_second: float
    median_ms: float
    p99_ms: float
    requests: int
    #: Answers with another status than the expected one, and socket errors.
    failures: int
    #: The server's CPU time per request (user + system, all its threads):
    #: unlike throughput, hardly moved by what else the machine runs.
    cpu_ms: float = 0.0


def settle(cpu: Callable[[], float]) -> None:
    """Wait until the server has finished what wrk left it (slow pages queue up).

    The next measure must start on an idle server.
    """
    before = cpu()
    while True:
        time.sleep(SETTLE_SECONDS)
        after = cpu()
        if after - before < SETTLE_SECONDS / 10:
            return
        before = after


def wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    return found


def load(
    url: str,
    *,
    seconds: float,
    connections: int,
    script: str = "get.lua",
    status: int = 200,
    environment: dict[str, str] | None = None,
    cpu: Callable[[], float] | None = None,
) -> Measure:
    """Run wrk (one thread) on ``url`` for ``seconds`` with ``connections`` connections.

    ``cpu`` gives the server's CPU time so far, in seconds.
    """
    command = [
        wrk(),
        "--threads",
        "1",
        "--connections",
        str(connections),
        "--duration",
        f"{max(1, round(seconds))}s",
        "--timeout",
        "60s",
        "--script",
        str(WRK_SCRIPTS / script),
        url,
    ]
    variables = {
        **os.environ,
        "BENCH_WRK": str(WRK_SCRIPTS),
        "BENCH_STATUS": str(status),
        **(environment or {}),
    }
    started = cpu() if cpu else 0.0
    done = subprocess.run(command, env=variables, capture_output=True, text=True, check=True)
    spent = cpu() - started if cpu else 0.0
    if cpu:
        settle(cpu)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return Measure(
        requests_per_second=result["requests"] / (result["duration_us"] / 1e6),
        median_ms=result["p50_us"] / 1000,
        p99_ms=result["p99_us"] / 1000,
        requests=result["requests"],
        failures=result["unexpected"] + result["socket_errors"],
        cpu_ms=spent * 1000 / max(result["requests"], 1),
    )
