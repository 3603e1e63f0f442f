"""Deterministic demo data: establishments, families, pupils and their codes.

Everything random comes from one ``random.Random(seed)``, so the same seed
gives the same database and the same ``demo-codes.csv``.  People are
invented from lists of common names.
"""

from __future__ import annotations

import random
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from .. import hookspecs
from ..activation import display
from ..admin.codes import CodeIndex, issue_due
from ..establishments import Academy, EstablishmentConfig
from ..importing import write_csv
from ..models import Pupil, Responsable, Site
from . import names
from .structure import build_structure

CLASS_SIZE = 28
BATCH = 2000
#: level -> (years older than a 6e pupil, division prefix), by kind of establishment
LEVELS = {
    "college": [("6e", 0, "6"), ("5e", 1, "5"), ("4e", 2, "4"), ("3e", 3, "3")],
    "lycee": [("2nde", 4, "2NDE"), ("1re", 5, "1G"), ("Terminale", 6, "TG")],
}
CSV_COLUMNS = [
    "kind",
    "code",
    "uai",
    "pupil_first_name",
    "pupil_birth_date",
    "responsable",
]


@dataclass
class PlannedChild:
    first_name: str
    sex: str
    uai: str
    level: str
    birth_date: date
    division: str = ""
    pupil: Pupil | None = None


@dataclass
class PlannedFamily:
    surname: str
    parents: list[tuple[str, str, str, int]]  # civility, first name, relationship, legal
    address: dict
    children: list[PlannedChild] = field(default_factory=list)
    responsables: list[Responsable] = field(default_factory=list)


def division_name(prefix: str, number: int) -> str:
    """6A, 6B … 6Z, 6AA for collèges; 2NDE1, 2NDE2 … for lycées."""
    if prefix.isdigit():
        letters = ""
        number += 1
        while number:
            number, rest = divmod(number - 1, 26)
            letters = chr(65 + rest) + letters
        return prefix + letters
    return f"{prefix}{number + 1}"


def _new_id(rng: random.Random) -> str:
    return f"{rng.getrandbits(64):016x}"


class DemoBuilder:
    """Plans families in memory, then writes them in batches."""

    def __init__(self, site: Site, academy: Academy, plugins, seed: int = 2026) -> None:
        self.site = site
        self.academy = academy
        self.plugins = plugins
        self.seed = seed
        self.rng = random.Random(seed)
        self.code_rows: list[list[str]] = []

    def plan(self, pupil_count: int) -> list[PlannedFamily]:
        rng = self.rng
        establishments = list(self.academy.establishments.values())
        quotas = {e.uai: pupil_count // len(establishments) for e in establishments}
        quotas[establishments[0].uai] += pupil_count - sum(quotas.values())
        families = []
        remaining = pupil_count
        while remaining:
            family = self._family()
            for _ in range(min(rng.choices([1, 2, 3], [45, 40, 15])[0], remaining)):
                open_uais = [uai for uai, left in quotas.items() if left]
                uai = rng.choice(open_uais)
                quotas[uai] -= 1
                remaining -= 1
                family.children.append(self._child(self.academy.establishments[uai]))
            families.append(family)
        self._assign_divisions(families)
        return families

    def _family(self) -> PlannedFamily:
        rng = self.rng
        surname = rng.choice(names.SURNAMES)
        mother = ("Mme", rng.choice(names.ADULT_WOMEN), "MERE", 1)
        father = ("M.", rng.choice(names.ADULT_MEN), "PERE", 1)
        parents = [mother, father] if rng.random() < 0.7 else [rng.choice([mother, father])]
        if len(parents) == 2:
            parents[1] = (*parents[1][:3], 2)
        address = {
            "line1": f"{rng.randint(1, 120)} {rng.choice(names.STREETS)}",
            "postcode": f"54{rng.randint(0, 9)}{rng.randint(0, 9)}0",
            "city": rng.choice(
                [
                    "NANCY",
                    "VANDŒUVRE-LÈS-NANCY",
                    "LAXOU",
                    "VILLERS-LÈS-NANCY",
                    "MAXÉVILLE",
                    "TOMBLAINE",
                    "ESSEY-LÈS-NANCY",
                    "JARVILLE",
                ]
            ),
            "country": "FRANCE",
        }
        return PlannedFamily(surname, parents, address)

    def _child(self, establishment: EstablishmentConfig) -> PlannedChild:
        rng = self.rng
        level, offset, _prefix = rng.choice(LEVELS[establishment.kind])
        sex = rng.choice("FM")
        first_name = rng.choice(names.GIRLS if sex == "F" else names.BOYS)
        born = date(establishment.year_start.year - 11 - offset, 1, 1)
        birth_date = born + timedelta(days=rng.randrange(365))
        return PlannedChild(first_name, sex, establishment.uai, level, birth_date)

    def _assign_divisions(self, families: Iterable[PlannedFamily]) -> None:
        by_level = defaultdict(list)
        for family in families:
            for child in family.children:
                by_level[(child.uai, child.level)].append(child)
        for (uai, level), children in by_level.items():
            kind = self.academy.establishments[uai].kind
            prefix = next(p for lvl, _o, p in LEVELS[kind] if lvl == level)
            classes = max(1, round(len(children) / CLASS_SIZE))
            for index, child in enumerate(children):
                child.division = division_name(prefix, index % classes)

    def write(
        self,
        families: list[PlannedFamily],
        commit: Callable[[], None],
        progress: Callable[[int], None] = lambda n: None,
    ) -> None:
        """Create the objects; ``commit`` is called between batches."""
        site, rng = self.site, self.rng
        for uai, config in self.academy.establishments.items():
            site.ensure_establishment(uai, config.name)
        self._write_structures(families)
        for index, family in enumerate(families, start=1):
            self._write_responsables(family)
            if index % BATCH == 0:
                commit()
        commit()
        by_division = defaultdict(list)
        for family in families:
            for child in family.children:
                by_division[(child.uai, child.division)].append((family, child))
        written = 0
        batch: dict[str, list[Pupil]] = defaultdict(list)
        for (uai, division), members in sorted(by_division.items()):
            establishment = site.establishments[uai]
            for family, child in members:
                pupil = Pupil(
                    _new_id(rng),
                    uai,
                    child.first_name,
                    family.surname,
                    child.birth_date,
                    division,
                    sex=child.sex,
                    level=child.level,
                    siecle_id=str(100000 + len(establishment.by_eleve_id)),
                    ine=f"{rng.randrange(10**9, 10**10)}{rng.choice('ABCDEFGHJK')}",
                )
                for responsable, (_c, _f, relationship, legal) in zip(
                    family.responsables, family.parents, strict=True
                ):
                    pupil.add_responsable(responsable.id, legal, relationship)
                site.enrol(pupil)
                child.pupil = pupil
                batch[uai].append(pupil)
            written += len(members)
            if sum(len(p) for p in batch.values()) >= BATCH:
                self._flush(batch, commit)
                progress(written)
        self._flush(batch, commit)
        progress(written)
        index = CodeIndex(site, ())  # the demo's pupils are new: no code yet
        for family in families:
            self._issue_codes(family, index)
        commit()

    def _write_structures(self, families: list[PlannedFamily]) -> None:
        """Each establishment's classes and teaching teams, before any service's data."""
        levels: dict[str, dict[str, str]] = defaultdict(dict)
        for family in families:
            for child in family.children:
                levels[child.uai][child.division] = child.level
        for uai, divisions in levels.items():
            build_structure(
                self.site.establishments[uai],
                self.academy.establishments[uai].kind,
                divisions,
                self.seed,
                datetime.now(),
            )

    def _write_responsables(self, family: PlannedFamily) -> None:
        rng = self.rng
        uai = family.children[0].uai
        for civility, first_name, _relationship, _legal in family.parents:
            email = ""
            if rng.random() < 0.85:
                email = f"{first_name}.{family.surname}{rng.randint(1, 99)}@example.org"
                email = _ascii(email.lower().replace(" ", ""))
            responsable = Responsable(
                _new_id(rng),
                uai,
                civility,
                first_name,
                family.surname,
                email=email,
                address=family.address,
                phones={
                    "mobile": f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} "
                    f"{rng.randint(10, 99)} {rng.randint(10, 99)}"
                },
                profession=rng.choice(names.PROFESSIONS),
                sms_consent=rng.random() < 0.5,
            )
            self.site.add_responsable(responsable)
            family.responsables.append(responsable)

    def _flush(self, batch: dict[str, list[Pupil]], commit) -> None:
        for uai, pupils in batch.items():
            config = self.academy.establishments[uai]
            for service_id in config.services:
                self.plugins.call_service(
                    service_id,
                    hookspecs.ts_demo_data,
                    site=self.site,
                    establishment=config,
                    pupils=pupils,
                    rng=self.rng,
                    settings=config.settings_for(service_id),
                )
        batch.clear()
        commit()

    def _issue_codes(self, family: PlannedFamily, index: CodeIndex) -> None:
        """The administration's rule issues the codes; the rows keep a
        responsable's codes together, then the children's own."""
        issued = [
            (code, child)
            for child in family.children
            for code in issue_due(self.site, child.pupil, index, choice=self.rng.choice)
        ]
        order = {responsable.id: n for n, responsable in enumerate(family.responsables)}
        issued.sort(key=lambda pair: order.get(pair[0].responsable_id, len(order)))
        responsables = {responsable.id: responsable for responsable in family.responsables}
        for code, child in issued:
            responsable = responsables.get(code.responsable_id)
            self.code_rows.append(self._row(code.code, str(code.kind), child, responsable))

    @staticmethod
    def _row(code: str, kind: str, child: PlannedChild, responsable) -> list[str]:
        who = f"{responsable.first_name} {responsable.last_name}" if responsable else ""
        return [
            kind,
            display(code),
            child.uai,
            child.first_name,
            child.birth_date.strftime("%d/%m/%Y"),
            who,
        ]

    def write_codes_csv(self, path: str | Path) -> None:
        write_csv(path, CSV_COLUMNS, self.code_rows, delimiter=",")


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii())
