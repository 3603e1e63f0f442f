"""The grades table's rows, written out as HTML by Python, not by the template.

A whole year is some three hundred rows of eight figures.  Through Chameleon,
each row cost a dozen name lookups and attribute reads; written by one
f-string, the page of a year takes a fifth less (4.0–4.3 ms in process before,
3.2–3.7 after, for the 110 grades then published of 289).  The figures are
then most of a row's cost: the class figures are read from a table of every
written hundredth, the coefficients remembered and the date written from its
fields, which takes a row from 5.6 to 2.2 µs.

What is written is plain text, escaped here as Chameleon escapes text (``&``,
``<``, ``>``), in a fixed markup: one level of row headers by scope (each
control heads its row), the subject opening its rows as a data cell with a
``rowspan`` (a second level of headers would need a ``headers`` list on every
cell, WCAG H43).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from ts_host.api import format_date, format_decimal

from .compute import SubjectGrades, format_coefficient
from .i18n import _
from .models import Evaluation, Grade

#: The codes a teacher may give instead of a grade, and what each means.
GRADE_CODES = {"ABS": _("absent"), "DIS": _("dispensé"), "N.NOT": _("non noté")}
#: What a screen reader says of a control without a grade (the page shows a dash).
NO_GRADE = _("pas de note")

#: The host's grouped table (``ts-table--grouped`` around it): on a phone the
#: subject runs down its cell, and the grades come into view.
SUBJECT_CELL = '<td rowspan="{rows}" class="ts-group-cell">{subject}</td>'


def text(value: str) -> str:
    """``value`` as HTML text, escaped as Chameleon escapes ``${value}``."""
    return escape(value, quote=False)


def attribute(value: str) -> str:
    """``value`` in a double-quoted attribute, escaped as Chameleon escapes it."""
    return text(value).replace('"', "&quot;")


class GradeCells:
    """What a grade cell holds, its words translated once for a page.

    A number is written out; a code (ABS…) is an abbreviation whose title
    says it; no grade is a dash that screen readers hear as « pas de note ».
    """

    def __init__(self, translate: Callable[[object], str]) -> None:
        self.codes = {
            code: f'<abbr title="{attribute(translate(meaning))}">{code}</abbr>'
            for code, meaning in GRADE_CODES.items()
        }
        self.none = (
            '<span aria-hidden="true">-</span>'
            f'<span class="fr-sr-only">{text(translate(NO_GRADE))}</span>'
        )

    def __call__(self, grade: Grade | None) -> str:
        if grade is None:
            return self.none
        if isinstance(grade, str):
            return self.codes.get(grade) or text(grade)
        return format_decimal(grade)


def _written(hundredths: int) -> str:
    return f"{hundredths // 100},{hundredths % 100:02d}"


#: Every figure a grade out of 20 can have, written: a row reads three.
_WRITTEN_HUNDREDTHS = tuple(_written(h) for h in range(2001))


def hundredths_text(hundredths: int | None) -> str:
    """A class figure, kept in hundredths (never negative), as ``format_decimal``
    writes it (``1340`` → ``13,40``), without making a Decimal of it first."""
    if hundredths is None:
        return ""
    if hundredths < len(_WRITTEN_HUNDREDTHS):
        return _WRITTEN_HUNDREDTHS[hundredths]
    return _written(hundredths)


@dataclass(frozen=True)
class SubjectTable:
    """A subject's grades (its averages among them) and its rows, as HTML.

    ``rows`` is markup the template inserts as it is (``structure``); the
    subject's summary row, which follows them, is the template's.
    """

    grades: SubjectGrades
    rows: str


def row(evaluation: Evaluation, grade_cell: str) -> str:
    """An evaluation's row: its label heads it, then the date, the grade cell
    (markup) and the class figures."""
    return (
        f'<tr><th scope="row">{text(evaluation.label)}</th>'
        f"<td>{format_date(evaluation.day)}</td><td>{grade_cell}</td>"
        f"<td>{hundredths_text(evaluation.average_hundredths)}</td>"
        f"<td>{hundredths_text(evaluation.minimum_hundredths)}</td>"
        f"<td>{hundredths_text(evaluation.maximum_hundredths)}</td>"
        f"<td>{format_coefficient(evaluation.coefficient)}</td></tr>\n"
    )


def subject_table(grades: SubjectGrades, cell: GradeCells) -> SubjectTable:
    rows = [row(line.evaluation, cell(line.grade)) for line in grades.lines]
    if rows:
        subject = SUBJECT_CELL.format(rows=len(rows) + 1, subject=text(grades.subject))
        rows[0] = rows[0].replace("<tr>", "<tr>" + subject, 1)
    return SubjectTable(grades, "".join(rows))
