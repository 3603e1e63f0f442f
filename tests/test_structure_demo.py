"""The demo's structure: one teaching team per class, which every service reads
(the pages that show it: ``test_demo_shows_something.py``)."""

from ts_host.api import divisions, principals, teaching_team
from ts_host.demo.structure import CLASSES_PER_TEACHER, subjects_for
from ts_host.testing import ESTABLISHMENT_A, ESTABLISHMENT_B, pupils_of


def test_every_demo_class_has_its_levels_subjects_and_one_principal_of_its_own(site, tm):
    with tm:
        for uai, kind in ((ESTABLISHMENT_A, "college"), (ESTABLISHMENT_B, "lycee")):
            establishment = site.establishments[uai]
            classes = {pupil.division: pupil.level for pupil in pupils_of(site, uai)}
            assert {d.code: d.level for d in divisions(establishment)} == classes
            led = []
            for code, level in classes.items():
                team = teaching_team(establishment, code)
                assert [s.subject for s in team] == [
                    label for _c, label in subjects_for(kind, level)
                ]
                (principal,) = principals(establishment, code)
                assert any(principal in subject.teachers for subject in team)
                led.append(principal)
            assert len(set(led)) == len(led)


def test_a_demo_teacher_takes_a_few_classes_in_one_subject(site, tm):
    with tm:
        establishment = site.establishments[ESTABLISHMENT_A]
        classes = {}
        for division in divisions(establishment):
            for subject in teaching_team(establishment, division.code):
                for teacher in subject.teachers:
                    classes.setdefault(teacher.id, set()).add((subject.subject, division.code))
        for taught in classes.values():
            assert len({subject for subject, _d in taught}) == 1
            assert len(taught) <= CLASSES_PER_TEACHER


def test_subjects_depend_on_the_level():
    def labels(kind, level):
        return [label for _code, label in subjects_for(kind, level)]

    assert "LV2 - Espagnol" not in labels("college", "6e")
    assert "Physique-Chimie" not in labels("college", "6e")
    assert "Physique-Chimie" in labels("college", "5e")
    assert len(labels("college", "3e")) == 11
    assert "Philosophie" in labels("lycee", "Terminale")
    assert "Français" not in labels("lycee", "Terminale")
    assert "Enseignement Scientifique" in labels("lycee", "1re")
