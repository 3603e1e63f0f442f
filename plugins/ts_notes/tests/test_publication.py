"""The establishment's publication mode decides from when a published grade shows.

Each test runs the application on an establishments file whose collège A
sets the grades' ``publication`` settings (today is 15/02/2027, in T2;
T1 ended on 30/11/2026).
"""

import pytest

from ts_host.testing import ESTABLISHMENT_A, establishments_toml

from .test_page import labels


@pytest.fixture
def notes_settings():
    return {}


@pytest.fixture
def ts_settings(ts_settings, tmp_path, ts_enabled_services, notes_settings):
    path = tmp_path / "establishments-publication.toml"
    path.write_text(
        establishments_toml(ts_enabled_services, {ESTABLISHMENT_A: {"notes": notes_settings}}),
        encoding="utf-8",
    )
    return {**ts_settings, "ts.establishments": str(path)}


@pytest.mark.parametrize("notes_settings", [{}, {"publication": "immediate"}])
def test_immediate_shows_what_is_published_by_today(notes_page):
    assert labels(notes_page(periode="annee")) == {
        "Statistiques",
        "Fractions",
        "Géométrie",
        "Calcul mental",
        "Lecture cursive",
        "Dictée",
        "Rédaction",
        "Récitation",
    }


@pytest.mark.parametrize("notes_settings", [{"publication": "period_end"}])
def test_period_end_shows_only_the_periods_that_are_over(notes_page):
    assert labels(notes_page(periode="annee")) == {"Statistiques"}
    current = notes_page(periode="T2")
    assert labels(current) == set()
    assert "Aucune note publiée pour cette sélection." in current.text
    # By default the page opens on T1, the period whose grades are out, and says why.
    page = notes_page()
    assert labels(page) == {"Statistiques"}
    assert "Aucune note n'est encore publiée pour T2 : voici celles de T1." in page.text


@pytest.mark.parametrize(
    "notes_settings", [{"publication": "period_end", "publication_delay_days": 80}]
)
def test_period_end_waits_for_the_delay_after_the_period(notes_page):
    # T1 grades show from 01/12/2026 + 80 days = 19/02/2027.
    assert labels(notes_page(periode="annee")) == set()


@pytest.mark.parametrize(
    "notes_settings", [{"publication": "period_end", "publication_delay_days": 76}]
)
def test_period_end_shows_on_the_day_the_delay_ends(notes_page):
    # 01/12/2026 + 76 days = 15/02/2027, today.
    assert labels(notes_page(periode="annee")) == {"Statistiques"}


@pytest.mark.parametrize("notes_settings", [{"publication": "month_end"}])
def test_month_end_shows_the_months_that_are_over(notes_page):
    assert labels(notes_page(periode="annee")) == {
        "Statistiques",
        "Fractions",
        "Géométrie",
        "Lecture cursive",
        "Dictée",
        "Rédaction",
    }


@pytest.mark.parametrize(
    "notes_settings", [{"publication": "month_end", "publication_delay_days": 15}]
)
def test_month_end_with_a_delay(notes_page):
    # January's grades show from 01/02/2027 + 15 days = 16/02/2027, tomorrow.
    assert labels(notes_page(periode="annee")) == {"Statistiques"}
