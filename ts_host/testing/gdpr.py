"""The kit's GDPR check: the family's data a service stores is all in its exports.

:func:`assert_gdpr_export_covers` walks everything a service keeps in the
database (under each pupil, ``pupil.services[<id>]``, and site-wide,
``site.services[<id>]``), takes every value found there (text, numbers,
dates), and looks for each one in the service's exports: what a pupil's
record holds in that pupil's own export (``ts_pupil_data`` for the pupil,
``ts_responsable_data`` for each of its responsables), what the site-wide
object holds in the export of somebody.  A value stored but exported for
nobody is data the academy could not give back to a family who asks for
it: the check fails, naming it.  What the host's part of the document
holds (the pupil's identifiers, establishment and class, its responsables'
ids) counts as exported.

Everything stored is the family's personal data unless the class that
stores it says otherwise, in a class attribute ``gdpr_contract`` (a plain
dict, so that a plugin's models need no import; docs/plugins.md § GDPR):

``"establishment"``: names of attributes that hold the establishment's data,
    not the family's: teachers' names, menus, a referential, class figures,
    the records of other pupils.  They are not looked at.
``"labels"``: ``{attribute: {code: label}}``: the attribute holds a code, and
    the export may give the code or its label.
``"encoded"``: ``{attribute or tuple of attributes: decode}``: those
    attributes are a compact encoding (packed bytes, day numbers, a table of
    names the packing refers to); ``decode(obj)`` returns what they hold in
    plain values, and that is what the export must contain.

The contract is checked too: an unknown key, or an attribute the object
does not have, fails the check.  What is structure rather than data is left
out: the keys of plain dicts (field names), booleans and ``None``, and the
counters of :class:`ts_host.api.Container` (``BTrees.Length``).  The keys of
BTrees and the members of sets are data (identifiers, indexes) and must be
exported; bytes are an encoding that only a contract can read.
"""

from __future__ import annotations

import dataclasses
import json
from collections import UserDict
from collections.abc import Callable, Iterator, Mapping
from contextlib import suppress
from datetime import date, datetime
from typing import Any

from BTrees.Length import Length
from persistent import Persistent

from .. import hookspecs
from ..admin.gdpr import pupil_part
from ..models import Site

#: The keys a ``gdpr_contract`` may have.
CONTRACT_KEYS = frozenset({"establishment", "labels", "encoded"})

#: One stored value: the texts an export may give for it (a code: the code
#: or its label), and where it was found (for the failure's message).
Stored = tuple[frozenset[str], str]


def as_text(value: Any) -> str:
    """A leaf value as the JSON export writes it (dates in ISO form)."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def _fields(obj: Any) -> dict[str, Any]:
    """The attributes of an object of the service's own (persistent class,
    dataclass or named tuple), without the persistence machinery's."""
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return obj._asdict()
    if dataclasses.is_dataclass(obj) and not hasattr(obj, "__dict__"):
        return {field.name: getattr(obj, field.name) for field in dataclasses.fields(obj)}
    return {
        name: attribute
        for name, attribute in vars(obj).items()
        if not name.startswith(("_p_", "_v_"))
    }


def _contract(obj: Any) -> Mapping[str, Any] | None:
    contract = getattr(type(obj), "gdpr_contract", None)
    if contract is None:
        return None
    unknown = set(contract) - CONTRACT_KEYS
    assert not unknown, (
        f"{type(obj).__qualname__}.gdpr_contract : clés inconnues {sorted(unknown)} "
        f"(attendues : {sorted(CONTRACT_KEYS)})"
    )
    return contract


def _declared(obj: Any, contract: Mapping[str, Any], fields: Mapping[str, Any]) -> None:
    """Fail on a contract naming an attribute the object does not have (a typo
    would otherwise leave data unchecked)."""
    named = set(contract.get("establishment", ())) | set(contract.get("labels", {}))
    for key in contract.get("encoded", {}):
        named.update((key,) if isinstance(key, str) else key)
    missing = named - set(fields)
    assert not missing, (
        f"{type(obj).__qualname__}.gdpr_contract nomme des attributs absents : {sorted(missing)}"
    )


def stored_values(value: Any, where: str = "") -> Iterator[Stored]:
    """Every leaf value under ``value`` that is the family's data, with the
    texts an export may give for it."""
    seen: set[int] = set()
    stack: list[tuple[Any, str]] = [(value, where)]
    while stack:
        current, path = stack.pop()
        if isinstance(current, bool) or current is None or isinstance(current, Length):
            continue
        if isinstance(current, str | int | float | date | datetime):
            yield frozenset({as_text(current)}), path
            continue
        if isinstance(current, bytes | bytearray):
            # Not JSON: only the class's contract ("encoded") can say what it holds.
            yield frozenset({f"<{len(current)} octets encodés>"}), path
            continue
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, Persistent):
            current._p_activate()
        contract = _contract(current)
        if contract is not None:
            stack.extend(_apply(current, contract, path))
            yield from _labelled(current, contract, path)
        elif isinstance(current, dict | UserDict):
            # Keys: field names (PersistentMapping too).
            stack.extend((item, f"{path}[{key!r}]") for key, item in current.items())
        elif hasattr(current, "__dict__"):
            # An object of the service's own (a persistent class): its attributes.
            stack.extend((item, f"{path}.{name}") for name, item in _fields(current).items())
        elif hasattr(current, "keys") and hasattr(current, "values"):
            # A BTree: its keys are identifiers, data as much as its values.
            for key, item in current.items():
                stack.extend(((key, f"{path} (clé)"), (item, f"{path}[{key!r}]")))
        elif hasattr(current, "__iter__"):
            # Lists, tuples, sets, BTrees' sets (and named tuples without a contract).
            stack.extend((item, f"{path}[]") for item in current)
        else:
            yield frozenset({as_text(current)}), path


def _apply(obj: Any, contract: Mapping[str, Any], path: str) -> Iterator[tuple[Any, str]]:
    """What the walk goes on with, for an object whose class has a contract."""
    fields = _fields(obj)
    _declared(obj, contract, fields)
    skipped = set(contract.get("establishment", ())) | set(contract.get("labels", {}))
    encoded: Mapping[Any, Callable[[Any], Any]] = contract.get("encoded", {})
    for key, decode in encoded.items():
        skipped.update((key,) if isinstance(key, str) else key)
        yield decode(obj), f"{path}.{key if isinstance(key, str) else '/'.join(key)} (décodé)"
    for name, item in fields.items():
        if name not in skipped:
            yield item, f"{path}.{name}"


def _labelled(obj: Any, contract: Mapping[str, Any], path: str) -> Iterator[Stored]:
    fields = _fields(obj)
    for name, labels in contract.get("labels", {}).items():
        code = fields[name]
        if code is not None:
            forms = {as_text(code)}
            if code in labels:
                forms.add(as_text(labels[code]))
            yield frozenset(forms), f"{path}.{name}"


def exported_values(data: Any) -> set[str]:
    """Every leaf of a JSON document (its keys too), as text.

    A text that reads as an ISO date and time counts in its full form too
    (``2027-02-15T09:00`` as ``2027-02-15T09:00:00``), as the walk of the
    stored data writes it.
    """
    found: set[str] = set()
    stack = [json.loads(json.dumps(data, default=str))]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            found.update(current)
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
        elif not isinstance(current, bool) and current is not None:
            found.add(str(current))
            if isinstance(current, str) and "T" in current:
                with suppress(ValueError):
                    found.add(datetime.fromisoformat(current).isoformat())
    return found


def _escaped(stored: Iterator[Stored], exported: set[str]) -> list[str]:
    return [f"{path}: {sorted(forms)[0]!r}" for forms, path in stored if not forms & exported]


def assert_gdpr_export_covers(
    site: Site, plugins, service_id: str, *, stores_data: bool = True
) -> None:
    """Fail when the family's data ``service_id`` stores is in none of its exports.

    ``plugins`` is the application's plugin registry
    (``app.registry.ts_plugins``); run it after the service's demo data, or
    after the test stored what the service keeps.  Each pupil's record is
    compared with that pupil's export (the service's ``ts_pupil_data`` and
    the ``ts_responsable_data`` of its responsables); the site-wide object
    with every export.  A service that stores nothing passes
    ``stores_data=False``: the check then fails if it stores anything.
    """

    def export_of(pupil) -> list[Any]:
        return [
            pupil_part(pupil),
            [link.responsable_id for link in pupil.responsables],
            plugins.call_service(service_id, hookspecs.ts_pupil_data, site=site, pupil=pupil),
            *(
                plugins.call_service(
                    service_id,
                    hookspecs.ts_responsable_data,
                    site=site,
                    responsable=site.responsables[link.responsable_id],
                )
                for link in pupil.responsables
                if link.responsable_id in site.responsables
            ),
        ]

    escaped: list[str] = []
    everything: list[Any] = []
    found = 0
    for pupil in site.pupils.values():
        export = export_of(pupil)
        everything.append(export)
        stored = list(stored_values(pupil.services.get(service_id), f"élève {pupil.id}"))
        found += len(stored)
        escaped.extend(_escaped(iter(stored), exported_values(export)))
    site_wide = list(stored_values(site.services.get(service_id), "site"))
    found += len(site_wide)
    escaped.extend(_escaped(iter(site_wide), exported_values(everything)))
    if not stores_data:
        assert not found, f"{service_id} enregistre des données : {found} valeurs"
        return
    assert found, f"{service_id} : rien d'enregistré à comparer avec ses exports"
    assert not escaped, (
        f"{service_id} enregistre des données qu'aucun export RGPD ne contient "
        f"(ts_pupil_data, ts_responsable_data ; ou gdpr_contract de la classe) : "
        f"{escaped[:10]}"
    )
