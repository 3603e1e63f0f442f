"""What makes a password acceptable, under the academy's policy.

``ts.password_policy = keypad`` (the default) is the guide's rule: 6 to 10
digits typed on a keypad.  Within that space we refuse what an attacker
tries first: the birth dates of the children the account is attached to (in
every common digit form), runs and repetitions, and the most common PINs
(``data/common-pins.txt``).

``ts.password_policy = passphrase`` is the stronger policy an academy may
choose (docs/SECURITY.md): 12 to 128 characters of any kind, typed in a
normal password field, so password managers fill them in; a password made
of one repeated block is refused, and an all-digit one gets the keypad
checks too.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files
from itertools import pairwise

from .establishments import ConfigurationError
from .i18n import _

MIN_LENGTH = 6
MAX_LENGTH = 10
KEYPAD, PASSPHRASE = "keypad", "passphrase"
PASSPHRASE_MIN, PASSPHRASE_MAX = 12, 128


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
    return steps <= {1} or steps <= {9} or steps <= {0} or repeated(digits)


def problems(password: str, birth_dates: Iterable[date] = ()) -> list[str]:
    """The reasons to refuse ``password`` (empty when it is acceptable)."""
    if not password.isascii() or not password.isdigit():
        return [_("Le mot de passe ne contient que des chiffres.")]
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        return [_("Le mot de passe compte entre 6 et 10 chiffres.")]
    return digit_patterns(password, birth_dates)


def digit_patterns(password: str, birth_dates: Iterable[date]) -> list[str]:
    """What an attacker tries first among digits."""
    birth_dates = list(birth_dates)
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


def repeated(text: str) -> bool:
    """One block said again and again (``aaaaaaaaaaaa``, ``azerty123azerty123``)."""
    return any(
        len(text) % size == 0 and text == text[:size] * (len(text) // size)
        for size in range(1, len(text) // 2 + 1)
    )


def normalise_passphrase(text):
    """One form for what looks the same, whatever keyboard or manager typed it (NFKC)."""
    return unicodedata.normalize("NFKC", text) if isinstance(text, str) else text


def passphrase_problems(password: str, birth_dates: Iterable[date] = ()) -> list[str]:
    if not PASSPHRASE_MIN <= len(password) <= PASSPHRASE_MAX:
        return [
            _(
                "Le mot de passe compte entre ${min} et ${max} caractères.",
                mapping={"min": PASSPHRASE_MIN, "max": PASSPHRASE_MAX},
            )
        ]
    if not password.strip() or repeated(password.casefold()):
        return [_("Le mot de passe ne doit pas être la répétition d'un même motif.")]
    if password.isascii() and password.isdigit():
        return digit_patterns(password, birth_dates)
    return []


@dataclass(frozen=True)
class PasswordPolicy:
    """The academy's choice: ``keypad`` (the guide) or ``passphrase``."""

    kind: str = KEYPAD

    @property
    def keypad(self) -> bool:
        return self.kind == KEYPAD

    @property
    def min_length(self) -> int:
        return MIN_LENGTH if self.keypad else PASSPHRASE_MIN

    @property
    def max_length(self) -> int:
        return MAX_LENGTH if self.keypad else PASSPHRASE_MAX

    def problems(self, password: str, birth_dates: Iterable[date] = ()) -> list[str]:
        """The reasons to refuse ``password`` as a new password (empty when acceptable)."""
        if self.keypad:
            return problems(password, birth_dates)
        return passphrase_problems(password, birth_dates)


def policy_from_settings(settings: dict) -> PasswordPolicy:
    kind = settings.get("ts.password_policy", KEYPAD).strip()
    if kind not in (KEYPAD, PASSPHRASE):
        raise ConfigurationError(
            f"réglage ts.password_policy : « {kind} » inconnu "
            f"(valeurs possibles : {KEYPAD}, {PASSPHRASE})"
        )
    return PasswordPolicy(kind)


def get_policy(request) -> PasswordPolicy:
    return request.registry.ts_password_policy


def includeme(config) -> None:
    config.registry.ts_password_policy = policy_from_settings(config.registry.settings)
    config.add_request_method(get_policy, "password_policy", reify=True)
