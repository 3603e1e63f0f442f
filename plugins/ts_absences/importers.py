"""``ts-admin import absences FILE``: the vie scolaire's absences (see IMPORT.md)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from ts_host.api import (
    BadLine,
    ImportFormat,
    ImportRejected,
    ImportSummary,
    Site,
    parse_french_date,
    read_csv,
    service_data,
)

from .models import PROCESSED, REPORTED, SERVICE_ID, Absence, PupilAbsences

COLUMNS = ("uai", "eleve_ine", "debut", "fin", "etat", "motif_legitime")
STATES = {
    "signalee": REPORTED,
    "signalée": REPORTED,
    "traitee": PROCESSED,
    "traitée": PROCESSED,
}
YES_NO = {"oui": True, "non": False}

HELP = """\
Absences des élèves, fichier CSV en UTF-8 séparé par des points-virgules, avec
l'en-tête : uai;eleve_ine;debut;fin;etat;motif_legitime
  uai             UAI de l'établissement (ex. 0541234Y)
  eleve_ine       INE de l'élève dans cet établissement
  debut, fin      JJ/MM/AAAA HH:MM ; la fin est après le début
  etat            signalée (pas encore traitée) ou traitée
  motif_legitime  oui ou non (case « motif légitime » cochée par le CPE)
Le fichier est l'extraction complète de l'année pour chaque établissement
qu'il cite : les absences d'un élève de cet établissement qui n'y figurent
plus sont supprimées.  Une absence est repérée par son élève et son début."""


def parse_datetime(text: str) -> datetime:
    """Read ``JJ/MM/AAAA HH:MM``; raise ``ValueError`` with a French message."""
    try:
        day_text, hour_text = text.split()
        day = parse_french_date(day_text)
        hour = datetime.strptime(hour_text, "%H:%M").time()
    except ValueError:
        raise ValueError(f"date et heure invalides « {text} » (JJ/MM/AAAA HH:MM attendu)") from None
    return datetime.combine(day, hour)


class _Pupils:
    """Pupils found by INE within their establishment, indexed once per UAI."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.by_uai: dict[str, dict[str, str] | None] = {}

    def find(self, uai: str, ine: str) -> str | None:
        if uai not in self.by_uai:
            establishment = self.site.establishments.get(uai)
            self.by_uai[uai] = (
                None
                if establishment is None
                else {
                    self.site.pupils[pupil_id].ine.upper(): pupil_id
                    for pupil_id in establishment.pupil_ids
                }
            )
        index = self.by_uai[uai]
        if index is None:
            raise LookupError(f"établissement inconnu « {uai} »")
        return index.get(ine.upper())


def _read_line(
    pupils: _Pupils, row: dict[str, str]
) -> tuple[str, tuple[str, Absence] | None, list[str]]:
    """The line's UAI, its (pupil id, absence) unless it is wrong, and its problems."""
    problems: list[str] = []
    uai = row["uai"].upper()
    pupil_id = None
    try:
        pupil_id = pupils.find(uai, row["eleve_ine"])
        if pupil_id is None:
            problems.append(f"élève inconnu dans {uai} (INE « {row['eleve_ine']} »)")
    except LookupError as exc:
        problems.append(str(exc))
    times = []
    for key in ("debut", "fin"):
        try:
            times.append(parse_datetime(row[key]))
        except ValueError as exc:
            problems.append(f"{key} : {exc}")
    if len(times) == 2 and times[1] <= times[0]:
        problems.append("la fin doit être après le début")
    state = STATES.get(row["etat"].lower())
    if state is None:
        problems.append(f"état inconnu « {row['etat']} » (signalée ou traitée attendu)")
    legitimate = YES_NO.get(row["motif_legitime"].lower())
    if legitimate is None:
        value = row["motif_legitime"]
        problems.append(f"motif_legitime inconnu « {value} » (oui ou non attendu)")
    if problems:
        return uai, None, problems
    return uai, (pupil_id, Absence(times[0], times[1], state, legitimate)), problems


def read_absences(site: Site, path: Path) -> tuple[set[str], dict[str, dict[datetime, Absence]]]:
    """Check every line; return the UAIs cited and the absences by pupil id.

    Raise :class:`ImportRejected` listing every bad line.
    """
    pupils = _Pupils(site)
    uais: set[str] = set()
    by_pupil: dict[str, dict[datetime, Absence]] = {}
    first_line: dict[tuple[str, datetime], int] = {}
    bad: list[BadLine] = []
    for line, row in read_csv(path, COLUMNS):
        uai, found, problems = _read_line(pupils, row)
        if found is not None:
            pupil_id, absence = found
            earlier = first_line.setdefault((pupil_id, absence.start), line)
            if earlier == line:
                uais.add(uai)
                by_pupil.setdefault(pupil_id, {})[absence.start] = absence
            else:
                problems.append(
                    f"absence en double : même élève et même début qu'à la ligne {earlier}"
                )
        if problems:
            bad.append(BadLine(line, " ; ".join(problems)))
    if bad:
        raise ImportRejected(path, bad)
    return uais, by_pupil


def import_absences(site: Site, academy: Any, path: Path) -> ImportSummary:
    """Replace the absences of every pupil of the establishments the file cites."""
    uais, by_pupil = read_absences(site, path)
    summary = ImportSummary(extra={"supprimées": 0})
    for uai in sorted(uais):
        for pupil_id in site.establishments[uai].pupil_ids:
            pupil = site.pupils[pupil_id]
            wanted = by_pupil.get(pupil_id, {})
            if not wanted and pupil.services.get(SERVICE_ID) is None:
                continue
            data = service_data(pupil, SERVICE_ID, PupilAbsences)
            created, updated, unchanged, deleted = data.replace(wanted.values())
            if not len(data):
                pupil.services.pop(SERVICE_ID)
            summary.created += created
            summary.updated += updated
            summary.unchanged += unchanged
            summary.extra["supprimées"] += deleted
    return summary


FORMATS = [ImportFormat(name=SERVICE_ID, help=HELP, run=import_absences)]
