"""``read_csv``, API 1.0's CSV reader, kept for plugins written against it."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

from .importing import read_rows


def read_csv(path: str | Path, columns: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line number, row)`` from a CSV file whose header holds ``columns``.

    Deprecated since API 1.1: an :class:`~ts_host.importing.Importer` reads
    the file for its service (or call :func:`~ts_host.importing.read_rows`,
    which this now is: any encoding or separator ``read_rows`` accepts).
    """
    warnings.warn(
        "ts_host.api.read_csv is deprecated: declare an Importer, or call read_rows",
        DeprecationWarning,
        stacklevel=2,
    )
    yield from read_rows(path, columns)
