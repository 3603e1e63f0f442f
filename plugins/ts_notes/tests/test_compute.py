"""Small exact rules: averages, publication dates, storage of grades, settings."""

import dataclasses
import pickle
from datetime import date
from decimal import Decimal

import colander
import pytest

from ts_host.api import format_decimal
from ts_host.testing import college_config
from ts_notes.chart import BOTTOM, TOP, build_chart, y_of
from ts_notes.compute import (
    Line,
    SubjectGrades,
    format_coefficient,
    release_date,
    weighted_average,
)
from ts_notes.models import (
    ClassBook,
    Evaluation,
    PupilNotes,
    decode_grade,
    encode_grade,
    subject_sort_key,
)
from ts_notes.schemas import settings_schema
from ts_notes.table import hundredths_text

COLLEGE = college_config("notes")


def evaluation(day="2027-01-10", published="2027-01-12", coefficient="1.0", **figures):
    return Evaluation(
        1,
        "Mathématiques",
        "Fractions",
        date.fromisoformat(day),
        Decimal(coefficient),
        date.fromisoformat(published) if published else None,
        **figures,
    )


def test_weighted_average_weights_by_coefficient_and_rounds_half_up():
    pairs = [(Decimal("14"), Decimal("2.0")), (Decimal("8.5"), Decimal("1.0"))]
    assert weighted_average(pairs) == Decimal("12.17")
    assert weighted_average([(Decimal("11.875"), Decimal(1))]) == Decimal("11.88")
    assert weighted_average(
        [(Decimal("10"), Decimal("0.5")), (Decimal("16"), Decimal("1.5"))]
    ) == Decimal("14.50")
    assert weighted_average([]) is None


def test_subject_averages_count_numeric_grades_only_and_the_same_evaluations_for_the_class():
    lines = (
        Line(evaluation(coefficient="2.0", average_hundredths=1200), Decimal("14.00")),
        Line(evaluation(coefficient="1.0", average_hundredths=1100), Decimal("8.50")),
        Line(evaluation(coefficient="0.5", average_hundredths=1600), "ABS"),
        Line(evaluation(coefficient="1.0", average_hundredths=500), "DIS"),
        Line(evaluation(coefficient="1.0", average_hundredths=500), "N.NOT"),
        Line(evaluation(coefficient="3.0", average_hundredths=500), None),
    )
    grades = SubjectGrades("Mathématiques", ("M. MARTIN",), lines)
    assert grades.pupil_average == Decimal("12.17")
    assert grades.class_average == Decimal("11.67")
    assert grades.coefficient_total == Decimal("3.0")


def test_subject_without_numeric_grade_has_no_average():
    grades = SubjectGrades("EPS", (), (Line(evaluation(average_hundredths=1000), "DIS"),))
    assert grades.pupil_average is None
    assert grades.class_average is None


def test_coefficients_print_as_the_guide_does():
    assert format_coefficient(Decimal("1")) == "1.0"
    assert format_coefficient(Decimal("1.00")) == "1.0"
    assert format_coefficient(Decimal("0.5")) == "0.5"
    assert format_coefficient(Decimal("2.0")) == "2.0"
    assert format_coefficient(Decimal("0.25")) == "0.25"
    assert format_coefficient(Decimal("10")) == "10.0"


def test_grades_are_stored_as_hundredths_or_negative_codes():
    assert encode_grade(Decimal("13.40")) == 1340
    assert encode_grade(Decimal("20")) == 2000
    assert decode_grade(1340) == Decimal("13.40")
    assert str(decode_grade(1340)) == "13.40"
    for code in ("ABS", "DIS", "N.NOT"):
        assert encode_grade(code) < 0
        assert decode_grade(encode_grade(code)) == code


def test_pupil_grades_round_trip_through_their_packed_form():
    notes = PupilNotes(ClassBook("0541234Y", "4A"))
    notes.set_grade(7, Decimal("12.25"))
    notes.update({3: encode_grade("ABS"), 12: 0})
    notes.set_grade(7, Decimal("13.00"))
    copy = PupilNotes(notes.book)
    copy._packed = notes._packed
    assert dict(copy.grades) == {3: -1, 7: 1300, 12: 0}
    assert copy.grade(3) == "ABS"
    assert copy.grade(12) == Decimal("0.00")
    assert copy.grade(99) is None
    with pytest.raises(TypeError):
        copy.grades[1] = 5  # read-only: writes go through update()


#: An evaluation as the database has held it since the first release (protocol
#: 3, ZODB's): a dict of its fields, written before the class had slots.
STORED_EVALUATION = (
    b"\x80\x03cts_notes.models\nEvaluation\nq\x00)\x81q\x01}q\x02(X\x02\x00\x00\x00idq\x03K\x07"
    b"X\x07\x00\x00\x00subjectq\x04X\t\x00\x00\x00Fran\xc3\xa7aisq\x05X\x05\x00\x00\x00labelq\x06"
    b"X\x07\x00\x00\x00Dict\xc3\xa9eq\x07X\x03\x00\x00\x00dayq\x08cdatetime\ndate\nq\tC\x04\x07\xeb"
    b"\x01\x0fq\n\x85q\x0bRq\x0cX\x0b\x00\x00\x00coefficientq\rcdecimal\nDecimal\nq\x0eX\x03"
    b"\x00\x00\x001.5q\x0f\x85q\x10Rq\x11X\x0c\x00\x00\x00published_onq\x12h\tC\x04\x07\xeb\x01"
    b"\x11q\x13\x85q\x14Rq\x15X\x12\x00\x00\x00average_hundredthsq\x16M<\x05X\x12\x00\x00\x00"
    b"minimum_hundredthsq\x17M \x03X\x12\x00\x00\x00maximum_hundredthsq\x18Ml\x07ub."
)


def test_evaluations_keep_no_dict_and_are_stored_as_before():
    """Slots make each of the hundreds of thousands a process may hold smaller;
    the records already written load, and new ones are the same bytes."""
    day, published = date(2027, 1, 15), date(2027, 1, 17)
    coefficient = Decimal("1.5")
    evaluation = Evaluation(7, "Français", "Dictée", day, coefficient, published, 1340, 800, 1900)
    assert not hasattr(evaluation, "__dict__")
    stored = pickle.loads(STORED_EVALUATION)  # noqa: S301 - the test's own bytes
    assert stored == evaluation
    assert pickle.dumps(evaluation, protocol=3) == STORED_EVALUATION
    changed = dataclasses.replace(evaluation, label="Rédaction")
    assert pickle.loads(pickle.dumps(changed)) == changed  # noqa: S301 - just written
    with pytest.raises(dataclasses.FrozenInstanceError):
        evaluation.label = "autre"  # type: ignore[misc]


def test_class_figures_come_from_the_members_numeric_grades():
    book = ClassBook("0541234Y", "4A")
    first = book.add_evaluation("Français", "Dictée", date(2027, 1, 5), Decimal(1))
    empty = book.add_evaluation("Français", "Récitation", date(2027, 1, 6), Decimal(1))
    for index, values in enumerate([(1200, -1), (1333, -2), (-1, -3), (850, -1)]):
        notes = PupilNotes(book)
        notes.update({first.id: values[0], empty.id: values[1]})
        book.join(f"p{index}", notes)
    book.compute_figures()
    figures = book.evaluations[first.id]
    # (12 + 13,33 + 8,50) / 3 = 11,2766…
    assert (figures.average, figures.minimum, figures.maximum) == (
        Decimal("11.28"),
        Decimal("8.50"),
        Decimal("13.33"),
    )
    assert book.evaluations[empty.id].average is None
    book.leave("p3")
    book.compute_figures([first.id])
    assert book.evaluations[first.id].minimum == Decimal("12.00")


def test_subjects_sort_alphabetically_whatever_the_accents():
    names = ["Mathématiques", "Éducation Musicale", "Educ. Phys et Sport.", "Arts Plastiques"]
    assert sorted(names, key=subject_sort_key) == [
        "Arts Plastiques",
        "Educ. Phys et Sport.",
        "Éducation Musicale",
        "Mathématiques",
    ]


def test_immediate_release_is_the_publication_date():
    settings = {"publication": "immediate", "publication_delay_days": 30}
    assert release_date(evaluation(), COLLEGE, settings) == date(2027, 1, 12)
    assert release_date(evaluation(published=None), COLLEGE, settings) is None


def test_month_end_release_is_the_day_after_the_month_plus_the_delay():
    settings = {"publication": "month_end", "publication_delay_days": 0}
    assert release_date(evaluation(), COLLEGE, settings) == date(2027, 2, 1)
    settings["publication_delay_days"] = 3
    assert release_date(
        evaluation(day="2027-02-10", published="2027-02-11"), COLLEGE, settings
    ) == date(2027, 3, 4)


def test_period_end_release_is_the_day_after_the_period_plus_the_delay():
    settings = {"publication": "period_end", "publication_delay_days": 7}
    assert release_date(
        evaluation(day="2026-10-05", published="2026-10-07"), COLLEGE, settings
    ) == date(2026, 12, 8)
    assert release_date(evaluation(), COLLEGE, settings) == date(2027, 3, 15)


def test_deadline_release_never_comes_before_the_teacher_publishes():
    settings = {"publication": "period_end", "publication_delay_days": 0}
    late = evaluation(day="2026-10-05", published="2027-01-20")
    assert release_date(late, COLLEGE, settings) == date(2027, 1, 20)
    assert release_date(evaluation(published=None), COLLEGE, settings) is None


def test_settings_default_to_immediate_publication():
    assert settings_schema().deserialize({}) == {
        "publication": "immediate",
        "publication_delay_days": 0,
    }
    assert settings_schema().deserialize(
        {"publication": "period_end", "publication_delay_days": 7}
    ) == {"publication": "period_end", "publication_delay_days": 7}


@pytest.mark.parametrize("values", [{"publication": "weekly"}, {"publication_delay_days": -1}])
def test_settings_refuse_unknown_modes_and_negative_delays(values):
    with pytest.raises(colander.Invalid):
        settings_schema().deserialize(values)


def test_every_setting_is_described():
    for node in settings_schema().children:
        assert node.description and node.title


def test_chart_places_grades_on_a_0_to_20_scale_across_the_year():
    assert y_of(0) == BOTTOM
    assert y_of(20) == TOP
    lines = (
        Line(evaluation(day="2026-09-01", average_hundredths=1000), Decimal("20")),
        Line(evaluation(day="2027-07-03", average_hundredths=None), "ABS"),
    )
    chart = build_chart(
        SubjectGrades("Mathématiques", (), lines), date(2026, 9, 1), date(2027, 7, 3)
    )
    assert len(chart.pupil_points) == 1 and len(chart.class_points) == 1
    assert chart.pupil_points[0].x == chart.left
    assert chart.pupil_points[0].y == TOP
    assert chart.class_points[0].y == (TOP + BOTTOM) / 2
    assert [t.label for t in chart.y_ticks] == ["0", "5", "10", "15", "20"]
    assert chart.x_ticks[0].label == "sept."


def test_class_figures_are_written_as_every_other_figure_of_the_page():
    """The table writes the class's figures straight from their hundredths."""
    for hundredths in (*range(0, 2001), 2001, 4000, 12345):  # beyond 20: the same way
        assert hundredths_text(hundredths) == format_decimal(Decimal(hundredths).scaleb(-2))
    assert hundredths_text(None) == format_decimal(None) == ""
