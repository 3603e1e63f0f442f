"""The benchmark's load generator and report on a tiny fake portal (no timing asserted).

The fake server answers as the portal does on a journey (keypad login page,
303 with a session cookie, dashboard with the logout form, service pages,
303 logout), and can be told to fail a page: the generator must count the
journeys it completes, and every wrong answer as an error the report shows.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from bench.journeys import Family, Tally, forms, percentile, play
from bench.topology import (
    Step,
    TopologyResult,
    comparison_table,
    cpu_bound,
    topology_table,
    total_errors,
)

PASSWORD = "860357"
#: The fake keypad: position i shows digit (i + 3) % 10.
KEYPAD = "".join(f'<button data-ts-key="{i}">{(i + 3) % 10}</button>' for i in range(10))
TYPED = "".join(str((int(d) - 3) % 10) for d in PASSWORD)


class FakePortal(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    failing: set[str] = set()
    seen: list[tuple[str, str, dict]] = []

    def log_message(self, *args) -> None:
        pass

    def answer(self, status: int, body: str = "", cookie: str = "", location: str = "") -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        if cookie:
            self.send_header("Set-Cookie", cookie)
        if location:
            self.send_header("Location", location)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self.seen.append(("GET", self.path, {"cookie": self.headers.get("Cookie")}))
        if self.path in self.failing:
            return self.answer(500, "boom")
        if self.path == "/connexion":
            return self.answer(
                200,
                '<form id="connexion" method="post" action="/connexion">'
                '<input type="hidden" name="csrf_token" value="t0k">'
                '<input name="login"><input type="password" name="password">'
                f'<button name="submit" type="submit" value="submit">ok</button></form>{KEYPAD}',
                cookie="session=anonymous; Path=/",
            )
        if self.headers.get("Cookie") != "session=family":
            return self.answer(403)
        if self.path == "/":
            return self.answer(
                200,
                '<form method="get" action="/"><select name="eleve"></select></form>'
                '<form method="post" action="http://x/deconnexion">'
                '<input type="hidden" name="csrf_token" value="t1k"><button>out</button></form>',
            )
        return self.answer(200, "page")

    def do_POST(self) -> None:
        fields = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        self.seen.append(("POST", self.path, fields))
        if self.path == "/connexion" and fields.get("password") == [TYPED]:
            return self.answer(303, cookie="session=family; Path=/", location="/")
        if self.path == "/deconnexion" and fields.get("csrf_token") == ["t1k"]:
            return self.answer(303, cookie="session=; Max-Age=0; Path=/", location="/connexion")
        return self.answer(200, "wrong")


@pytest.fixture
def portal() -> Iterator[str]:
    FakePortal.failing, FakePortal.seen = set(), []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakePortal)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


FAMILIES = [Family(f"famille{n}", PASSWORD, ["/a", "/b"]) for n in range(3)]


def test_a_journey_logs_in_with_the_keypad_loads_the_pages_and_logs_out(portal):
    tally = play(portal, FAMILIES, connections=2, seconds=0.2)
    assert tally.error_count == 0, tally.errors
    assert tally.journeys >= 2 and tally.failed == 0
    assert tally.requests == 6 * tally.journeys == len(tally.latencies_ms)
    first = [(method, path) for method, path, _ in FakePortal.seen[:12]]
    assert ("POST", "/deconnexion") in first
    logins = [fields for method, path, fields in FakePortal.seen if method == "POST"]
    assert {"famille0", "famille1"} <= {f["login"][0] for f in logins if "login" in f}
    assert all(f["csrf_token"] == ["t0k"] for f in logins if "login" in f)


def test_every_wrong_answer_is_an_error_the_report_shouts(portal):
    FakePortal.failing = {"/b"}
    tally = play(portal, FAMILIES, connections=1, seconds=0.2)
    assert tally.journeys == 0 and tally.failed >= 1
    assert tally.errors == {"GET /b: 500, not 200": tally.failed}
    result = TopologyResult(pupils=10, copy_seconds=0)
    cpu = dict.fromkeys(("nginx", "application", "PostgreSQL", "load generator", "machine"), 0)
    result.steps.append(Step(2, 1, tally, cpu))
    report = topology_table(result)
    assert f"**{tally.failed} ERRORS**" in report
    assert "**THIS RUN HAD ERRORS**" in report
    assert f"GET /b: 500, not 200 × {tally.failed}" in report

    quiet = TopologyResult(pupils=10, copy_seconds=0, steps=[Step(2, 1, Tally(), cpu)])
    assert "ERRORS" not in topology_table(quiet)
    quiet.warmup_errors["timeout"] = 2
    assert "**THIS RUN HAD ERRORS**" in topology_table(quiet)
    assert "- warm-up: timeout × 2" in topology_table(quiet)
    assert total_errors([quiet]) == {"timeout": 2}


def test_the_cpu_bound_divides_the_cores_by_the_servers_cpu_per_journey(monkeypatch):
    monkeypatch.setattr("os.sched_getaffinity", lambda _pid: {0, 1})
    cpu = {"nginx": 1, "application": 6, "PostgreSQL": 3, "load generator": 5, "machine": 20}
    step = Step(2, 4, Tally(seconds=10, journeys=100), cpu)
    assert cpu_bound(step) == 20  # 2 cores / 0.1 s of server CPU per journey
    row = topology_table(TopologyResult(pupils=10, copy_seconds=0, steps=[step])).split("\n")[6]
    assert row == "| 2 | 4 | 10.0 | 0 | 0 | 0 | 0 | 0 | 10.0 | 60.0 | 30.0 | 50.0 | 50.0 | 20.0 |"


def test_a_refused_connection_is_an_error_not_a_crash():
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    tally = play(f"http://127.0.0.1:{port}", FAMILIES, connections=1, seconds=0.05)
    assert tally.journeys == 0 and set(tally.errors) == {"connection (ConnectionRefusedError)"}


def test_forms_and_percentiles():
    page = '<form id="f" action="/x"><input name="a" value="1"><input type="submit" name="s">'
    assert forms(page) == [{"id": "f", "action": "/x", "fields": {"a": "1"}}]
    assert percentile([], 0.5) == 0
    assert percentile(list(range(1, 101)), 0.5) == 50
    assert percentile(list(range(1, 101)), 0.99) == 99
    assert Tally(seconds=2, journeys=3).journeys_per_second == 1.5


def test_the_comparison_of_two_sizes_flags_what_falls_below_the_target(monkeypatch):
    monkeypatch.setattr("os.sched_getaffinity", lambda _pid: {0, 1})
    cpu = {"nginx": 1, "application": 6, "PostgreSQL": 3, "load generator": 0, "machine": 10}
    small = TopologyResult(1000, 0, steps=[Step(2, 4, Tally(seconds=10, journeys=100), cpu)])
    large = TopologyResult(100000, 0, steps=[Step(2, 4, Tally(seconds=10, journeys=80), cpu)])
    row = comparison_table(small, large).split("\n")[-1]
    assert row == "| 2 | 4 | 10.0 | 8.0 | 0.80 **missed** | 20.0 | 16.0 | 0.80 **missed** | ≥ 0.9 |"
