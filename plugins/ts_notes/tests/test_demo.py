"""Demo grades: deterministic, consistent with the class figures, realistic; GDPR hooks."""

import json
import random
from collections import Counter
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import ts_notes
from ts_host.api import Pupil, teaching_team
from ts_host.testing import (
    ESTABLISHMENT_A,
    ESTABLISHMENT_B,
    college_config,
    pupils_of,
    structured_site,
)
from ts_notes.demo import DIAGNOSTIC_LABEL, PUBLICATION_DELAY
from ts_notes.models import SERVICE_ID, decode_grade

COLLEGE = college_config(SERVICE_ID)
SITE = structured_site(COLLEGE, {"5A": "5e", "3B": "3e"})


def demo_pupils():
    return [
        Pupil(
            f"p{i:02d}",
            COLLEGE.uai,
            "Léa",
            "MARTIN",
            date(2013, 1, 1),
            "5A" if i < 28 else "3B",
            level="5e" if i < 28 else "3e",
        )
        for i in range(50)
    ]


def fill(pupils, seed, site=SITE):
    ts_notes.ts_demo_data(
        site=site, establishment=COLLEGE, pupils=pupils, rng=random.Random(seed), settings={}
    )


def snapshot(pupils):
    books = {}
    grades = {}
    for pupil in pupils:
        notes = pupil.services[SERVICE_ID]
        book = notes.book
        books[book.division] = list(book)
        grades[pupil.id] = dict(notes.grades)
    return books, grades


def test_same_seed_same_grades():
    first, second = demo_pupils(), demo_pupils()
    fill(first, 3)
    fill(second, 3)
    assert snapshot(first) == snapshot(second)
    third = demo_pupils()
    fill(third, 4)
    assert snapshot(third) != snapshot(first)


def test_a_division_shares_one_class_book():
    pupils = demo_pupils()
    fill(pupils, 3)
    books = {id(p.services[SERVICE_ID].book) for p in pupils}
    assert len(books) == 2
    book = pupils[0].services[SERVICE_ID].book
    assert set(book.members) == {p.id for p in pupils if p.division == "5A"}


def all_books(site, uai):
    books = {}
    for pupil in pupils_of(site, uai):
        notes = pupil.services[SERVICE_ID]
        books.setdefault(notes.book.division, (notes.book, []))[1].append(notes)
    return books.values()


def test_class_figures_are_those_of_the_class_grades(site, tm):
    with tm:
        for book, notes_list in all_books(site, ESTABLISHMENT_A):
            assert len(notes_list) == len(book.members)
            for evaluation in book:
                numeric = [notes.grade(evaluation.id) for notes in notes_list]
                numeric = [g for g in numeric if isinstance(g, Decimal)]
                assert numeric, evaluation
                assert evaluation.minimum == min(numeric)
                assert evaluation.maximum == max(numeric)
                mean = (sum(numeric) / len(numeric)).quantize(Decimal("0.01"), ROUND_HALF_UP)
                assert evaluation.average == mean
                assert evaluation.minimum <= evaluation.average <= evaluation.maximum
                for grade in numeric:
                    assert Decimal(0) <= grade <= Decimal(20)


def test_demo_grades_look_like_a_school_year(site, tm):
    with tm:
        codes = Counter()
        total = 0
        for uai in (ESTABLISHMENT_A,):
            for book, notes_list in all_books(site, uai):
                per_month = Counter(
                    (e.subject, e.day.month) for e in book if e.label != DIAGNOSTIC_LABEL
                )
                assert set(per_month.values()) <= {2, 3, 4}
                assert {month for _s, month in per_month} == {9, 10, 11, 12, 1, 2, 3, 4, 5, 6}
                team = teaching_team(site.establishments[uai], book.division)
                assert set(book.subjects()) == {subject.subject for subject in team}
                for notes in notes_list:
                    for value in notes.grades.values():
                        total += 1
                        grade = decode_grade(value)
                        if isinstance(grade, str):
                            codes[grade] += 1
        assert 0.015 < codes["ABS"] / total < 0.05
        assert codes["DIS"] and codes["N.NOT"]


def test_every_evaluation_is_published_within_a_week_so_any_day_shows_the_recent_ones(site, tm):
    low, high = PUBLICATION_DELAY
    with tm:
        for book, _notes in all_books(site, ESTABLISHMENT_A):
            for evaluation in book:
                if evaluation.label == DIAGNOSTIC_LABEL:
                    continue
                delay = (evaluation.published_on - evaluation.day).days
                assert low <= delay <= high, evaluation


def test_the_year_opens_with_a_diagnostic_published_on_the_first_school_day(site, tm):
    with tm:
        for book, _notes in all_books(site, ESTABLISHMENT_A):
            diagnostics = [e for e in book if e.label == DIAGNOSTIC_LABEL]
            team = teaching_team(site.establishments[ESTABLISHMENT_A], book.division)
            assert [e.subject for e in diagnostics] == [subject.subject for subject in team[:2]]
            assert {(e.day, e.published_on) for e in diagnostics} == {
                (date(2026, 9, 1), date(2026, 9, 1))
            }


def test_a_division_the_structure_does_not_know_gets_no_demo_grades():
    pupils = demo_pupils()
    unknown = structured_site(COLLEGE, {"6A": "6e"})
    fill(pupils, 3, unknown)
    assert all(not list(p.services[SERVICE_ID].book) for p in pupils)


def test_no_demo_grades_where_the_service_is_disabled(site, tm):
    with tm:
        assert all(p.services.get(SERVICE_ID) is None for p in pupils_of(site, ESTABLISHMENT_B))


def test_gdpr_export_lists_every_grade(site, tm, pupil_enabled):
    with tm:
        pupil = site.pupils[pupil_enabled]
        data = ts_notes.ts_pupil_data(pupil=pupil)
        assert json.loads(json.dumps(data)) == data
        assert data["classe"] == pupil.division
        assert len(data["notes"]) == len(pupil.services[SERVICE_ID].grades)
        first = data["notes"][0]
        assert set(first) == {"matiere", "controle", "date", "coefficient", "publie_le", "note"}
        assert ts_notes.ts_pupil_data(pupil=pupils_of(site, ESTABLISHMENT_B)[0]) is None


def test_gdpr_erasure_forgets_the_grades_and_recomputes_the_class_figures(site, tm, pupil_enabled):
    with tm:
        pupil = site.pupils[pupil_enabled]
        book = pupil.services[SERVICE_ID].book
        ts_notes.ts_erase_pupil_data(pupil=pupil)
        assert pupil.services.get(SERVICE_ID) is None
        assert pupil_enabled not in book.members
        others = list(book.members.values())
        for evaluation in book:
            numeric = [
                g for g in (n.grade(evaluation.id) for n in others) if isinstance(g, Decimal)
            ]
            assert evaluation.maximum == (max(numeric) if numeric else None)


def test_no_evaluation_on_weekends_or_during_the_christmas_break(site, tm):
    with tm:
        for book, _notes in all_books(site, ESTABLISHMENT_A):
            for evaluation in book:
                assert evaluation.day.weekday() < 5
                assert not (date(2026, 12, 19) <= evaluation.day <= date(2027, 1, 3))
