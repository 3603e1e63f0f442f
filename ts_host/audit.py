"""The audit log: one line of JSON per security event, on its own logger.

Who, what, when and from where; never a password, an answer or a token.
A staff member's events also go in the office's journal (``site.journal``),
which the académie reads on the web.
A web event names the account and the client's address; an event of an
administration command (``request`` is ``None``) names the system user and
the machine that ran ``ts-admin``, and goes in the journal too, as
``cli:<user>``, when the command changes the database (``command_journal``).
"""

import getpass
import json
import logging
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from .models import JournalEntry, StaffAccount

log = logging.getLogger("ts_host.audit")


def audit(request, event: str, **fields) -> None:
    identity = getattr(request, "identity", None) if request is not None else None
    record = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "event": event,
        "account": identity.account.id if identity else None,
        "client": request.client_addr if request is not None else "ts-admin",
        **fields,
    }
    if request is None:
        record["operator"] = f"{getpass.getuser()}@{socket.gethostname()}"
    log.info(json.dumps(record, ensure_ascii=False, default=str))
    if request is None:
        site = _command_site.get()()
        if site is not None:
            _journal(site, f"cli:{getpass.getuser()}", event, fields)
        return
    staff = answerable_staff(request, event, fields)
    if staff is not None:
        _journal(request.site, staff.login, event, fields)


def _journal(site, who: str, event: str, fields: dict) -> None:
    fields = dict(fields)
    site.journal.add(
        JournalEntry(
            at=datetime.now(),
            event=event,
            who=who,
            uai=str(fields.pop("uai", "") or ""),
            target=str(fields.pop("target", "") or fields.get("pupil", "") or ""),
            details={key: str(value) for key, value in fields.items()},
        )
    )


#: While ``ts-admin`` runs a command: the site its events go to, in the
#: journal, as the operator's (``cli:<unix user>``); ``None`` when the command
#: has no database open or no transaction under way (its events stay in the log).
_command_site: ContextVar[Callable[[], object | None]] = ContextVar(
    "ts_command_site", default=lambda: None
)


@contextmanager
def command_journal(site_of: Callable[[], object | None]) -> Iterator[None]:
    """Journal the events of the administration command run inside, as its operator's."""
    token = _command_site.set(site_of)
    try:
        yield
    finally:
        _command_site.reset(token)


#: Staff events that happen before the session exists, kept in the journal
#: under the account they name: each follows a right password.
SIGN_IN_EVENTS = frozenset(
    {
        "staff.login.succeeded",
        "staff.login.recovery_code",
        "staff.second_factor.enrolled",
        "staff.activated",
    }
)


def answerable_staff(request, event: str, fields: dict) -> StaffAccount | None:
    """The staff member who answers for ``event``, if it goes in the journal."""
    if request is None:
        return None
    identity = getattr(request, "identity", None)
    if identity is not None and isinstance(identity.account, StaffAccount):
        return identity.account
    if event in SIGN_IN_EVENTS:
        return request.site.staff.get(str(fields.get("target", "")))
    return None
