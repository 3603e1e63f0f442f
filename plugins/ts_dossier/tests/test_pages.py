"""The family's page, its documents, the certificate and its public verification."""

from __future__ import annotations

import io
import re
from datetime import date

from pypdf import PdfReader

import ts_dossier
from ts_dossier.models import SERVICE_ID, SchoolYear
from ts_dossier.views import VERIFY_LIMIT
from ts_host.api import service_data
from ts_host.testing import (
    ESTABLISHMENT_A,
    ServiceAccessTests,
    assert_gdpr_export_covers,
    assert_public_api_only,
    help_section,
)

from .conftest import HEAD


def url(pupil_id: str, rest: str = "") -> str:
    return f"/eleve/{pupil_id}/dossier{rest}"


def pdf_text(body: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    return " ".join(text.split())


def certificate(family_app, pupil_id):
    page = family_app.get(url(pupil_id))
    form = next(f for f in page.forms.values() if f.action.endswith("/certificat"))
    response = form.submit()
    assert response.content_type == "application/pdf"
    text = pdf_text(response.body)
    code = re.search(r"Code de vérification : (\S+)", text)[1]
    return text, code


class TestAccess(ServiceAccessTests):
    pupil_paths = ("", "/document/1")
    page_text = "La scolarité"


def test_the_page_shows_the_schooling_most_recent_first(family_app, site, tm, pupil_enabled):
    with tm:
        dossier = site.pupils[pupil_enabled].services[SERVICE_ID]
        dossier.years.clear()
        dossier.set_year(
            SchoolYear(
                "2025-2026",
                "0541234Y",
                "Collège Jean Lamour",
                "5B",
                "5e",
                "passage",
                "Passage en 4e",
            )
        )
        dossier.set_year(SchoolYear("2026-2027", "0541234Y", "Collège Jean Lamour", "4B", "4e"))
    page = family_app.get(url(pupil_enabled))
    rows = [
        [" ".join(cell.get_text(" ", strip=True).split()) for cell in row.find_all(["th", "td"])]
        for row in page.html.find("table").tbody.find_all("tr")
    ]
    assert rows == [
        ["2026-2027", "Collège Jean Lamour", "4B", "année en cours"],
        ["2025-2026", "Collège Jean Lamour", "5B", "Passage Passage en 4e"],
    ]


def test_a_document_is_an_attachment_for_its_own_pupil_only(family_app, site, tm, pupil_enabled):
    page = family_app.get(url(pupil_enabled))
    link = page.html.select_one("a.fr-link--download")
    assert link.get_text(" ", strip=True).startswith("Bulletin — T1")
    response = family_app.get(link["href"])
    assert response.content_type == "application/pdf"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="')
    assert response.body.startswith(b"%PDF-")
    family_app.get(url(pupil_enabled, "/document/99"), status=404)


def test_a_certificate_says_who_where_and_is_verified_publicly(
    family_app, testapp, site, tm, pupil_enabled
):
    text, code = certificate(family_app, pupil_enabled)
    with tm:
        pupil = site.pupils[pupil_enabled]
        name, division = f"{pupil.first_name} {pupil.last_name}", pupil.division
    assert name in text and HEAD in text and "Collège A" in text
    assert f"classe de {division} pour l'année scolaire 2026-2027" in text
    assert len(code) == 32
    assert f"http://teleservices.test/verifier/{code}" in text
    check = testapp.get(f"/verifier/{code}")
    assert "Certificat authentique" in check.text
    assert check.headers["Referrer-Policy"] == "no-referrer"
    assert check.headers["Cache-Control"] == "no-store"
    shown = check.html.select_one("dl.ts-dossier-certificate").get_text(" ", strip=True)
    assert name in shown and division in shown and HEAD in shown
    with tm:  # nothing else about the pupil: not the INE, not the responsables
        assert pupil.ine not in check.text
        assert all(r.responsable_id not in check.text for r in pupil.responsables)
    form = testapp.get("/verifier").forms[1]
    form["code"] = code
    assert "Certificat authentique" in form.submit().text


def test_a_certificate_of_a_pupil_who_left_says_it_was_withdrawn(
    family_app, testapp, site, tm, pupil_enabled
):
    _text, code = certificate(family_app, pupil_enabled)
    with tm:
        site.pupils[pupil_enabled].left_on = date(2027, 2, 20)
    check = testapp.get(f"/verifier/{code}")
    assert "Certificat retiré" in check.text and "20/02/2027" in check.text
    assert "Certificat authentique" not in check.text
    with tm:
        assert site.pupils[pupil_enabled].last_name not in check.text


def test_staff_list_and_withdraw_a_certificate(family_app, testapp, office, pupil_enabled):
    _text, code = certificate(family_app, pupil_enabled)
    page = office.get(f"/gestion/{ESTABLISHMENT_A}/dossier")
    form = next(f for f in page.forms.values() if f.action.endswith("/retirer"))
    assert "retiré le" not in page.text
    after = form.submit(status=303).follow()
    assert "retiré le 15/02/2027" in after.text
    assert "Certificat retiré" in testapp.get(f"/verifier/{code}").text
    token = after.html.select_one("input[name=csrf_token]")["value"]
    unknown = f"/gestion/{ESTABLISHMENT_A}/dossier/certificats/{'0' * 16}/retirer"
    office.post(unknown, {"csrf_token": token}, status=404)


def test_malformed_and_unknown_codes_get_the_same_answer(testapp):
    unknown = testapp.get("/verifier/" + "A" * 32, status=200)
    malformed = testapp.get("/verifier/%3Cscript%3E..%2F", status=200)
    strip = lambda page: re.sub(r'name="csrf_token" value="[^"]*"', "", page.text)  # noqa: E731
    assert "Certificat inconnu" in unknown.text
    assert strip(unknown) == strip(malformed)


def test_lookups_are_throttled_per_client(testapp, family_app, pupil_enabled):
    _text, code = certificate(family_app, pupil_enabled)
    for number in range(VERIFY_LIMIT):
        testapp.get(f"/verifier/unknown{number}")
    refused = testapp.get(f"/verifier/{code}", status=429)
    assert "Trop de vérifications" in refused.text
    assert "Certificat authentique" not in refused.text
    other = testapp.get(f"/verifier/{code}", extra_environ={"REMOTE_ADDR": "10.9.8.7"})
    assert "Certificat authentique" in other.text


def test_without_a_head_s_name_no_certificate_is_issued(family_app, pupil_enabled, ts_app):
    ts_app.registry.ts_academy.establishment(ESTABLISHMENT_A).settings_for(SERVICE_ID)[
        "head_name"
    ] = ""
    page = family_app.get(url(pupil_enabled))
    assert "ne délivre pas de certificat de scolarité en ligne" in page.text
    token = page.html.select_one("input[name=csrf_token]")["value"]
    refused = family_app.post(url(pupil_enabled, "/certificat"), {"csrf_token": token})
    assert refused.status_int == 303
    assert "ne délivre pas de certificat" in refused.follow().text


def test_the_gdpr_export_covers_the_dossier_and_certificates(
    family_app, ts_app, site, tm, pupil_enabled
):
    certificate(family_app, pupil_enabled)
    tm.begin()
    assert_gdpr_export_covers(site, ts_app.registry.ts_plugins, SERVICE_ID)


def test_erasure_forgets_the_certificate_but_it_stays_withdrawn(
    family_app, testapp, ts_app, site, tm, pupil_enabled
):
    _text, code = certificate(family_app, pupil_enabled)
    with tm:
        pupil = site.pupils[pupil_enabled]
        ts_dossier.ts_erase_pupil_data(site, pupil)
        assert SERVICE_ID not in pupil.services
        assert not site.services[SERVICE_ID].certificates
    assert "Certificat retiré" in testapp.get(f"/verifier/{code}").text


def test_the_tile_and_the_help(family_app, testapp, pupil_enabled):
    home = family_app.get("/", params={"eleve": pupil_enabled})
    assert home.html.find("a", href=f"http://teleservices.test{url(pupil_enabled)}")
    section = help_section(testapp, SERVICE_ID)
    assert section.startswith("Le dossier scolaire")
    assert "/verifier" in section


def test_only_the_public_api_is_imported():
    assert_public_api_only(ts_dossier)


def test_service_data_is_created_by_the_demo(site, tm, pupil_enabled):
    with tm:
        dossier = service_data(site.pupils[pupil_enabled], SERVICE_ID, dict)
        assert dossier.years and dossier.documents
