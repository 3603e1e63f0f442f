"""The host's PDF fonts: saved from several threads at once, their strings coded as
reportlab codes them."""

from __future__ import annotations

import io
import sys
from concurrent.futures import ThreadPoolExecutor
from xml.sax.saxutils import escape

import pytest
from pypdf import PdfReader
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, TTFontFace
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

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


#: Strings as a document draws them: ASCII, accents, no-break spaces, an
#: empty string, then more than 256 characters (Greek and Cyrillic), which
#: reportlab puts in further subsets, then the first ones again.
STRINGS = [
    "Livret personnel de compétences",
    "",
    "12\xa0octobre 2026 — Français",
    TEXT,
    "Livret personnel de compétences",
    "".join(map(chr, range(0x391, 0x3CA))) + "".join(map(chr, range(0x410, 0x450))),
    "".join(map(chr, range(0x100, 0x17F))),
    "Ωмега et é, \xa0 ÿ",
    TEXT,
    b"octets \xc3\xa9",
]


def test_strings_are_coded_as_reportlab_codes_them():
    pdf.register_fonts()
    ours = pdfmetrics.getFont(pdf.FONT)
    theirs = TTFont("reportlab", ours.face.filename)
    ours_doc, theirs_doc = Canvas(io.BytesIO())._doc, Canvas(io.BytesIO())._doc
    for text in STRINGS * 2:
        assert ours.splitString(text, ours_doc) == theirs.splitString(text, theirs_doc), text
    assert ours.state[ours_doc].assignments == theirs.state[theirs_doc].assignments


def document(strings: list) -> bytes:
    """A few pages of paragraphs and a table, byte for byte the same each time."""
    buffer = io.BytesIO()
    style = ParagraphStyle("text", fontName=pdf.FONT, fontSize=10, leading=13)
    rows = [[text, text.upper()] for text in strings if isinstance(text, str)] * 20
    table = Table(rows, style=[("FONTNAME", (0, 0), (-1, -1), pdf.FONT_BOLD)])
    story = [Paragraph(escape(text), style) for text in strings if isinstance(text, str)] * 30
    SimpleDocTemplate(buffer, invariant=1).build([*story, table])
    return buffer.getvalue()


def test_a_document_is_the_same_as_with_reportlab_coding_its_strings(monkeypatch):
    pdf.register_fonts()
    ours = document(STRINGS)
    monkeypatch.setattr(pdf.SharedFont, "splitString", TTFont.splitString)
    assert document(STRINGS) == ours


def test_a_document_is_the_same_as_with_reportlab_making_its_font_files(monkeypatch):
    pdf.register_fonts()
    ours = document(STRINGS)
    for name in (pdf.FONT, pdf.FONT_BOLD):
        face = pdfmetrics.getFont(name).face
        monkeypatch.delattr(face, "makeSubset")
        monkeypatch.delattr(face, "addSubsetObjects")
    assert document(STRINGS) == ours


def test_a_subset_drawn_again_is_not_made_again(monkeypatch):
    """The second document draws the same characters in the same order: its
    font files are the first one's, made and compressed once."""
    pdf.register_fonts()
    made = []
    make = TTFontFace.makeSubset
    monkeypatch.setattr(
        TTFontFace, "makeSubset", lambda face, subset: made.append(1) or make(face, subset)
    )
    strings = [*STRINGS, "une phrase que nul autre test n'écrit : ½ ¾ ¿"]
    first = document(strings)
    assert made
    made.clear()
    assert document(strings) == first
    assert not made
    # Other characters, another subset: made for this document.
    document(["ŉ"])
    assert made
