"""Notifications: events stored with their data, preferences, the queue's
protocol (plan, claim with a lease, record), the mails it builds."""

from __future__ import annotations

import argparse
import contextlib
import email
import email.policy
import smtplib
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
import transaction
from transaction.interfaces import NoTransaction
from ZODB.POSException import ConflictError

from ts_host.api import report_event
from ts_host.cli.notify import cmd_notify, configure
from ts_host.models import Responsable, ResponsableLink
from ts_host.models.notifications import (
    DIGEST,
    IMMEDIATE,
    NONE,
    Preferences,
    preferences,
    set_preferences,
)
from ts_host.notifications import queue
from ts_host.notifications.sending import Settings, message_id, run
from ts_host.root import appmaker
from ts_host.storage import get_database
from ts_host.testing import TODAY, attach_responsable

MORNING = datetime(2027, 2, 15, 9, 0)
EVENING = datetime(2027, 2, 15, 18, 0)
LEASE = timedelta(minutes=5)


def choose(site, account_id, holder="", **modes):
    set_preferences(site.accounts[account_id], holder, Preferences(modes=modes))


def mails_to(site, account_id):
    """The family's mails waiting (the demo's accounts of the same pupil have theirs)."""
    return [m for m in site.notifications.mails.values() if m.recipient.account_id == account_id]


def report(site, pupil_id, service_id="notes", kind="notes"):
    return report_event(
        site, site.pupils[pupil_id], service_id, kind, "De nouvelles notes sont publiées."
    )


class FakeSMTP:
    """Records what it accepts; refuses the addresses in ``refuse``."""

    def __init__(self, refuse=()):
        self.refuse = set(refuse)
        self.sent = []

    def send(self, sender, recipients, message):
        if recipients[0] in self.refuse:
            raise smtplib.SMTPRecipientsRefused({recipients[0]: (550, b"boite inconnue")})
        self.sent.append(email.message_from_bytes(message.as_bytes(), policy=email.policy.default))


def test_an_event_is_stored_only_if_its_transaction_commits(site, tm, pupil_enabled):
    with pytest.raises(RuntimeError), tm:
        report(site, pupil_enabled)
        raise RuntimeError("the import fails")
    with tm:
        assert len(site.notifications.events) == 0
        event = report(site, pupil_enabled)
    with tm:
        assert list(site.notifications.events) == [event.id]


def test_preferences_choose_between_at_once_a_digest_and_nothing(site, tm, family):
    pupil = family.pupil_ids[0]
    with tm:
        choose(site, family.account_id, notes=IMMEDIATE, absences=DIGEST, fiche=NONE)
        notes = report(site, pupil)
        absence = report(site, pupil, "absences", "absence")
        report(site, pupil, "fiche", "fiche")
    account = family.account_id
    with tm:
        queue.plan(site, MORNING, digest_hour=17)
        (mail,) = mails_to(site, account)
        assert (mail.digest, mail.events) == (False, (notes,))
        assert len(site.notifications.events) == 0  # the three are given out
    with tm:
        queue.plan(site, EVENING, digest_hour=17)
        (digest,) = [m for m in mails_to(site, account) if m.digest]
        assert digest.events == (absence,)
        later = report(site, pupil, "absences", "absence")
    with tm:  # one digest a day: the new absence waits for tomorrow's
        queue.plan(site, EVENING + timedelta(hours=2), digest_hour=17)
        assert len(mails_to(site, account)) == 2
        queue.plan(site, EVENING + timedelta(days=1), digest_hour=17)
        assert [m.events for m in mails_to(site, account) if m.digest][-1] == (later,)


def test_default_is_a_daily_digest(site, tm, family):
    with tm:
        assert preferences(site.accounts[family.account_id]).mode("notes") == DIGEST
        report(site, family.pupil_ids[0])
        queue.plan(site, MORNING, digest_hour=17)
        assert mails_to(site, family.account_id) == []
        queue.plan(site, EVENING, digest_hour=17)
        (digest,) = mails_to(site, family.account_id)
        assert digest.digest


def test_an_event_waits_for_its_day(site, tm, family):
    with tm:
        choose(site, family.account_id, notes=IMMEDIATE)
        report_event(
            site,
            site.pupils[family.pupil_ids[0]],
            "notes",
            "notes",
            "De nouvelles notes sont publiées.",
            not_before=MORNING + timedelta(days=3),
        )
        queue.plan(site, MORNING, digest_hour=17)
        assert mails_to(site, family.account_id) == []
        queue.plan(site, MORNING + timedelta(days=3), digest_hour=17)
        assert len(mails_to(site, family.account_id)) == 1


def test_a_responsable_of_a_shared_account_with_an_address_chooses_alone(site, tm, family):
    pupil_id = family.pupil_ids[0]
    with tm:
        account = site.accounts[family.account_id]
        pupil = site.pupils[pupil_id]
        other = "resp-second-parent"
        site.add_responsable(
            Responsable(other, pupil.uai, "M.", "Second", "Parent", email="second@example.org")
        )
        pupil.responsables.append(ResponsableLink(other, 2))
        attach_responsable(site, account, pupil_id, other)
        choose(site, family.account_id, notes=NONE)
        choose(site, family.account_id, other, notes=IMMEDIATE)
        report(site, pupil_id)
        queue.plan(site, MORNING, digest_hour=17)
        (mail,) = mails_to(site, family.account_id)
        assert (mail.recipient.address, mail.recipient.holder) == (
            "second@example.org",
            other,
        )


def immediate_mails(site, tm, family, count):
    with tm:
        choose(site, family.account_id, notes=IMMEDIATE)
        for _n in range(count):
            report(site, family.pupil_ids[0])
        queue.plan(site, MORNING, digest_hour=17)


def test_a_lease_holds_the_mail_until_it_expires(site, tm, family):
    immediate_mails(site, tm, family, 1)
    with tm:
        (mail,) = queue.claim(site, "A", MORNING, LEASE, 10)
        assert queue.claim(site, "B", MORNING + timedelta(minutes=4), LEASE, 10) == []
        # A was killed before recording: once the lease expires, B sends it.
        (again,) = queue.claim(site, "B", MORNING + timedelta(minutes=6), LEASE, 10)
        assert (again.id, again.lease_owner, again.attempts) == (mail.id, "B", 2)
        queue.record_sent(site, mail.id, MORNING + timedelta(minutes=6))
        assert queue.claim(site, "C", MORNING + timedelta(hours=1), LEASE, 10) == []
        assert mail.id in site.notifications.sent


def test_two_runners_never_claim_the_same_mail(ts_app, site, tm, family):
    immediate_mails(site, tm, family, 3)
    other_tm = transaction.TransactionManager(explicit=True)
    connection = get_database(ts_app.registry).open(transaction_manager=other_tm)
    try:
        tm.begin()
        first = [m.id for m in queue.claim(site, "A", MORNING, LEASE, 10)]
        other_tm.begin()  # B starts before A commits: it reaches for the same mails
        other_site = appmaker(connection.root())
        assert len(queue.claim(other_site, "B", MORNING, LEASE, 10)) == 3
        tm.commit()
        with pytest.raises(ConflictError):
            other_tm.commit()
        other_tm.abort()
        with other_tm:  # B backs off and tries again: nothing is left for it
            assert queue.claim(appmaker(connection.root()), "B", MORNING, LEASE, 10) == []
        with tm:
            mails = site.notifications.mails
            assert {mails[mail_id].lease_owner for mail_id in first} == {"A"}
    finally:
        with contextlib.suppress(NoTransaction):
            other_tm.abort()
        connection.close()


def test_the_runner_sends_text_and_html_with_a_stable_id_and_one_click_unsubscribe(
    ts_app, site, tm, family
):
    immediate_mails(site, tm, family, 2)
    smtp = FakeSMTP()
    report_ = run(tm, lambda: site, ts_app.registry, smtp, Settings(), now=lambda: MORNING)
    assert (report_.sent, report_.failed) == (2, 0)
    message = smtp.sent[0]
    with tm:
        (first_id, _second) = sorted(site.notifications.sent)
        assert len(site.notifications.mails) == 0
    public_url = ts_app.registry.ts_academy.public_url
    assert message["Message-ID"].strip() == message_id(first_id, public_url)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].strip().startswith("<http")
    assert "/desabonnement/" in message["List-Unsubscribe"]
    assert message["To"] == "famille.test@example.org"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "De nouvelles notes sont publiées." in text and "Voir la page" in html
    assert f"/eleve/{family.pupil_ids[0]}/notes\n" in text
    # Nothing more is due: a second run sends nothing.
    assert run(tm, lambda: site, ts_app.registry, smtp, Settings(), now=lambda: MORNING).sent == 0


def test_a_refused_mail_is_tried_again_then_given_up(ts_app, site, tm, family):
    immediate_mails(site, tm, family, 1)
    smtp = FakeSMTP(refuse={"famille.test@example.org"})
    when = MORNING
    for refusal in range(1, queue.MAX_REFUSALS + 1):
        report_ = run(
            tm, lambda: site, ts_app.registry, smtp, Settings(), now=lambda when=when: when
        )
        assert report_.failed == 1
        assert report_.abandoned == (1 if refusal == queue.MAX_REFUSALS else 0)
        when += LEASE  # the lease of the refused try expires
    with tm:
        assert len(site.notifications.mails) == 0
        assert len(site.notifications.abandoned) == 1


class Unreachable:
    def send(self, sender, recipients, message):
        raise ConnectionRefusedError(111, "Connection refused")


def test_an_smtp_server_down_stops_the_run_and_gives_up_nothing(ts_app, site, tm, family):
    immediate_mails(site, tm, family, 3)
    when = MORNING
    for _run in range(queue.MAX_REFUSALS + 2):
        report_ = run(
            tm, lambda: site, ts_app.registry, Unreachable(), Settings(), now=lambda w=when: w
        )
        assert (report_.sent, report_.failed, report_.abandoned) == (0, 1, 0)
        when += LEASE
    smtp = FakeSMTP()
    assert run(tm, lambda: site, ts_app.registry, smtp, Settings(), now=lambda: when).sent >= 3
    with tm:
        assert mails_to(site, family.account_id) == []
        assert len(site.notifications.abandoned) == 0


def test_a_forgotten_pupil_or_account_leaves_nothing_waiting(site, tm, family):
    pupil_id = family.pupil_ids[0]
    with tm:
        choose(site, family.account_id, notes=IMMEDIATE)
        report(site, pupil_id)
        queue.plan(site, MORNING, digest_hour=17)
        report(site, pupil_id, "absences", "absence")
        report(site, pupil_id)
        queue.plan(site, MORNING, digest_hour=17)  # digest lines for the absence
        report(site, pupil_id)  # not yet given out
        assert mails_to(site, family.account_id) and len(site.notifications.digests)
        site.forget_account(site.accounts[family.account_id])
        assert mails_to(site, family.account_id) == []
        site.forget_pupil(site.pupils[pupil_id])
        outbox = site.notifications
        waiting = [*outbox.events.values(), *(e for _r, e in outbox.digests.values())]
        waiting += [e for m in outbox.mails.values() for e in m.events]
        assert not [e for e in waiting if e.pupil_id == pupil_id]


def notify(ts_app, site, tm, *words) -> None:
    """``ts-admin notify`` with ``words``, on the test's site (no process, no copy)."""
    parser = argparse.ArgumentParser()
    configure(parser)
    env = SimpleNamespace(settings=ts_app.registry.settings, registry=ts_app.registry)
    env.tm, env.site = tm, site
    assert cmd_notify(env, parser.parse_args(words)) == 0


def test_notify_told_the_digest_hour_makes_the_day_s_digest_before_it(ts_app, site, tm, family):
    """``ts-admin notify --heure-du-resume`` replaces ``ts.notify.digest_hour``
    for one run: 24 makes no digest today, 0 makes it whatever the time."""
    with tm:
        report(site, family.pupil_ids[0])
    digest = f"quotidien.{TODAY}.{family.account_id}/"
    notify(ts_app, site, tm, "--heure-du-resume", "24")
    with tm:
        assert digest not in site.notifications.sent
    notify(ts_app, site, tm, "--heure-du-resume", "0")
    with tm:
        assert digest in site.notifications.sent
