"""The récépissé of a deposited registration, as a PDF (reportlab).

One A4 page: the establishment, the pupil, when the file was deposited and
its state, then what each step holds.  The text is set in the host's
embedded fonts (``register_pdf_fonts``), so accents print everywhere.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from xml.sax.saxutils import escape

from pyramid.i18n import TranslationString
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ts_host.api import PDF_FONT, PDF_FONT_BOLD, format_date, register_pdf_fonts

from .i18n import _
from .models import STATE_LABELS, STEPS
from .schemas import STEP_TITLES

MARGIN = 20 * mm
GRID = colors.HexColor("#929292")


def render(translate: Callable, establishment, pupil, offer, registration, rows: dict) -> bytes:
    """The receipt's bytes; ``rows`` are the summary's rows per step."""
    register_pdf_fonts()
    base = ParagraphStyle("receipt", fontName=PDF_FONT, fontSize=10, leading=13)
    title = ParagraphStyle("title", base, fontName=PDF_FONT_BOLD, fontSize=15, leading=19)
    heading = ParagraphStyle("heading", base, fontName=PDF_FONT_BOLD, fontSize=11.5, leading=15)

    def text(value) -> str:
        # A TranslationString is a str too: translate (and interpolate) it.
        return escape(translate(value) if isinstance(value, TranslationString) else value)

    story = [
        Paragraph(escape(establishment.name), heading),
        Paragraph(text(_("Récépissé de téléinscription")), title),
        Spacer(1, 4 * mm),
        Paragraph(
            text(
                _(
                    "Élève : ${name}, né(e) le ${birth}, entrée en ${level}",
                    mapping={
                        "name": f"{pupil.first_name} {pupil.last_name}",
                        "birth": format_date(pupil.birth_date),
                        "level": offer.level,
                    },
                )
            ),
            base,
        ),
        Paragraph(
            text(
                _(
                    "Dossier déposé le ${date} ; état : ${state}.",
                    mapping={
                        "date": format_date(registration.submitted),
                        "state": STATE_LABELS[registration.state],
                    },
                )
            ),
            base,
        ),
    ]
    for step in STEPS:
        story += [Spacer(1, 5 * mm), Paragraph(text(STEP_TITLES[step]), heading)]
        data = [
            [Paragraph(text(label), base), Paragraph(text(value), base)]
            for label, value in rows.get(step, ())
        ]
        if data:
            table = Table(data, colWidths=(70 * mm, A4[0] - 2 * MARGIN - 70 * mm))
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("FONTNAME", (0, 0), (-1, -1), PDF_FONT),
                    ]
                )
            )
            story.append(table)
    story += [
        Spacer(1, 8 * mm),
        Paragraph(
            text(
                _(
                    "Ce récépissé atteste le dépôt du dossier ; l'inscription est définitive "
                    "quand l'établissement l'a déclarée complète."
                )
            ),
            base,
        ),
    ]
    output = io.BytesIO()
    document = SimpleDocTemplate(
        output,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=translate(_("Récépissé de téléinscription")),
        author=establishment.name,
    )
    document.build(story)
    return output.getvalue()
