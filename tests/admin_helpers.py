"""Helpers shared by the establishment-administration tests (ts_host.admin).

The sample SIECLE files of ``data/siecle`` are those of a third, new
establishment, declared next to the kit's two.
"""

import textwrap
from datetime import date
from pathlib import Path

import transaction
from ZODB import DB
from ZODB.MappingStorage import MappingStorage

from ts_host.admin.importer import import_siecle
from ts_host.admin.siecle import read_exports
from ts_host.establishments import load_academy
from ts_host.root import appmaker
from ts_host.testing import (
    ESTABLISHMENT_A,
    ESTABLISHMENT_B,
    TEST_SECRETS,
    TODAY,
    establishments_toml,
)

DATA = Path(__file__).parent / "data" / "siecle"
PUPILS_XML = DATA / "ElevesSansAdresses.xml"
RESPONSABLES_XML = DATA / "ResponsablesAvecAdresses.xml"
SAMPLES = [PUPILS_XML, RESPONSABLES_XML]
NEW_UAI = "0545432L"
NEW_NAME = "Collège des Trois-Œillets"
DAY = date.fromisoformat(TODAY)

NEW_ESTABLISHMENT = textwrap.dedent(f"""
    [establishments.{NEW_UAI}]
    name = "{NEW_NAME}"
    kind = "college"
    address = ["5 rue des Œillets", "54500 VANDŒUVRE-LÈS-NANCY"]
    periods = {{ kind = "trimestre", list = [
        {{ name = "T1", start = 2026-09-01, end = 2026-11-30 }},
        {{ name = "T2", start = 2026-12-01, end = 2027-03-07 }},
        {{ name = "T3", start = 2027-03-08, end = 2027-07-03 }} ] }}
    contact = {{ email = "ce.0545432l@ac-test.fr", phone = "03 83 55 66 77" }}
    """)


def academy_toml() -> str:
    """The kit's two establishments, serving nothing, and the new one."""
    return establishments_toml({ESTABLISHMENT_A: [], ESTABLISHMENT_B: []}) + NEW_ESTABLISHMENT


def write_academy(folder: Path) -> Path:
    path = folder / "establishments.toml"
    path.write_text(academy_toml(), encoding="utf-8")
    return path


def write_ini(folder: Path) -> Path:
    """An ini file like etc/development.ini, on a fresh FileStorage in ``folder``."""
    settings = {
        **TEST_SECRETS,
        "ts.development": "true",
        "ts.establishments": str(write_academy(folder)),
        "ts.today": TODAY,
        "zodbconn.uri": f"file://{folder / 'Data.fs'}",
        "mail.directory": str(folder / "mail"),
    }
    lines = ["[app:main]", "use = egg:teleservices", *(f"{k} = {v}" for k, v in settings.items())]
    path = folder / "admin.ini"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class Sandbox:
    """A site in memory with the academy of :func:`academy_toml`, for unit tests."""

    def __init__(self, folder: Path) -> None:
        self.academy = load_academy(write_academy(folder), {})
        self.db = DB(MappingStorage())
        self.tm = transaction.TransactionManager(explicit=True)
        self.connection = self.db.open(transaction_manager=self.tm)
        with self.tm:
            self.site = appmaker(self.connection.root())

    def load(self, paths=SAMPLES, uai=NEW_UAI, today=DAY):
        """Import ``paths`` in one committed transaction; return the summary."""
        with self.tm:
            return import_siecle(self.site, uai, NEW_NAME, read_exports(paths), today)

    def close(self) -> None:
        self.connection.close()
        self.db.close()


def latin9(text: str) -> bytes:
    """What SIECLE writes: ISO-8859-15, other characters as numeric references."""
    return text.encode("iso-8859-15", "xmlcharrefreplace")


def write_big_exports(folder: Path, pupils: int, uai: str = NEW_UAI) -> list[Path]:
    """Generated exports of ``pupils`` pupils (about 2.2 responsables each)."""
    import random
    from xml.sax.saxutils import escape, quoteattr

    rng = random.Random(pupils)
    levels = [("10010012110", "6"), ("10110001110", "5"), ("10210001110", "4")]
    levels.append(("10310019110", "3"))
    surnames = ["MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "LEFÈVRE", "GARÇON", "CŒUR"]
    first_names = ["Léa", "Chloé", "Noé", "Maël", "Inès", "Zoé", "Théo", "Anaïs", "Jules"]
    eleves, structures, personnes, liens, adresses = [], [], [], [], []

    def element(tag, value):
        return f"<{tag}>{escape(value)}</{tag}>"

    for n in range(pupils):
        eleve_id = str(4300000 + n)
        mef, level = levels[n % 4]
        surname = rng.choice(surnames)
        born = date(2012 + n % 4, 1 + n % 12, 1 + n % 28)
        eleves.append(
            f"<ELEVE ELEVE_ID={quoteattr(eleve_id)} ELENOET={quoteattr(str(n))}>"
            + element("ID_NATIONAL", f"{n:010d}A")
            + element("NOM_DE_FAMILLE", surname)
            + element("PRENOM", rng.choice(first_names))
            + element("DATE_NAISS", born.strftime("%d/%m/%Y"))
            + element("CODE_SEXE", str(1 + n % 2))
            + element("CODE_MEF", mef)
            + "</ELEVE>"
        )
        division = f"{level}{'ABCDEFGH'[n % 8]}"
        structures.append(
            f"<STRUCTURES_ELEVE ELEVE_ID={quoteattr(eleve_id)}><STRUCTURE>"
            + element("CODE_STRUCTURE", division)
            + element("TYPE_STRUCTURE", "D")
            + "</STRUCTURE></STRUCTURES_ELEVE>"
        )
        legal = [1, 2] if n % 3 else [1]
        if n % 5 == 0:
            legal.append(0)
        for rank, resp_legal in enumerate(legal):
            personne_id = str(5400000 + n * 3 + rank)
            personnes.append(
                f"<PERSONNE PERSONNE_ID={quoteattr(personne_id)}>"
                + element("NOM_DE_FAMILLE", surname)
                + element("PRENOM", rng.choice(["Anne", "Éric", "Sophie", "Łukasz"]))
                + element("LC_CIVILITE", "MME" if rank % 2 == 0 else "M.")
                + element("MEL", f"p{personne_id}@example.org")
                + element("ADRESSE_ID", personne_id)
                + "</PERSONNE>"
            )
            liens.append(
                "<RESPONSABLE_ELEVE>"
                + element("ELEVE_ID", eleve_id)
                + element("PERSONNE_ID", personne_id)
                + element("RESP_LEGAL", str(resp_legal))
                + element("CODE_PARENTE", "20" if rank % 2 == 0 else "10")
                + "</RESPONSABLE_ELEVE>"
            )
            adresses.append(
                f"<ADRESSE ADRESSE_ID={quoteattr(personne_id)}>"
                + element("LIGNE1_ADRESSE", f"{n % 90 + 1} rue des Œillets")
                + element("CODE_POSTAL", "54500")
                + element("LIBELLE_POSTAL", "VANDŒUVRE-LÈS-NANCY")
                + element("LL_PAYS", "FRANCE")
                + "</ADRESSE>"
            )
    header = '<?xml version="1.0" encoding="ISO-8859-15"?>\n'
    parameters = f"<PARAMETRES><UAJ>{uai}</UAJ><ANNEE_SCOLAIRE>2026</ANNEE_SCOLAIRE></PARAMETRES>"
    pupils_xml = (
        f"{header}<BEE_ELEVES>{parameters}<DONNEES><ELEVES>\n"
        + "\n".join(eleves)
        + "\n</ELEVES><STRUCTURES>\n"
        + "\n".join(structures)
        + "\n</STRUCTURES></DONNEES></BEE_ELEVES>\n"
    )
    responsables_xml = (
        f"{header}<BEE_RESPONSABLES>{parameters}<DONNEES><PERSONNES>\n"
        + "\n".join(personnes)
        + "\n</PERSONNES><RESPONSABLES>\n"
        + "\n".join(liens)
        + "\n</RESPONSABLES><ADRESSES>\n"
        + "\n".join(adresses)
        + "\n</ADRESSES></DONNEES></BEE_RESPONSABLES>\n"
    )
    paths = [folder / "ElevesSansAdresses.xml", folder / "ResponsablesAvecAdresses.xml"]
    for path, text in zip(paths, (pupils_xml, responsables_xml), strict=True):
        path.write_bytes(latin9(text))
    return paths
