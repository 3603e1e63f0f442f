"""Comparing two answers "modulo" what legitimately differs between requests."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

CSRF_TOKEN = re.compile(r"\b[0-9a-f]{32}\b")
KEYPAD_KEY = re.compile(r'(data-ts-key="\d">)\d(<)')


def normalised(response, **names: str) -> tuple:
    """Status, location, type and body, without CSRF tokens, keypad digits and
    the given values (e.g. ``pupil=<id>``), which are replaced by their names."""

    def clean(text: str) -> str:
        for name, value in names.items():
            text = text.replace(value, "{" + name + "}")
        text = CSRF_TOKEN.sub("{csrf}", text)
        return KEYPAD_KEY.sub(r"\1?\2", text)

    return (
        response.status_int,
        clean(response.headers.get("Location", "")),
        response.content_type,
        clean(body_text(response)),
    )


def body_text(response) -> str:
    """What a reader sees of the body: the text of a PDF, the text of a page."""
    if response.content_type == "application/pdf":
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.body)).pages)
    if response.charset:
        return response.text
    return repr(response.body)
