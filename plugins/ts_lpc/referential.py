"""The official referential of the *livret personnel de compétences* (LPC).

The LPC records, for each pupil, which items of the *socle commun de
connaissances et de compétences* have been acquired and on which date each
competence was validated, at three *paliers*:

* palier 1, end of CE1: competences 1, 3 (mathematics only) and 6;
* palier 2, end of CM2: the seven competences (competence 2 at level A1 of the
  CEFR, competence 4 = B2i école; competence 3 has two parts, mathematics and
  scientific culture, validated separately);
* palier 3, end of collège: the seven competences, 98 items.

The data lives in ``referential.toml`` next to this module (read with
:mod:`importlib.resources`, so it works from a wheel or a zip). Its wording is
that of the official attestation grids: the palier 2 and palier 3 grids as
published in the annex of the arrêté of 8 July 2010 (JORF n° 159 of
11 July 2010, text 17), the LPC itself being set by the arrêté of 14 June 2010;
the palier 1 grid of the same livret. The parents' note and the PDF footer are
copied verbatim from the Téléservices 12.1 user guide (§ 2.4.3). The header of
the TOML file documents the typing conventions and the item code scheme:
``"P.C.D.I"`` = palier, competence number, 1-based rank of the domain within
the competence, 1-based rank of the item within the domain (``"3.7.2.4"`` is
"Savoir nager"). Codes are stored with pupils' data and must never change.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

__all__ = [
    "LANGUE_PLACEHOLDER",
    "Competence",
    "Domain",
    "Item",
    "NoteBlock",
    "Palier",
    "PdfFooter",
    "Validation",
    "item",
    "load_referential",
    "note_aux_parents",
    "pdf_footer",
]

DATA_FILE = "referential.toml"
SCHEMA = 1
LANGUE_PLACEHOLDER = "{langue}"
_STRONG = re.compile(r"\*\*(.+?)\*\*")

NoteKind = Literal["title", "heading", "paragraph", "list"]


@dataclass(frozen=True, slots=True)
class Item:
    """One item of the grid, e.g. ``Item("3.7.2.4", "Savoir nager")``."""

    code: str
    label: str


@dataclass(frozen=True, slots=True)
class Domain:
    """A group of items, titled in capitals as the attestation prints it.

    ``part`` is only set for palier 2 competence 3, whose domains belong
    either to "Les principaux éléments de mathématiques" or to "La culture
    scientifique et technologique".
    """

    label: str
    items: tuple[Item, ...]
    part: str | None = None


@dataclass(frozen=True, slots=True)
class Validation:
    """A validation sentence, printed before the validation date.

    The sentence of competence 2 contains ``{langue}``, replaced by the
    validated modern language (e.g. "ANGLAIS LV1") through :meth:`render`.
    """

    text: str
    part: str | None = None

    def render(self, langue: str | None = None) -> str:
        """The sentence, ``{langue}`` replaced by *langue* (or "…" if unknown)."""
        if LANGUE_PLACEHOLDER not in self.text:
            return self.text
        return self.text.replace(LANGUE_PLACEHOLDER, langue or "…")


@dataclass(frozen=True, slots=True)
class Competence:
    """One of the seven competences of the socle commun, at a given palier."""

    number: int
    label: str
    note: str | None
    domains: tuple[Domain, ...]
    validations: tuple[Validation, ...] = ()
    footnote: str | None = None

    @property
    def items(self) -> tuple[Item, ...]:
        """All the items of the competence, in the order of the grid."""
        return tuple(it for domain in self.domains for it in domain.items)

    @property
    def validation(self) -> Validation:
        """The (first) validation sentence."""
        return self.validations[0]

    @property
    def parts(self) -> tuple[str, ...]:
        """The parts of a split competence (palier 2 C3), else ``()``."""
        return tuple(dict.fromkeys(d.part for d in self.domains if d.part is not None))


@dataclass(frozen=True, slots=True)
class Palier:
    """A palier: its competences and its colours.

    ``accent`` names the DSFR colour family of the palier (``green-emeraude``
    for palier 3, ``orange-terre-battue`` for 2, ``blue-cumulus`` for 1):
    web pages use the DSFR's ``--<accent>`` component variants, so no style
    of their own.  ``colour`` is the same palier colour in hexadecimal for
    the PDF (competence bar), ``text_colour`` the text colour to use on it
    and ``tint`` a light background for the domains (to use with dark text,
    #161616); all meet WCAG AA (4.5:1).
    """

    number: int
    competences: tuple[Competence, ...]
    accent: str
    colour: str
    text_colour: str
    tint: str
    title: str
    stage: str

    @property
    def items(self) -> tuple[Item, ...]:
        """All the items of the palier."""
        return tuple(it for comp in self.competences for it in comp.items)

    @property
    def competence_numbers(self) -> tuple[int, ...]:
        return tuple(comp.number for comp in self.competences)

    def competence(self, number: int) -> Competence:
        """The competence numbered *number*; :exc:`KeyError` if not assessed."""
        for comp in self.competences:
            if comp.number == number:
                return comp
        raise KeyError(f"compétence {number} absente du palier {self.number}")


@dataclass(frozen=True, slots=True)
class NoteBlock:
    """A block of the "Note aux parents".

    ``text`` may contain ``**bold**`` runs (see :meth:`segments`); a list has
    ``items``, couples ``(bullet, text)`` such as ``("◆", "item acquis")``.
    """

    kind: NoteKind
    text: str = ""
    items: tuple[tuple[str, str], ...] = ()

    def segments(self) -> tuple[tuple[str, bool], ...]:
        """``text`` split into ``(run, is_bold)`` couples, markers removed."""
        out: list[tuple[str, bool]] = []
        for i, run in enumerate(_STRONG.split(self.text)):
            if run:
                out.append((run, i % 2 == 1))
        return tuple(out)

    @property
    def plain_text(self) -> str:
        """``text`` without the bold markers."""
        return _STRONG.sub(r"\1", self.text)


@dataclass(frozen=True, slots=True)
class PdfFooter:
    """The footer of the PDF report (data-protection notice)."""

    title: str
    text: str


@functools.cache
def _data() -> dict[str, Any]:
    raw = resources.files(__package__ or "ts_lpc").joinpath(DATA_FILE).read_bytes()
    data = tomllib.loads(raw.decode("utf-8"))
    if data.get("schema") != SCHEMA:
        raise ValueError(f"{DATA_FILE}: schema {data.get('schema')!r} != {SCHEMA}")
    return data


def _competence(raw: dict[str, Any]) -> Competence:
    return Competence(
        number=raw["number"],
        label=raw["label"],
        note=raw.get("note"),
        domains=tuple(
            Domain(
                label=d["label"],
                items=tuple(Item(code=i["code"], label=i["label"]) for i in d["items"]),
                part=d.get("part"),
            )
            for d in raw["domain"]
        ),
        validations=tuple(
            Validation(text=v["text"], part=v.get("part")) for v in raw["validations"]
        ),
        footnote=raw.get("footnote"),
    )


@functools.cache
def load_referential() -> dict[int, Palier]:
    """The three paliers, keyed by number (1, 2, 3, in that order).

    The result is cached and shared: do not mutate it. The portal shows the
    paliers in the order 3, 2, 1.
    """
    paliers = (
        Palier(
            number=raw["number"],
            competences=tuple(_competence(c) for c in raw["competence"]),
            accent=raw["accent"],
            colour=raw["colour"],
            text_colour=raw["text_colour"],
            tint=raw["tint"],
            title=raw["title"],
            stage=raw["stage"],
        )
        for raw in _data()["palier"]
    )
    return {p.number: p for p in sorted(paliers, key=lambda p: p.number)}


@functools.cache
def _items_by_code() -> dict[str, Item]:
    items: dict[str, Item] = {}
    for palier in load_referential().values():
        for it in palier.items:
            if it.code in items:
                raise ValueError(f"{DATA_FILE}: duplicate item code {it.code}")
            items[it.code] = it
    return items


def item(code: str) -> Item:
    """The item whose code is *code* (e.g. ``"3.1.1.1"``); :exc:`KeyError`."""
    try:
        return _items_by_code()[code]
    except KeyError:
        raise KeyError(f"item LPC inconnu : {code!r}") from None


@functools.cache
def note_aux_parents() -> tuple[NoteBlock, ...]:
    """The "Note aux parents" shown by the ⓘ button, block by block."""
    return tuple(
        NoteBlock(
            kind=b["kind"],
            text=b.get("text", ""),
            items=tuple((bullet, text) for bullet, text in b.get("items", ())),
        )
        for b in _data()["note_aux_parents"]
    )


@functools.cache
def pdf_footer() -> PdfFooter:
    """The footer printed at the bottom of the PDF report."""
    raw = _data()["pdf_footer"]
    return PdfFooter(title=raw["title"], text=raw["text"])
