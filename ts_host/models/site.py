"""The site root and establishments."""

from persistent import Persistent
from persistent.mapping import PersistentMapping

from .containers import Container
from .journal import Journal
from .staff import StaffDirectory

ROOT_KEY = "teleservices"


class Establishment(Persistent):
    """An establishment's data; its settings live in ``establishments.toml``.

    Pupils and responsables are keyed by their public id; the SIECLE indexes
    map ELEVE_ID and PERSONNE_ID to those ids for imports.
    """

    def __init__(self, uai: str, name: str = "") -> None:
        self.uai = uai
        self.name = name
        self.pupil_ids = Container()  # public pupil id -> division
        self.by_eleve_id = Container()  # SIECLE ELEVE_ID -> public pupil id
        self.by_personne_id = Container()  # SIECLE PERSONNE_ID -> responsable id


class Site(Persistent):
    """The root of the application's data.

    Pupils, responsables and accounts are held at the root, keyed by a
    public opaque id, so that a URL never needs the establishment; indexes
    give accounts by login (lowercased) and by e-mail, and codes by their
    normalised form.
    """

    def __init__(self) -> None:
        self.establishments = Container()
        self.pupils = Container()
        self.responsables = Container()
        self.accounts = Container()
        self.logins = Container()  # lowercased login -> account id
        self.emails = Container()  # lowercased e-mail -> OOTreeSet of account ids
        self.codes = Container()  # normalised code -> ActivationCode
        self.throttles = Container()  # throttle key -> Window
        self.tokens = Container()  # digest of an e-mailed token -> TokenRecord
        self.generations = PersistentMapping()  # "ts_host" or service id -> int
        self.services = Container()  # service id -> the service's site-wide data
        self.staff = StaffDirectory()  # the establishment office's accounts (/gestion/)
        self.journal = Journal()  # what staff and ts-admin did (ts_host.audit)
