"""``ts-admin import INI dossier-scolarite FILE``: the pupils' schooling, a year a line.

The host reads the file (encodings, separator, every bad line with its
number, all or nothing, progress); this module says what a line holds and
what to write.  The columns are documented in ``IMPORT.md``.
"""

from __future__ import annotations

import re

from ts_host.api import Column, Importer, ImportSummary, Line

from .models import DECISIONS, SchoolYear, dossier_of

YEAR = re.compile(r"(\d{4})-(\d{4})")
MAX_TEXT = 120


def parse_year(text: str) -> str:
    match = YEAR.fullmatch(text.strip())
    if match is None or int(match[2]) != int(match[1]) + 1:
        raise ValueError(f"année scolaire « {text} » : attendu AAAA-AAAA, par exemple 2025-2026")
    return match[0]


def parse_decision(text: str) -> str:
    decision = text.strip().lower()
    if decision and decision not in DECISIONS:
        raise ValueError(
            f"décision « {text} » : attendu passage, redoublement, orientation ou rien"
        )
    return decision


class SchoolingImporter(Importer):
    name = "dossier-scolarite"
    columns = (
        Column("uai", "l'établissement qui importe, où l'élève est inscrit (UAI)"),
        Column("eleve_ine", "INE de l'élève"),
        Column("annee", "année scolaire, AAAA-AAAA", parse=parse_year),
        Column("etablissement", "nom de l'établissement fréquenté cette année-là"),
        Column("uai_etablissement", "son UAI", required=False, optional=True),
        Column("classe", "la classe (division) cette année-là"),
        Column("niveau", "le niveau (6e, 2nde…)", required=False, optional=True),
        Column(
            "decision",
            "passage, redoublement, orientation, ou vide en cours d'année",
            required=False,
            parse=parse_decision,
        ),
        Column(
            "detail",
            "la décision en clair : « Passage en 5e », « 2nde générale et technologique »",
            required=False,
            optional=True,
        ),
    )
    description = (
        "Une année déjà connue pour l'élève est remplacée par la ligne du fichier ; "
        "les autres années restent."
    )

    def check(self, line: Line):
        uai = line["uai"].upper()
        pupil = line.attempt(self.pupils.by_ine, uai, line["eleve_ine"].strip().upper())
        texts = {
            name: " ".join((line[name] or "").split())
            for name in ("etablissement", "classe", "niveau", "detail")
        }
        for name, text in texts.items():
            if len(text) > MAX_TEXT:
                line.problem(f"{name} trop long ({MAX_TEXT} caractères au plus)")
        year = SchoolYear(
            line["annee"],
            (line["uai_etablissement"] or uai).strip().upper(),
            texts["etablissement"],
            texts["classe"],
            texts["niveau"],
            line["decision"] or "",
            texts["detail"],
        )
        return pupil, year

    def write(self, checked) -> ImportSummary:
        summary = ImportSummary()
        for pupil, year in checked:
            summary.count(dossier_of(pupil).set_year(year))
        return summary


IMPORT_FORMAT = SchoolingImporter.import_format()
