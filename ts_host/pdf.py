"""The fonts of every PDF the portal writes, with reportlab.

The text is set in DejaVu, shipped in ``fonts/`` and embedded as subsets, so
accents and characters such as œ or Ł print the same everywhere, whatever
fonts the server or the reader has. The host's letters and the plugins'
PDF files (through ``ts_host.api``) use the same registered fonts.
"""

from __future__ import annotations

import functools
import itertools
import threading
import weakref
from importlib import resources
from typing import NamedTuple

from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, TTFontFace

FONT, FONT_BOLD, FONT_MONO = "DejaVuSans", "DejaVuSans-Bold", "DejaVuSansMono-Bold"
FONT_FILES = {
    FONT: "DejaVuSans.ttf",
    FONT_BOLD: "DejaVuSans-Bold.ttf",
    FONT_MONO: "DejaVuSansMono-Bold.ttf",
}


#: Font files of subsets a process keeps per font (some 20 KB each,
#: compressed, and 36 KB not).
REMEMBERED_SUBSETS = 16


class _FontFile(NamedTuple):
    """A subset's font file, as reportlab makes it and as the PDF holds it."""

    font: bytes
    compressed: bytes


class SharedFont(TTFont):
    """A TrueType font that documents built at once on several threads embed.

    reportlab keeps each document's subsets apart, but the font's face reads
    the font file through one cursor (``seek``, then ``read``) while it makes
    a subset: two threads of waitress saving a PDF at once read each other's
    glyphs (an ``IndexError``, a 500). Documents are laid out in parallel; the
    subsets of one font are made one at a time.

    A subset's font file is made and compressed once per process: it depends
    only on the characters of the subset, in the order the document first
    drew them, and the documents of one kind draw the same text (every
    competences booklet of a palier, the children's names aside, which
    mostly add no letter to it). reportlab made and compressed it for each
    document (some 3 ms of a booklet's 24).
    """

    def __init__(self, name: str, filename: str) -> None:
        super().__init__(name, filename)
        self._subsetting = threading.Lock()
        self._known = weakref.WeakKeyDictionary()
        self._font_files = functools.lru_cache(maxsize=REMEMBERED_SUBSETS)(self._font_file)
        # The face's own two steps, through what this font remembers.
        self.face.makeSubset = self._subset_font
        self.face.addSubsetObjects = self._add_subset_objects

    def _font_file(self, subset: tuple[int, ...]) -> _FontFile:
        font = TTFontFace.makeSubset(self.face, list(subset))
        return _FontFile(font, pdfdoc.PDFZCompress.encode(font))

    def _subset_font(self, subset: list[int]) -> bytes:
        return self._font_files(tuple(subset)).font

    def _add_subset_objects(self, doc, fontname: str, subset: list[int]):
        """reportlab's, then the font file given its remembered compression."""
        descriptor = TTFontFace.addSubsetObjects(self.face, doc, fontname, subset)
        stream = doc.idToObject[doc.idToObject[descriptor.name].dict["FontFile2"].name]
        if stream.filters == [pdfdoc.PDFZCompress]:
            stream.content = self._font_files(tuple(subset)).compressed
            stream.filters = None
            stream.dictionary["Filter"] = pdfdoc.PDFArray(
                [pdfdoc.PDFName(pdfdoc.PDFZCompress.pdfname)]
            )
        return descriptor

    def addObjects(self, doc) -> None:
        with self._subsetting:
            super().addObjects(doc)

    def splitString(self, text: str, doc, encoding: str = "utf-8") -> list[tuple[int, bytes]]:
        """``text`` as codes of the document's subsets of this font.

        reportlab looks each character up in a Python loop (some 8 % of a
        competences booklet's time); once the characters of ``text`` all have
        their code in the first subset, as nearly every string of a document
        after its first lines, one ``str.translate`` gives the same codes.
        """
        if isinstance(text, str):
            known = self._known.get(doc)
            state = self.state.get(doc)
            if known is not None and state is not None:
                known.learn(state.assignments)
                if known.chars.issuperset(text):
                    return [(0, text.translate(known.codes).encode("latin-1"))] if text else []
            elif state is not None:
                self._known[doc] = _FirstSubset()
        return super().splitString(text, doc, encoding)


class _FirstSubset:
    """The characters a document has placed in a font's first subset, and
    their codes there (by code point, as ``str.translate`` wants them), learnt
    from reportlab's ``assignments`` (a dict that only grows, in order)."""

    def __init__(self) -> None:
        self.codes: dict[int, int] = {}
        self.chars: set[str] = set()
        self._learnt = 0

    def learn(self, assignments: dict[int, int]) -> None:
        if len(assignments) == self._learnt:
            return
        for point, code in itertools.islice(assignments.items(), self._learnt, None):
            if code < 256:
                self.codes[point] = code
                self.chars.add(chr(point))
        if 32 in self.codes:  # reportlab prints a no-break space as a space
            self.codes[0xA0] = self.codes[32]
            self.chars.add("\xa0")
        self._learnt = len(assignments)


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
