"""Demo livrets: a coherent history for every pupil, cheap enough for 100,000.

Schooling is read from the birth date (CP in the September of the year the
pupil turns six): palier 1 is informed during the CE1 year and validated at
its end, palier 2 during CM2.  Palier 3 is informed by the collège's
disciplines from 6e on; 3e pupils get validations during the current year
(pages hide what is dated after "today"), lycée pupils have the three
paliers complete.

What it costs is kept per class: a class gets a plan per palier, its
evaluations (a discipline, a day, some items) already packed as the
records store them, and each pupil only draws which of them they acquired
(a few hundred ``random()`` calls and one ``bytes.join``).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ts_host.api import EstablishmentConfig, Pupil

from .livret import validation_keys
from .models import LpcRecord, PalierRecord, pack_entry, record_for_update
from .referential import Competence, Domain, Palier, load_referential

CP_AGE = 6
TEAM = "Équipe pédagogique"
LANGUAGES = (("Anglais", "ANGLAIS"), ("Allemand", "ALLEMAND"), ("Espagnol", "ESPAGNOL"))

#: Who informs each competence at primary school (paliers 1 and 2).
PRIMARY_DISCIPLINES = {
    1: ("Français",),
    3: ("Mathématiques", "Sciences expérimentales et technologie"),
    4: ("B2i école",),
    5: ("Histoire", "Géographie", "Pratiques artistiques et histoire des arts"),
    6: ("Instruction civique et morale",),
    7: ("Vie de classe",),
}
#: Collège disciplines: (first level taught, {competence: domain ranks informed}).
#: "LV1" is replaced by the class's first modern language.
COLLEGE_DISCIPLINES: dict[str, tuple[int, dict[int, tuple[int, ...]]]] = {
    "Français": (0, {1: (1, 2, 3), 5: (3, 4)}),
    "Mathématiques": (0, {3: (1, 2), 4: (3,)}),
    "LV1": (0, {2: (1, 2, 3, 4, 5)}),
    "Histoire-Géographie": (0, {5: (1, 2), 6: (1,)}),
    "SVT": (0, {3: (1, 3, 4)}),
    "Physique-Chimie": (1, {3: (1, 3)}),
    "Technologie": (0, {3: (3,), 4: (1, 2, 3, 4, 5)}),
    "EPS": (0, {6: (2,), 7: (2,)}),
    "Arts plastiques": (0, {5: (3, 4)}),
    "Éducation musicale": (0, {5: (3, 4)}),
    "Vie scolaire": (0, {6: (1, 2), 7: (1, 3)}),
}


@dataclass(frozen=True)
class Plan:
    """One palier of one class: what its evaluations informed, and when it validates.

    ``entries`` are the packed renseignements of every item of every
    evaluation, by item then day (see :data:`ts_lpc.models.ENTRY`), against
    ``disciplines``; a pupil keeps those they acquired, in the same order.
    ``complete`` is the livret of a pupil who acquired everything: the
    items no evaluation reached are informed by the teaching team on the
    last validation day.
    """

    palier: int
    disciplines: tuple[str, ...]
    entries: tuple[bytes, ...]
    complete: bytes
    validation_days: tuple[date, ...]
    langue: str


def make_plan(
    number: int,
    evaluations: Iterable[tuple[str, date, Iterable[str]]],
    validation_days: tuple[date, ...],
    langue: str,
) -> Plan:
    """A plan from its evaluations: (discipline, day, item codes) triples."""
    marks = {(code, discipline, day) for discipline, day, codes in evaluations for code in codes}
    informed = {code for code, _d, _day in marks}
    team = {
        (it.code, TEAM, validation_days[-1])
        for it in load_referential()[number].items
        if it.code not in informed
    }
    disciplines = tuple(sorted({discipline for _c, discipline, _d in marks | team}))
    index = {name: i for i, name in enumerate(disciplines)}

    def packed(chosen: set[tuple[str, str, date]]) -> list[bytes]:
        ordered = sorted(chosen, key=lambda m: (_rank(m[0]), m[2], m[1]))
        return [pack_entry(code, index[discipline], day) for code, discipline, day in ordered]

    return Plan(
        number,
        disciplines,
        tuple(packed(marks)),
        b"".join(packed(marks | team)),
        validation_days,
        langue,
    )


def _rank(code: str) -> tuple[int, ...]:
    return tuple(int(part) for part in code.split("."))


def fill(establishment: EstablishmentConfig, pupils: Sequence[Pupil], rng: random.Random) -> None:
    """Give every pupil a livret (called with whole classes, see ``ts_demo_data``)."""
    year = establishment.year_start.year
    lycee = establishment.kind == "lycee"
    classes: dict[str, list[Pupil]] = defaultdict(list)
    for pupil in pupils:
        classes[pupil.division].append(pupil)
    for members in classes.values():
        _fill_class(members, year, lycee, rng)


def _fill_class(pupils: list[Pupil], year: int, lycee: bool, rng: random.Random) -> None:
    language = rng.choices(LANGUAGES, weights=(85, 12, 3))[0]
    plans: dict[tuple[int, int], Plan] = {}

    def plan(palier: int, start_year: int) -> Plan:
        key = (palier, start_year)
        if key not in plans:
            if palier == 3:
                plans[key] = _college_plan(start_year, year, language, rng)
            else:
                plans[key] = _primary_plan(palier, start_year, language, rng)
        return plans[key]

    for pupil in pupils:
        record = record_for_update(pupil)
        cp_year = pupil.birth_date.year + CP_AGE
        entered_6e = cp_year + 5
        college = plan(3, entered_6e)
        if lycee:  # they left collège: the three paliers are complete
            for palier in (plan(1, cp_year + 1), plan(2, cp_year + 4), college):
                _write(record, palier, 1.0, rng, validate="all")
            continue
        history = rng.uniform(0.8, 1.0)
        _write(record, plan(1, cp_year + 1), history, rng, validate="all")
        _write(record, plan(2, cp_year + 4), history, rng, validate="all")
        in_3e = year - entered_6e >= 3
        ability = rng.uniform(0.45, 0.95)
        _write(record, college, ability, rng, validate="some" if in_3e else "none")


def _write(
    record: LpcRecord, plan: Plan, ability: float, rng: random.Random, validate: str
) -> None:
    """One pupil's palier from the class plan.

    Each item of an evaluation is acquired with probability ``ability``
    (1: the plan's complete livret).  ``validate`` is ``"all"`` (every
    competence on the last validation day), ``"some"`` (each with
    probability ``ability``, on one of the validation days) or ``"none"``.
    """
    palier = load_referential()[plan.palier]
    random_ = rng.random
    if ability >= 1.0:
        packed = plan.complete
    else:
        packed = b"".join([entry for entry in plan.entries if random_() < ability])
    keys = [validation_keys(comp) for comp in palier.competences]
    validations: dict[str, date] = {}
    if validate == "all":
        validations = dict.fromkeys((k for group in keys for k in group), plan.validation_days[-1])
    elif validate == "some":
        for group in keys:
            if random_() < ability:
                validations.update(dict.fromkeys(group, rng.choice(plan.validation_days)))
    record.set_palier(PalierRecord(plan.palier, plan.disciplines, packed, validations, plan.langue))


def _school_day(start_year: int, rng: random.Random, first=(9, 15), last=(6, 20)) -> date:
    """A weekday of the school year that starts in September of ``start_year``."""
    start = date(start_year, *first)
    end = date(start_year + 1, *last)
    day = start + timedelta(days=rng.randrange((end - start).days))
    return day - timedelta(days=max(0, day.weekday() - 4))


def _primary_plan(number: int, start_year: int, language: tuple[str, str], rng) -> Plan:
    """CE1 (palier 1) or CM2 (palier 2): each domain assessed once or twice."""
    palier = load_referential()[number]
    evaluations = []
    for comp in palier.competences:
        for index, domain in enumerate(comp.domains):
            discipline = _primary_discipline(comp, domain, index, language[0])
            codes = [it.code for it in domain.items]
            for _ in range(rng.choice((1, 1, 2))):
                day = _school_day(start_year, rng, first=(10, 1), last=(6, 10))
                evaluations.append((discipline, day, codes))
    validation_day = date(start_year + 1, 6, rng.randint(12, 26))
    return make_plan(number, evaluations, (validation_day,), language[1] if number == 2 else "")


def _primary_discipline(comp: Competence, domain: Domain, index: int, lv: str) -> str:
    if comp.number == 2:
        return lv
    choices = PRIMARY_DISCIPLINES[comp.number]
    if comp.number == 3:  # mathematics, then (palier 2 only) the sciences part
        return choices[comp.parts.index(domain.part) if comp.parts else 0]
    return choices[index % len(choices)]


def _college_plan(entered_6e: int, current_year: int, language: tuple[str, str], rng) -> Plan:
    """Collège years from 6e to the current one (at most 3e): each discipline
    assesses a few items once to three times a year; validations during 3e."""
    palier: Palier = load_referential()[3]
    pools = {
        discipline: [
            it.code
            for number, ranks in assessed.items()
            for rank in ranks
            for it in palier.competence(number).domains[rank - 1].items
        ]
        for discipline, (_first, assessed) in COLLEGE_DISCIPLINES.items()
    }
    evaluations = []
    for start_year in range(entered_6e, min(current_year, entered_6e + 3) + 1):
        level = start_year - entered_6e
        for discipline, (first_level, _assessed) in COLLEGE_DISCIPLINES.items():
            if level < first_level:
                continue
            name = language[0] if discipline == "LV1" else discipline
            pool = pools[discipline]
            for _ in range(rng.randint(1, 3)):
                codes = rng.sample(pool, min(len(pool), rng.randint(1, 3)))
                evaluations.append((name, _school_day(start_year, rng), codes))
    in_3e = entered_6e + 3
    validation_days = (
        date(in_3e, 12, rng.randint(8, 18)),
        date(in_3e + 1, 3, rng.randint(15, 26)),
        date(in_3e + 1, 6, rng.randint(8, 19)),
    )
    return make_plan(3, evaluations, validation_days, f"{language[1]} LV1")
