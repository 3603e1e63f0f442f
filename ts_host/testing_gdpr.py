"""The kit's GDPR check: nothing a service stores escapes its export.

:func:`assert_gdpr_export_covers` walks everything a service keeps in the
database (under each pupil, ``pupil.services[<id>]``, and site-wide,
``site.services[<id>]``), takes every value found there (text, numbers,
dates), and looks for each one among the values of the service's exports:
``ts_pupil_data`` for every pupil and ``ts_responsable_data`` for every
responsable.  A value stored but exported for nobody is data the academy
could not give back to a family who asks for it: the check fails, naming it.
What the host's part of the document holds (the pupil's identifiers,
establishment and class, its responsables' ids) counts as exported.

What is structure rather than data is left out: the keys of plain dicts
(field names), booleans and ``None``, and the counters of
:class:`ts_host.api.Container` (``BTrees.Length``).  The keys of BTrees and
the members of sets are data (identifiers, indexes) and must be exported.
"""

from __future__ import annotations

import json
from collections import UserDict
from collections.abc import Iterator
from contextlib import suppress
from datetime import date, datetime
from typing import Any

from BTrees.Length import Length
from persistent import Persistent

from . import hookspecs
from .admin.gdpr import pupil_part
from .models import Site


def stored_values(value: Any) -> Iterator[Any]:
    """Every leaf value under ``value``, as the export would write it."""
    seen: set[int] = set()
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, bool) or current is None or isinstance(current, Length):
            continue
        if isinstance(current, str | int | float):
            yield current
            continue
        if isinstance(current, date | datetime):
            yield current.isoformat()
            continue
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, Persistent):
            current._p_activate()
        if isinstance(current, dict | UserDict):
            stack.extend(current.values())  # keys: field names (PersistentMapping too)
        elif hasattr(current, "__dict__"):
            # An object of the service's own (a persistent class): its attributes.
            stack.extend(
                attribute
                for name, attribute in vars(current).items()
                if not name.startswith(("_p_", "_v_"))
            )
        elif hasattr(current, "keys") and hasattr(current, "values"):
            # A BTree: its keys are identifiers, data as much as its values.
            stack.extend(current.keys())
            stack.extend(current.values())
        elif hasattr(current, "__iter__"):
            stack.extend(current)  # lists, tuples, sets, BTrees' sets
        else:
            yield str(current)


def exported_values(data: Any) -> set[Any]:
    """Every leaf of a JSON document (its keys too).

    A text that reads as an ISO date and time counts in its full form too
    (``2027-02-15T09:00`` as ``2027-02-15T09:00:00``), as the walk of the
    stored data writes it.
    """
    found: set[Any] = set()
    stack = [json.loads(json.dumps(data, default=str))]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            found.update(current)
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
        elif not isinstance(current, bool) and current is not None:
            found.add(current)
            if isinstance(current, str) and "T" in current:
                with suppress(ValueError):
                    found.add(datetime.fromisoformat(current).isoformat())
    return found


def assert_gdpr_export_covers(site: Site, plugins, service_id: str) -> None:
    """Fail when a value ``service_id`` stores is in none of its GDPR exports.

    ``plugins`` is the application's plugin registry
    (``app.registry.ts_plugins``); run it after the service's demo data, or
    after the test stored what the service keeps.
    """
    stored: set[Any] = set(stored_values(site.services.get(service_id)))
    # The host's part of each export names the pupil and its responsables:
    # a service may keep them beside its data without exporting them again.
    exports: list[Any] = []
    for pupil in site.pupils.values():
        stored.update(stored_values(pupil.services.get(service_id)))
        exports.append(pupil_part(pupil))
        exports.append([link.responsable_id for link in pupil.responsables])
        exports.append(
            plugins.call_service(service_id, hookspecs.ts_pupil_data, site=site, pupil=pupil)
        )
    for responsable in site.responsables.values():
        exports.append(
            plugins.call_service(
                service_id, hookspecs.ts_responsable_data, site=site, responsable=responsable
            )
        )
    assert stored, f"{service_id} : rien d'enregistré à comparer avec ses exports"
    escaped = stored - exported_values(exports)
    assert not escaped, (
        f"{service_id} enregistre des données qu'aucun export RGPD ne contient "
        f"(ts_pupil_data, ts_responsable_data) : {sorted(map(repr, escaped))[:10]}"
    )
