"""Upgrades of the data this service stores (``ts-admin evolve``).

Each step is applied once to a database, in order, and recorded; append new
steps, never renumber them.
"""

from __future__ import annotations

from BTrees.OOBTree import OOTreeSet

from ts_host.api import EvolveStep, Site

from .models import SERVICE_ID, find_site


def rebuild_places(site: Site) -> None:
    """Count the places of the limited options again from the saved choices.

    The places are a cache of the choices saved in the files (kept so that
    showing the places left does not read every file); this step makes it
    agree with them, for a database written before the places were counted.
    """
    store = find_site(site)
    if store is None:
        return
    for campaign in store.campaigns.values():
        campaign.places.clear()
        for pupil in site.pupils.values():
            if pupil.uai != campaign.uai or not campaign.expects(pupil):
                continue
            registration = pupil.services.get(SERVICE_ID)
            choices = registration.data.get("choix") if registration is not None else None
            for option in (choices or {}).get("options", ()):
                holders = campaign.places.get(option)
                if holders is None:
                    holders = campaign.places[option] = OOTreeSet()
                holders.add(pupil.id)


STEPS = (EvolveStep(1, "places des options recomptées d'après les choix", rebuild_places),)
