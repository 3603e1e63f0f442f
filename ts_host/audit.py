"""The audit log: one line of JSON per security event, on its own logger.

Who, what, when and from where; never a password, an answer or a token.
A web event names the account and the client's address; an event of an
administration command (``request`` is ``None``) names the system user and
the machine that ran ``ts-admin``.
"""

import getpass
import json
import logging
import socket
from datetime import UTC, datetime

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
