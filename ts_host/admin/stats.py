"""``ts-admin stats``: per establishment, the codes issued, used and revoked,
the accounts and the recent logins.

One pass over the codes and one over the accounts: the site has no index
by establishment for either.  The same pass counts the codes of each class
(pupils at school only), which the office's dashboard shows.  An account with children in two
establishments counts in both.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..models import CodeKind, CodeState, Site

WINDOWS = (7, 30)  #: days of the "recent logins" counts


@dataclass
class EstablishmentStats:
    uai: str
    name: str
    pupils: int = 0  #: still at school
    left: int = 0
    codes: Counter = field(default_factory=Counter)  #: (kind, state) -> count
    accounts: Counter = field(default_factory=Counter)  #: account kind -> count
    logins: Counter = field(default_factory=Counter)  #: window in days -> accounts
    last_login: datetime | None = None
    #: class of a pupil at school -> its codes counted by ``(kind, state)``, sorted
    classes: dict[str, Counter] = field(default_factory=dict)

    def issued(self, kind: CodeKind) -> int:
        return sum(self.codes[kind, state] for state in CodeState)

    def lines(self) -> list[str]:
        """The establishment's block in the command's output."""
        codes = " ; ".join(
            f"{kind} {self.issued(kind)} émis, {self.codes[kind, CodeState.USED]} utilisés, "
            f"{self.codes[kind, CodeState.REVOKED]} révoqués, "
            f"{self.codes[kind, CodeState.UNUSED]} en attente"
            for kind in CodeKind
        )
        accounts = sum(self.accounts.values())
        logins = ", ".join(f"{self.logins[days]} sur {days} jours" for days in WINDOWS)
        last = f"{self.last_login:%d/%m/%Y à %H:%M}" if self.last_login else "jamais"
        return [
            f"{self.uai} {self.name}",
            f"  élèves     : {self.pupils} présents, {self.left} sortis",
            f"  codes      : {codes}",
            f"  comptes    : {accounts} ({self.accounts['responsable']} responsables, "
            f"{self.accounts['eleve']} élèves)",
            f"  connexions : {logins} ; dernière : {last}",
        ]


def compute(
    site: Site, names: dict[str, str], now: datetime, uai: str | None = None
) -> list[EstablishmentStats]:
    """The statistics of each establishment (``names``: UAI -> name), or of ``uai``."""
    wanted = [uai] if uai else sorted(names)
    stats = {key: EstablishmentStats(key, names.get(key, "")) for key in wanted}
    establishment_of: dict[str, str] = {}
    class_of: dict[str, Counter] = {}
    for key in wanted:
        establishment = site.establishments.get(key)
        if establishment is None:
            continue
        classes: dict[str, Counter] = {}
        for pupil_id, division in establishment.pupil_ids.items():
            establishment_of[pupil_id] = key
            if site.pupils[pupil_id].active:
                stats[key].pupils += 1
                class_of[pupil_id] = classes.setdefault(division, Counter())
            else:
                stats[key].left += 1
        stats[key].classes = dict(sorted(classes.items()))
    for code in site.codes.values():
        key = establishment_of.get(code.pupil_id)
        if key is not None:
            stats[key].codes[code.kind, code.state] += 1
            if code.pupil_id in class_of:
                class_of[code.pupil_id][code.kind, code.state] += 1
    for account in site.accounts.values():
        keys = {establishment_of[p] for p in account.pupil_ids if p in establishment_of}
        for key in keys:
            entry = stats[key]
            entry.accounts[account.kind] += 1
            if account.last_login is None:
                continue
            for days in WINDOWS:
                if now - account.last_login <= timedelta(days=days):
                    entry.logins[days] += 1
            if entry.last_login is None or account.last_login > entry.last_login:
                entry.last_login = account.last_login
    return [stats[key] for key in wanted]
