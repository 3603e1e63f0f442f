"""The steps that upgrade the absences' stored data (``ts-admin evolve``)."""

from __future__ import annotations

from BTrees.OOBTree import OOBTree

from ts_host.api import EvolveStep

from .models import SERVICE_ID


def add_justifications(site) -> None:
    """1.1: each pupil's absences keep the family's justifications beside them."""
    for pupil in site.pupils.values():
        data = pupil.services.get(SERVICE_ID)
        if data is not None and not hasattr(data, "justifications"):
            data.justifications = OOBTree()


STEPS = [
    EvolveStep(
        1, "les absences d'un élève gardent les justifications des familles", add_justifications
    )
]
