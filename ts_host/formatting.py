"""Dates and numbers written and read the French way, as families and
school staff see them in pages, letters and imported files."""

from __future__ import annotations

from datetime import date
from decimal import Decimal


def format_date(day: date | None) -> str:
    """JJ/MM/AAAA, as French administrative documents print dates.

    Written from the date's fields, not by ``strftime`` (a third of the
    time; a year of grades writes some three hundred dates a page).
    """
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}" if day else ""


def format_decimal(value: Decimal | float | None, places: int = 2) -> str:
    """A number with a French decimal comma: ``13,40``."""
    if value is None:
        return ""
    return f"{value:.{places}f}".replace(".", ",")


def parse_french_date(text: str) -> date:
    """Read ``JJ/MM/AAAA``; raise ``ValueError`` with a French message."""
    try:
        day, month, year = (int(part) for part in text.strip().split("/"))
        return date(year, month, day)
    except (ValueError, TypeError):
        raise ValueError(f"date invalide « {text} » (JJ/MM/AAAA attendu)") from None
