"""Writing SIECLE exports into the site: upsert by ELEVE_ID and PERSONNE_ID.

Everything is checked before the first write (the establishment of the
files, the references between them and to the database), and the caller
runs the whole import in one transaction, so a refused import writes
nothing.  Importing the same files again changes nothing.

Who leaves: a pupil whose DATE_SORTIE is past, who has no class (no
structure of type D), or who is no longer in the pupils export (a new
school year's export does not list last year's leavers).  A pupil who left
keeps their links and codes for the history; the host already refuses
them access and activation.  A pupil who had left before their first
import is created as left, without codes, so that the responsables export,
which still names them, refers to a known pupil.
"""

from __future__ import annotations

import secrets
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from ..audit import audit
from ..contract import BadLine, ImportRejected
from ..models import CodeKind, Establishment, Pupil, Responsable, ResponsableLink, Site
from .codes import CodeIndex, issue_missing
from .siecle import Exports, PupilsExport, ResponsablesExport, SieclePupil, SiecleResponsable


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} créés, {self.updated} mis à jour, {self.unchanged} inchangés"


@dataclass
class SiecleSummary:
    """What an import did, for the summary ``ts-admin`` prints."""

    pupils: Counts = field(default_factory=Counts)
    responsables: Counts = field(default_factory=Counts)
    left: int = 0  #: pupils who left with this import (created as left included)
    codes: Counter = field(default_factory=Counter)

    @property
    def total(self) -> Counts:
        return Counts(
            self.pupils.created + self.responsables.created,
            self.pupils.updated + self.responsables.updated,
            self.pupils.unchanged + self.responsables.unchanged,
        )

    def __str__(self) -> str:
        return (
            f"élèves : {self.pupils}, {self.left} sortis ; "
            f"responsables : {self.responsables} ; "
            f"codes émis : {self.codes[CodeKind.CAR]} CAR, {self.codes[CodeKind.CAE]} CAE"
        )


def check(site: Site, uai: str, exports: Exports) -> None:
    """Refuse files of another establishment or with an unknown reference."""
    for export in (exports.pupils, exports.responsables):
        if export is not None and export.parameters.uaj != uai:
            raise ImportRejected(
                export.source,
                [
                    BadLine(
                        export.parameters.uaj_line,
                        f"<UAJ> : cet export est celui de l'établissement "
                        f"{export.parameters.uaj}, pas de {uai} (--uai)",
                    )
                ],
            )
    if exports.pupils and exports.responsables:
        years = exports.pupils.parameters.year, exports.responsables.parameters.year
        if years[0] != years[1]:
            raise ImportRejected(
                exports.responsables.source,
                [
                    BadLine(
                        exports.responsables.parameters.year_line,
                        f"<ANNEE_SCOLAIRE> : {years[1]}, alors que l'export élèves est de "
                        f"{years[0]} : exportez les deux fichiers le même jour",
                    )
                ],
            )
    if exports.responsables:
        establishment = site.establishments.get(uai)
        known = set(exports.pupils.pupils) if exports.pupils else set()
        indexed = establishment.by_eleve_id if establishment is not None else {}
        unknown = [
            BadLine(
                tie.line,
                f"<RESPONSABLE_ELEVE> : ELEVE_ID {tie.eleve_id} inconnu (ni dans l'export "
                f"élèves ni parmi les élèves déjà importés)",
            )
            for tie in exports.responsables.ties
            if tie.eleve_id not in known and tie.eleve_id not in indexed
        ]
        if unknown:
            raise ImportRejected(exports.responsables.source, unknown)


def import_siecle(
    site: Site,
    uai: str,
    name: str,
    exports: Exports,
    today: date,
    progress: Callable[[int], None] = lambda n: None,
    *,
    request=None,
    audited: bool = True,
) -> SiecleSummary:
    """Check, then upsert the exports' pupils, responsables, links and codes.

    The import is audited as ``request``'s (a staff member's on the web) or
    as the ``ts-admin`` operator's; ``audited=False`` for a preview, whose
    writes the caller rolls back.
    """
    check(site, uai, exports)
    establishment = site.ensure_establishment(uai, name)
    writer = _Writer(site, establishment, today, progress)
    if exports.pupils:
        writer.pupils(exports.pupils)
    if exports.responsables:
        writer.responsables(exports.responsables)
    writer.codes()
    summary = writer.summary()
    if not audited:
        return summary
    audit(
        request,
        "siecle.imported",
        uai=uai,
        files=exports.sources,
        pupils_created=summary.pupils.created,
        pupils_updated=summary.pupils.updated,
        left=summary.left,
        responsables_created=summary.responsables.created,
        responsables_updated=summary.responsables.updated,
        car_issued=summary.codes[CodeKind.CAR],
        cae_issued=summary.codes[CodeKind.CAE],
    )
    return summary


CREATED, UPDATED, UNCHANGED, LEFT = "created", "updated", "unchanged", "left"


class _Writer:
    """One import's writes, and what happened to each pupil and responsable."""

    def __init__(self, site, establishment: Establishment, today: date, progress) -> None:
        self.site = site
        self.establishment = establishment
        self.today = today
        self.progress = progress
        self.pupil_outcomes: dict[str, str] = {}
        self.responsable_outcomes: dict[str, str] = {}
        self.new_pupils: set[str] = set()
        self.issued: Counter = Counter()

    # Pupils ----------------------------------------------------------------

    def pupils(self, export: PupilsExport) -> None:
        index = self.establishment.by_eleve_id
        for record in export.pupils.values():
            pupil_id = index.get(record.eleve_id)
            if pupil_id is None:
                self._create_pupil(record)
            else:
                self.pupil_outcomes[pupil_id] = self._update_pupil(
                    self.site.pupils[pupil_id], record
                )
            self.progress(1)
        for eleve_id, pupil_id in index.items():
            pupil = self.site.pupils[pupil_id]
            if eleve_id not in export.pupils and pupil.active:
                pupil.left_on = self.today
                self.pupil_outcomes[pupil_id] = LEFT

    def _leaves(self, record: SieclePupil) -> bool:
        return not record.division or self._left_before_today(record)

    def _left_before_today(self, record: SieclePupil) -> bool:
        return record.leave_date is not None and record.leave_date < self.today

    def _create_pupil(self, record: SieclePupil) -> None:
        pupil_id = _new_id(self.site.pupils)
        pupil = Pupil(
            pupil_id,
            self.establishment.uai,
            record.first_name,
            record.last_name,
            record.birth_date,
            record.division,
            siecle_id=record.eleve_id,
            ine=record.ine,
            sex=record.sex,
            level=record.level,
        )
        if self._leaves(record):
            pupil.left_on = self._left_on(record, None)
        self.site.enrol(pupil)
        self.pupil_outcomes[pupil_id] = CREATED if pupil.active else LEFT
        self.new_pupils.add(pupil_id)

    def _left_on(self, record: SieclePupil, already: date | None) -> date:
        """The day a pupil left: kept once known, else their past DATE_SORTIE, else today."""
        if already is not None:
            return already
        return record.leave_date if self._left_before_today(record) else self.today

    def _update_pupil(self, pupil: Pupil, record: SieclePupil) -> str:
        was_active = pupil.active
        left_on = self._left_on(record, pupil.left_on) if self._leaves(record) else None
        values = {
            "first_name": record.first_name,
            "last_name": record.last_name,
            "birth_date": record.birth_date,
            "ine": record.ine,
            "sex": record.sex,
            "level": record.level,
            "left_on": left_on,
        }
        if record.division:
            values["division"] = record.division
        changed = self.site.update_pupil(pupil, values)
        if was_active and not pupil.active:
            return LEFT
        return UPDATED if changed else UNCHANGED

    # Responsables ------------------------------------------------------------

    def responsables(self, export: ResponsablesExport) -> None:
        pupils_index = self.establishment.by_eleve_id
        index = self.establishment.by_personne_id
        ties = [tie for tie in export.ties if tie.eleve_id in pupils_index]
        needed = {tie.personne_id for tie in ties}
        for record in export.responsables.values():
            responsable_id = index.get(record.personne_id)
            if responsable_id is not None:
                changed = self.site.update_responsable(
                    self.site.responsables[responsable_id], _values(record)
                )
                self.responsable_outcomes[responsable_id] = UPDATED if changed else UNCHANGED
            elif record.personne_id in needed:
                self._create_responsable(record)
            self.progress(1)
        by_pupil = defaultdict(list)
        for tie in ties:
            by_pupil[pupils_index[tie.eleve_id]].append(
                ResponsableLink(index[tie.personne_id], tie.legal, tie.relationship)
            )
        for pupil_id, links in by_pupil.items():
            pupil = self.site.pupils[pupil_id]
            if list(pupil.responsables) != links:
                pupil.responsables[:] = links
                if self.pupil_outcomes.get(pupil_id, UNCHANGED) == UNCHANGED:
                    self.pupil_outcomes[pupil_id] = UPDATED
            self.pupil_outcomes.setdefault(pupil_id, UNCHANGED)

    def _create_responsable(self, record: SiecleResponsable) -> None:
        responsable_id = _new_id(self.site.responsables)
        responsable = Responsable(
            responsable_id,
            self.establishment.uai,
            record.civility,
            record.first_name,
            record.last_name,
            siecle_id=record.personne_id,
            email=record.email,
            address=record.address,
            phones=record.phones,
            sms_consent=record.sms_consent,
        )
        self.site.add_responsable(responsable)
        self.responsable_outcomes[responsable_id] = CREATED

    # Codes -------------------------------------------------------------------

    def codes(self) -> None:
        pupils = [self.site.pupils[pupil_id] for pupil_id in self.pupil_outcomes]
        old = [pupil.id for pupil in pupils if pupil.active and pupil.id not in self.new_pupils]
        self.issued = issue_missing(self.site, pupils, CodeIndex(self.site, old))

    def summary(self) -> SiecleSummary:
        summary = SiecleSummary(codes=self.issued)
        for outcome in self.pupil_outcomes.values():
            if outcome == LEFT:
                summary.left += 1
            else:
                setattr(summary.pupils, outcome, getattr(summary.pupils, outcome) + 1)
        for outcome in self.responsable_outcomes.values():
            setattr(summary.responsables, outcome, getattr(summary.responsables, outcome) + 1)
        return summary


def _values(record: SiecleResponsable) -> dict:
    return {
        "civility": record.civility,
        "first_name": record.first_name,
        "last_name": record.last_name,
        "email": record.email,
        "address": dict(record.address),
        "phones": dict(record.phones),
        "sms_consent": record.sms_consent,
    }


def _new_id(container) -> str:
    """A new opaque public id: what URLs show, never the SIECLE id."""
    while True:
        candidate = secrets.token_hex(8)
        if candidate not in container:
            return candidate
