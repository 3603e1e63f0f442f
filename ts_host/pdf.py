"""The fonts of every PDF the portal writes, with reportlab.

The text is set in DejaVu, shipped in ``fonts/`` and embedded as subsets, so
accents and characters such as œ or Ł print the same everywhere, whatever
fonts the server or the reader has. The host's letters and the plugins'
PDF files (through ``ts_host.api``) use the same registered fonts.
"""

from __future__ import annotations

import functools
import threading
from importlib import resources

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT, FONT_BOLD, FONT_MONO = "DejaVuSans", "DejaVuSans-Bold", "DejaVuSansMono-Bold"
FONT_FILES = {
    FONT: "DejaVuSans.ttf",
    FONT_BOLD: "DejaVuSans-Bold.ttf",
    FONT_MONO: "DejaVuSansMono-Bold.ttf",
}


class SharedFont(TTFont):
    """A TrueType font that documents built at once on several threads embed.

    reportlab keeps each document's subsets apart, but the font's face reads
    the font file through one cursor (``seek``, then ``read``) while it makes
    a subset: two threads of waitress saving a PDF at once read each other's
    glyphs (an ``IndexError``, a 500). Documents are laid out in parallel; the
    subsets of one font are made one at a time.
    """

    def __init__(self, name: str, filename: str) -> None:
        super().__init__(name, filename)
        self._subsetting = threading.Lock()

    def addObjects(self, doc) -> None:
        with self._subsetting:
            super().addObjects(doc)


_registering = threading.Lock()


def register_fonts() -> None:
    """Register the shipped fonts with reportlab, once per process.

    Once only, even when two threads draw the first PDFs: a font registered
    again would replace the one a document being laid out already uses.
    """
    with _registering:
        _register()


@functools.cache
def _register() -> None:
    folder = resources.files(__package__ or "ts_host") / "fonts"
    for name, filename in FONT_FILES.items():
        with resources.as_file(folder / filename) as path:
            pdfmetrics.registerFont(SharedFont(name, str(path)))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
    )
