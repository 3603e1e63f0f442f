"""The absences page (guide, section 2.4.2), its dashboard tile, and the
families' forms that justify an absence or announce one."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import colander
import deform
from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther

from ts_host.api import (
    FormView,
    Pupil,
    PupilContext,
    Tile,
    date_ranges,
    day_label,
    find_date_range,
    flash,
    format_date,
    of_name,
    today,
)

from . import justifications
from .counting import current_week_day, parse_split, weekly_rows
from .i18n import _
from .models import ACCEPTED, REFUSED, SENT, SERVICE_ID, Absence
from .schemas import MORNING, AnnounceSchema, JustifySchema

PAGE_ROUTE = "ts_absences.pupil"
JUSTIFY_ROUTE = "ts_absences.justify"
ANNOUNCE_ROUTE = "ts_absences.announce"

#: The query-string key naming the absence to justify (its start).
ABSENCE_PARAM = "absence"
#: The state a family reads for each line, and its DSFR badge.
TO_JUSTIFY = "a-justifier"
STATES = {
    TO_JUSTIFY: (_("à justifier"), "warning"),
    SENT: (_("justification envoyée"), "info"),
    ACCEPTED: (_("acceptée"), "success"),
    REFUSED: (_("refusée"), "error"),
}

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
    split = parse_split(establishment.half_day_split)
    lines = justifications.absence_lines(data, split)
    return {
        "lines": [
            line for line in lines if chosen.start <= line.absence.start.date() <= chosen.end
        ],
        "announcements": justifications.announcements(data),
        "may_justify": justifications.may_justify(context, now),
        "any_justifiable": any(line.justifiable for line in lines),
        "states": STATES,
        "line_state": line_state,
        "span_label": span_label,
        "absence_key": absence_key,
        "justify_route": JUSTIFY_ROUTE,
        "announce_route": ANNOUNCE_ROUTE,
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


def line_state(line: justifications.AbsenceLine) -> str:
    if line.justification is not None:
        return line.justification.state
    return TO_JUSTIFY


def span_label(start: datetime, end: datetime):
    """« lundi 15/02/2027, 08:00 – 17:00 », or « du … au … » over several days
    (an end at midnight is the end of the day before)."""
    last = end - timedelta(minutes=1) if end.time() == time.min else end
    until = "24:00" if end.time() == time.min else f"{end:%H:%M}"
    if start.date() == last.date():
        return _(
            "${day}, ${start} – ${end}",
            mapping={"day": day_label(start.date()), "start": f"{start:%H:%M}", "end": until},
        )
    return _(
        "du ${first} ${start} au ${last} ${end}",
        mapping={
            "first": day_label(start.date()),
            "start": f"{start:%H:%M}",
            "last": day_label(last.date()),
            "end": until,
        },
    )


def absence_key(absence: Absence) -> str:
    return absence.start.isoformat(timespec="minutes")


def sent_at(request) -> datetime:
    """Now, on the day ``ts.today`` fixes (demo and tests) if it does."""
    return datetime.combine(today(request), datetime.now().time().replace(microsecond=0))


class JustificationFormView(FormView):
    """What the two forms share: who may send, the establishment's reasons, the way back."""

    def __init__(self, context: PupilContext, request) -> None:
        super().__init__(context, request)
        if not justifications.may_justify(context, today(request)):
            raise HTTPNotFound()
        self.back_url = request.route_url(PAGE_ROUTE, pupil=context.pupil.id)
        self.split = parse_split(context.establishment.half_day_split)
        self.buttons = (
            deform.Button("submit", _("Envoyer")),
            deform.Button("back", _("Annuler"), type="link", value=self.back_url),
        )

    def prepare_schema(self, schema) -> None:
        """The establishment's reasons, stored as the configuration (or the
        default list, in French) words them, shown in the family's language."""
        translate = self.request.localizer.translate
        reasons = self.context.settings["reasons"]
        schema["reason"].widget.values = [
            ("", _("Choisissez un motif")),
            *((str(reason), translate(reason)) for reason in reasons),
        ]
        schema["reason"].validator = colander.OneOf(
            [str(reason) for reason in reasons], msg_err=_("Choisissez un motif de la liste.")
        )

    def values(self) -> dict:
        return {"pupil": self.context.pupil, "back_url": self.back_url}

    def sent(self, message) -> HTTPSeeOther:
        flash(self.request, message, "success")
        return HTTPSeeOther(self.back_url)


class JustifyView(JustificationFormView):
    """« Justifier une absence »: one recorded without a legitimate reason."""

    schema = JustifySchema
    form_id = "justifier"
    title = _("Justifier une absence")

    def justifiable(self) -> dict[str, justifications.AbsenceLine]:
        data = self.context.pupil.services.get(SERVICE_ID)
        return {
            absence_key(line.absence): line
            for line in justifications.absence_lines(data, self.split)
            if line.justifiable
        }

    def prepare_schema(self, schema) -> None:
        super().prepare_schema(schema)
        self.lines = self.justifiable()
        schema["absence"].widget.values = [
            ("", _("Choisissez l'absence")),
            *(
                (key, span_label(line.absence.start, line.absence.end))
                for key, line in self.lines.items()
            ),
        ]
        schema["absence"].validator = colander.OneOf(
            list(self.lines), msg_err=_("Choisissez une absence de la liste.")
        )

    def appstruct(self) -> dict:
        key = self.request.params.get(ABSENCE_PARAM, "")
        line = self.lines.get(key)
        if line is None:
            return {}
        current = line.justification
        if current is None:
            return {"absence": key}
        return {"absence": key, "reason": current.reason, "comment": current.comment}

    def values(self) -> dict:
        return {**super().values(), "title": self.title, "nothing": not self.lines}

    def submit_success(self, appstruct: dict):
        line = self.lines[appstruct["absence"]]
        justifications.justify(
            self.request,
            self.context.pupil,
            line.absence,
            appstruct["reason"],
            appstruct["comment"],
            sent_at(self.request),
            self.split,
        )
        return self.sent(_("Votre justification est envoyée à la vie scolaire."))


class AnnounceView(JustificationFormView):
    """« Annoncer une absence »: half-days to come, from one to another."""

    schema = AnnounceSchema
    form_id = "annoncer"
    title = _("Annoncer une absence")

    def values(self) -> dict:
        return {**super().values(), "title": self.title, "nothing": False}

    def moment(self, day: date, half: str, *, end: bool) -> datetime:
        if not end:
            return datetime.combine(day, time.min if half == MORNING else self.split)
        if half == MORNING:
            return datetime.combine(day, self.split)
        return datetime.combine(day + timedelta(days=1), time.min)

    def submit_success(self, appstruct: dict):
        first, last = appstruct["first_day"], appstruct["last_day"]
        establishment = self.context.establishment
        now = today(self.request)
        if first < now:
            return self.invalid(
                appstruct,
                _("Une absence annoncée est à venir."),
                first_day=_("Le premier jour est passé : justifiez plutôt l'absence constatée."),
            )
        if last > establishment.year_end:
            return self.invalid(
                appstruct,
                _("Une absence annoncée tient dans l'année scolaire."),
                last_day=_(
                    "L'année scolaire finit le ${date}.",
                    mapping={"date": format_date(establishment.year_end)},
                ),
            )
        start = self.moment(first, appstruct["first_half"], end=False)
        end = self.moment(last, appstruct["last_half"], end=True)
        if end <= start:
            return self.invalid(
                appstruct,
                _("La fin de l'absence doit venir après son début."),
                last_day=_("Choisissez un dernier jour (ou une demi-journée) après le premier."),
            )
        justifications.announce(
            self.request,
            self.context.pupil,
            start,
            end,
            appstruct["reason"],
            appstruct["comment"],
            sent_at(self.request),
        )
        return self.sent(_("Votre absence annoncée est envoyée à la vie scolaire."))
