"""The site root and establishments."""

from dataclasses import dataclass

from BTrees.OOBTree import OOTreeSet
from persistent import Persistent
from persistent.mapping import PersistentMapping

from .accounts import Account, Link
from .codes import ActivationCode, CodeState
from .containers import Container
from .journal import Journal
from .notifications import Outbox
from .people import Pupil, Responsable
from .staff import StaffDirectory
from .structure import Structure

ROOT_KEY = "teleservices"
#: How many decoy accounts a site keeps (see :func:`token_decoys`).
TOKEN_DECOYS = 8


def token_decoys() -> tuple[Account, ...]:
    """Accounts that hold the tokens of recovery requests matching no account.

    « Mot de passe oublié » writes a token for every request, known
    identifiant or not, so that the work and the transaction (a token in
    ``site.tokens``, an account and its ``tokens`` written) tell nothing:
    an unknown one writes it to one of these, picked at random so that
    concurrent requests seldom conflict (:func:`ts_host.tokens.decoy`).
    They are in no index; a token they hold finds no account.
    """
    return tuple(Account(f"leurre-{n}", "leurre", "", "") for n in range(TOKEN_DECOYS))


class ReadMarker(Persistent):
    """A record no page reads: where a request's reads begin on its
    connection's ring (:mod:`ts_host.page_cache`)."""

    def touch(self) -> None:
        """Move the marker to the ring's end (any attribute read does)."""


class LoginTaken(ValueError):
    """The login asked for is another account's (whatever its case)."""


def login_key(login: str) -> str:
    """The key of ``Site.logins``: a login is found whatever its case."""
    return login.lower()


def email_key(address: str) -> str:
    """The key of ``Site.emails``: an address is found whatever its case."""
    return address.lower()


class Establishment(Persistent):
    """An establishment's data; its settings live in ``establishments.toml``.

    Pupils and responsables are keyed by their public id; the SIECLE indexes
    map ELEVE_ID and PERSONNE_ID to those ids for imports.  The indexes are
    written only through :meth:`index_pupil`, :meth:`unindex_pupil`,
    :meth:`index_responsable` and :meth:`unindex_responsable`, which the
    :class:`Site` calls, and hold these invariants:

    - ``pupil_ids[pupil.id] == pupil.division`` for every pupil of the site
      whose ``uai`` is this establishment's, and for no other id;
    - ``by_eleve_id[pupil.siecle_id] == pupil.id`` for each of them that has
      a SIECLE id;
    - ``by_personne_id[responsable.siecle_id] == responsable.id`` for every
      responsable of the establishment that has a SIECLE id.  ``structure`` is its
    classes and teaching teams (see :mod:`ts_host.models.structure`).
    """

    def __init__(self, uai: str, name: str = "") -> None:
        self.uai = uai
        self.name = name
        self.pupil_ids = Container()  # public pupil id -> division
        self.by_eleve_id = Container()  # SIECLE ELEVE_ID -> public pupil id
        self.by_personne_id = Container()  # SIECLE PERSONNE_ID -> responsable id
        self.structure = Structure()

    def index_pupil(self, pupil: Pupil) -> None:
        """Index a new pupil, or follow a known one's change of class.

        An ELEVE_ID already given to another pupil is refused (``KeyError``)
        before anything is written; nothing is written either when the
        indexes already agree.
        """
        if pupil.siecle_id and self.by_eleve_id.get(pupil.siecle_id) != pupil.id:
            self.by_eleve_id.add(pupil.siecle_id, pupil.id)
        if self.pupil_ids.get(pupil.id) != pupil.division:
            self.pupil_ids.set(pupil.id, pupil.division)

    def unindex_pupil(self, pupil: Pupil) -> None:
        self.pupil_ids.pop(pupil.id)
        if self.by_eleve_id.get(pupil.siecle_id) == pupil.id:
            self.by_eleve_id.pop(pupil.siecle_id)

    def index_responsable(self, responsable: Responsable) -> None:
        """Index a responsable by PERSONNE_ID; one given to another is refused."""
        if responsable.siecle_id and self.by_personne_id.get(responsable.siecle_id) != (
            responsable.id
        ):
            self.by_personne_id.add(responsable.siecle_id, responsable.id)

    def unindex_responsable(self, responsable: Responsable) -> None:
        if self.by_personne_id.get(responsable.siecle_id) == responsable.id:
            self.by_personne_id.pop(responsable.siecle_id)


@dataclass(frozen=True)
class Forgotten:
    """What forgetting a pupil removed besides the pupil."""

    codes: int
    #: Accounts that followed only this pupil, forgotten with it.
    accounts_removed: int
    #: Accounts that follow other children too: they only lose this one.
    accounts_unlinked: int
    #: Responsables of no other pupil of the establishment, forgotten with it.
    responsables: int


class Site(Persistent):
    """The root of the application's data.

    Pupils, responsables and accounts are held at the root, keyed by a
    public opaque id, so that a URL never needs the establishment; indexes
    give accounts by login and by e-mail (both folded by :func:`login_key`
    and :func:`email_key`), and codes by their normalised form.

    As Substance D's principals service adds, renames and removes its users,
    the site alone writes its indexes and its establishments': callers add,
    rename, re-address, enrol, link and forget through the methods below,
    which keep these invariants (on top of :class:`Establishment`'s):

    - ``logins[login_key(account.login)] == account.id`` for every account,
      and ``logins`` holds nothing else: two accounts never share a login,
      whatever its case;
    - ``account.id in emails[email_key(account.email)]`` for every account,
      every id in ``emails`` is an account filed under its own address, and
      no address maps to an empty set;
    - ``codes[code.code] is code``; a used code names its account, which
      holds a link made of that code;
    - every pupil is in its establishment's indexes, every responsable with
      a SIECLE id in its establishment's ``by_personne_id``.
    """

    def __init__(self) -> None:
        self.establishments = Container()
        self.pupils = Container()
        self.responsables = Container()
        self.accounts = Container()
        self.logins = Container()  # login_key(login) -> account id
        self.emails = Container()  # email_key(address) -> OOTreeSet of account ids
        self.codes = Container()  # normalised code -> ActivationCode
        self.throttles = Container()  # throttle key -> Window
        self.tokens = Container()  # digest of an e-mailed token -> TokenRecord
        self.generations = PersistentMapping()  # "ts_host" or service id -> int
        self.services = Container()  # service id -> the service's site-wide data
        self.token_decoys = token_decoys()
        self.staff = StaffDirectory()  # the establishment office's accounts (/gestion/)
        self.journal = Journal()  # what staff and ts-admin did (ts_host.audit)
        self.notifications = Outbox()  # events reported by services, mails to send
        self.read_marker = ReadMarker()  # read by no page (ts_host.page_cache)

    # Establishments, pupils and responsables ---------------------------------

    def ensure_establishment(self, uai: str, name: str = "") -> Establishment:
        """The establishment ``uai``, created (named ``name``) on first use."""
        establishment = self.establishments.get(uai)
        if establishment is None:
            establishment = Establishment(uai, name)
            self.establishments.add(uai, establishment)
        return establishment

    def enrol(self, pupil: Pupil) -> None:
        """Add a new pupil to the site and to its establishment's indexes.

        A known id or ELEVE_ID is refused (``KeyError``) before any write.
        """
        if pupil.id in self.pupils:
            raise KeyError(f"{pupil.id!r} already present")
        self.establishments[pupil.uai].index_pupil(pupil)
        self.pupils.add(pupil.id, pupil)

    def update_pupil(self, pupil: Pupil, values: dict) -> bool:
        """Set the attributes that differ, re-indexing a change of class.

        Returns whether anything changed: an unchanged pupil is not written.
        The keys the indexes hang on (``id``, ``uai``, ``siecle_id``) are
        not changed this way.
        """
        _refuse_keys(values)
        changed = _assign(pupil, values)
        if changed:
            self.establishments[pupil.uai].index_pupil(pupil)
        return changed

    def add_responsable(self, responsable: Responsable) -> None:
        """Add a new responsable to the site and to its establishment's index.

        A known id or PERSONNE_ID is refused (``KeyError``) before any write.
        """
        if responsable.id in self.responsables:
            raise KeyError(f"{responsable.id!r} already present")
        self.establishments[responsable.uai].index_responsable(responsable)
        self.responsables.add(responsable.id, responsable)

    def update_responsable(self, responsable: Responsable, values: dict) -> bool:
        """Set the attributes that differ; returns whether anything changed.

        As for pupils, ``id``, ``uai`` and ``siecle_id`` are not changed this way.
        """
        _refuse_keys(values)
        return _assign(responsable, values)

    def sole_responsables(self, pupil: Pupil) -> list[Responsable]:
        """The pupil's responsables that no other pupil of its establishment has.

        One pass over the establishment's pupils, whatever the number of
        responsables.
        """
        own = [link.responsable_id for link in pupil.responsables]
        shared = {
            link.responsable_id
            for pupil_id in self.establishments[pupil.uai].pupil_ids
            if pupil_id != pupil.id
            for link in self.pupils[pupil_id].responsables
            if link.responsable_id in own
        }
        found = (self.responsables.get(rid) for rid in own if rid not in shared)
        return [responsable for responsable in found if responsable is not None]

    def forget_pupil(self, pupil: Pupil) -> Forgotten:
        """Forget a pupil and every index entry that names it.

        Its activation codes go (one pass over ``codes``), the accounts lose
        their links to it (an account left without any is forgotten), the
        responsables no other pupil has go, then the pupil with its
        establishment's index entries and its notifications not yet sent.
        The caller's transaction makes it all or nothing.
        """
        codes = [code for code in self.codes.values() if code.pupil_id == pupil.id]
        for code in codes:
            self.codes.pop(code.code)
        removed = unlinked = 0
        for account in [a for a in self.accounts.values() if pupil.id in a.pupil_ids]:
            kept = [link for link in account.links if link.pupil_id != pupil.id]
            if kept:
                account.links[:] = kept
                unlinked += 1
            else:
                self.forget_account(account)
                removed += 1
        establishment = self.establishments[pupil.uai]
        sole = self.sole_responsables(pupil)
        for responsable in sole:
            self.responsables.pop(responsable.id)
            establishment.unindex_responsable(responsable)
        establishment.unindex_pupil(pupil)
        self.notifications.forget_pupil(pupil.id)
        self.pupils.pop(pupil.id)
        return Forgotten(len(codes), removed, unlinked, len(sole))

    # Activation codes --------------------------------------------------------

    def add_code(self, code: ActivationCode) -> None:
        """File a new code under its text; a text already issued is refused."""
        self.codes.add(code.code, code)

    def link(self, account: Account, code: ActivationCode) -> None:
        """Give ``account`` what ``code`` grants; the code is used from then on.

        A code used or revoked already is refused (``ValueError``): a code
        serves one account, once.
        """
        if not code.usable:
            raise ValueError(f"code {code.code} is {code.state}")
        code.state = CodeState.USED
        code.account_id = account.id
        account.links.append(Link(code.code, code.pupil_id, code.responsable_id))

    def unlink(self, code: ActivationCode) -> Account | None:
        """Take a used code's link from its account; returns that account, if any.

        The code's state is the caller's: revoking it is a decision.
        """
        account = self.accounts.get(code.account_id) if code.account_id else None
        if account is not None:
            account.links[:] = [link for link in account.links if link.code != code.code]
        return account

    # Accounts ----------------------------------------------------------------

    def account_by_login(self, login: str) -> Account | None:
        return self.accounts.get(self.logins.get(login_key(login), ""))

    def accounts_by_email(self, address: str) -> list[Account]:
        ids = self.emails.get(email_key(address)) or ()
        return [self.accounts[account_id] for account_id in ids if account_id in self.accounts]

    def login_taken(self, login: str, by_other_than: Account | None = None) -> bool:
        """Whether ``login`` is an account's (other than ``by_other_than``)."""
        owner = self.logins.get(login_key(login))
        return owner is not None and (by_other_than is None or owner != by_other_than.id)

    def add_account(self, account: Account) -> None:
        """Add a new account under its login and e-mail; a taken login is refused."""
        if self.login_taken(account.login):
            raise LoginTaken(account.login)
        self.accounts.add(account.id, account)
        self.logins.add(login_key(account.login), account.id)
        self._file_email(account)

    def rename(self, account: Account, login: str) -> None:
        """Give ``account`` a new login; another account's is refused.

        A change of case only is a rename too: the login is shown as typed.
        """
        if self.login_taken(login, by_other_than=account):
            raise LoginTaken(login)
        self.logins.pop(login_key(account.login))
        self.logins.add(login_key(login), account.id)
        account.login = login

    def readdress(self, account: Account, email: str) -> None:
        """Give ``account`` a new e-mail address, moving it in the index."""
        self._unfile_email(account)
        account.email = email
        self._file_email(account)

    def forget_account(self, account: Account) -> None:
        """Forget an account and every index entry naming it.

        The codes it used can serve again; its e-mailed tokens, its
        sessions and its notifications not yet sent die with it.
        """
        for link in account.links:
            code = self.codes.get(link.code)
            if code is not None and code.state is CodeState.USED:
                code.state = CodeState.UNUSED
                code.account_id = None
        self.logins.pop(login_key(account.login))
        self._unfile_email(account)
        for purpose in list(account.tokens):
            self.tokens.pop(account.tokens[purpose])
        account.sessions.clear()
        self.notifications.forget_account(account.id)
        self.accounts.pop(account.id)

    def _file_email(self, account: Account) -> None:
        key = email_key(account.email)
        ids = self.emails.get(key)
        if ids is None:
            ids = OOTreeSet()
            self.emails.add(key, ids)
        ids.add(account.id)

    def _unfile_email(self, account: Account) -> None:
        key = email_key(account.email)
        ids = self.emails.get(key)
        if ids is not None:
            if account.id in ids:
                ids.remove(account.id)
            if not ids:
                self.emails.pop(key)


#: What the indexes hang on: a record keeps them for life.
KEYS = frozenset({"id", "uai", "siecle_id"})


def _refuse_keys(values: dict) -> None:
    if KEYS & values.keys():
        raise ValueError(f"index keys never change: {sorted(KEYS & values.keys())}")


def _assign(obj, values: dict) -> bool:
    """Set the attributes that differ; an unchanged record is not written."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed
