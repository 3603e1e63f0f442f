"""Notifications and absence justification in Chromium, from end to end (issue 19).

Two families of the same collège choose their mails in « Gérer son
compte »: the first hears of grades at once and of absences in the daily
digest, the second the other way round.  The académie imports a grades
file and an absences file in the office (built from the demo's pupils) and
opens a vie scolaire account.  ``ts-admin notify`` then runs for real
against the served database (the module's server is served from ZEO, as in
production, so that the command is one more client of it), told to make
the day's digest now: each family gets one digest and one immediate mail,
none naming a grade or a reason.  The first family follows its digest's
List-Unsubscribe link (the page, then « Confirmer », no login) and only that
service's choice changes.  The second justifies the absence, the vie
scolaire accepts it, the family sees it accepted, and the next ``ts-admin
notify`` tells it so at once.

Each family and the office have a browser of their own, as three people
would: nobody signs out to let the next one in.  One viewport, the
phone's; the pages this journey is the first to visit (notifications,
unsubscribe, justification) pass ``Journey.check`` (axe, HTML_CodeSniffer,
layout), the others are checked by their own journeys.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from .pages import PASSWORD, VIEWPORTS, Journey
from .server import link_in, mail_text
from .test_justification import open_vie_scolaire_account
from .test_office import activate_and_enrol, sign_out
from .test_staff_services import HEADER, ine_and_division

pytestmark = pytest.mark.browser

#: ``ts-admin notify`` runs while the server serves: see the module's docstring.
SERVED_FROM_ZEO = True
UAI, COLLEGE = "0541234Y", "Collège Jean Lamour"
GRADE = "17,25"
REASON = "Rendez-vous médical"
COMMENT = "Consultation chez l'orthodontiste."
NOTE = "Bien reçu, merci."
DIGEST_SUBJECT = "Résumé du jour"
#: The choices as « choisir vos notifications » words them.
AT_ONCE, DAILY, NOTHING = "tout de suite", "un résumé par jour", "rien"
MODE_VALUES = {AT_ONCE: "immediat", DAILY: "quotidien", NOTHING: "rien"}


@contextmanager
def beside(journey, browser, name: str) -> Iterator[Journey]:
    """Another person's browser in the same journey (cookies of its own), at
    its viewport and with its checks; screenshots in ``name/`` of its folder."""
    folder = journey.folder / name
    folder.mkdir()
    context = browser.new_context(
        **VIEWPORTS[journey.viewport], locale="fr-FR", timezone_id="Europe/Paris"
    )
    try:
        other = Journey(context, journey.server, folder, journey.viewport)
        yield other
        assert not other.errors, f"{name}: the browser reported errors:\n" + "\n".join(other.errors)
    finally:
        context.close()


def in_college(server):
    """A family no other journey uses, with a child in :data:`COLLEGE`: that child."""
    family = server.take_family("absences", wanted=lambda child: child.uai == UAI)
    return family, next(child for child in family.children if child.uai == UAI)


def open_account_page(journey) -> None:
    """« gérer son compte » in the header, or in its menu on a phone."""
    page = journey.page
    menu = page.locator("header").get_by_role("button", name="Menu")
    if menu.is_visible():
        menu.click()
    links = page.get_by_role("link", name="gérer son compte").all()
    journey.follow(next(link for link in links if link.is_visible()))
    expect(journey.heading("Gérer votre compte")).to_be_visible()


def choice(journey, service: str, mode: str):
    """The radio button of ``mode`` for ``service`` (its field, ``h0-<service>``)."""
    return journey.page.locator(f"#h0-{service} input[value={MODE_VALUES[mode]}]")


def choose_notifications(journey, family, login: str, modes: dict[str, str], check: bool):
    """A new account for ``family``, whose mails are chosen in « Gérer son compte »."""
    page = journey.page
    journey.create_account(family, login, PASSWORD)
    journey.log_in_by_mouse(login, PASSWORD)
    expect(journey.heading("Bienvenue")).to_be_visible()
    open_account_page(journey)
    journey.follow(page.get_by_role("link", name="choisir vos notifications"))
    expect(choice(journey, "notes", DAILY)).to_be_checked()  # the default
    if check:
        journey.check("choisir vos notifications")
    for service, mode in modes.items():
        # The DSFR draws radios on their labels: a person clicks those.
        page.locator(f"#h0-{service} label").filter(has_text=re.compile(f"^{mode}$")).click()
    page.get_by_role("button", name="Enregistrer vos choix").click()
    expect(page.get_by_text("Vos choix de notifications sont enregistrés.")).to_be_visible()


def import_file(journey, label: str, name: str, content: str) -> None:
    """On an office import page: send the file, see the preview, confirm."""
    page = journey.page
    page.get_by_label(label).set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content.encode()}
    )
    page.get_by_role("button", name="Voir ce qui changera").click()
    expect(journey.heading("Ce que l'import va changer")).to_be_visible()
    page.get_by_role("button", name="Confirmer l'import").click()
    expect(page.get_by_text("Import enregistré")).to_be_visible()


def files_for(server, children) -> tuple[str, str]:
    """A grades file and an absences file for ``children``, as the teacher's and
    the vie scolaire's software would export them: a grade today, an absence
    on Monday morning of this week (the week the absences page opens on)."""
    today = date.today()
    monday = today - timedelta(days=today.weekday())
    start, end = datetime.combine(monday, time(8)), datetime.combine(monday, time(12))
    grades, absences = [HEADER], ["uai;eleve_ine;debut;fin;etat;motif_legitime"]
    for child in children:
        ine, division = ine_and_division(server, child)
        grades.append(
            f"{UAI};{division};Mathématiques;M. MARTIN;Contrôle de géométrie;"
            f"{today:%d/%m/%Y};1;{today:%d/%m/%Y};{ine};{GRADE}"
        )
        absences.append(f"{UAI};{ine};{start:%d/%m/%Y %H:%M};{end:%d/%m/%Y %H:%M};traitée;non")
    return "\n".join(grades) + "\n", "\n".join(absences) + "\n"


def notify(server, *args: str) -> None:
    """``ts-admin notify`` for real, on the served database."""
    out = server.admin("notify", *args)
    assert "0 refusé(s)" in out, out


def notifications(server, login: str, known: int = 0) -> tuple[list, list]:
    """The family's notification mails after its ``known`` first mails:
    (digests, immediate ones)."""
    found = [m for m in server.mails_to(f"{login}@example.org")[known:] if m["List-Unsubscribe"]]
    digests = [m for m in found if DIGEST_SUBJECT in str(m["Subject"])]
    return digests, [m for m in found if m not in digests]


def assert_discreet(message, *secrets: str) -> None:
    """No grade, reason or note in the mail, in its text or its HTML."""
    html = message.get_body(preferencelist=("html",)).get_content()
    for secret in secrets:
        assert secret not in mail_text(message) and secret not in html, secret


@pytest.fixture
def families(journey, browser) -> Iterator[tuple[Journey, Journey]]:
    """The two families' browsers, beside the office's (``journey``)."""
    with (
        beside(journey, browser, "famille-1") as first,
        beside(journey, browser, "famille-2") as second,
    ):
        yield first, second


@pytest.mark.parametrize("viewport", ["phone"])
def test_families_get_their_digests_unsubscribe_and_hear_of_a_justification(
    journey, families, server, viewport
):
    office, (first, second) = journey, families
    page = office.page
    first_family, first_child = in_college(server)
    second_family, second_child = in_college(server)
    first_login, second_login = f"avis-un.{viewport}", f"avis-deux.{viewport}"
    choose_notifications(
        first, first_family, first_login, {"notes": AT_ONCE, "absences": DAILY}, check=True
    )
    choose_notifications(
        second, second_family, second_login, {"notes": DAILY, "absences": AT_ONCE}, check=False
    )

    grades, absences = files_for(server, (first_child, second_child))
    academie, link = server.take_academie_account()
    activate_and_enrol(office, server.path_of(link), academie, "académie")
    vie_scolaire = f"vie-scolaire-avis-{viewport}"
    address = open_vie_scolaire_account(office, vie_scolaire, UAI, COLLEGE)
    office.visit(f"/gestion/{UAI}/")
    office.follow(page.get_by_role("link", name="Voir les notes publiées"))
    office.follow(page.get_by_role("link", name="Importer un fichier de notes"))
    import_file(office, "Fichier des notes", "notes.csv", grades)
    office.visit(f"/gestion/{UAI}/")
    office.follow(page.get_by_role("link", name="Traiter les justifications d'absence"))
    office.follow(page.get_by_role("link", name="Importer le fichier des absences"))
    import_file(office, "Fichier des absences", "absences.csv", absences)
    sign_out(office)

    notify(server, "--heure-du-resume", "0")
    (first_digest,), (first_at_once,) = notifications(server, first_login)
    (second_digest,), (second_at_once,) = notifications(server, second_login)
    assert "Les absences" in mail_text(first_digest) and "Les notes" in mail_text(first_at_once)
    assert "Les notes" in mail_text(second_digest) and "Les absences" in mail_text(second_at_once)
    for message in (first_digest, first_at_once, second_digest, second_at_once):
        assert_discreet(message, GRADE)
    first_known, second_known = (
        len(server.mails_to(f"{login}@example.org")) for login in (first_login, second_login)
    )

    # The first family follows its digest's one-click link.
    unsubscribe = str(first_digest["List-Unsubscribe"]).strip().strip("<>")
    first.visit(server.path_of(unsubscribe))
    expect(first.heading("Ne plus recevoir ces courriels")).to_be_visible()
    expect(first.page.locator("main li")).to_have_text(["Les absences"])
    first.check("désabonnement")
    first.page.get_by_role("button", name="Confirmer").click()
    expect(first.page.get_by_text("C'est fait")).to_be_visible()
    first.check("désabonnement confirmé")
    first.follow(first.page.get_by_role("link", name="Choisir vos notifications"))
    expect(choice(first, "absences", NOTHING)).to_be_checked()
    expect(choice(first, "notes", AT_ONCE)).to_be_checked()

    # The second family goes from its mail to the absence, and justifies it.
    absences_page = server.path_of(link_in(second_at_once, "/eleve/"))
    second.visit(absences_page)
    expect(second.page.locator("main")).to_contain_text(second_child.first_name)
    second.follow(second.page.get_by_role("link", name="Justifier une absence"))
    second.check("justifier une absence")
    second.page.get_by_label("Absence").select_option(index=1)
    second.page.get_by_label("Motif").select_option(label=REASON)
    second.page.get_by_label("Commentaire").fill(COMMENT)
    second.page.locator("main form [type=submit]").first.click()
    expect(second.page.get_by_text("Votre justification est envoyée")).to_be_visible()
    row = (
        second.page.locator("table")
        .filter(has_text="Absences sans motif légitime")
        .locator("tbody tr")
    )
    expect(row).to_contain_text("justification envoyée")
    second.check("justification envoyée")

    mail = server.wait_for_mail(address, "Votre compte de gestion")
    activation = server.path_of(link_in(mail, "/gestion/activer/"))
    activate_and_enrol(office, activation, vie_scolaire, "vie scolaire")
    office.follow(page.get_by_role("link", name=COLLEGE))
    office.follow(page.get_by_role("link", name="Traiter les justifications d'absence"))
    item = page.locator("main section").filter(has_text=COMMENT)
    item.get_by_label("Note pour la famille").fill(NOTE)
    item.get_by_role("button", name="Accepter").click()
    expect(page.get_by_text("Justification acceptée.")).to_be_visible()

    second.visit(absences_page)
    expect(row).to_contain_text("acceptée")
    expect(row).to_contain_text(NOTE)
    second.check("justification acceptée")

    notify(server)
    assert notifications(server, first_login, first_known) == ([], [])
    digests, (decision,) = notifications(server, second_login, second_known)
    assert digests == []
    assert "accepté une justification d'absence" in mail_text(decision)
    assert_discreet(decision, REASON, COMMENT, NOTE)
