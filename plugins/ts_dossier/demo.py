"""Demo schooling and bulletins: deterministic (``rng`` only) and cheap per pupil.

Each pupil gets the years from their establishment's first level to this
one (with, rarely, a redoublement), the earlier years in a school of the
level below, and a bulletin for each period already over.  The bulletins are
one demonstration PDF per period, drawn once per process.
"""

from __future__ import annotations

import functools
import io
import random
from collections.abc import Sequence

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from ts_host.api import EstablishmentConfig, Pupil

from .models import ORIENTATION, PASSAGE, REDOUBLEMENT, SchoolYear, dossier_of

LEVELS = {
    "college": ("6e", "5e", "4e", "3e"),
    "lycee": ("2nde", "1re", "Terminale"),
}
BEFORE = {
    "college": ("École élémentaire Jules Ferry", "0540999A", "CM2", "CM2"),
    "lycee": ("Collège Jean Lamour", "0541234Y", "3e", "3A"),
}
LYCEE_DIVISIONS = {"2nde": "2NDE1", "1re": "1G1", "Terminale": "TG1"}
REPEAT_CHANCE = 0.05


@functools.cache
def demo_bulletin(period: str) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setFont("Helvetica-Bold", 18)
    canvas.drawString(72, 760, f"Bulletin — {period}")
    canvas.setFont("Helvetica", 12)
    canvas.drawString(72, 730, "Document de démonstration des téléservices.")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def fill(establishment: EstablishmentConfig, pupils: Sequence[Pupil], rng: random.Random) -> None:
    levels = LEVELS.get(establishment.kind, LEVELS["college"])
    first_year = establishment.year_start.year
    first_period = establishment.periods[0]
    for pupil in pupils:
        dossier = dossier_of(pupil)
        rank = levels.index(pupil.level) if pupil.level in levels else 0
        years = _history(levels, rank, rng)
        start = first_year - len(years)
        for offset, (level, decision, detail) in enumerate(years):
            year = f"{start + offset}-{start + offset + 1}"
            dossier.set_year(
                SchoolYear(
                    year,
                    establishment.uai,
                    establishment.name,
                    _division(level, pupil.division),
                    level,
                    decision,
                    detail,
                )
            )
        name, uai, level, division = BEFORE.get(establishment.kind, BEFORE["college"])
        before = start - 1
        dossier.set_year(
            SchoolYear(
                f"{before}-{before + 1}",
                uai,
                name,
                division,
                level,
                ORIENTATION if establishment.kind == "lycee" else PASSAGE,
                f"Passage en {levels[0]}",
            )
        )
        dossier.set_year(
            SchoolYear(
                f"{first_year}-{first_year + 1}",
                establishment.uai,
                establishment.name,
                pupil.division,
                pupil.level,
            )
        )
        period = first_period.name
        dossier.publish(
            period, f"{pupil.ine}_{period}.pdf", demo_bulletin(period), first_period.end
        )


def _division(level: str, current: str) -> str:
    """A past class: « 5B » for a 4B in collège; the lycée's first class of the level."""
    return LYCEE_DIVISIONS.get(level) or f"{level[0]}{current[-1:]}"


def _history(levels, rank: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """The past years in this establishment: each level below ``rank``, sometimes twice."""
    years = []
    for index in range(rank):
        if rng.random() < REPEAT_CHANCE:
            years.append((levels[index], REDOUBLEMENT, f"Redoublement en {levels[index]}"))
        years.append((levels[index], PASSAGE, f"Passage en {levels[index + 1]}"))
    return years
