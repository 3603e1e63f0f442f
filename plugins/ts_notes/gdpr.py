"""What the service holds for a pupil, for access requests and erasure."""

from __future__ import annotations

from typing import Any

from ts_host.api import Pupil

from .models import SERVICE_ID


def pupil_data(pupil: Pupil) -> dict[str, Any] | None:
    """Every grade of the pupil, published or not, with its evaluation."""
    notes = pupil.services.get(SERVICE_ID)
    if notes is None:
        return None
    grades = []
    for evaluation in notes.book:
        grade = notes.grade(evaluation.id)
        if grade is None:
            continue
        grades.append(
            {
                "matiere": evaluation.subject,
                "controle": evaluation.label,
                "date": evaluation.day.isoformat(),
                "coefficient": str(evaluation.coefficient),
                "publie_le": evaluation.published_on.isoformat()
                if evaluation.published_on
                else None,
                "note": str(grade),
            }
        )
    return {"classe": notes.book.division, "notes": grades}


def erase(pupil: Pupil) -> None:
    """Forget the pupil's grades; the class figures are recomputed without them."""
    notes = pupil.services.pop(SERVICE_ID)
    if notes is None:
        return
    notes.book.leave(pupil.id)
    notes.book.compute_figures(eid for eid, value in notes.grades.items() if value >= 0)
