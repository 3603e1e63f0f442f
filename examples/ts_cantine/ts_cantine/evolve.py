"""The numbered upgrades of the service's stored data (``ts-admin evolve``).

Append steps, never renumber them: the host records in the database the
last step applied to this service and runs the later ones, each in its own
transaction.
"""

from __future__ import annotations

from ts_host.api import EvolveStep, Site

from .models import SERVICE_ID


def rename_repas_to_meals(site: Site) -> None:
    """Version 1.0 stored a pupil's meals as ``repas``; 1.1 calls them ``meals``."""
    for pupil in site.pupils.values():
        account = pupil.services.get(SERVICE_ID)
        repas = getattr(account, "repas", None)
        if repas is not None:
            account.meals = repas
            del account.repas


STEPS = [
    EvolveStep(1, "les repas des comptes s'appellent « meals »", rename_repas_to_meals),
]
