"""Euros as the canteen's families read and write them: ``3,90 €``."""

from __future__ import annotations

import re
from decimal import Decimal

from ts_host.api import format_decimal

AMOUNT_RE = re.compile(r"^\d{1,6}(?:[,.]\d{1,2})?$")


def parse_euros(text: str) -> int:
    """Read ``3,90`` (or ``3.90``, ``4``) as cents; ``ValueError`` in French otherwise."""
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    if not AMOUNT_RE.match(text):
        raise ValueError(f"montant invalide « {text} » (en euros, par exemple 3,90)")
    return int(Decimal(text.replace(",", ".")) * 100)


def cents(value: Decimal) -> int:
    """A setting in euros (a ``Decimal``) as cents."""
    return int(value * 100)


def euros(amount: int) -> str:
    """``1240`` → ``12,40 €``, with the non-breaking space French typography wants."""
    return f"{format_decimal(Decimal(amount) / 100)}\u00a0€"
