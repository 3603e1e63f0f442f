"""The life of activation codes: issue the missing ones, regenerate, revoke
(the reply coupon's refusal), and list them for mail merges.

Rules (guide, section 1.1):

- a pupil still at school has a CAE, and a CAR for each legal responsable
  (SIECLE's RESP_LEGAL 1 or 2); a contact without parental authority
  (RESP_LEGAL 0) has none;
- a code once issued is never issued again automatically: a used code is an
  account's link, and a pair whose codes are all revoked is a refusal, which
  only a new, explicit ``regenerate`` of that pair lifts;
- regenerating gives a new code and revokes the old one at once: codes are
  not permanent identifiers;
- revoking a used code also removes the link it gave to its account.
"""

from __future__ import annotations

import secrets
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from ..activation import display, issue, normalise
from ..audit import audit
from ..contract import CommandError
from ..formatting import format_date
from ..importing import write_csv as write_export
from ..models import ActivationCode, CodeKind, CodeState, Establishment, Pupil, Responsable, Site

#: The RESP_LEGAL values that get a CAR.
LEGAL = (1, 2)
ALL_KINDS = (CodeKind.CAR, CodeKind.CAE)
STATE_LABELS = {
    CodeState.UNUSED: "inutilisé",
    CodeState.USED: "utilisé",
    CodeState.REVOKED: "révoqué",
}


@dataclass(frozen=True)
class Scope:
    """What a command is about, inside one establishment.

    ``pupil`` and ``responsable`` are SIECLE's ELEVE_ID / PERSONNE_ID (what
    the secretary reads on the coupon and in ``codes list``) or the public
    ids; ``division`` is a class name such as ``3B``.
    """

    uai: str
    division: str = ""
    pupil: str = ""
    responsable: str = ""
    kinds: tuple[CodeKind, ...] = ALL_KINDS


@dataclass
class Selection:
    """A scope resolved against the site."""

    establishment: Establishment
    pupils: list[Pupil]
    responsable_id: str | None
    kinds: tuple[CodeKind, ...]
    by_name: bool = False  #: the command named one pupil (``--pupil``)

    def wants(self, kind: CodeKind, responsable_id: str | None) -> bool:
        if kind not in self.kinds:
            return False
        return self.responsable_id is None or responsable_id == self.responsable_id


def parse_kind(text: str | None) -> tuple[CodeKind, ...]:
    """``--kind``: CAR, CAE, or both when absent."""
    if not text:
        return ALL_KINDS
    try:
        return (CodeKind(text.upper()),)
    except ValueError:
        raise CommandError(f"type de code inconnu « {text} » : CAR ou CAE") from None


def parse_state(text: str) -> CodeState:
    """``--state``: unused, used or revoked."""
    try:
        return CodeState(text.lower())
    except ValueError:
        raise CommandError(f"état inconnu « {text} » : unused, used ou revoked") from None


def select(site: Site, scope: Scope) -> Selection:
    """The pupils of ``scope``, sorted by class and name; a mistake is a CommandError."""
    establishment = site.establishments.get(scope.uai)
    if establishment is None or not len(establishment.pupil_ids):
        raise CommandError(
            f"aucun élève pour l'établissement {scope.uai} : importez d'abord ses fichiers "
            f"SIECLE (ts-admin import siecle)"
        )
    ids = establishment.pupil_ids
    if scope.division:
        wanted = scope.division.upper()
        ids = {pupil_id: d for pupil_id, d in ids.items() if d.upper() == wanted}
        if not ids:
            known = ", ".join(sorted(set(establishment.pupil_ids.values()) - {""})) or "aucune"
            raise CommandError(f"aucun élève en classe « {scope.division} » (classes : {known})")
    if scope.pupil:
        pupil_id = _resolve(site.pupils, establishment.by_eleve_id, scope.pupil, scope.uai)
        if pupil_id is None or pupil_id not in ids:
            raise CommandError(
                f"élève inconnu dans l'établissement {scope.uai}"
                + (f" en classe {scope.division}" if scope.division else "")
                + f" : « {scope.pupil} » (ELEVE_ID SIECLE ou identifiant)"
            )
        ids = {pupil_id: ids[pupil_id]}
    pupils = [site.pupils[pupil_id] for pupil_id in ids]
    responsable_id = None
    kinds = scope.kinds
    if scope.responsable:
        responsable_id = _resolve(
            site.responsables, establishment.by_personne_id, scope.responsable, scope.uai
        )
        if responsable_id is None:
            raise CommandError(
                f"responsable inconnu dans l'établissement {scope.uai} : "
                f"« {scope.responsable} » (PERSONNE_ID SIECLE ou identifiant)"
            )
        if kinds == (CodeKind.CAE,):
            raise CommandError("un CAE est le code de l'élève, pas d'un responsable")
        kinds = (CodeKind.CAR,)
        pupils = [
            p
            for p in pupils
            if any(link.responsable_id == responsable_id for link in p.responsables)
        ]
        if not pupils:
            raise CommandError(f"le responsable « {scope.responsable} » n'a pas d'enfant ici")
    pupils.sort(key=lambda p: (p.division, p.last_name, p.first_name, p.id))
    return Selection(establishment, pupils, responsable_id, kinds, by_name=bool(scope.pupil))


def _resolve(container, siecle_index, key: str, uai: str) -> str | None:
    """A public id from a SIECLE id or a public id, within one establishment."""
    public_id = siecle_index.get(key, key)
    found = container.get(public_id)
    return public_id if found is not None and found.uai == uai else None


class CodeIndex:
    """The codes issued for some pupils.

    The site indexes codes by their text only, so finding a pupil's codes
    takes one pass over ``site.codes``, done once per command; pupils created
    by the same command have none yet and need no pass.
    """

    def __init__(self, site: Site, pupil_ids: Iterable[str]) -> None:
        wanted = set(pupil_ids)
        self.by_pupil: dict[str, list[ActivationCode]] = defaultdict(list)
        if wanted:
            for code in site.codes.values():
                if code.pupil_id in wanted:
                    self.by_pupil[code.pupil_id].append(code)

    def add(self, code: ActivationCode) -> None:
        self.by_pupil[code.pupil_id].append(code)

    def of(self, pupil_id: str) -> list[ActivationCode]:
        return sorted(self.by_pupil.get(pupil_id, ()), key=lambda c: c.issued_at)

    def has(self, pupil_id: str, kind: CodeKind, responsable_id: str | None) -> bool:
        return any(
            code.kind is kind and code.responsable_id == responsable_id
            for code in self.by_pupil.get(pupil_id, ())
        )


def due_codes(
    pupil: Pupil, wants: Callable[[CodeKind, str | None], bool] | None = None
) -> Iterator[tuple[CodeKind, str | None]]:
    """The codes a pupil at school has: a CAE, and a CAR per legal responsable
    (only those ``wants`` accepts, when given)."""
    wants = wants or (lambda kind, responsable_id: True)
    if wants(CodeKind.CAE, None):
        yield CodeKind.CAE, None
    for link in pupil.responsables:
        if link.legal in LEGAL and wants(CodeKind.CAR, link.responsable_id):
            yield CodeKind.CAR, link.responsable_id


def issue_due(
    site: Site,
    pupil: Pupil,
    index: CodeIndex,
    wants: Callable[[CodeKind, str | None], bool] | None = None,
    choice: Callable[[str], str] = secrets.choice,
) -> list[ActivationCode]:
    """Issue the pupil's due codes never issued (none to a pupil who left).

    The one rule for every issuer: the SIECLE import, ``codes generate``
    and the demo (which draws with its seeded ``choice``).
    """
    if not pupil.active:
        return []
    issued = []
    for kind, responsable_id in due_codes(pupil, wants):
        if not index.has(pupil.id, kind, responsable_id):
            code = issue(site, kind, pupil, responsable_id, choice=choice)
            index.add(code)
            issued.append(code)
    return issued


def issue_missing(
    site: Site, pupils: Iterable[Pupil], index: CodeIndex, selection: Selection | None = None
) -> Counter:
    """Issue the due codes never issued; return how many of each kind."""
    issued: Counter = Counter()
    for pupil in pupils:
        for code in issue_due(site, pupil, index, selection.wants if selection else None):
            issued[code.kind] += 1
    return issued


def generate(site: Site, selection: Selection) -> Counter:
    """``codes generate``: the missing codes of the selection."""
    index = CodeIndex(site, (p.id for p in selection.pupils))
    return issue_missing(site, selection.pupils, index, selection)


@dataclass
class Regeneration:
    """What ``regenerate`` did, for its summary."""

    issued: list[ActivationCode] = field(default_factory=list)  #: the new codes
    revoked: int = 0  #: the unused codes they replace
    used: int = 0  #: pairs left alone: their code was used, the account exists
    refusals_lifted: int = 0  #: revoked pairs given a code again (only when named)


def regenerate(site: Site, selection: Selection) -> Regeneration:
    """``codes regenerate``: a new code for each unused one, the old one revoked at once.

    A pair whose codes are all revoked (a refusal) gets a new code only when
    the command names that pupil and that responsable (or that pupil with
    ``--kind CAE``): lifting a refusal is a decision about one person.  A
    pair never given a code is ``generate``'s business.
    """
    index = CodeIndex(site, (p.id for p in selection.pupils))
    result = Regeneration()
    for pupil in selection.pupils:
        if not pupil.active:
            continue
        for kind, responsable_id in due_codes(pupil, selection.wants):
            codes = [
                c
                for c in index.of(pupil.id)
                if c.kind is kind and c.responsable_id == responsable_id
            ]
            unused = [c for c in codes if c.state is CodeState.UNUSED]
            if not codes:
                continue
            if any(c.state is CodeState.USED for c in codes):
                result.used += 1
                continue
            lifting = not unused
            if lifting and not _names_one_pair(selection, kind):
                continue
            for old in unused:
                old.state = CodeState.REVOKED
            new = issue(site, kind, pupil, responsable_id)
            index.add(new)
            result.issued.append(new)
            result.revoked += len(unused)
            result.refusals_lifted += int(lifting)
            audit(
                None,
                "code.regenerated",
                uai=pupil.uai,
                pupil=pupil.id,
                responsable=responsable_id,
                kind=str(kind),
                refusal_lifted=bool(lifting),
            )
    return result


def _names_one_pair(selection: Selection, kind: CodeKind) -> bool:
    if not selection.by_name:
        return False
    if kind is CodeKind.CAE:
        return selection.kinds == (CodeKind.CAE,)
    return selection.responsable_id is not None


@dataclass(frozen=True)
class Revocation:
    code: ActivationCode
    already: bool  #: it was revoked before this command
    account_id: str | None  #: the account that lost its link, if any


def revoke(site: Site, selection: Selection, code_text: str = "") -> list[Revocation]:
    """``codes revoke``: the coupon's refusal.

    Targets one code (``code_text``), or the CARs of the selection's
    responsable, or the CAE of the selection's one pupil.  A used code's
    link is removed from its account, which so loses that pupil unless
    another code links it.
    """
    if code_text:
        code = site.codes.get(normalise(code_text))
        pupil = site.pupils.get(code.pupil_id) if code else None
        if code is None or pupil is None or pupil.uai != selection.establishment.uai:
            raise CommandError(f"code inconnu dans l'établissement : « {code_text} »")
        targets = [code]
    elif selection.responsable_id or _names_one_pair(selection, CodeKind.CAE):
        targets = _live_codes(site, selection)
    else:
        raise CommandError(
            "précisez ce qui est refusé : --code CODE, ou --responsable ID (avec --pupil ID "
            "pour un seul enfant), ou --pupil ID --kind CAE pour le code de l'élève"
        )
    if not targets:
        raise CommandError("aucun code à révoquer pour cette sélection")
    return [_revoke_one(site, code) for code in targets]


def _live_codes(site: Site, selection: Selection) -> list[ActivationCode]:
    """The live codes of each pair of the selection, or the last one of a
    pair whose codes are all revoked already (reported as such)."""
    index = CodeIndex(site, (p.id for p in selection.pupils))
    pairs: dict[tuple, list[ActivationCode]] = defaultdict(list)
    for pupil in selection.pupils:
        for code in index.of(pupil.id):
            if selection.wants(code.kind, code.responsable_id):
                pairs[code.kind, code.pupil_id, code.responsable_id].append(code)
    targets = []
    for codes in pairs.values():
        live = [code for code in codes if code.state is not CodeState.REVOKED]
        targets += live or codes[-1:]
    return targets


def _revoke_one(site: Site, code: ActivationCode) -> Revocation:
    if code.state is CodeState.REVOKED:
        return Revocation(code, True, None)
    account_id = None
    if code.state is CodeState.USED:
        account = site.unlink(code)
        account_id = account.id if account is not None else None
    code.state = CodeState.REVOKED
    audit(
        None,
        "code.revoked",
        uai=site.pupils[code.pupil_id].uai,
        pupil=code.pupil_id,
        responsable=code.responsable_id,
        kind=str(code.kind),
        unlinked_account=account_id,
    )
    return Revocation(code, False, account_id)


# Listing ---------------------------------------------------------------------


@dataclass(frozen=True)
class CodeRow:
    """One code with its pupil and responsable: a line of ``codes list``, a letter."""

    code: ActivationCode
    pupil: Pupil
    responsable: Responsable | None

    @property
    def state(self) -> str:
        return STATE_LABELS[self.code.state]


def rows(
    site: Site,
    selection: Selection,
    states: Iterable[CodeState] = tuple(CodeState),
    not_printed: bool = False,
) -> list[CodeRow]:
    """The codes of the selection, in the selection's order (class, name);
    only those whose letter was never printed when ``not_printed``."""
    states = set(states)
    index = CodeIndex(site, (p.id for p in selection.pupils))
    found = []
    for pupil in selection.pupils:
        for code in index.of(pupil.id):
            if not_printed and code.printed_at is not None:
                continue
            if code.state in states and selection.wants(code.kind, code.responsable_id):
                responsable = site.responsables.get(code.responsable_id or "")
                found.append(CodeRow(code, pupil, responsable))
    return found


CSV_COLUMNS = (
    "uai",
    "classe",
    "eleve_nom",
    "eleve_prenom",
    "eleve_ne_le",
    "eleve_id",
    "type",
    "code",
    "etat",
    "emis_le",
    "responsable_civilite",
    "responsable_prenom",
    "responsable_nom",
    "personne_id",
    "courriel",
    "adresse1",
    "adresse2",
    "adresse3",
    "adresse4",
    "code_postal",
    "ville",
    "pays",
)


def csv_values(row: CodeRow) -> list[str]:
    pupil, responsable = row.pupil, row.responsable
    address = responsable.address if responsable else {}
    values = [
        pupil.uai,
        pupil.division,
        pupil.last_name,
        pupil.first_name,
        format_date(pupil.birth_date),
        pupil.siecle_id,
        str(row.code.kind),
        display(row.code.code),
        row.state,
        format_date(row.code.issued_at.date()),
        responsable.civility if responsable else "",
        responsable.first_name if responsable else "",
        responsable.last_name if responsable else "",
        responsable.siecle_id if responsable else "",
        responsable.email if responsable else "",
        *(address.get(f"line{n}", "") for n in (1, 2, 3, 4)),
        address.get("postcode", ""),
        address.get("city", ""),
        address.get("country", ""),
    ]
    return values


def write_csv(found: Iterable[CodeRow], stream: TextIO) -> int:
    """Write ``;``-separated rows with a header, for a mail merge; return the count.

    Names and addresses came from SIECLE: the host's writer quotes any cell
    a spreadsheet would run as a formula.
    """
    return write_export(stream, CSV_COLUMNS, (csv_values(row) for row in found))
