"""The académie's journal page: what staff did, filtered by establishment,
account, action and dates."""

from __future__ import annotations

from datetime import datetime, time
from itertools import islice

import colander
from pyramid.view import view_config

from ..accounts.schemas import FrenchDate
from .office import ACADEMY

PAGE_SIZE = 50
MAX_FILTER = 64


def day_bound(text: str, end: bool) -> tuple[datetime | None, str | None]:
    """``text`` (jj/mm/aaaa) as the start or end of that day, or an error message."""
    if not text:
        return None, None
    node = colander.SchemaNode(FrenchDate())
    try:
        day = node.deserialize(text)
    except colander.Invalid as invalid:
        return None, invalid.msg
    return datetime.combine(day, time.max if end else time.min), None


@view_config(
    route_name="staff_journal",
    permission=ACADEMY,
    renderer="ts_host:templates/staff/journal.pt",
)
def journal_view(request):
    params = {key: request.GET.get(key, "")[:MAX_FILTER].strip() for key in FILTERS}
    since, since_error = day_bound(params["du"], end=False)
    until, until_error = day_bound(params["au"], end=True)
    try:
        page = max(1, int(request.GET.get("page", "1")[:6]))
    except ValueError:
        page = 1
    wanted = [
        entry
        for entry in islice(
            matching(request.site.journal.newest_first(since, until), params),
            (page - 1) * PAGE_SIZE,
            page * PAGE_SIZE + 1,
        )
    ]
    more = len(wanted) > PAGE_SIZE
    return {
        "entries": wanted[:PAGE_SIZE],
        "params": params,
        "errors": {"du": since_error, "au": until_error},
        "establishments": request.academy.establishments,
        "page": page,
        "previous_url": page_url(request, params, page - 1) if page > 1 else None,
        "next_url": page_url(request, params, page + 1) if more else None,
    }


FILTERS = ("uai", "compte", "action", "du", "au")


def matching(entries, params):
    uai, who, action = params["uai"], params["compte"].casefold(), params["action"].casefold()
    for entry in entries:
        if uai and entry.uai != uai:
            continue
        if who and who not in entry.who.casefold():
            continue
        if action and action not in entry.event.casefold():
            continue
        yield entry


def page_url(request, params, page):
    query = {key: value for key, value in params.items() if value}
    return request.route_url("staff_journal", _query={**query, "page": page})
