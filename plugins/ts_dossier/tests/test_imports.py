"""``ts-admin import dossier-scolarite``: the sample file, bad lines, and the demo."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import ts_dossier
from ts_dossier.models import SERVICE_ID, SchoolYear
from ts_host.api import Pupil
from ts_host.testing import ESTABLISHMENT_A, ESTABLISHMENT_B, pupils_of

SAMPLE = Path(__file__).parent / "data" / "scolarite.csv"


def sample_for(tmp_path, ine: str) -> Path:
    path = tmp_path / "scolarite.csv"
    path.write_text(SAMPLE.read_text(encoding="utf-8").replace("INE_A", ine), encoding="utf-8")
    return path


def test_the_sample_is_imported(ts_admin, tmp_path):
    with ts_admin.site() as site:
        pupil = pupils_of(site, ESTABLISHMENT_A)[0]
        ine, pupil_id = pupil.ine, pupil.id
    run = ts_admin("import", "dossier-scolarite", str(sample_for(tmp_path, ine)), "--quiet")
    assert run.status == 0, run.err
    with ts_admin.site() as site:
        years = site.pupils[pupil_id].services[SERVICE_ID].years
        assert years["2024-2025"] == SchoolYear(
            "2024-2025",
            "0540999A",
            "École élémentaire Jules Ferry",
            "CM2",
            "CM2",
            "passage",
            "Passage en 6e",
        )
        assert years["2025-2026"].decision == "redoublement"
        assert years["2026-2027"] == SchoolYear(
            "2026-2027", ESTABLISHMENT_A, "Collège Jean Lamour", "6A", "6e"
        )


def test_bad_lines_are_all_reported_and_nothing_written(ts_admin, tmp_path):
    with ts_admin.site() as site:
        pupil = pupils_of(site, ESTABLISHMENT_A)[0]
        other = pupils_of(site, ESTABLISHMENT_B)[0]
        ine, other_ine, pupil_id = pupil.ine, other.ine, pupil.id
        before = dict(site.pupils[pupil_id].services[SERVICE_ID].years)
    path = tmp_path / "bad.csv"
    path.write_text(
        "uai;eleve_ine;annee;etablissement;classe;decision\n"
        f"0541234Y;{ine};2025-2027;Collège;5B;passage\n"
        f"0541234Y;{ine};2025-2026;Collège;5B;exclusion\n"
        f"0541234Y;{other_ine};2025-2026;Collège;5B;\n"
        f"0541234Y;{ine};2024-2025;Collège;6B;passage\n",
        encoding="utf-8",
    )
    run = ts_admin("import", "dossier-scolarite", str(path), "--quiet")
    assert run.status == 1
    assert "ligne 2 : année scolaire « 2025-2027 »" in run.out + run.err
    assert "ligne 3 : décision « exclusion »" in run.out + run.err
    assert f"ligne 4 : aucun élève d'INE « {other_ine} »" in run.out + run.err
    with ts_admin.site() as site:
        assert dict(site.pupils[pupil_id].services[SERVICE_ID].years) == before


def test_the_demo_is_deterministic(ts_app):
    establishment = ts_app.registry.ts_academy.establishment(ESTABLISHMENT_A)

    def demo(seed):
        pupils = [
            Pupil(f"p{i}", ESTABLISHMENT_A, "Léa", "Martin", date(2013, 1, 1), "4B", level="4e")
            for i in range(30)
        ]
        ts_dossier.ts_demo_data(establishment=establishment, pupils=pupils, rng=random.Random(seed))
        return [p.services[SERVICE_ID].export() for p in pupils]

    first = demo(1)
    assert first == demo(1) != demo(2)
    years = [y["annee"] for y in first[0]["scolarite"]]
    assert years[-1] == "2026-2027" and len(years) >= 4  # CM2, 6e, 5e, this 4e
