"""The audit log: one line of JSON per security event, on its own logger.

Who, what, when and from where; never a password, an answer or a token.
"""

import json
import logging
from datetime import UTC, datetime

log = logging.getLogger("ts_host.audit")


def audit(request, event: str, **fields) -> None:
    identity = getattr(request, "identity", None) if request is not None else None
    record = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "event": event,
        "account": identity.account.id if identity else None,
        "client": request.client_addr if request is not None else None,
        **fields,
    }
    log.info(json.dumps(record, ensure_ascii=False, default=str))
