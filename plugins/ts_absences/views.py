"""The absences page (guide, section 2.4.2) and its dashboard tile."""

from __future__ import annotations

from ts_host.api import (
    Pupil,
    PupilContext,
    Tile,
    date_ranges,
    find_date_range,
    format_date,
    of_name,
    today,
)

from .counting import current_week_day, parse_split, weekly_rows
from .i18n import _
from .models import SERVICE_ID

PAGE_ROUTE = "ts_absences.pupil"

#: The query-string key of the "Filtre par" selector.
RANGE_PARAM = "periode"


def dashboard_tile(request, pupil: Pupil) -> Tile:
    return Tile(
        title=_("Les absences"),
        text=_(
            "Le nombre par semaine des demi-journées où au moins une absence a été "
            "signalée et traitée."
        ),
        link_label=_(
            "Consultez les absences ${of_first_name}",
            mapping={"of_first_name": of_name(request, pupil.first_name)},
        ),
        url=request.route_url(PAGE_ROUTE, pupil=pupil.id),
    )


def absences_view(context: PupilContext, request) -> dict:
    """Weeks of the chosen month, period or year, most recent first.

    By default, the month holding the current week (see :func:`current_week_day`).
    """
    establishment = context.establishment
    now = today(request)
    chosen = find_date_range(
        establishment,
        request.params.get(RANGE_PARAM),
        current_week_day(now, establishment.year_start, establishment.year_end),
        default_kind="month",
    )
    ranges = date_ranges(establishment)
    data = context.pupil.services.get(SERVICE_ID)
    rows = weekly_rows(
        data if data is not None else (),
        chosen,
        establishment.year_start,
        now,
        parse_split(establishment.half_day_split),
    )
    contact = context.contact
    return {
        "chosen": chosen,
        "range_param": RANGE_PARAM,
        "periods": [r for r in ranges if r.kind == "period"],
        "months": [r for r in ranges if r.kind == "month"],
        "years": [r for r in ranges if r.kind == "year"],
        "rows": rows,
        "format_date": format_date,
        "address": establishment.address,
        "contact": contact,
        "has_contact": bool(contact.email or contact.phone or contact.fax),
        "contact_title": _("La vie scolaire"),
    }
