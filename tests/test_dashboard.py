"""The dashboard's child selector."""

from datetime import date


def options(page):
    return [
        option.get_text(strip=True) for option in page.html.find("select", id="eleve")("option")
    ]


def test_children_of_different_names_show_their_names_only(family_app, family, site, tm):
    with tm:
        names = [
            f"{site.pupils[i].first_name} {site.pupils[i].last_name}" for i in family.pupil_ids
        ]
    assert options(family_app.get("/")) == names


def test_two_children_with_the_same_name_show_their_class_and_birth_date(
    family_app, family, site, tm
):
    with tm:
        first, second = (site.pupils[i] for i in family.pupil_ids)
        for pupil, division, born in (
            (first, "6A", date(2014, 3, 2)),
            (second, "3B", date(2011, 9, 30)),
        ):
            pupil.first_name, pupil.last_name = "Léa", "Martin"
            pupil.division, pupil.birth_date = division, born
    assert options(family_app.get("/")) == [
        "Léa Martin (6A, né(e) le 02/03/2014)",
        "Léa Martin (3B, né(e) le 30/09/2011)",
    ]


def test_children_alike_in_everything_shown_show_their_establishment(family_app, family, site, tm):
    with tm:
        for pupil_id in family.pupil_ids:
            pupil = site.pupils[pupil_id]
            pupil.first_name, pupil.last_name = "Léa", "Martin"
            pupil.division, pupil.birth_date = "6A", date(2014, 3, 2)
    first, second = options(family_app.get("/"))
    assert first.startswith("Léa Martin (6A, né(e) le 02/03/2014) — ")
    assert second.startswith("Léa Martin (6A, né(e) le 02/03/2014) — ")
    assert first != second
