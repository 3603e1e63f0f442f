"""The list of grades as a family sees it (guide, section 2.4.1)."""

import re
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urljoin

from ts_host.api import of_name
from ts_host.testing import ServiceAccessTests, kept_pages, set_today
from ts_notes.models import SERVICE_ID, ClassBook, PupilNotes

#: The main table's rows of grades (each subject's body ends with its average).
GRADE_ROWS = "tbody tr:not(.ts-notes-moyenne)"


def cells(row):
    return [" ".join(cell.get_text(" ", strip=True).split()) for cell in row.find_all(["th", "td"])]


def table_rows(page):
    """The grade rows of the main table as lists of cell texts (subject first when shown)."""
    table = page.html.find(id="notes-table")
    return [cells(row) for row in table.select(GRADE_ROWS)]


def labels(page):
    table = page.html.find(id="notes-table")
    if table is None:
        return set()
    return {cells(row)[-7] for row in table.select(GRADE_ROWS)}


def summary(page, subject):
    """The subject's summary row: [label, '', pupil's average, class average, '', '', coef]."""
    table = page.html.find(id="notes-table")
    for body in table.find_all("tbody"):
        if body.find("td", class_="ts-group-cell").get_text(strip=True) == subject:
            return cells(body.find("tr", class_="ts-notes-moyenne"))
    raise AssertionError(f"no group for {subject}")


def test_table_has_the_guide_columns_and_the_current_period_by_default(notes_page):
    page = notes_page()
    headers = [th.get_text(strip=True) for th in page.html.find(id="notes-table").thead("th")]
    assert headers == ["Matière", "Contrôle", "Date", "Note", "Moyenne", "Min", "Max", "Coef."]
    assert page.html.find("h1").get_text(strip=True) == "Les notes : liste des notes"
    selected = page.html.find("select", id="notes-periode").find("option", selected=True)
    assert selected["value"] == "T2"
    assert labels(page) == {
        "Fractions",
        "Géométrie",
        "Calcul mental",
        "Lecture cursive",
        "Dictée",
        "Rédaction",
        "Récitation",
    }


def text_of(page, element_id):
    element = page.html.find(id=element_id)
    return " ".join(element.get_text(" ", strip=True).split()) if element else None


def selected_period(page):
    return page.html.find("select", id="notes-periode").find("option", selected=True)["value"]


def chart_labels(page):
    charts = page.html.find(id="notes-graphiques")
    return {row.th.get_text(strip=True) for row in charts.select("table.ts-notes-donnees tbody tr")}


def test_a_current_period_with_something_opens_without_notice(notes_page):
    page = notes_page()
    assert selected_period(page) == "T2"
    assert page.html.find(id="notes-periode-vide") is None


def test_an_empty_current_period_opens_on_the_previous_one_with_a_notice(family_app, notes_page):
    # 03/12/2026: T2 began two days ago; only T1's « Statistiques » is published.
    set_today(family_app, date(2026, 12, 3))
    page = notes_page()
    assert text_of(page, "notes-periode-vide") == (
        "Aucune note n'est encore publiée pour T2 : voici celles de T1."
    )
    assert selected_period(page) == "T1"
    assert labels(page) == {"Statistiques"}
    assert page.html.find(id="notes-aucune") is None
    link = page.html.find(id="notes-graphiques-matieres").find("a")
    assert link.get_text(strip=True) == "Mathématiques"
    # A link relative to the page: the same page, filtered on the subject.
    chart_page = family_app.get(urljoin(page.request.url, link["href"]))
    assert chart_labels(chart_page) == {"Statistiques"}


def test_an_empty_period_asked_for_offers_the_previous_one_in_one_click(family_app, notes_page):
    set_today(family_app, date(2026, 12, 3))
    page = notes_page(periode="T2", matiere="Mathématiques")
    assert selected_period(page) == "T2"
    assert page.html.find(id="notes-periode-vide") is None
    assert text_of(page, "notes-aucune").startswith("Aucune note publiée pour cette sélection.")
    link = page.html.find(id="notes-periode-precedente")
    assert link.get_text(" ", strip=True) == "Voir les notes de T1"
    earlier = family_app.get(link["href"])
    assert selected_period(earlier) == "T1"
    assert labels(earlier) == {"Statistiques"}


def test_no_earlier_period_with_grades_leaves_the_current_one_and_says_so(family_app, notes_page):
    set_today(family_app, date(2026, 12, 3))
    page = notes_page(matiere="Français")
    assert selected_period(page) == "T2"
    assert text_of(page, "notes-aucune") == "Aucune note publiée pour cette sélection."
    assert page.html.find(id="notes-periode-precedente") is None


def test_rows_show_grade_class_figures_with_commas_and_coefficients_as_printed(notes_page):
    rows = table_rows(notes_page())
    fractions = next(r for r in rows if "Fractions" in r)
    assert fractions[-7:] == ["Fractions", "10/01/2027", "14,00", "12,00", "10,00", "14,00", "2.0"]
    calcul = next(r for r in rows if "Calcul mental" in r)
    assert calcul[-7:] == ["Calcul mental", "01/02/2027", "ABS", "16,00", "16,00", "16,00", "0.5"]
    dictee = next(r for r in rows if "Dictée" in r)
    assert dictee[-7:] == ["Dictée", "15/01/2027", "13,40", "12,70", "12,00", "13,40", "1.0"]


def test_codes_are_shown_with_their_legend(notes_page):
    page = notes_page()
    rows = table_rows(page)
    assert next(r for r in rows if "Rédaction" in r)[-5] == "DIS"
    assert next(r for r in rows if "Récitation" in r)[-5] == "N.NOT"
    missing = next(r for r in rows if "Lecture cursive" in r)
    assert missing[-5] == "- pas de note"
    legend = " ".join(page.html.find(id="notes-legende").get_text(" ", strip=True).split())
    assert "ABS : absent" in legend
    assert "DIS : dispensé" in legend
    assert "N.NOT : non noté" in legend
    assert page.html.find("abbr", string="ABS")["title"] == "absent"


def test_subjects_are_grouped_with_the_name_opening_their_rows(notes_page):
    page = notes_page()
    groups = page.html.find(id="notes-table").find_all("tbody")
    headers = [g.find("td", class_="ts-group-cell") for g in groups]
    assert [h.get_text(strip=True) for h in headers] == ["Français", "Mathématiques"]
    # Four French rows and their summary row.
    assert headers[0]["rowspan"] == "5"


def test_each_row_has_its_header_by_scope_and_no_cell_a_headers_list(notes_page):
    """One level of row headers (WCAG 1.3.1, H63): each row's heads its
    cells; with a second level, HTML_CodeSniffer asks for H43's headers lists."""
    table = notes_page().html.find(id="notes-table")
    assert [th["scope"] for th in table.thead("th")] == ["col"] * 8
    for body in table.find_all("tbody"):
        rows = body.find_all("tr")
        assert body.find("td", class_="ts-group-cell")["rowspan"] == str(len(rows))
        for row in rows:
            assert [th["scope"] for th in row.find_all("th")] == ["row"]
    assert table.find(attrs={"headers": True}) is None


def test_weighted_averages_leave_codes_out_and_compare_with_the_same_evaluations(notes_page):
    page = notes_page()
    # (14 × 2 + 8,5 × 1) / 3 = 12,1666…; the class on the same two: (12 × 2 + 11) / 3.
    maths = summary(page, "Mathématiques")
    assert maths[0] == "Moyenne pondérée"
    assert maths[2].endswith("12,17")
    assert maths[3].endswith("11,67")
    assert maths[-1] == "3.0"
    # DIS, N.NOT and the missing grade count for nothing: only the dictation is left.
    french = summary(page, "Français")
    assert french[2].endswith("13,40")
    assert french[3].endswith("12,70")
    assert french[-1] == "1.0"


def test_unpublished_and_not_yet_published_evaluations_are_hidden(notes_page):
    page = notes_page(periode="annee")
    assert "Équations" not in page.text  # never published
    assert "Proportionnalité" not in page.text  # published on 20/02/2027, after today
    assert "Statistiques" in page.text


def test_filter_by_another_period(notes_page):
    page = notes_page(periode="T1")
    assert labels(page) == {"Statistiques"}
    selected = page.html.find("select", id="notes-periode").find("option", selected=True)
    assert selected["value"] == "T1"


def test_filter_by_month(notes_page):
    page = notes_page(periode="2027-01")
    assert labels(page) == {"Fractions", "Géométrie", "Lecture cursive", "Dictée", "Rédaction"}
    assert "janvier 2027" in page.html.find("caption").get_text()


def test_filter_by_whole_year_averages_the_whole_year(notes_page):
    page = notes_page(periode="annee")
    assert "Statistiques" in labels(page) and "Calcul mental" in labels(page)
    # (11 + 14 × 2 + 8,5) / 4 = 11,875; the class: (10 + 12 × 2 + 11) / 4 = 11,25.
    maths = summary(page, "Mathématiques")
    assert maths[2].endswith("11,88")
    assert maths[3].endswith("11,25")


def test_filter_by_subject_shows_it_alone_with_its_teacher(notes_page):
    page = notes_page(matiere="Mathématiques")
    assert labels(page) == {"Fractions", "Géométrie", "Calcul mental"}
    assert "Professeur : M. MARTIN" in " ".join(page.html.find(id="notes-professeur").text.split())
    selected = page.html.find("select", id="notes-matiere").find("option", selected=True)
    assert selected["value"] == "Mathématiques"


def test_subject_choices_start_with_all_subjects_and_an_unknown_one_shows_all(notes_page):
    page = notes_page(matiere="Latin")
    options = page.html.find("select", id="notes-matiere").find_all("option")
    assert options[0].get_text() == "(Toutes les matières)"
    assert options[0]["value"] == ""
    assert [o.get_text() for o in options[1:]] == [
        "Educ. Phys et Sport.",
        "Français",
        "Mathématiques",
    ]
    assert "Dictée" in labels(page) and "Fractions" in labels(page)


def test_filter_form_is_a_labelled_get_form_with_valider(notes_page):
    page = notes_page()
    form = page.html.find("form", id="notes-filtres")
    assert form["method"] == "get"
    for select in form.find_all("select"):
        assert form.find("label", attrs={"for": select["id"]}) is not None
    assert form.find("button", type="submit").get_text(strip=True) == "Valider"
    choices = [o["value"] for o in form.find("select", id="notes-periode").find_all("option")]
    assert choices[:3] == ["T1", "T2", "T3"]
    assert "2027-02" in choices
    assert choices[-1] == "annee"


def team_rows(page):
    """The team page's table as {subject: teachers}."""
    body = page.html.find("table", id="notes-equipe-table").find("tbody")
    return {cells(r)[0]: cells(r)[1] for r in body.find_all("tr")}


def test_the_team_page_lists_teachers_and_marks_the_principal(notes_page):
    page = notes_page()
    link = page.html.find("a", id="notes-equipe")
    assert link.get_text(strip=True) == "équipe pédagogique"
    team = page.click(linkid="notes-equipe")
    assert team.html.find("h1").get_text(strip=True) == "L'équipe pédagogique"
    rows = team_rows(team)
    assert rows["Mathématiques"] == "M. MARTIN"
    assert rows["Educ. Phys et Sport."] == "M. PETIT, MME ROUX"
    assert rows["Français"].startswith("MME DURAND *")
    assert "*" not in rows["Mathématiques"]
    assert "* Professeur principal" in team.html.get_text()
    assert team.click(linkid="notes-liste").html.find(id="notes-table") is not None


def test_the_team_page_says_when_the_class_has_no_teacher_known(family_app, site, tm, known_book):
    with tm:
        book = site.pupils[known_book].services.get(SERVICE_ID).book
        structure = site.establishments[site.pupils[known_book].uai].structure
        others = [d for code, d in structure.divisions.items() if code != book.division]
        structure.replace(others, list(structure.teachers.values()), "tests", structure.updated_at)
        book.teams.clear()
    assert family_app.get(f"/eleve/{known_book}/notes").html.find(id="notes-equipe") is None
    team = family_app.get(f"/eleve/{known_book}/notes/equipe")
    assert team.html.find(id="notes-equipe-table") is None
    assert "n'a pas encore fait connaître les professeurs" in team.html.get_text(" ")


def test_each_subject_has_an_accessible_chart_of_the_year(notes_page):
    page = notes_page(matiere="Mathématiques")
    charts = page.html.find(id="notes-graphiques")
    svg = charts.find("svg", attrs={"role": "img"})
    title = svg.find("title")
    assert "Mathématiques" in title.get_text()
    assert title["id"] in svg["aria-labelledby"].split()
    # The pupil's numeric grades of the year (ABS left out), the class average of each.
    assert len(svg.find_all("circle")) == 3
    assert len(svg.find_all("rect")) == 4
    description = " ".join(svg.find("desc").get_text().split())
    assert "Moyenne de" in description and "11,88" in description


def test_chart_figures_are_in_a_table_for_screen_readers(notes_page):
    page = notes_page(matiere="Mathématiques")
    details = page.html.find(id="notes-graphiques").find("details")
    table = details.find("table")
    assert "Mathématiques" in table.find("caption").get_text()
    rows = [cells(r) for r in table.find("tbody").find_all("tr")]
    assert rows == [
        ["05/10/2026", "Statistiques", "11,00", "10,00"],
        ["10/01/2027", "Fractions", "14,00", "12,00"],
        ["20/01/2027", "Géométrie", "8,50", "11,00"],
        ["01/02/2027", "Calcul mental", "ABS", "16,00"],
    ]


def test_page_has_no_inline_style_or_script(notes_page):
    page = notes_page(periode="annee")
    main = page.html.find("main")
    assert main.find(attrs={"style": True}) is None
    assert main.find("script") is None
    assert not re.search(r"\son[a-z]+=", str(main))


def test_labels_and_subjects_from_a_file_are_text_not_markup(family_app, site, tm, pupil_enabled):
    """The rows are written by Python (ts_notes/table.py): what a teacher's
    file names is escaped there as the template would."""
    with tm:
        pupil = site.pupils[pupil_enabled]
        book = ClassBook(pupil.uai, pupil.division, pupil.level)
        notes = PupilNotes(book)
        label = '<script>alert("note")</script> & <b>co</b>'
        evaluation = book.add_evaluation(
            "<i>Maths</i> & co", label, date(2027, 1, 11), Decimal(1), date(2027, 1, 12)
        )
        notes.set_grade(evaluation.id, Decimal(12))
        pupil.services.pop(SERVICE_ID)
        pupil.services.add(SERVICE_ID, notes)
        book.join(pupil.id, notes)
        book.compute_figures()
    page = family_app.get(f"/eleve/{pupil_enabled}/notes", params={"periode": "annee"})
    table = page.html.find(id="notes-table")
    assert table.find("script") is None and table.find("b") is None and table.find("i") is None
    assert table_rows(page) == [
        ["<i>Maths</i> & co", label, "11/01/2027", "12,00", "12,00", "12,00", "12,00", "1.0"]
    ]
    assert '&lt;script&gt;alert("note")&lt;/script&gt; &amp; &lt;b&gt;' in page.text


def test_codes_and_missing_grades_are_told_in_english_too(notes_page):
    page = notes_page(_LOCALE_="en")
    rows = table_rows(page)
    assert next(r for r in rows if "Lecture cursive" in r)[-5] == "- no grade"
    assert page.html.find("abbr", string="DIS")["title"] != "dispensé"


def test_a_pupil_without_grades_gets_a_message(family_app, site, tm, pupil_enabled):
    with tm:
        site.pupils[pupil_enabled].services.pop(SERVICE_ID)
    page = family_app.get(f"/eleve/{pupil_enabled}/notes")
    assert "Aucune note publiée pour cette sélection." in page.text
    assert page.html.find("form", id="notes-filtres") is not None


def test_demo_pupil_page_renders_with_its_grades(family_app, pupil_enabled):
    page = family_app.get(f"/eleve/{pupil_enabled}/notes", params={"periode": "annee"})
    assert len(table_rows(page)) > 50
    assert page.html.find("a", id="notes-equipe") is not None


def test_the_page_elides_de_before_a_vowel(family_app, site, tm, pupil_enabled):
    with tm:
        site.pupils[pupil_enabled].first_name = "Élodie"
    page = family_app.get(f"/eleve/{pupil_enabled}/notes", params={"periode": "annee"})
    text = page.html.get_text(" ", strip=True)
    assert "La scolarité d'Élodie" in text
    assert "Notes d'Élodie" in text
    assert "moyenne d'Élodie" in text
    assert "de Élodie" not in text


def test_tile_for_the_child_whose_establishment_offers_grades(family_app, family, site, tm):
    child_a, child_b = family.pupil_ids
    with tm:
        name_a = site.pupils[child_a].first_name
        name_b = site.pupils[child_b].first_name
    home = family_app.get("/", params={"eleve": child_a})
    link = home.html.find("a", href=re.compile(f"/eleve/{child_a}/notes$"))
    assert link is not None
    assert link.get_text(strip=True).endswith(
        f"Consultez la liste des notes {of_name(None, name_a)}"
    )
    assert "La liste exhaustive des notes pour chaque contrôle" in home.text
    home_b = family_app.get("/", params={"eleve": child_b})
    assert f"Consultez la liste des notes {of_name(None, name_b)}" not in home_b.text
    assert home_b.html.find("a", href=re.compile("/notes$")) is None


class TestAccess(ServiceAccessTests):
    """The host's access promises on the page (the kit's test set): 404 where
    the service is disabled, for another family's or an unknown pupil."""

    pupil_paths = ("", "/equipe")
    page_text = "Les notes : liste des notes"


def test_page_is_translated_with_the_services_catalogue(notes_page):
    page = notes_page(_LOCALE_="en", matiere="Mathématiques")
    assert page.html.find("h1").get_text(strip=True) == "Grades: list of grades"
    assert "(All subjects)" in page.text
    chart = page.html.find(id="notes-graphiques").find("svg", attrs={"role": "img"})
    assert "Sep" in [text.get_text() for text in chart.find_all("text")]


def test_a_class_the_structure_does_not_know_shows_the_grades_files_teachers_and_no_principal(
    family_app, site, tm, known_book
):
    with tm:
        pupil = site.pupils[known_book]
        structure = site.establishments[pupil.uai].structure
        others = [d for code, d in structure.divisions.items() if code != pupil.division]
        structure.replace(others, list(structure.teachers.values()), "tests", structure.updated_at)
    rows = team_rows(family_app.get(f"/eleve/{known_book}/notes/equipe"))
    assert rows == {
        "Educ. Phys et Sport.": "M. PETIT, MME ROUX",
        "Français": "MME DURAND",
        "Mathématiques": "M. MARTIN",
    }


#: Subjects of a collège's year, as SIECLE names them (long names weigh on every row).
YEAR_SUBJECTS = (
    "Mathématiques", "Français", "Histoire-Géographie", "Anglais LV1", "Espagnol LV2",
    "Sciences de la Vie et de la Terre", "Physique-Chimie", "Technologie",
    "Educ. Phys et Sport.", "Arts plastiques", "Education musicale",
)  # fmt: skip


def give_a_year_of_grades(site, tm, pupil_id, grades: int, days_apart: float) -> None:
    """``grades`` evaluations in eleven subjects from 07/09/2026, ``days_apart``
    days apart, each published two days after; one in 23 marked ABS."""
    with tm:
        pupil = site.pupils[pupil_id]
        book = ClassBook(pupil.uai, pupil.division, pupil.level)
        notes, classmate = PupilNotes(book), PupilNotes(book)
        for number in range(grades):
            day = date(2026, 9, 7) + timedelta(days=int(number * days_apart))
            evaluation = book.add_evaluation(
                YEAR_SUBJECTS[number % len(YEAR_SUBJECTS)],
                f"Évaluation {number + 1}",
                day,
                Decimal("1.5") if number % 4 else Decimal(1),
                day + timedelta(days=2),
            )
            notes.set_grade(evaluation.id, "ABS" if number % 23 == 0 else Decimal(number % 21))
            classmate.set_grade(evaluation.id, Decimal(20 - number % 21))
        pupil.services.pop(SERVICE_ID)
        pupil.services.add(SERVICE_ID, notes)
        book.join(pupil.id, notes)
        book.join("camarade", classmate)
        book.compute_figures()


def test_a_year_of_300_grades_fits_the_page_budget(family_app, site, tm, pupil_enabled):
    """The issue's budget, 40 KB (KiB) of HTML for a pupil of 300 grades (the
    benchmark's, 120 KB before): the whole year as of today, 15/02/2027,
    when the grades of September to mid-February are published (164 rows)."""
    give_a_year_of_grades(site, tm, pupil_enabled, 300, days_apart=0.98)
    page = family_app.get(f"/eleve/{pupil_enabled}/notes", params={"periode": "annee"})
    assert len(table_rows(page)) == 164
    assert len(page.body) <= 40 * 1024, len(page.body)


def test_300_published_grades_fit_the_page_budget(family_app, site, tm, pupil_enabled):
    """All 300 published (379 KB at first, 57 KB before the rows left out
    their optional end tags and the team its dialog): within 40 KiB too."""
    give_a_year_of_grades(site, tm, pupil_enabled, 300, days_apart=0.5)
    page = family_app.get(f"/eleve/{pupil_enabled}/notes", params={"periode": "annee"})
    rows = table_rows(page)
    assert len(rows) == 300
    assert rows[0] == [
        "Anglais LV1", "Évaluation 4", "08/09/2026", "3,00", "10,00", "3,00", "17,00", "1.5"
    ]  # fmt: skip
    assert ["Évaluation 70", "11/10/2026", "ABS", "14,00", "14,00", "14,00", "1.5"] in rows
    assert len(page.body) <= 40 * 1024, len(page.body)


def test_a_page_kept_between_views_shows_no_stale_grade(
    family_app, notes_page, site, tm, known_book
):
    """The page is kept from the family's second view (ts_host.page_cache):
    a grade corrected and an evaluation added since show at the next."""
    kept = notes_page(periode="annee")
    assert notes_page(periode="annee").body == kept.body and kept_pages(family_app) == 1
    with tm:
        notes = site.pupils[known_book].services.get(SERVICE_ID)
        statistics = next(e for e in notes.book if e.label == "Statistiques")
        notes.set_grade(statistics.id, Decimal("3.25"))
        added = notes.book.add_evaluation(
            "Mathématiques", "Contrôle surprise", date(2027, 2, 1), Decimal(1), date(2027, 2, 2)
        )
        notes.set_grade(added.id, Decimal("17.5"))
        notes.book.compute_figures()
    # A row is [subject,] label, date, grade…: the subject opens its first row.
    rows = {row[-7]: row[-5] for row in table_rows(notes_page(periode="annee"))}
    assert rows["Statistiques"] == "3,25" and rows["Contrôle surprise"] == "17,50"
