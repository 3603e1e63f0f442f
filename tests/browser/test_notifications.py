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

One viewport, the phone's; the pages this journey is the first to visit
(notifications, unsubscribe, justification) pass ``Journey.check`` (axe,
HTML_CodeSniffer, layout), the others are checked by their own journeys.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from .pages import PASSWORD
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


def log_in(journey, login: str) -> None:
    journey.log_in_by_mouse(login, PASSWORD)
    expect(journey.heading("Bienvenue")).to_be_visible()


def choose_notifications(journey, family, login: str, modes: dict[str, str], check: bool):
    """A new account for ``family``, whose mails are chosen in « Gérer son compte »."""
    page = journey.page
    journey.create_account(family, login, PASSWORD)
    log_in(journey, login)
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
    journey.log_out()


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


def notify(server, *args: str) -> None:
    out = server.admin("notify", *args)
    assert "0 refusé(s)" in out, out


def mails(server, login: str, known: int = 0) -> tuple[list, list]:
    """The family's notifications after the ``known`` first: (digests, immediate)."""
    found = [m for m in server.mails_to(f"{login}@example.org")[known:]]
    found = [m for m in found if m["List-Unsubscribe"]]
    digests = [m for m in found if DIGEST_SUBJECT in str(m["Subject"])]
    return digests, [m for m in found if m not in digests]


def assert_discreet(message, *secrets: str) -> None:
    """No grade, reason or note in the mail, in its text or its HTML."""
    html = message.get_body(preferencelist=("html",)).get_content()
    for secret in secrets:
        assert secret not in mail_text(message) and secret not in html, secret


@pytest.mark.parametrize("viewport", ["phone"])
def test_families_get_their_digests_unsubscribe_and_hear_of_a_justification(
    journey, server, viewport
):
    page = journey.page
    first, first_child = in_college(server)
    second, second_child = in_college(server)
    first_login, second_login = f"avis-un.{viewport}", f"avis-deux.{viewport}"
    choose_notifications(
        journey, first, first_login, {"notes": AT_ONCE, "absences": DAILY}, check=True
    )
    choose_notifications(
        journey, second, second_login, {"notes": DAILY, "absences": AT_ONCE}, check=False
    )

    # The teacher's grades and the vie scolaire's absences, for both children.
    today = date.today()
    monday = today - timedelta(days=today.weekday())
    grades, absences = [HEADER], ["uai;eleve_ine;debut;fin;etat;motif_legitime"]
    for child in (first_child, second_child):
        ine, division = ine_and_division(server, child)
        grades.append(
            f"{UAI};{division};Mathématiques;M. MARTIN;Contrôle du mardi;"
            f"{today:%d/%m/%Y};1;{today:%d/%m/%Y};{ine};{GRADE}"
        )
        start, end = datetime.combine(monday, time(8)), datetime.combine(monday, time(12))
        absences.append(f"{UAI};{ine};{start:%d/%m/%Y %H:%M};{end:%d/%m/%Y %H:%M};traitée;non")

    academie, link = server.take_academie_account()
    activate_and_enrol(journey, server.path_of(link), academie, "académie")
    vie_scolaire = f"vie-scolaire-avis-{viewport}"
    address = open_vie_scolaire_account(journey, vie_scolaire, UAI, COLLEGE)
    journey.visit(f"/gestion/{UAI}/")
    journey.follow(page.get_by_role("link", name="Voir les notes publiées"))
    journey.follow(page.get_by_role("link", name="Importer un fichier de notes"))
    import_file(journey, "Fichier des notes", "notes.csv", "\n".join(grades) + "\n")
    journey.visit(f"/gestion/{UAI}/")
    journey.follow(page.get_by_role("link", name="Traiter les justifications d'absence"))
    journey.follow(page.get_by_role("link", name="Importer le fichier des absences"))
    import_file(journey, "Fichier des absences", "absences.csv", "\n".join(absences) + "\n")
    sign_out(journey)

    notify(server, "--heure-du-resume", "0")
    (first_digest,), (first_at_once,) = mails(server, first_login)
    (second_digest,), (second_at_once,) = mails(server, second_login)
    assert "Les absences" in mail_text(first_digest) and "Les notes" in mail_text(first_at_once)
    assert "Les notes" in mail_text(second_digest) and "Les absences" in mail_text(second_at_once)
    for message in (first_digest, first_at_once, second_digest, second_at_once):
        assert_discreet(message, GRADE)

    # The first family: its digest's one-click link, followed in the browser.
    unsubscribe = str(first_digest["List-Unsubscribe"]).strip().strip("<>")
    journey.visit(server.path_of(unsubscribe))
    expect(journey.heading("Ne plus recevoir ces courriels")).to_be_visible()
    expect(page.locator("main li")).to_have_text(["Les absences"])
    journey.check("désabonnement")
    page.get_by_role("button", name="Confirmer").click()
    expect(page.get_by_text("C'est fait")).to_be_visible()
    journey.check("désabonnement confirmé")
    log_in(journey, first_login)
    journey.visit("/compte/notifications")
    expect(choice(journey, "absences", NOTHING)).to_be_checked()
    expect(choice(journey, "notes", AT_ONCE)).to_be_checked()
    journey.log_out()

    # The second family: from its mail to the absence, which it justifies.
    first_known, second_known = (
        len(server.mails_to(f"{login}@example.org")) for login in (first_login, second_login)
    )
    log_in(journey, second_login)
    absences_page = server.path_of(link_in(second_at_once, "/eleve/"))
    journey.visit(absences_page)
    expect(page.locator("main")).to_contain_text(second_child.first_name)
    journey.follow(page.get_by_role("link", name="Justifier une absence"))
    journey.check("justifier une absence")
    page.get_by_label("Absence").select_option(index=1)
    page.get_by_label("Motif").select_option(label=REASON)
    page.get_by_label("Commentaire").fill(COMMENT)
    page.locator("main form [type=submit]").first.click()
    expect(page.get_by_text("Votre justification est envoyée")).to_be_visible()
    row = page.locator("table").filter(has_text="Absences sans motif légitime").locator("tbody tr")
    expect(row).to_contain_text("justification envoyée")
    journey.check("justification envoyée")
    journey.log_out()

    mail = server.wait_for_mail(address, "Votre compte de gestion")
    activate_and_enrol(
        journey, server.path_of(link_in(mail, "/gestion/activer/")), vie_scolaire, "vie scolaire"
    )
    journey.follow(page.get_by_role("link", name=COLLEGE))
    journey.follow(page.get_by_role("link", name="Traiter les justifications d'absence"))
    item = page.locator("main section").filter(has_text=COMMENT)
    item.get_by_label("Note pour la famille").fill(NOTE)
    item.get_by_role("button", name="Accepter").click()
    expect(page.get_by_text("Justification acceptée.")).to_be_visible()
    sign_out(journey)

    log_in(journey, second_login)
    journey.visit(absences_page)
    expect(row).to_contain_text("acceptée")
    expect(row).to_contain_text(NOTE)
    journey.check("justification acceptée")

    notify(server)
    assert mails(server, first_login, first_known) == ([], [])
    digests, (decision,) = mails(server, second_login, second_known)
    assert digests == []
    assert "accepté une justification d'absence" in mail_text(decision)
    assert_discreet(decision, REASON, COMMENT, NOTE)
