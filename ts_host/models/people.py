"""Pupils and the responsables who speak for them, as SIECLE knows them."""

from dataclasses import dataclass
from datetime import date

from persistent import Persistent
from persistent.list import PersistentList

from .containers import Container


@dataclass(frozen=True)
class ResponsableLink:
    """A responsable's tie to a pupil; ``legal`` is SIECLE's RESP_LEGAL."""

    responsable_id: str
    legal: int
    relationship: str = ""


class Pupil(Persistent):
    """A pupil of one establishment.

    ``id`` is the public, opaque identifier used in URLs; ``siecle_id`` is
    the establishment's ELEVE_ID.  ``services`` is the namespace where each
    service keeps its own persistent data for this pupil, keyed by service id.
    """

    def __init__(
        self,
        id: str,
        uai: str,
        first_name: str,
        last_name: str,
        birth_date: date,
        division: str,
        *,
        siecle_id: str = "",
        ine: str = "",
        sex: str = "",
        level: str = "",
    ) -> None:
        self.id = id
        self.uai = uai
        self.first_name = first_name
        self.last_name = last_name
        self.birth_date = birth_date
        self.division = division
        self.siecle_id = siecle_id
        self.ine = ine
        self.sex = sex
        self.level = level
        self.left_on: date | None = None
        self.responsables = PersistentList()
        self.services = Container()

    @property
    def active(self) -> bool:
        """A pupil who left keeps their links for the history, but no access."""
        return self.left_on is None

    @property
    def full_name(self) -> str:
        return f"{self.last_name.upper()} {self.first_name}"

    def add_responsable(self, responsable_id: str, legal: int, relationship="") -> None:
        if any(link.responsable_id == responsable_id for link in self.responsables):
            return
        self.responsables.append(ResponsableLink(responsable_id, legal, relationship))


class Responsable(Persistent):
    """A person responsible for one or more pupils (usually a parent).

    ``address`` is a dict of the SIECLE address lines, postcode, city and
    country; ``phones`` maps ``personal``/``mobile``/``work`` to numbers.
    """

    def __init__(
        self,
        id: str,
        uai: str,
        civility: str,
        first_name: str,
        last_name: str,
        *,
        siecle_id: str = "",
        email: str = "",
        address: dict | None = None,
        phones: dict | None = None,
        profession: str = "",
        sms_consent: bool = False,
    ) -> None:
        self.id = id
        self.uai = uai
        self.siecle_id = siecle_id
        self.civility = civility
        self.first_name = first_name
        self.last_name = last_name
        self.email = email
        self.address = dict(address or {})
        self.phones = dict(phones or {})
        self.profession = profession
        self.sms_consent = sms_consent

    @property
    def full_name(self) -> str:
        return f"{self.civility} {self.first_name} {self.last_name.upper()}".strip()
