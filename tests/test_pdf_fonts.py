"""The host's PDF fonts, saved from several threads at once."""

from __future__ import annotations

import io
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from ts_host import pdf

#: Accented letters are composite glyphs in DejaVu: subsetting them reads the
#: font file the most, where two threads at once went wrong.
TEXT = "Éloïse LEFÈVRE, née à Saint-Étienne : œuvre, garçon, ÀÂÇÉÈÊËÎÏÔÙÛÜ"


def saved(number: int) -> str:
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.setFont(pdf.FONT, 11)
    canvas.drawString(50, 800, f"{TEXT} {number}")
    canvas.setFont(pdf.FONT_BOLD, 11)
    canvas.drawString(50, 780, TEXT.lower())
    canvas.save()
    return PdfReader(io.BytesIO(buffer.getvalue())).pages[0].extract_text()


@pytest.fixture
def threads_switching_often():
    """Threads switch every microsecond, so that a race shows on most runs."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(interval)


def test_documents_saved_at_once_by_several_threads_all_succeed(threads_switching_often):
    """waitress serves on threads: two PDFs saved at once made their font
    subsets through one cursor on the font file (an IndexError, a 500; with
    reportlab's own TTFont this test failed 8 runs of 8)."""
    pdf.register_fonts()
    with ThreadPoolExecutor(max_workers=8) as pool:
        texts = list(pool.map(saved, range(64)))
    for number, text in enumerate(texts):
        assert f"{TEXT} {number}" in text
        assert TEXT.lower() in text


def test_the_fonts_are_registered_once():
    """A font registered again would replace the one a document being laid
    out on another thread already uses."""
    pdf.register_fonts()
    font = pdfmetrics.getFont(pdf.FONT)
    pdf.register_fonts()
    assert pdfmetrics.getFont(pdf.FONT) is font
    assert isinstance(font, pdf.SharedFont)
