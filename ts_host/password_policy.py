"""What makes a digits-only password acceptable.

The guide imposes 6 to 10 digits typed on a keypad.  Within that space we
refuse what an attacker tries first: the birth dates of the children the
account is attached to (in every common digit form), runs and repetitions,
and the most common PINs (``data/common-pins.txt``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import cache
from importlib.resources import files
from itertools import pairwise

from .i18n import _

MIN_LENGTH = 6
MAX_LENGTH = 10


@cache
def common_pins() -> frozenset[str]:
    text = files("ts_host").joinpath("data/common-pins.txt").read_text(encoding="ascii")
    return frozenset(line.strip() for line in text.splitlines() if line.strip().isdigit())


def date_forms(day: date) -> set[str]:
    """Every common way of writing a date as digits."""
    d, m, y = f"{day.day:02d}", f"{day.month:02d}", f"{day.year:04d}"
    yy = y[2:]
    return {
        d + m + y,
        d + m + yy,
        y + m + d,
        yy + m + d,
        m + d + y,
        m + d + yy,
        d + m,
        m + d,
        y,
        d + y,
        m + y,
        y + d + m,
        str(day.day) + str(day.month) + y,
        str(day.day) + str(day.month) + yy,
    }


def is_sequence(digits: str) -> bool:
    """Runs (123456, 987654, 901234) and repeated blocks (111111, 121212, 123123)."""
    steps = {(int(b) - int(a)) % 10 for a, b in pairwise(digits)}
    if steps <= {1} or steps <= {9} or steps <= {0}:
        return True
    return any(
        len(digits) % size == 0 and digits == digits[:size] * (len(digits) // size)
        for size in range(1, len(digits) // 2 + 1)
    )


def problems(password: str, birth_dates: Iterable[date] = ()) -> list[str]:
    """The reasons to refuse ``password`` (empty when it is acceptable)."""
    if not password.isascii() or not password.isdigit():
        return [_("Le mot de passe ne contient que des chiffres.")]
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        return [_("Le mot de passe compte entre 6 et 10 chiffres.")]
    found = []
    if any(
        form in password for day in birth_dates for form in date_forms(day) if len(form) >= 6
    ) or any(password == form for day in birth_dates for form in date_forms(day)):
        found.append(_("Le mot de passe ne doit pas être la date de naissance d'un enfant."))
    if is_sequence(password):
        found.append(_("Le mot de passe ne doit pas être une suite ou une répétition de chiffres."))
    if password in common_pins():
        found.append(_("Ce mot de passe est l'un des plus courants : choisissez-en un autre."))
    return found
