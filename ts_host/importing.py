"""The toolkit for importers and CSV exports, shared by the host and the services.

After pretix's importer and exporter classes: a service declares the
columns of its file (:class:`Column`) and writes the method that checks
ONE parsed line (:meth:`Importer.check`) and the one that writes the
checked lines (:meth:`Importer.write`).  The host does the rest, the same
way for every format:

* it reads the file: UTF-8 with or without a BOM, else Windows-1252 (what
  the spreadsheets of SIECLE's era save), ``;`` or ``,`` as separator;
* it checks the header and names, in French, the columns that are missing;
* it checks every line, collects EVERY bad line with its number and its
  problems, and refuses the whole file (:class:`ImportRejected`, nothing
  written) or writes it all;
* it reports its progress through a callback (``ts-admin`` shows a bar);
* it builds the format's help (``ts-admin import --help``) from the columns.

Exports go through :func:`write_csv`, which neutralises the cells a
spreadsheet would run as formulas (CSV injection).  :class:`PupilFinder`
finds an establishment's pupils by INE, by class, or by name and birth date.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any, ClassVar

from .contract import BadLine, ImportFormat, ImportRejected, ImportSummary, Progress
from .models import Establishment, Pupil, Site

# Reading a file -------------------------------------------------------------

#: The separators a spreadsheet's "CSV" may use: ``;`` in France, ``,`` elsewhere.
DELIMITERS = (";", ",")


def decode(data: bytes) -> str:
    """The text of a file: UTF-8 (a BOM is dropped), else Windows-1252.

    A French spreadsheet saved "CSV" without choosing UTF-8 writes
    Windows-1252, which any byte sequence that is not UTF-8 is read as
    (Latin-1 for the five bytes Windows-1252 leaves undefined).  A file
    holding NUL bytes is not text (a ``.xlsx``, UTF-16): ``ValueError``.
    """
    if b"\x00" in data:
        raise ValueError(
            "le fichier n'est pas un fichier texte CSV (enregistrez-le au format "
            "« CSV UTF-8 » ou « CSV (séparateur : point-virgule) »)"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _header_names(line: str, delimiter: str) -> list[str]:
    return [name.strip().lower() for name in next(csv.reader([line], delimiter=delimiter), [])]


def sniff_delimiter(header: str, expected: Iterable[str]) -> str:
    """``;`` or ``,``: the one that splits the header into more expected names."""
    expected = set(expected)
    return max(DELIMITERS, key=lambda d: len(expected.intersection(_header_names(header, d))))


def read_rows(
    path: str | Path, columns: Sequence[str], optional: Sequence[str] = ()
) -> list[tuple[int, dict[str, str]]]:
    """``(line number, row)`` for every line of a CSV file, values stripped.

    The header must hold ``columns`` (names are read without case or
    surrounding spaces); ``optional`` columns may be absent and read as
    empty; other columns are kept.  Blank lines are skipped.  Line numbers
    are those a spreadsheet shows, header included.  An unreadable file or a
    wrong header raises :class:`ImportRejected` at line 1.
    """
    try:
        text = decode(Path(path).read_bytes())
    except ValueError as exc:
        raise ImportRejected(path, [BadLine(1, str(exc))]) from None
    header = text.split("\n", 1)[0]
    delimiter = sniff_delimiter(header, [*columns, *optional])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    names = _header_names(header, delimiter)
    next(reader, None)
    missing = [name for name in columns if name not in names]
    if missing:
        raise ImportRejected(path, [BadLine(1, f"colonnes manquantes : {', '.join(missing)}")])
    rows = []
    for cells in reader:
        if not cells:
            continue
        row = dict.fromkeys(optional, "")
        for position, name in enumerate(names):
            if name:
                row[name] = cells[position].strip() if position < len(cells) else ""
        rows.append((reader.line_num, row))
    return rows


# Declaring a format ---------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of an import file.

    ``required``: a line must give a value ("valeur manquante" otherwise).
    ``parse`` turns the text of a non-empty value into what :meth:`Importer.check`
    reads, or raises ``ValueError`` with a French message naming the value.
    ``optional``: the header may leave the column out (its values are then empty).
    ``help`` is the column's line in the format's help.  ``missing`` replaces
    "valeur manquante : <name>" by a message of the service's own.
    """

    name: str
    help: str
    required: bool = True
    parse: Callable[[str], Any] | None = None
    optional: bool = False
    missing: str = ""


class _Unusable(Exception):
    """A value the line's checks need was missing or wrong (already reported)."""


class Line:
    """One line of the file, its values parsed, and the problems found so far.

    ``line["date"]`` is the parsed value of a column; reading a value that
    was missing or wrong stops :meth:`Importer.check` for this line (its
    problem is already reported), so a check reads the values it needs in
    the order that reports the most.  ``line.raw`` keeps the texts.
    """

    def __init__(self, number: int, raw: dict[str, str]) -> None:
        self.number = number
        self.raw = raw
        self.problems: list[str] = []
        self._values: dict[str, Any] = {}
        self._unusable: set[str] = set()

    def __getitem__(self, name: str) -> Any:
        if name in self._unusable:
            raise _Unusable(name)
        return self._values[name]

    def ok(self, *names: str) -> bool:
        """Whether every named value was read without a problem."""
        return not self._unusable.intersection(names)

    def problem(self, message: str) -> None:
        """Report a problem of this line; the check may go on to find others."""
        self.problems.append(message)

    def attempt(self, function: Callable[..., Any], *args: Any) -> Any:
        """``function(*args)``, or ``None`` with its ``ValueError`` reported."""
        try:
            return function(*args)
        except ValueError as exc:
            self.problem(str(exc))
            return None

    def _read(self, columns: Sequence[Column]) -> None:
        missing = []
        for column in columns:
            text = self.raw.get(column.name, "")
            if not text:
                if column.required:
                    self._unusable.add(column.name)
                    if column.missing:
                        self.problem(column.missing)
                    else:
                        missing.append(column.name)
                else:
                    self._values[column.name] = None if column.parse else ""
                continue
            if column.parse is None:
                self._values[column.name] = text
                continue
            try:
                self._values[column.name] = column.parse(text)
            except ValueError as exc:
                self._unusable.add(column.name)
                self.problem(str(exc))
        if missing:
            self.problems.insert(0, f"valeur manquante : {', '.join(missing)}")


HELP_HEAD = """\
Fichier CSV (UTF-8 ou Windows-1252, séparateur « ; » ou « , ») avec l'en-tête :
  {header}
Chaque colonne est obligatoire et chaque valeur requise, sauf mention contraire :"""
ALL_OR_NOTHING = """\
Le fichier est refusé en entier, avec le numéro et le motif de chaque ligne
fausse, si une seule ligne est fausse ; sinon il est écrit en entier."""


class Importer:
    """The base of an import format: declare, check one line, write them all.

    A subclass sets ``name`` (``ts-admin import <name>``), ``columns`` and
    ``description`` (what the file does, for the help), and writes
    :meth:`check` and :meth:`write`.  ``self.site``, ``self.academy`` and a
    :class:`PupilFinder` (``self.pupils``) are at hand.  The format is
    ``MyImporter.import_format()``, returned from ``ts_import_formats``.

    An import from an establishment's office (:meth:`for_establishment`)
    sets ``self.uai``: its staff may write that establishment's data only.
    The host then refuses every line whose ``uai`` column names another
    establishment, and ``self.pupils`` finds no pupil elsewhere; a format
    without a ``uai`` column reads ``self.uai`` itself.  ``ts-admin import``
    leaves it ``None``: the académie's operator imports for every establishment.
    """

    name: ClassVar[str]
    columns: ClassVar[Sequence[Column]]
    description: ClassVar[str] = ""
    uai: str | None = None

    def __init__(self, site: Site, academy: Any) -> None:
        self.site = site
        self.academy = academy
        self.pupils = PupilFinder(site)

    @classmethod
    def for_establishment(cls, site: Site, academy: Any, uai: str) -> Importer:
        """The importer of an establishment's office, which touches ``uai`` only."""
        importer = cls(site, academy)
        importer.uai = uai
        importer.pupils = PupilFinder(site, only=uai)
        return importer

    def check(self, line: Line) -> Any:
        """Check one line and return what :meth:`write` needs of it.

        Report problems with ``line.problem(...)`` (the check goes on) or by
        raising ``ValueError`` (it stops).  Return ``None`` for a good line
        with nothing to write.  Nothing may be written here.
        """
        raise NotImplementedError

    def write(self, checked: list[Any]) -> ImportSummary:
        """Write every checked line (called only when no line is bad)."""
        raise NotImplementedError

    def load(self, path: str | Path, progress: Progress | None = None) -> ImportSummary:
        """Check every line of ``path``; write them all, or raise :class:`ImportRejected`."""
        rows = read_rows(
            path,
            [c.name for c in self.columns if not c.optional],
            [c.name for c in self.columns if c.optional],
        )
        checked: list[Any] = []
        bad: list[BadLine] = []
        for done, (number, raw) in enumerate(rows, start=1):
            line = Line(number, raw)
            line._read(self.columns)
            result = None
            if self.uai is not None and raw.get("uai", self.uai).upper() != self.uai:
                line.problem(
                    f"établissement {raw['uai']} : ce fichier ne peut concerner que {self.uai}"
                )
            else:
                try:
                    result = self.check(line)
                except ValueError as exc:
                    line.problem(str(exc))
                except _Unusable:
                    pass
            if line.problems:
                bad.append(BadLine(number, " ; ".join(line.problems)))
            elif result is not None:
                checked.append(result)
            if progress is not None:
                progress(done, len(rows))
        if bad:
            raise ImportRejected(path, bad)
        return self.write(checked)

    @classmethod
    def run(
        cls, site: Site, academy: Any, path: str | Path, progress: Progress | None = None
    ) -> ImportSummary:
        return cls(site, academy).load(path, progress)

    @classmethod
    def help(cls) -> str:
        """The format's help: header, encodings, each column, what it does, all or nothing."""
        width = max(len(c.name) for c in cls.columns)
        lines = [HELP_HEAD.format(header=";".join(c.name for c in cls.columns))]
        for column in cls.columns:
            text = column.help.replace("\n", "\n" + " " * (width + 4))
            if column.optional:
                text += " (colonne facultative)"
            elif not column.required:
                text += " (peut être vide)"
            lines.append(f"  {column.name.ljust(width)}  {text}")
        if cls.description:
            lines.append(cls.description)
        lines.append(ALL_OR_NOTHING)
        return "\n".join(lines)

    @classmethod
    def import_format(cls) -> ImportFormat:
        return ImportFormat(name=cls.name, help=cls.help(), run=cls.run, reports_progress=True)


# Finding pupils -------------------------------------------------------------


class NotFound(ValueError):
    """No such establishment or pupil; the message, in French, says which."""


def _comparable(name: str) -> str:
    """A name without case, accents, hyphens or extra spaces: « Léa-Marie » = « LEA MARIE »."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.split(r"[\s\-']+", letters)).strip()


class PupilFinder:
    """An establishment's pupils by INE, by class, or by name and birth date.

    Built once per import: an establishment's INE index is made on first
    use.  Pupils of other establishments are never found; with ``only``, no
    establishment but that one is (the others are « inconnus »).
    """

    def __init__(self, site: Site, only: str | None = None) -> None:
        self.site = site
        self.only = only
        self._by_ine: dict[str, dict[str, Pupil]] = {}

    def establishment(self, uai: str) -> Establishment:
        establishment = self.site.establishments.get(uai.upper())
        if establishment is None or (self.only is not None and uai.upper() != self.only):
            raise NotFound(f"établissement inconnu « {uai} »")
        return establishment

    def pupils(self, uai: str) -> Iterator[Pupil]:
        """Every pupil of the establishment, those who left included."""
        for pupil_id in self.establishment(uai).pupil_ids:
            pupil = self.site.pupils.get(pupil_id)
            if pupil is not None:
                yield pupil

    def get_by_ine(self, uai: str, ine: str) -> Pupil | None:
        """The pupil of this INE in the establishment, or ``None``."""
        uai = uai.upper()
        if uai not in self._by_ine:
            self._by_ine[uai] = {p.ine.upper(): p for p in self.pupils(uai) if p.ine}
        return self._by_ine[uai].get(ine.strip().upper())

    def by_ine(self, uai: str, ine: str) -> Pupil:
        """The pupil of this INE in the establishment; :class:`NotFound` otherwise."""
        pupil = self.get_by_ine(uai, ine)
        if pupil is None:
            raise NotFound(f"aucun élève d'INE « {ine} » dans l'établissement {uai.upper()}")
        return pupil

    def of_class(self, uai: str, division: str, *, left: bool = False) -> list[Pupil]:
        """The pupils of a class (division), by name; ``left=True`` adds those who left."""
        establishment = self.establishment(uai)
        found = [
            pupil
            for pupil_id, pupil_division in establishment.pupil_ids.items()
            if pupil_division == division
            and (pupil := self.site.pupils.get(pupil_id)) is not None
            and (left or pupil.active)
        ]
        return sorted(found, key=lambda p: (_comparable(p.last_name), _comparable(p.first_name)))

    def by_name(self, uai: str, last_name: str, first_name: str, birth_date: date) -> Pupil:
        """The pupil of this name and birth date (without case, accents or hyphens).

        :class:`NotFound` when there is none, ``ValueError`` when two match.
        """
        wanted = (_comparable(last_name), _comparable(first_name), birth_date)
        found = [
            p
            for p in self.pupils(uai)
            if (_comparable(p.last_name), _comparable(p.first_name), p.birth_date) == wanted
        ]
        if not found:
            raise NotFound(
                f"aucun élève {last_name} {first_name} né le {birth_date:%d/%m/%Y} "
                f"dans l'établissement {uai.upper()}"
            )
        if len(found) > 1:
            raise ValueError(
                f"plusieurs élèves {last_name} {first_name} nés le {birth_date:%d/%m/%Y} "
                f"dans l'établissement {uai.upper()} : précisez l'INE"
            )
        return found[0]


# Writing CSV exports --------------------------------------------------------

#: A spreadsheet reads a cell starting with one of these as a formula (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: A negative amount as the host prints it (``-3,90``, ``-3,90 €``): data, not a formula.
NEGATIVE_NUMBER = re.compile(r"^-\d+(?:[.,]\d+)?(?:[\s\u00a0\u202f]?[€%])?$")


def neutralise(cell: Any, *, number: bool = False) -> str:
    """The text of a cell, quoted (``'=…``) if a spreadsheet would run it as a formula.

    ``number=True`` is for a column of amounts the exporter computed: a
    negative amount there stays as it is (anything else is still quoted).
    Text typed by someone (``-1`` in an address) is always quoted.
    """
    text = "" if cell is None else str(cell)
    if not text.startswith(FORMULA_STARTS) or (number and NEGATIVE_NUMBER.match(text)):
        return text
    return "'" + text


def write_csv(
    destination: str | Path | IO[str],
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    delimiter: str = ";",
    bom: bool = False,
    numbers: Sequence[str] = (),
) -> int:
    """Write a CSV export, every cell neutralised; return the number of rows.

    ``numbers`` names the columns of computed amounts (see :func:`neutralise`).
    ``destination`` is a path (written in UTF-8) or a text stream.  ``bom``
    starts the file with the byte-order mark a spreadsheet needs to read
    UTF-8 accents when the file is opened by a double click.  Lines end in
    CRLF, as RFC 4180 and spreadsheets want.
    """

    def write(stream: IO[str]) -> int:
        if bom:
            stream.write("\ufeff")
        writer = csv.writer(stream, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow([neutralise(name) for name in header])
        numeric = [name in numbers for name in header]
        count = 0
        for row in rows:
            writer.writerow([neutralise(c, number=n) for c, n in zip(row, numeric, strict=True)])
            count += 1
        return count

    if hasattr(destination, "write"):
        return write(destination)
    path = Path(destination)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as stream:
        return write(stream)


__all__ = [
    "BadLine",
    "Column",
    "ImportFormat",
    "ImportRejected",
    "ImportSummary",
    "Importer",
    "Line",
    "NotFound",
    "Progress",
    "PupilFinder",
    "decode",
    "neutralise",
    "read_rows",
    "write_csv",
]
