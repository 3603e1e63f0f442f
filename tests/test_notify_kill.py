"""``ts-admin notify`` killed with SIGKILL in the middle of a batch, then run
again, against a real SMTP server (aiosmtpd) in the test: every notification
arrives, and the only repeat is the mail the server had taken when the
runner died (the one window), recognisable by its Message-ID."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from email import message_from_bytes
from email.policy import default as default_policy

from aiosmtpd.controller import Controller

from ts_host.api import report_event
from ts_host.models.notifications import IMMEDIATE, Preferences, set_preferences
from ts_host.notifications.sending import message_id
from ts_host.testing import ESTABLISHMENT_A, app_settings, make_account, pupils_of
from ts_host.testing.servers import write_ini
from ts_host.testing.storages import free_port

MAILS = 12
KILL_AT = 5  # the server takes the 5th mail, then the runner is killed
LEASE_SECONDS = 1


class KillingHandler:
    """Keeps each message's Message-ID; at the ``KILL_AT``-th, kills the runner
    before answering, as if the process died right after the server took it."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self.runner: subprocess.Popen | None = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=default_policy)
        with self.lock:
            self.received.append(message["Message-ID"].strip())
            if len(self.received) == KILL_AT and self.runner is not None:
                os.kill(self.runner.pid, signal.SIGKILL)
                self.runner.wait()
        return "250 OK"


def notify(ini, handler):
    runner = subprocess.Popen(
        [sys.executable, "-m", "ts_host.cli", "notify", str(ini), "--lot", "4"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    handler.runner = runner
    out, err = runner.communicate(timeout=120)
    handler.runner = None
    return runner.returncode, out.decode(), err.decode()


def test_a_run_killed_midway_then_run_again_loses_nothing_and_repeats_only_the_window(
    ts_admin, ts_establishments_file, tmp_path
):
    handler = KillingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        port = controller.port
        with ts_admin.site() as site:
            pupil = pupils_of(site, ESTABLISHMENT_A)[0]
            account = make_account(site, _Hasher(), [pupil.id], "famille.courriel")
            set_preferences(account, "", Preferences(modes={"notes": IMMEDIATE}))
            for _n in range(MAILS):
                report_event(site, pupil, "notes", "notes", "De nouvelles notes sont publiées.")
        settings = app_settings(tmp_path, ts_establishments_file, f"file://{ts_admin.database}")
        del settings["mail.directory"]
        settings.update(
            {
                "mail.host": "127.0.0.1",
                "mail.port": str(port),
                "ts.notify.lease_seconds": str(LEASE_SECONDS),
                "ts.notify.digest_hour": "24",  # no digest in this test: immediate mails only
            }
        )
        ini = write_ini(tmp_path / "smtp.ini", settings)

        status, _out, err = notify(ini, handler)
        assert status == -signal.SIGKILL, err[-3000:]
        assert len(handler.received) == KILL_AT
        time.sleep(LEASE_SECONDS + 0.5)  # the killed runner's leases expire
        status, out, err = notify(ini, handler)
        assert status == 0, err[-3000:]
        assert f"{MAILS - KILL_AT + 1} courriel(s) envoyé(s)" in out

        with ts_admin.site() as site:
            outbox = site.notifications
            public_url = "http://teleservices.test"
            mine = [m for m in outbox.sent if m.endswith(".acct-famille.courriel/")]
            expected = {message_id(mail_id, public_url) for mail_id in mine}
            assert len(outbox.mails) == 0
        assert len(expected) == MAILS
        assert set(handler.received) == expected  # nothing lost
        repeated = {m for m in handler.received if handler.received.count(m) > 1}
        # Only the mail the server took as the runner died is sent twice.
        assert repeated == {handler.received[KILL_AT - 1]}
        assert len(handler.received) == MAILS + 1
    finally:
        controller.stop()


class _Hasher:
    """Accounts of this test never log in: no argon2 work."""

    def hash(self, secret: str) -> str:
        return "sans-objet"
