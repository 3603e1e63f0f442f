"""Activation codes: their format, their drawing and their matching.

A code reads like ``0MQU-XR4-3E7-KNC``: four groups of 4, 3, 3 and 3
characters drawn with a CSPRNG from an alphabet without look-alikes (no 0/O,
1/I/L, 5/S, 2/Z, 8/B), so a code typed from a letter is read right.
"""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Callable
from datetime import date

from .models import ActivationCode, CodeKind, Pupil, Site

ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
GROUPS = (4, 3, 3, 3)
LENGTH = sum(GROUPS)


def draw(choice: Callable[[str], str] = secrets.choice) -> str:
    """A new code in its normalised form (no dashes)."""
    return "".join(choice(ALPHABET) for _ in range(LENGTH))


def normalise(text: str) -> str:
    """Upper case, without spaces or dashes: the key codes are stored under."""
    return "".join(c for c in text.upper() if c.isalnum())


def display(code: str) -> str:
    """``0MQUXR43E7KNC`` -> ``0MQU-XR4-3E7-KNC``."""
    parts, start = [], 0
    for size in GROUPS:
        parts.append(code[start : start + size])
        start += size
    return "-".join(parts)


def issue(
    site: Site,
    kind: CodeKind,
    pupil: Pupil,
    responsable_id: str | None = None,
    choice: Callable[[str], str] = secrets.choice,
) -> ActivationCode:
    """Issue a new code, unique in the site."""
    while True:
        code = draw(choice)
        if code not in site.codes:
            break
    activation = ActivationCode(code, kind, pupil.id, responsable_id)
    site.add_code(activation)
    return activation


def fold_name(name: str) -> str:
    """First names match whatever the case, accents, hyphens and spaces."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


def match(
    site: Site, code: str, first_name: str, birth_date: date | None, kind: CodeKind
) -> ActivationCode | None:
    """The usable code of that kind for that pupil, or ``None`` for any mismatch.

    One answer for every reason (unknown, used, revoked, wrong name or date),
    so the form is no oracle.
    """
    activation = site.codes.get(normalise(code))
    if activation is None or not activation.usable or activation.kind is not kind:
        return None
    pupil = site.pupils.get(activation.pupil_id)
    if pupil is None or not pupil.active or birth_date != pupil.birth_date:
        return None
    if fold_name(first_name) != fold_name(pupil.first_name):
        return None
    return activation
