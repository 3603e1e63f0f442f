"""A family's corrections to a responsable's data, handed from one service to another.

A service whose form shows a responsable's data (the téléinscription) must
not keep the family's corrections to itself: the establishment reviews such
requests in one place, the service implementing
``ts_submit_responsable_changes`` (the fiche de renseignements).  Services
never import each other, so the caller goes through the host.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import hookspecs
from .contract import RESPONSABLE_FIELDS
from .models import Pupil, Responsable


def submit_responsable_changes(
    request, pupil: Pupil, responsable: Responsable, changes: Mapping[str, Any], *, origin: str
) -> str | None:
    """Hand ``changes`` to the service that takes change requests for ``pupil``'s
    establishment; its reference of the request, or ``None`` when no service
    enabled there took it (the caller then keeps the corrections and shows them).

    ``changes`` are keyed by :data:`RESPONSABLE_FIELDS`; any other key is a
    mistake of the caller, refused with ``ValueError`` whether or not a
    service would take the request.  Called in the caller's transaction: the
    request is stored with the caller's data, or neither is.
    """
    unknown = sorted(set(changes) - set(RESPONSABLE_FIELDS))
    if unknown:
        raise ValueError(f"champs inconnus d'un responsable : {', '.join(unknown)}")
    establishment = request.academy.establishment(pupil.uai)
    if not changes or establishment is None:
        return None
    caller = request.registry.ts_plugins.caller(
        hookspecs.ts_submit_responsable_changes, establishment.services
    )
    return caller(
        request=request,
        pupil=pupil,
        responsable=responsable,
        changes=dict(changes),
        origin=origin,
    )
