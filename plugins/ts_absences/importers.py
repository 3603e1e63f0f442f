"""``ts-admin import absences FILE``: the vie scolaire's absences (see IMPORT.md)."""

from __future__ import annotations

from datetime import datetime

from ts_host.api import (
    Column,
    Importer,
    ImportSummary,
    Line,
    NotFound,
    parse_french_date,
    report_event,
    service_data,
)

from .i18n import _
from .models import PROCESSED, REPORTED, SERVICE_ID, Absence, PupilAbsences

STATES = {
    "signalee": REPORTED,
    "signalée": REPORTED,
    "traitee": PROCESSED,
    "traitée": PROCESSED,
}
YES_NO = {"oui": True, "non": False}


def parse_datetime(text: str) -> datetime:
    """Read ``JJ/MM/AAAA HH:MM``; raise ``ValueError`` with a French message."""
    try:
        day_text, hour_text = text.split()
        day = parse_french_date(day_text)
        hour = datetime.strptime(hour_text, "%H:%M").time()
    except ValueError:
        raise ValueError(f"date et heure invalides « {text} » (JJ/MM/AAAA HH:MM attendu)") from None
    return datetime.combine(day, hour)


def _moment(name: str):
    """The parser of the ``debut`` or ``fin`` column: its problem names the column."""

    def parse(text: str) -> datetime:
        try:
            return parse_datetime(text)
        except ValueError as exc:
            raise ValueError(f"{name} : {exc}") from None

    return parse


def _state(text: str) -> str:
    state = STATES.get(text.lower())
    if state is None:
        raise ValueError(f"état inconnu « {text} » (signalée ou traitée attendu)")
    return state


def _yes_no(text: str) -> bool:
    value = YES_NO.get(text.lower())
    if value is None:
        raise ValueError(f"motif_legitime inconnu « {text} » (oui ou non attendu)")
    return value


class AbsencesImporter(Importer):
    """The vie scolaire's extraction of the year, per establishment it cites."""

    name = SERVICE_ID
    columns = (
        Column("uai", "UAI de l'établissement (ex. 0541234Y)"),
        Column("eleve_ine", "INE de l'élève dans cet établissement"),
        Column("debut", "début, JJ/MM/AAAA HH:MM", parse=_moment("debut")),
        Column("fin", "fin, JJ/MM/AAAA HH:MM, après le début", parse=_moment("fin")),
        Column("etat", "signalée (pas encore traitée) ou traitée", parse=_state),
        Column(
            "motif_legitime",
            "oui ou non (case « motif légitime » cochée par le CPE)",
            parse=_yes_no,
        ),
    )
    description = """\
Le fichier est l'extraction complète de l'année pour chaque établissement
qu'il cite : les absences d'un élève de cet établissement qui n'y figurent
plus sont supprimées.  Une absence est repérée par son élève et son début.
Les justifications données en ligne par les familles sont gardées : elles
restent attachées aux demi-journées qu'elles couvrent."""

    def __init__(self, site, academy) -> None:
        super().__init__(site, academy)
        self.first_line: dict[tuple[str, datetime], int] = {}

    def check(self, line: Line) -> tuple[str, str, Absence] | None:
        uai = line["uai"].upper()
        try:
            pupil = self.pupils.get_by_ine(uai, line["eleve_ine"])
            if pupil is None:
                line.problem(f"élève inconnu dans {uai} (INE « {line['eleve_ine']} »)")
        except NotFound as exc:
            pupil = None
            line.problem(str(exc))
        start, end = line["debut"], line["fin"]
        if end <= start:
            line.problem("la fin doit être après le début")
        absence = Absence(start, end, line["etat"], line["motif_legitime"])
        if pupil is None:
            return None
        earlier = self.first_line.setdefault((pupil.id, start), line.number)
        if earlier != line.number:
            raise ValueError(
                f"absence en double : même élève et même début qu'à la ligne {earlier}"
            )
        return uai, pupil.id, absence

    def write(self, checked: list[tuple[str, str, Absence]]) -> ImportSummary:
        """Replace the absences of every pupil of the establishments the file cites."""
        uais = {uai for uai, _pupil_id, _absence in checked}
        by_pupil: dict[str, dict[datetime, Absence]] = {}
        for _uai, pupil_id, absence in checked:
            by_pupil.setdefault(pupil_id, {})[absence.start] = absence
        summary = ImportSummary(extra={"supprimées": 0})
        for uai in sorted(uais):
            for pupil in self.pupils.pupils(uai):
                wanted = by_pupil.get(pupil.id, {})
                if not wanted and pupil.services.get(SERVICE_ID) is None:
                    continue
                data = service_data(pupil, SERVICE_ID, PupilAbsences)
                created, updated, unchanged, deleted = data.replace(wanted.values())
                if data.empty:
                    pupil.services.pop(SERVICE_ID)
                summary.created += created
                if created:
                    report_event(
                        self.site,
                        pupil,
                        SERVICE_ID,
                        "absence",
                        _("Une nouvelle absence est enregistrée."),
                    )
                summary.updated += updated
                summary.unchanged += unchanged
                summary.extra["supprimées"] += deleted
        return summary


import_absences = AbsencesImporter.run
FORMATS = [AbsencesImporter.import_format()]
