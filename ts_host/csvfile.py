"""Reading the ``;``-separated CSV files services import."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from pathlib import Path

from .contract import BadLine, ImportRejected


def read_csv(path: str | Path, columns: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line number, row)`` from a ``;``-separated UTF-8 CSV file.

    The header must hold ``columns``; a wrong header raises
    :class:`ImportRejected` at line 1.  Line numbers are those a spreadsheet
    shows, header included.
    """
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected(path, [BadLine(1, "le fichier n'est pas encodé en UTF-8")]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=";")
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportRejected(path, [BadLine(1, f"colonnes manquantes : {', '.join(missing)}")])
    for row in reader:
        yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}
