"""Staff accounts of the establishment office (``/gestion/``).

Staff are apart from families: their own container and login index, their
own cookie, a real password and a second factor.  Three roles:

- ``etablissement``: the office of one or more establishments (codes,
  letters, imports, change requests);
- ``vie_scolaire``: the same establishments, codes read-only, and the
  services' staff pages;
- ``academie``: every establishment, statistics, support, the journal; it
  creates the other staff accounts.
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Iterable
from datetime import datetime

from BTrees.Length import Length
from BTrees.OOBTree import OOBTree
from persistent import Persistent
from persistent.list import PersistentList
from persistent.mapping import PersistentMapping
from ZODB.blob import Blob

from ..i18n import _
from .containers import Container


class Role(enum.StrEnum):
    ETABLISSEMENT = "etablissement"
    VIE_SCOLAIRE = "vie_scolaire"
    ACADEMIE = "academie"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ETABLISSEMENT: _("Établissement"),
    Role.VIE_SCOLAIRE: _("Vie scolaire"),
    Role.ACADEMIE: _("Académie"),
}


class StaffAccount(Persistent):
    """One member of staff.

    ``password_hash`` is empty until the account is activated from its
    single-use link; ``totp_secret`` is ``None`` until the second factor is
    enrolled, and ``totp_last_step`` is the time step of the last code
    accepted, so a code cannot be replayed.  Recovery codes are kept only as
    keyed digests.  The lockout fields mirror a family account's, so the
    same rule (``accounts.lockout``) applies.
    """

    def __init__(
        self, id: str, login: str, name: str, email: str, role: Role, uais: Iterable[str] = ()
    ) -> None:
        self.id = id
        self.login = login
        self.name = name
        self.email = email
        self.role = Role(role)
        self.uais = tuple(sorted(set(uais)))
        self.password_hash = ""
        self.totp_secret: str | None = None
        self.totp_last_step = 0
        self.recovery_digests = PersistentList()
        self.disabled = False
        self.created_at = datetime.now()
        self.created_by: str | None = None
        self.last_login: datetime | None = None
        self.failure_count = Length()
        self.lockouts = 0
        self.locked_until: datetime | None = None
        self.tokens = PersistentMapping()  # purpose -> digest in site.tokens
        self.sessions = OOBTree()  # session id -> start

    @property
    def failures(self) -> int:
        return self.failure_count()

    @property
    def activated(self) -> bool:
        return bool(self.password_hash)

    @property
    def enrolled(self) -> bool:
        return self.totp_secret is not None

    def sees(self, uai: str) -> bool:
        """Whether this account works for establishment ``uai``."""
        return self.role is Role.ACADEMIE or uai in self.uais

    def principals(self) -> list[str]:
        principals = [f"staff:{self.id}", f"role:{self.role}"]
        principals += [f"uai:{uai}" for uai in self.uais]
        return principals


class StaffDirectory(Persistent):
    """Every staff account, by id and by lowercased login.

    The only way in and out of the directory: its methods keep the login
    index and the accounts in step.  ``progress`` is ``None`` in a directory
    made before imports reported progress: the first report creates it.
    """

    progress: Container | None = None

    def __init__(self) -> None:
        self.accounts = Container()  # id -> StaffAccount
        self.logins = Container()  # lowercased login -> id
        self.uploads = (
            Container()
        )  # token -> Upload, between an import's preview and its confirmation
        self.progress = Container()  # tracking id -> ImportProgress

    def __len__(self) -> int:
        return len(self.accounts)

    def get(self, account_id: str) -> StaffAccount | None:
        return self.accounts.get(account_id)

    def by_login(self, login: str) -> StaffAccount | None:
        account_id = self.logins.get(login.lower())
        return self.accounts.get(account_id) if account_id else None

    def add(
        self, login: str, name: str, email: str, role: Role, uais: Iterable[str] = ()
    ) -> StaffAccount:
        """Create an account; a login already taken raises ``KeyError``."""
        key = login.lower()
        if key in self.logins:
            raise KeyError(login)
        account = StaffAccount("g" + secrets.token_hex(8), login, name, email, role, uais)
        self.accounts.add(account.id, account)
        self.logins.add(key, account.id)
        return account

    def disable(self, account: StaffAccount) -> None:
        """Refuse every future login and end the account's sessions now."""
        account.disabled = True
        account.sessions.clear()

    def enable(self, account: StaffAccount) -> None:
        """Accept the account's logins again (its password and second factor unchanged)."""
        account.disabled = False

    def reset_second_factor(self, account: StaffAccount) -> None:
        """A lost phone: forget the TOTP secret and the recovery codes, end the
        sessions; the member enrols again after the password at next sign-in."""
        account.totp_secret = None
        account.totp_last_step = 0
        account.recovery_digests.clear()
        account.sessions.clear()

    def __iter__(self):
        return iter(self.accounts.values())


class Upload(Persistent):
    """Files a staff member sent for an import, kept from the preview to the
    confirmation (in the database, so any application process can confirm),
    each in a blob: a SIECLE export or a zip of bulletins weighs megabytes.

    ``kind`` names the import (``siecle``, ``sts``, a service's format): an
    upload is confirmed only by the page that previewed it.
    """

    kind = "siecle"  # the uploads stored before there were others

    def __init__(
        self, staff_id: str, uai: str, files: dict[str, bytes], kind: str = "siecle"
    ) -> None:
        self.staff_id = staff_id
        self.uai = uai
        self.kind = kind
        #: Safe file name -> its content, a blob (``bytes`` in uploads stored
        #: before there were blobs: forgotten within the hour).
        self.files = {name: Blob(content) for name, content in files.items()}
        self.created_at = datetime.now()


class ImportProgress(Persistent):
    """How far a staff member's import preview is, for the page that polls it.

    Written by the import's request from a connection of its own (its own
    transaction commits as it goes), read by any application process.
    """

    def __init__(self, staff_id: str, uai: str) -> None:
        self.staff_id = staff_id
        self.uai = uai
        self.stage = ""  #: what is being done, in French
        self.done = 0
        self.total = 0
        self.updated_at = datetime.now()

    @property
    def percent(self) -> int:
        return min(100, self.done * 100 // self.total) if self.total else 0
