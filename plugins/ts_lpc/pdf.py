"""The "bilan détaillé" of a palier as a PDF (guide, § 2.4.3), with reportlab.

A4, one table per competence (its title row repeated when the table runs
onto the next page), the pupil's name at the top of every following page,
the data-protection notice of the referential and "Page n sur N" at the
bottom of every page.  The text is set in the host's PDF fonts (DejaVu
Sans, embedded as subsets), so accents print the same everywhere.
"""

from __future__ import annotations

import copy
import functools
import io
from collections.abc import Callable
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from ts_host.api import PDF_FONT as FONT
from ts_host.api import PDF_FONT_BOLD as FONT_BOLD
from ts_host.api import Pupil, format_date, register_pdf_fonts

from .i18n import _
from .livret import CompetenceState, Livret
from .referential import pdf_footer

MARGIN = 18 * mm
FOOTER_HEIGHT = 30 * mm
WIDTH = A4[0] - 2 * MARGIN
DATE_COLUMN = 60 * mm
#: A competence starting lower than this on a page starts on the next one.
MIN_START = 45 * mm
GRID = colors.HexColor("#929292")
DARK = colors.HexColor("#161616")

#: Cells hold paragraphs; the font also applies to the empty cells a span covers,
#: which would otherwise bring the (not embedded) Helvetica into the file.
CELL_SIZE = 8.5
CELL_STYLE = (
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("FONTNAME", (0, 0), (-1, -1), FONT),
    ("FONTSIZE", (0, 0), (-1, -1), CELL_SIZE),
    ("LEADING", (0, 0), (-1, -1), CELL_SIZE * 1.25),
    ("TEXTCOLOR", (0, 0), (-1, -1), DARK),
)
#: A cell's text width: its column less reportlab's default padding (6 pt a side).
LABEL_WIDTH = WIDTH - DATE_COLUMN - 12
MARKS_WIDTH = DATE_COLUMN - 12

Translate = Callable[[object], str]


@functools.lru_cache(maxsize=4096)
def _lines(text: str, font: str, width: float) -> str:
    """``text`` broken into lines that fit ``width`` at the cells' size.

    The competence tables' cells are plain text, not ``Paragraph``s: reportlab
    draws a string's lines directly, where a paragraph parses its markup and
    breaks its lines again at each wrap (most of a livret's cost). The
    referential's labels are the same for every pupil, so each is broken once
    per process.
    """
    return "\n".join(simpleSplit(text, font, CELL_SIZE, width))


def _style(name: str, size: float, *, bold: bool = False, **kw) -> ParagraphStyle:
    return ParagraphStyle(
        name,
        fontName=FONT_BOLD if bold else FONT,
        fontSize=size,
        leading=size * 1.25,
        textColor=kw.pop("textColor", DARK),
        **kw,
    )


STYLES = {
    "title": _style("title", 16, bold=True, alignment=TA_CENTER, spaceAfter=2 * mm),
    "subtitle": _style("subtitle", 13, bold=True, alignment=TA_CENTER, spaceAfter=1 * mm),
    "date": _style("date", 11, bold=True, alignment=TA_CENTER, spaceAfter=6 * mm),
    "identity": _style("identity", 10),
    "cell_bold": _style("cell_bold", CELL_SIZE, bold=True),
    "small": _style("small", 7.5),
    "footer": _style("footer", 6.5),
    "running": _style("running", 7.5, textColor=colors.HexColor("#666666")),
}


def _interpolate(message) -> str:
    return message.interpolate()


def render_livret(livret: Livret, pupil: Pupil, translate: Translate = _interpolate) -> bytes:
    """The PDF of ``livret`` for ``pupil``, as bytes.

    ``translate`` turns the PDF's own messages into text (a request's
    ``localizer.translate``); by default they stay in French.
    """
    register_pdf_fonts()
    palier = livret.palier
    title = translate(_("Livret personnel de compétences"))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + FOOTER_HEIGHT,
        title=f"{title} — {palier.title} — {pupil.full_name}",
        author="scolarité services",
        lang="fr-FR",
        initialFontName=FONT,
    )
    running = f"{title} — {palier.title} — {pupil.full_name}"
    story = [
        Paragraph(escape(title), STYLES["title"]),
        Paragraph(escape(palier.title), STYLES["subtitle"]),
        Paragraph(
            escape(
                translate(
                    _(
                        "Bilan détaillé en date du ${date}",
                        mapping={"date": format_date(livret.as_of)},
                    )
                )
            ),
            STYLES["date"],
        ),
        _identity(livret, pupil, translate),
        Spacer(1, 6 * mm),
    ]
    for state in livret.competences:
        story += [
            CondPageBreak(MIN_START),
            _competence_table(state, livret, translate),
            Spacer(1, 5 * mm),
        ]

    def on_later_pages(canvas: Canvas, _doc) -> None:
        canvas.saveState()
        header = Paragraph(escape(running), STYLES["running"])
        header.wrap(WIDTH, MARGIN)
        header.drawOn(canvas, MARGIN, A4[1] - MARGIN + 2 * mm)
        canvas.restoreState()

    doc.build(
        story,
        onLaterPages=on_later_pages,
        canvasmaker=_canvas_with_footer(translate),
    )
    return buffer.getvalue()


def _identity(livret: Livret, pupil: Pupil, translate: Translate) -> Table:
    cell, bold = STYLES["identity"], _style("identity_bold", 10, bold=True)
    rows = [
        (_("Nom et prénom :"), Paragraph(escape(pupil.full_name), bold)),
        (_("né(e) le :"), Paragraph(format_date(pupil.birth_date), cell)),
        (_("classe de :"), Paragraph(escape(pupil.division), cell)),
        (
            _("Professeur principal :"),
            Paragraph(escape(livret.professeur_principal), bold),
        ),
    ]
    table = Table(
        [[Paragraph(escape(translate(label)), cell), value] for label, value in rows],
        colWidths=(45 * mm, WIDTH - 45 * mm),
        hAlign="LEFT",
    )
    table.setStyle(TableStyle([*CELL_STYLE]))
    return table


def _competence_table(state: CompetenceState, livret: Livret, translate: Translate) -> Table:
    palier = livret.palier
    comp = state.competence
    cell_bold = STYLES["cell_bold"]
    on_colour = _style("on_colour", 9.5, bold=True, textColor=colors.HexColor(palier.text_colour))
    number_label = translate(_("Compétence ${number}", mapping={"number": comp.number}))
    rows: list[list] = [[Paragraph(escape(f"{number_label} - {comp.label}"), on_colour), ""]]
    style: list[tuple] = [
        ("SPAN", (0, 0), (1, 0)),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(palier.colour)),
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        *CELL_STYLE,
    ]

    def spanning(paragraph: Paragraph, background=None) -> None:
        row = len(rows)
        rows.append([paragraph, ""])
        style.append(("SPAN", (0, row), (1, row)))
        if background is not None:
            style.append(("BACKGROUND", (0, row), (-1, row), background))

    if comp.note:
        spanning(Paragraph(escape(comp.note), STYLES["small"]))
    tint = colors.HexColor(palier.tint)
    date_heading = translate(_("Date"))
    part = None
    for domain in state.domains:
        if domain.domain.part and domain.domain.part != part:
            part = domain.domain.part
            spanning(Paragraph(escape(part), cell_bold))
        style.append(("BACKGROUND", (0, len(rows)), (-1, len(rows)), tint))
        style.append(("FONTNAME", (0, len(rows)), (-1, len(rows)), FONT_BOLD))
        rows.append([_lines(domain.domain.label, FONT_BOLD, LABEL_WIDTH), date_heading])
        for item in domain.items:
            marks = "\n".join(
                _lines(f"{format_date(mark.day)} {mark.discipline}", FONT, MARKS_WIDTH)
                for mark in item.renseignements
            )
            rows.append([_lines(item.item.label, FONT, LABEL_WIDTH), marks])
    for validation in state.validations:
        style.append(("FONTNAME", (0, len(rows)), (-1, len(rows)), FONT_BOLD))
        rows.append(
            [
                _lines(validation.sentence, FONT_BOLD, LABEL_WIDTH),
                format_date(validation.day),
            ]
        )
    if comp.footnote:
        spanning(Paragraph(escape(comp.footnote), STYLES["small"]))
    table = Table(rows, colWidths=(WIDTH - DATE_COLUMN, DATE_COLUMN), repeatRows=1)
    table.setStyle(TableStyle(style))
    return table


@functools.cache
def _footer_notice() -> tuple[Paragraph, float]:
    """The referential's data-protection notice, laid out once per process.

    It is the same on every page of every livret, and a laid-out paragraph
    only reads its lines when drawn; but ``drawOn`` sets and then deletes the
    flowable's ``canv``, so each document draws its own shallow copy (the
    lines shared): two threads drawing one paragraph failed with a 500.
    """
    footer = pdf_footer()
    notice = Paragraph(f"<b>{escape(footer.title)}</b><br/>{escape(footer.text)}", STYLES["footer"])
    _width, height = notice.wrap(WIDTH, FOOTER_HEIGHT)
    return notice, height


def _canvas_with_footer(translate: Translate) -> type[Canvas]:
    """A canvas class that prints the footer and "Page n sur N" on every page.

    The total is known only at the end, so pages are kept until ``save``
    (reportlab's usual recipe).
    """
    laid_out, notice_height = _footer_notice()
    notice = copy.copy(laid_out)

    class FooterCanvas(Canvas):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._draw_footer(total)
                super().showPage()
            super().save()

        def _draw_footer(self, total: int) -> None:
            notice.drawOn(self, MARGIN, MARGIN)
            page = translate(
                _(
                    "Page ${page} sur ${pages}",
                    mapping={"page": self._pageNumber, "pages": total},
                )
            )
            self.setFont(FONT, 7.5)
            self.setFillColor(DARK)
            self.drawRightString(A4[0] - MARGIN, MARGIN + notice_height + 3 * mm, page)

    return FooterCanvas
