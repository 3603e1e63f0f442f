"""The dashboard (guide, section 2.4).

The host knows nothing of grades or absences: each service enabled by the
selected child's establishment gives its tile through the ``ts_tile`` hook,
in the establishment's order.  A service whose tile fails is logged and
left out; the page still renders.
"""

from __future__ import annotations

import logging
from collections import Counter

from pyramid.httpexceptions import HTTPForbidden
from pyramid.view import view_config

from .. import hookspecs
from ..contract import Tile
from ..formatting import format_date
from ..i18n import _
from ..models import Pupil
from ..page_cache import keep_nothing

log = logging.getLogger(__name__)


def visible_pupils(request) -> list[Pupil]:
    """The account's pupils who are still at school, in a stable order."""
    site = request.site
    pupils = (site.pupils.get(pupil_id) for pupil_id in request.account.pupil_ids)
    return [p for p in pupils if p is not None and p.active]


def selector_labels(request, pupils: list[Pupil]) -> dict[str, str]:
    """The selector's option for each pupil, by id: « Prénom Nom ».

    Only pupils whose name another of the account's pupils also bears get
    their class and birth date after it (« Léa Martin (6A, née le …) »): the
    guide shows names alone, and the extra words are kept for when they are
    what tells two options apart. Two pupils alike in name, class and birth
    date as well get their establishment too.
    """

    def name(pupil: Pupil) -> str:
        return f"{pupil.first_name} {pupil.last_name}"

    def detailed(pupil: Pupil) -> str:
        return request.localizer.translate(
            _(
                "${name} (${division}, né(e) le ${date})",
                mapping={
                    "name": name(pupil),
                    "division": pupil.division,
                    "date": format_date(pupil.birth_date),
                },
            )
        )

    names = Counter(name(p).casefold() for p in pupils)
    labels = {p.id: detailed(p) if names[name(p).casefold()] > 1 else name(p) for p in pupils}
    details = Counter(label.casefold() for label in labels.values())
    for pupil in pupils:
        if details[labels[pupil.id].casefold()] > 1:
            establishment = request.academy.establishment(pupil.uai)
            labels[pupil.id] += f" — {establishment.name if establishment else pupil.uai}"
    return labels


def tiles_for(request, pupil: Pupil) -> list[Tile]:
    establishment = request.academy.establishment(pupil.uai)
    if establishment is None:
        return []
    plugins = request.registry.ts_plugins
    tiles = []
    for service_id in establishment.services:
        try:
            tile = plugins.call_service(
                service_id,
                hookspecs.ts_tile,
                request=request,
                pupil=pupil,
                settings=establishment.settings_for(service_id),
            )
        except Exception:
            log.exception("tile of service %s failed for pupil %s", service_id, pupil.id)
            keep_nothing(request)  # the tile may show at the next view
            continue
        if tile is not None:
            tiles.append(tile)
    return tiles


@view_config(route_name="home", renderer="ts_host:templates/dashboard/home.pt", page_cache=True)
def home_view(request):
    if request.account is None:
        raise HTTPForbidden()
    pupils = visible_pupils(request)
    selected_id = request.params.get("eleve")
    selected = next((p for p in pupils if p.id == selected_id), pupils[0] if pupils else None)
    establishment = request.academy.establishment(selected.uai) if selected else None
    return {
        "pupils": pupils,
        "labels": selector_labels(request, pupils),
        "selected": selected,
        "establishment": establishment,
        "tiles": tiles_for(request, selected) if selected else [],
    }
