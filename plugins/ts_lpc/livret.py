"""A pupil's livret at one palier, as the pages and the PDF show it.

:func:`build_livret` joins the referential and the pupil's record on a
given day: renseignements and validations dated after that day are left
out, so the livret is the state "en date du" that day (the demo generates
the whole school year; real data is never dated in the future).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ts_host.api import format_date

from .models import LpcRecord, PalierRecord, Renseignement
from .referential import (
    LANGUE_PLACEHOLDER,
    Competence,
    Domain,
    Item,
    Palier,
    Validation,
    load_referential,
)

#: The palier selector lists the paliers in this order (guide, § 2.4.3).
PALIER_ORDER = (3, 2, 1)
#: The portal serves collèges and lycées: their pupils are at palier 3 or past it.
DEFAULT_PALIER = 3


def selected_palier(value: object) -> int:
    """The palier a query string asks for; :data:`DEFAULT_PALIER` if none or invalid."""
    try:
        number = int(str(value))
    except ValueError:
        return DEFAULT_PALIER
    return number if number in load_referential() else DEFAULT_PALIER


def validation_keys(competence: Competence) -> tuple[str, ...]:
    """The keys under which a pupil's record stores the competence's validations.

    ``"N"`` for a competence validated at once; ``"N.1"``, ``"N.2"``… for
    one validated in parts (palier 2 competence 3), in the referential's
    order of its validation sentences.
    """
    if len(competence.validations) == 1:
        return (str(competence.number),)
    return tuple(f"{competence.number}.{k}" for k in range(1, len(competence.validations) + 1))


@dataclass(frozen=True)
class ItemState:
    item: Item
    renseignements: tuple[Renseignement, ...]

    @property
    def informed(self) -> bool:
        return bool(self.renseignements)

    @property
    def slug(self) -> str:
        """The code as HTML ids take it: ``3-1-1-1``."""
        return self.item.code.replace(".", "-")

    @property
    def dom_id(self) -> str:
        """The id of the dialog listing the renseignements."""
        return f"renseignements-{self.slug}"


@dataclass(frozen=True)
class DomainState:
    domain: Domain
    items: tuple[ItemState, ...]


@dataclass(frozen=True)
class ValidationState:
    validation: Validation
    key: str
    sentence: str  # the attestation's sentence, language filled in: "… est validée le :"
    day: date | None

    @property
    def label(self) -> str:
        """The sentence without its trailing " le :" (a part's check box)."""
        return self.sentence.removesuffix(" :").removesuffix(" le")

    @property
    def dated_sentence(self) -> str:
        """The sentence with its date: "… est validée en ANGLAIS LV1 le 12/03/2027"."""
        return f"{self.label} le {format_date(self.day)}" if self.day else self.label

    @property
    def names_language(self) -> bool:
        """Whether the sentence names the validated language (competence 2)."""
        return LANGUE_PLACEHOLDER in self.validation.text


@dataclass(frozen=True)
class CompetenceState:
    competence: Competence
    domains: tuple[DomainState, ...]
    validations: tuple[ValidationState, ...]

    @property
    def number(self) -> int:
        return self.competence.number

    @property
    def items(self) -> tuple[ItemState, ...]:
        return tuple(state for domain in self.domains for state in domain.items)

    @property
    def validated_on(self) -> date | None:
        """The day the competence was validated (its last part), or ``None``."""
        days = [v.day for v in self.validations]
        if not days or None in days:
            return None
        return max(d for d in days if d is not None)


@dataclass(frozen=True)
class Livret:
    palier: Palier
    competences: tuple[CompetenceState, ...]
    as_of: date
    professeur_principal: str
    langue: str

    def competence(self, number: int) -> CompetenceState:
        """The competence numbered ``number``; :exc:`KeyError` if not at this palier."""
        for state in self.competences:
            if state.number == number:
                return state
        raise KeyError(number)


def build_livret(
    record: LpcRecord | None,
    palier_number: int,
    as_of: date,
    principals: Sequence[str] = (),
) -> Livret:
    """The livret of ``palier_number`` on ``as_of`` (empty without a record).

    ``principals`` are the names of the class's professeur(s) principal(aux)
    in the establishment's structure (``ts_host.api.principals``); the name
    a livret file gave (``professeur_principal`` lines) is printed only for
    a class the structure names nobody for.
    """
    palier = load_referential()[palier_number]
    data = record.palier(palier_number) if record is not None else None
    if data is None:
        data = PalierRecord(palier_number)
    competences = tuple(_competence(comp, data, as_of) for comp in palier.competences)
    return Livret(
        palier=palier,
        competences=competences,
        as_of=as_of,
        professeur_principal=", ".join(principals)
        or (record.professeur_principal if record else ""),
        langue=data.langue,
    )


def _competence(comp: Competence, data: PalierRecord, as_of: date) -> CompetenceState:
    domains = tuple(
        DomainState(
            domain,
            tuple(ItemState(it, data.renseignements_of(it.code, as_of)) for it in domain.items),
        )
        for domain in comp.domains
    )
    validations = tuple(
        ValidationState(v, key, v.render(data.langue or None), data.validated_on(key, as_of))
        for v, key in zip(comp.validations, validation_keys(comp), strict=True)
    )
    return CompetenceState(comp, domains, validations)
