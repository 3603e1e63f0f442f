"""Hostile submissions of a real form, for hypothesis.

A form is first filled the way a user would (so that a mutation may get
past validation into the view's own checks), then each field is kept,
replaced by hostile text, dropped or repeated, and the structure deform
expects may be broken (stray ``__start__``/``__end__`` markers).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from hypothesis import strategies as st

from ts_host.testing import PASSWORD, keypad_positions

#: Fields the mutations leave alone: without them the request is refused
#: before any view code runs (the CSRF check is tested on its own).
PROTECTED = {"csrf_token", "__formid__", "_charset_"}
NOT_TYPED = {"Hidden", "Submit", "Checkbox", "Radio", "File", "Select", "MultipleSelect"}
HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8"), min_size=200, max_size=400),
    st.sampled_from(
        [
            "A" * 100_000,
            "é" * 20_000,
            "\x00",
            "\u202e\u0000\ufeff",
            "𝕏" * 65,
            "-1",
            "99999999999999999999999",
            "1e309",
            "2027-02-30",
            "0000-00-00",
            "<script>alert(1)</script>",
            '=HYPERLINK("http://x")',
            "../../etc/passwd",
            "' OR '1'='1",
            "%s%n{0}${x}",
            "  ",
            "",
        ]
    ),
)
MARKERS = st.sampled_from(
    [
        ("__start__", "children:sequence"),
        ("__start__", "credentials:mapping"),
        ("__start__", "x:nimportequoi"),
        ("__end__", "children:sequence"),
        ("__end__", ""),
        ("__start__", ""),
    ]
)


@dataclass(frozen=True)
class Submission:
    fields: list[tuple[str, str]]
    #: (field name, file name, content): a file where text is expected.
    uploads: list[tuple[str, str, bytes]]


@st.composite
def submissions(draw, fields: list[tuple[str, str]], buttons: list[str]) -> Submission:
    """One hostile variation of ``fields`` (a filled form), sent with one of ``buttons``."""
    out = []
    for name, value in fields:
        if name in PROTECTED:
            out.append((name, value))
            continue
        action = draw(st.sampled_from(["keep", "keep", "hostile", "drop", "repeat"]))
        if action == "keep":
            out.append((name, value))
        elif action == "hostile":
            out.append((name, draw(HOSTILE_TEXT)))
        elif action == "repeat":
            out += [(name, value), (name, draw(HOSTILE_TEXT))]
    for _ in range(draw(st.integers(0, 2))):
        out.insert(draw(st.integers(0, len(out))), draw(MARKERS))
    if buttons:
        out.append((draw(st.sampled_from(buttons)), "x"))
    uploads = []
    texts = sorted(
        {name for name, _ in fields if name not in PROTECTED and not name.startswith("__")}
    )
    if texts and draw(st.integers(0, 4)) == 0:
        name = draw(st.sampled_from(texts))
        out = [(n, v) for n, v in out if n != name]
        uploads.append((name, "fichier.txt", draw(st.binary(max_size=64))))
    return Submission(out, uploads)


def keypad_fields(page) -> set[str]:
    return {i["name"] for i in page.html.select("[data-ts-keypad] input[data-ts-keypad-value]")}


@dataclass
class Filler:
    """Fills a form as a user would: codes that match, the account's answers..."""

    codes: list[tuple[str, str, str]]  # (code "ABCD-EFG-HJK-MNP", first name, ISO birth date)
    serial = itertools.count()

    def fill(self, page, form) -> list[tuple[str, str]]:
        keypads = keypad_fields(page)
        selects = 0
        number = next(self.serial)
        for name, fields in form.fields.items():
            for index, field in enumerate(fields):
                kind = type(field).__name__
                if name in keypads:
                    form.set(name, keypad_positions(page, PASSWORD), index=index)
                elif kind == "Select":
                    options = [value for value, *_ in field.options if value]
                    if options:
                        form.set(name, options[selects % len(options)], index=index)
                    selects += 1
                elif kind not in NOT_TYPED and not field.value:
                    form.set(name, self.value(name, index, number), index=index)
        return list(form.submit_fields())

    def value(self, name: str, index: int, number: int) -> str:
        if name.startswith("part") or name in ("first_name", "birth_date"):
            if index >= len(self.codes):
                return ""  # a row left empty is ignored
            code, first_name, birth_date = self.codes[index]
            if name.startswith("part"):
                return code.split("-")[int(name[4:]) - 1]
            return first_name if name == "first_name" else birth_date
        if "mail" in name:
            return f"hostile{number}@example.org"
        if name == "login":
            return f"hostile.{number}"
        if name.startswith("answer"):
            return {"answer1": "Nancy", "answer2": "Marie", "answer3": "Bleu"}.get(name, "Bleu")
        return "Texte saisi"


def buttons_of(form) -> list[str]:
    return [n for n, fs in form.fields.items() for f in fs if type(f).__name__ == "Submit"]
