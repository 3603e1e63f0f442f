"""The demo's campaigns: every pupil of a campaign's level is on its
affectation list, and the files stand at every state (``rng`` only).

The demo's pupils are already at school; the demo pretends that those of
the campaign's level are the ones arriving, so that a family with a demo
code finds the tile.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, time

from ts_host.api import EstablishmentConfig, Pupil

from .models import Affectation, inscription_site, registration_of, responsable_values
from .schemas import offers

SCHOOLS = (
    "École élémentaire Jules Ferry",
    "École élémentaire Louis Pasteur",
    "École primaire Saint-Exupéry",
    "Collège Jacques Callot",
    "Collège La Fontaine",
)
TOWNS = ("Nancy", "Vandœuvre-lès-Nancy", "Laxou", "Villers-lès-Nancy", "Metz")


def fill(
    site, establishment: EstablishmentConfig, pupils: Sequence[Pupil], rng: random.Random, settings
) -> None:
    store = inscription_site(site)
    for offer in offers(establishment.uai, settings):
        campaign = store.campaign(establishment.uai, offer.level)
        when = datetime.combine(offer.opens, time(9))
        for pupil in pupils:
            if pupil.level != offer.level or not pupil.ine:
                continue
            origin = rng.choice(SCHOOLS)
            campaign.affectations[pupil.ine] = Affectation(
                pupil.ine, pupil.last_name, pupil.first_name, pupil.birth_date, origin, offer.level
            )
            draw = rng.random()
            if draw < 0.5:
                continue
            registration = registration_of(pupil)
            registration.save_step(
                "eleve",
                {"birth_place": rng.choice(TOWNS), "previous_school": origin, "health": ""},
                registration.version,
                when,
                "démonstration",
            )
            if draw < 0.8:
                continue
            options = sorted(name for name, _places in offer.options[:1] if rng.random() < 0.5)
            if campaign.reserve(pupil.id, set(options), offer.limits):
                options = []  # full: nothing was reserved
            responsables = [
                {"responsable_id": r.id, "name": r.full_name, **responsable_values(r)}
                for r in (site.responsables.get(link.responsable_id) for link in pupil.responsables)
                if r is not None
            ]
            steps = {
                "responsables": {"responsables": responsables},
                "choix": {
                    "language": rng.choice(offer.languages) if offer.languages else "",
                    "options": options,
                    "regime": rng.choice(offer.regimes),
                    "transport": offer.transport and rng.random() < 0.3,
                },
                "autorisations": {"image": True, "outings": True, "leave": rng.random() < 0.5},
            }
            for step, values in steps.items():
                registration.save_step(step, values, registration.version, when, "démonstration")
            registration.submit(registration.version, when, "démonstration")
