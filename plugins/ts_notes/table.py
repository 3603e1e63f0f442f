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

A row leaves out the end tags HTML makes optional (``</td>``, ``</th>``,
``</tr>``: a cell ends where the next begins, a row where the next does),
quotes no attribute value that is a plain word, and the next row follows
without a line break (which would be the last cell's text).  Every HTML parser, a
browser's and so a screen reader's, builds the same table from it; the tags
were a third of a row's bytes, and the rows most of the page's (a whole year
of 300 grades: 40 KB of rows, 27.5 now).
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
#: The head of a subject's last row, which sums its grades up.
WEIGHTED_AVERAGE = _("Moyenne pondérée")
#: What a screen reader says before the class's average in that row.
CLASS_AVERAGE = _("moyenne de la classe :")

#: The host's grouped table (``ts-table--grouped`` around it): on a phone the
#: subject runs down its cell, and the grades come into view.
SUBJECT_CELL = "<td rowspan={rows} class=ts-group-cell>{subject}"


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


class SummaryRow:
    """A subject's last row, its words translated once for a page: the
    pupil's and the class's weighted averages, under the grade's and the
    class average's columns, and the coefficients' total."""

    def __init__(self, translate: Callable[[object], str], of_first_name: str) -> None:
        pupil_average = translate(
            _("moyenne ${of_first_name} :", mapping={"of_first_name": of_first_name})
        )
        head = text(translate(WEIGHTED_AVERAGE))
        self.head = f"<tr class=ts-notes-moyenne><th scope=row>{head}<td>"
        self.pupil = f"<span class=fr-sr-only>{text(pupil_average)}</span> "
        self.of_class = f"<span class=fr-sr-only>{text(translate(CLASS_AVERAGE))}</span> "

    def __call__(self, grades: SubjectGrades) -> str:
        return (
            f"{self.head}<td><strong>{self.pupil}{format_decimal(grades.pupil_average) or '-'}"
            f"</strong><td>{self.of_class}{format_decimal(grades.class_average) or '-'}"
            f"<td><td><td>{format_coefficient(grades.coefficient_total)}"
        )


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

    ``rows`` is markup the template inserts as it is (``structure``), the
    summary row last.
    """

    grades: SubjectGrades
    rows: str


def row(evaluation: Evaluation, grade_cell: str) -> str:
    """An evaluation's row: its label heads it, then the date, the grade cell
    (markup) and the class figures."""
    return (
        f"<tr><th scope=row>{text(evaluation.label)}"
        f"<td>{format_date(evaluation.day)}<td>{grade_cell}"
        f"<td>{hundredths_text(evaluation.average_hundredths)}"
        f"<td>{hundredths_text(evaluation.minimum_hundredths)}"
        f"<td>{hundredths_text(evaluation.maximum_hundredths)}"
        f"<td>{format_coefficient(evaluation.coefficient)}"
    )


def subject_table(grades: SubjectGrades, cell: GradeCells, summary: SummaryRow) -> SubjectTable:
    rows = [row(line.evaluation, cell(line.grade)) for line in grades.lines]
    rows.append(summary(grades))
    subject = SUBJECT_CELL.format(rows=len(rows), subject=text(grades.subject))
    rows[0] = rows[0].replace("<tr>", "<tr>" + subject, 1)
    return SubjectTable(grades, "".join(rows))
