"""The STS-web import: the establishment's classes, who teaches what in each,
and the professeurs principaux, from ``sts_emp_<UAI>_<année>.xml`` (root
``STS_EDT``), as ``.xml`` or as a ``.zip``; see ``docs/admin.md``.

Read with the same defences as SIECLE's exports (:mod:`.xmlexports`);
every mistake of the file is listed with its line before anything is
written, and the whole structure is then replaced in the caller's one
transaction: a refused file writes nothing, and importing the same file
again changes nothing that pages show.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from ..audit import audit
from ..contract import BadLine, ImportRejected
from ..models import Division, Establishment, Site, Teacher, TeachingService
from .siecle import LEVELS
from .xmlexports import (
    Element,
    ExportFormat,
    Problems,
    ReadProgress,
    documents,
    parse,
    rejected,
)

ROOT = "STS_EDT"
STS = ExportFormat(
    "STS-web",
    {
        ROOT: {
            (ROOT, "PARAMETRES"),
            (ROOT, "NOMENCLATURES", "MATIERES", "MATIERE"),
            (ROOT, "DONNEES", "INDIVIDUS", "INDIVIDU"),
            (ROOT, "DONNEES", "STRUCTURE", "DIVISIONS", "DIVISION"),
            (ROOT, "DONNEES", "STRUCTURE", "GROUPES", "GROUPE"),
        }
    },
    f"un export STS-web de la structure ({ROOT}, fichier sts_emp_<UAI>_<année>.xml)",
)
#: STS-web's CIVILITE codes, and the texts some exports carry instead.
CIVILITIES = {
    "1": "M.",
    "2": "Mme",
    "3": "Mlle",
    "M": "M.",
    "M.": "M.",
    "MME": "Mme",
    "MLLE": "Mlle",
}


@dataclass(frozen=True)
class PrincipalTerm:
    """``PROF_PRINC``: an individu is professeur principal of a class for these dates."""

    teacher_id: str
    division: str
    start: date | None
    end: date | None

    def covers(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass
class StsExport:
    """What one STS-web export holds, checked."""

    source: str
    uaj: str
    uaj_line: int
    year: str
    teachers: dict[str, Teacher]
    divisions: dict[str, Division]  #: without principals: see :attr:`terms`
    terms: list[PrincipalTerm] = field(default_factory=list)


def read_sts(paths: Sequence[Path], report: ReadProgress | None = None) -> StsExport:
    """Parse and check the export (``.xml``, or a ``.zip`` holding it); write nothing."""
    found: StsExport | None = None
    for path in paths:
        for source, stream in documents(Path(path), report):
            export = _export(parse(source, stream, STS).records, source)
            if found is not None:
                raise rejected(
                    source, 1, f"un deuxième export STS-web (le premier est {found.source})"
                )
            found = export
    if found is None:
        raise rejected(str(paths[0]), 1, "aucun export STS-web")
    return found


def _export(records: dict[str, list[Element]], source: str) -> StsExport:
    problems = Problems(source)
    if not records.get("PARAMETRES"):
        raise rejected(source, 1, "section PARAMETRES manquante")
    parameters = records["PARAMETRES"][0]
    uaj = parameters.find("UAJ")
    uaj_code = ""
    if uaj is not None:
        uaj_code = (uaj.attrib.get("CODE") or uaj.text).strip().upper()
    if not uaj_code:
        problems.add(parameters, "UAJ manquant")
    year = parameters.find("ANNEE_SCOLAIRE")
    subjects = _subjects(records.get("MATIERE", []), problems)
    teachers, terms = _individus(records.get("INDIVIDU", []), problems)
    divisions = _divisions(records.get("DIVISION", []), subjects, teachers, problems)
    _groups(records.get("GROUPE", []), subjects, teachers, divisions, problems)
    for term, element, line in terms:
        if term.division not in divisions:
            problems.add(
                element,
                f"PROF_PRINC : la classe {term.division} n'est pas dans les divisions de l'export",
                line,
            )
    problems.check()
    return StsExport(
        source=source,
        uaj=uaj_code,
        uaj_line=uaj.line if uaj is not None else parameters.line,
        year=(year.attrib.get("ANNEE", "") or year.text) if year is not None else "",
        teachers=teachers,
        divisions=divisions,
        terms=[term for term, _element, _line in terms],
    )


def _subjects(elements: list[Element], problems: Problems) -> dict[str, str]:
    """``MATIERE``: code → the label pages print (as SIECLE's LIBELLE_EDITION)."""
    subjects: dict[str, str] = {}
    for element in elements:
        code = problems.attribute(element, "CODE")
        if code in subjects:
            problems.add(element, "CODE de matière en double")
            continue
        label = element.get("LIBELLE_EDITION", "LIBELLE_LONG", "LIBELLE_COURT", "CODE_GESTION")
        if code:
            subjects[code] = label or code
    return subjects


def _individus(
    elements: list[Element], problems: Problems
) -> tuple[dict[str, Teacher], list[tuple[PrincipalTerm, Element, int]]]:
    """The individus, and each ``PROF_PRINC`` with its individu and its class's line."""
    teachers: dict[str, Teacher] = {}
    terms: list[tuple[PrincipalTerm, Element, int]] = []
    for element in elements:
        individu_id = problems.attribute(element, "ID")
        if individu_id in teachers:
            problems.add(element, "ID d'individu en double")
            continue
        last_name = problems.required(element, "NOM_USAGE", "NOM_PATRONYMIQUE")
        code = element.get("CIVILITE")
        civility = CIVILITIES.get(code.upper()) if code else ""
        if civility is None:
            problems.add(element, f"CIVILITE inconnue « {code} » (1 : M., 2 : Mme)")
            continue
        if not (individu_id and last_name):
            continue
        teachers[individu_id] = Teacher(individu_id, civility, last_name, element.get("PRENOM"))
        listing = element.find("PROFS_PRINC")
        for term in listing.findall("PROF_PRINC") if listing is not None else ():
            division = problems.required(term, "CODE_STRUCTURE")
            start = problems.day(term, "DATE_DEBUT", required=False)
            end = problems.day(term, "DATE_FIN", required=False)
            if division:
                line = term.find("CODE_STRUCTURE").line
                terms.append((PrincipalTerm(individu_id, division, start, end), element, line))
    return teachers, terms


def _services(
    owner: Element,
    subjects: dict[str, str],
    teachers: dict[str, Teacher],
    problems: Problems,
) -> list[TeachingService]:
    """The ``SERVICES`` of a division or group, each subject once with all its teachers."""
    by_subject: dict[str, list[str]] = {}
    listing = owner.find("SERVICES")
    for service in listing.findall("SERVICE") if listing is not None else ():
        code = problems.attribute(service, "CODE_MATIERE")
        if code and code not in subjects:
            problems.add(service, f"matière {code} absente des MATIERES de l'export")
            continue
        names = by_subject.setdefault(code, [])
        staff = service.find("ENSEIGNANTS")
        for teacher in staff.findall("ENSEIGNANT") if staff is not None else ():
            teacher_id = problems.attribute(teacher, "ID")
            if teacher_id and teacher_id not in teachers:
                problems.add(teacher, f"individu {teacher_id} absent des INDIVIDUS de l'export")
            elif teacher_id and teacher_id not in names:
                names.append(teacher_id)
    return [
        TeachingService(code, subjects[code], tuple(ids))
        for code, ids in by_subject.items()
        if code
    ]


def _divisions(
    elements: list[Element],
    subjects: dict[str, str],
    teachers: dict[str, Teacher],
    problems: Problems,
) -> dict[str, Division]:
    divisions: dict[str, Division] = {}
    for element in elements:
        code = problems.attribute(element, "CODE")
        if code in divisions:
            problems.add(element, "CODE de division en double")
            continue
        mefs = element.find("MEFS_APPARTENANCE")
        mef = mefs.find("MEF_APPARTENANCE") if mefs is not None else None
        level = LEVELS.get(mef.attrib.get("CODE", "")[:3], "") if mef is not None else ""
        services = _services(element, subjects, teachers, problems)
        if code:
            divisions[code] = Division(code, element.get("LIBELLE_LONG"), level, tuple(services))
    return divisions


def _groups(
    elements: list[Element],
    subjects: dict[str, str],
    teachers: dict[str, Teacher],
    divisions: dict[str, Division],
    problems: Problems,
) -> None:
    """A group's services (a language, an option) join each of its divisions' team."""
    for element in elements:
        problems.attribute(element, "CODE")
        services = _services(element, subjects, teachers, problems)
        listing = element.find("DIVISIONS_APPARTENANCE")
        for member in listing.findall("DIVISION_APPARTENANCE") if listing is not None else ():
            code = problems.attribute(member, "CODE")
            if code and code not in divisions:
                problems.add(member, f"la classe {code} n'est pas dans les divisions de l'export")
            elif code:
                divisions[code] = _joined(divisions[code], services)


def _joined(division: Division, services: list[TeachingService]) -> Division:
    merged = {service.subject_code: service for service in division.services}
    for service in services:
        known = merged.get(service.subject_code)
        if known is None:
            merged[service.subject_code] = service
        else:
            ids = known.teacher_ids + tuple(
                t for t in service.teacher_ids if t not in known.teacher_ids
            )
            merged[service.subject_code] = TeachingService(known.subject_code, known.subject, ids)
    return Division(
        division.code,
        division.label,
        division.level,
        tuple(merged.values()),
        division.principal_ids,
    )


# Writing ----------------------------------------------------------------------


@dataclass
class StsSummary:
    """What an import wrote, for the summary ``ts-admin`` prints."""

    divisions: int = 0
    teachers: int = 0
    services: int = 0
    principals: int = 0

    def __str__(self) -> str:
        return (
            f"{self.divisions} classes, {self.teachers} enseignants, "
            f"{self.services} services d'enseignement, {self.principals} professeurs principaux"
        )


def import_sts(
    site: Site,
    uai: str,
    name: str,
    export: StsExport,
    today: date,
    progress: Callable[[int], None] = lambda n: None,
    *,
    request=None,
    audited: bool = True,
) -> StsSummary:
    """Check the establishment, then put the export's structure in place of the old.

    A ``PROF_PRINC`` counts on ``today`` only (its dates cover it); the
    teachers kept are those who teach or lead a class.  The import is audited
    as ``request``'s (a staff member's on the web) or as the ``ts-admin``
    operator's; ``audited=False`` for a preview, whose writes the caller
    rolls back.
    """
    if export.uaj != uai:
        raise ImportRejected(
            export.source,
            [
                BadLine(
                    export.uaj_line,
                    f"<UAJ> : cet export est celui de l'établissement {export.uaj}, "
                    f"pas de {uai} (--uai)",
                )
            ],
        )
    establishment = site.establishments.get(uai)
    if establishment is None:
        establishment = Establishment(uai, name)
        site.establishments.add(uai, establishment)
    principals: dict[str, list[str]] = {}
    for term in export.terms:
        if term.covers(today):
            led = principals.setdefault(term.division, [])
            if term.teacher_id not in led:
                led.append(term.teacher_id)
    divisions = []
    for code, division in export.divisions.items():
        divisions.append(replace(division, principal_ids=tuple(principals.get(code, ()))))
        progress(1)
    needed = {t for d in divisions for s in d.services for t in s.teacher_ids}
    needed |= {t for d in divisions for t in d.principal_ids}
    teachers = [teacher for teacher_id, teacher in export.teachers.items() if teacher_id in needed]
    establishment.structure.replace(divisions, teachers, export.source, datetime.now())
    summary = StsSummary(
        divisions=len(divisions),
        teachers=len(teachers),
        services=sum(len(d.services) for d in divisions),
        principals=sum(len(d.principal_ids) for d in divisions),
    )
    if not audited:
        return summary
    audit(
        request,
        "sts.imported",
        uai=uai,
        file=export.source,
        divisions=summary.divisions,
        teachers=summary.teachers,
        principals=summary.principals,
    )
    return summary
