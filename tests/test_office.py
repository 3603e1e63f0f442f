"""An establishment's office on the web: dashboard, codes, refusals, letters (issue 17)."""

import io
import re
from pathlib import Path

import pytest
import webtest
from pypdf import PdfReader
from ZODB.blob import Blob

from ts_host.activation import normalise
from ts_host.models import CodeState, Role
from ts_host.models.containers import Container
from ts_host.testing import ESTABLISHMENT_A, TestApp, make_staff, open_site, staff_login


def signed_in(testapp, role, login_name):
    app = TestApp(testapp.app, extra_environ=testapp.extra_environ)
    with open_site(testapp.app) as site:
        member = make_staff(
            site, testapp.app.registry.ts_hasher, login_name, role, [ESTABLISHMENT_A]
        )
    staff_login(app, member)
    return app


@pytest.fixture
def office(testapp):
    return signed_in(testapp, Role.ETABLISSEMENT, "secretariat")


def first_unused(app):
    page = app.get(f"/gestion/{ESTABLISHMENT_A}/codes")
    row = next(
        tr for tr in page.html.select("tbody tr") if tr.select_one("form[action$='/regenerer']")
    )
    return page, row


def form_for(page, action, code):
    return next(
        f for f in page.forms.values() if f.action.endswith(action) and f["code"].value == code
    )


def test_the_dashboard_counts_codes_per_class(office):
    page = office.get(f"/gestion/{ESTABLISHMENT_A}/")
    rows = page.html.select("tbody tr")
    assert rows and all(row.select_one("progress") for row in rows)
    issued = [int(row.select("td")[0].text) for row in rows]
    assert sum(issued) > 0


def test_the_dashboard_walks_the_codes_once(office, monkeypatch):
    """Every code of the académie is read to count one establishment's: once, not
    once for the totals and again for the classes."""
    walks = []
    values = Container.values

    def counted(self, *args, **kwargs):
        walks.append(len(self))
        return values(self, *args, **kwargs)

    monkeypatch.setattr(Container, "values", counted)
    office.get(f"/gestion/{ESTABLISHMENT_A}/")
    with open_site(office.app) as site:
        codes = len(site.codes)
    assert walks.count(codes) == 1


def test_a_lost_letter_gets_a_new_code_and_the_old_one_dies(office, testapp):
    page, row = first_unused(office)
    old = row.select_one("form[action$='/regenerer'] input[name=code]")["value"]
    form = next(
        f for f in page.forms.values() if f.action.endswith("/regenerer") and f["code"].value == old
    )
    done = form.submit().follow()
    new = re.search(r"Nouveau code \w+ : ([\w-]+)", done.text).group(1)
    with open_site(testapp.app) as site:
        assert site.codes[old].state is CodeState.REVOKED
        assert site.codes[normalise(new)].state is CodeState.UNUSED


def test_a_returned_coupon_revokes_the_code(office, testapp):
    page, row = first_unused(office)
    code = row.select_one("form[action$='/refus'] input[name=code]")["value"]
    form = next(
        f for f in page.forms.values() if f.action.endswith("/refus") and f["code"].value == code
    )
    assert "Refus enregistré" in form.submit().follow()
    with open_site(testapp.app) as site:
        assert site.codes[code].state is CodeState.REVOKED


def test_a_search_finds_a_pupil_by_name(office, testapp):
    with open_site(testapp.app) as site:
        pupil = site.pupils[next(iter(site.establishments[ESTABLISHMENT_A].pupil_ids))]
        name = pupil.last_name
    page = office.get(f"/gestion/{ESTABLISHMENT_A}/codes", {"classe": "", "recherche": name})
    assert page.html.select("tbody tr")
    assert all(name in row.text for row in page.html.select("tbody tr th"))


def letters_form(page, **fields):
    """The letters form whose hidden fields hold ``fields``."""
    return next(
        f
        for f in page.forms.values()
        if f.action.endswith("/lettres.pdf")
        and all(name in f.fields and f[name].value == value for name, value in fields.items())
    )


def pages_of(response) -> int:
    assert response.content_type == "application/pdf"
    return len(PdfReader(io.BytesIO(response.body)).pages)


def test_printed_letters_are_marked_and_not_printed_again(office, testapp):
    page = office.get(f"/gestion/{ESTABLISHMENT_A}/codes")
    division = page.html.select_one("#classe option[selected]")["value"]
    in_class = pages_of(letters_form(page, classe=division).submit())
    assert in_class >= 1
    page = office.get(f"/gestion/{ESTABLISHMENT_A}/codes", {"classe": division})
    states = {tr.select("td")[1].text: set() for tr in page.html.select("tbody tr")}
    for tr in page.html.select("tbody tr"):
        states[tr.select("td")[1].text].add(" ".join(tr.select("td")[5].text.split())[:11])
    assert states == {"CAR": {"imprimée le"}, "CAE": {"non imprimé"}}
    with open_site(testapp.app) as site:
        unprinted = [
            code
            for code in site.codes.values()
            if code.kind == "CAR" and code.usable and code.printed_at is None
            if site.pupils[code.pupil_id].uai == ESTABLISHMENT_A
            and site.pupils[code.pupil_id].active
        ]
    assert unprinted
    rest = letters_form(page, non_imprimes="1").submit()
    assert pages_of(rest) == len(unprinted)
    again = letters_form(page, non_imprimes="1").submit().follow()
    assert "rien à imprimer" in again


def test_one_pupil_s_letter_prints_alone_and_a_new_code_is_not_printed(office, testapp):
    page, row = first_unused(office)
    form = row.select_one("form[action$='/lettres.pdf']")
    fields = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    assert pages_of(letters_form(page, eleve=fields["eleve"], type=fields["type"]).submit()) == 1
    code = row.select_one("form[action$='/regenerer'] input[name=code]")["value"]
    with open_site(testapp.app) as site:
        printed = [c for c in site.codes.values() if c.printed_at is not None]
        assert [c.code for c in printed] == [code]
    done = form_for(page, "/regenerer", code).submit().follow()
    new = normalise(re.search(r"Nouveau code \w+ : ([\w-]+)", done.text).group(1))
    with open_site(testapp.app) as site:
        assert site.codes[new].printed_at is None
    (row,) = [tr for tr in done.html.select("tbody tr") if new in tr.text.replace("-", "")]
    assert "non imprimée" in row.text


def test_the_vie_scolaire_reads_codes_but_does_not_change_them(testapp):
    app = signed_in(testapp, Role.VIE_SCOLAIRE, "cpe")
    page = app.get(f"/gestion/{ESTABLISHMENT_A}/codes")
    assert page.html.select("tbody tr")
    assert not page.html.select("form[action$='/regenerer'], form[action$='/refus']")
    assert not page.html.select("form[action$='/lettres.pdf']")


def test_an_unknown_code_is_not_found(office):
    token = office.get("/gestion/").html.select_one("input[name=csrf_token]")["value"]
    office.post(
        f"/gestion/{ESTABLISHMENT_A}/codes/refus", {"csrf_token": token, "code": "NOPE"}, status=404
    )


def test_the_journal_shows_who_did_what_filtered(office, testapp):
    page, row = first_unused(office)
    code = row.select_one("form[action$='/refus'] input[name=code]")["value"]
    form_for(page, "/refus", code).submit()
    with open_site(testapp.app) as site:
        member = make_staff(site, testapp.app.registry.ts_hasher, "support", Role.ACADEMIE)
    academie = TestApp(testapp.app, extra_environ=testapp.extra_environ)
    staff_login(academie, member)
    journal = academie.get("/gestion/journal", {"compte": "secretariat", "action": "refused"})
    rows = journal.html.select("tbody tr")
    assert len(rows) == 1
    assert "staff.code.refused" in rows[0].text and ESTABLISHMENT_A in rows[0].text
    assert not academie.get(
        "/gestion/journal", {"uai": "0542345F", "action": "refused"}
    ).html.select("tbody tr")
    assert "Date invalide" in academie.get("/gestion/journal", {"du": "demain"})
    signed = academie.get("/gestion/journal", {"action": "login.succeeded", "compte": "support"})
    assert signed.html.select("tbody tr")


SAMPLES = Path(__file__).parent / "data" / "siecle"


def export_for(uai, name):
    """A sample SIECLE export, as if ``uai`` had produced it (the files are ISO-8859-15)."""
    text = (SAMPLES / name).read_bytes().decode("iso-8859-15")
    return text.replace("0545432L", uai).encode("iso-8859-15")


def upload(app, **files):
    page = app.get(f"/gestion/{ESTABLISHMENT_A}/import-siecle")
    form = next(f for f in page.forms.values() if f.enctype == "multipart/form-data")
    for field, (name, content) in files.items():
        form[field] = webtest.Upload(name, content)
    return form.submit()


def test_a_siecle_import_is_previewed_then_confirmed(office, testapp):
    with open_site(testapp.app) as site:
        before = len(site.establishments[ESTABLISHMENT_A].pupil_ids)
    preview = upload(
        office,
        eleves=("ElevesSansAdresses.xml", export_for(ESTABLISHMENT_A, "ElevesSansAdresses.xml")),
        responsables=(
            "ResponsablesAvecAdresses.xml",
            export_for(ESTABLISHMENT_A, "ResponsablesAvecAdresses.xml"),
        ),
    )
    created = int(preview.html.select("tbody tr")[0].select("td")[0].text)
    assert created > 0
    with open_site(testapp.app) as site:  # the preview wrote nothing
        assert len(site.establishments[ESTABLISHMENT_A].pupil_ids) == before
    confirmation = next(f for f in preview.forms.values() if "envoi" in f.fields)
    done = confirmation.submit("confirmer").follow()
    assert "Import SIECLE enregistré" in done
    with open_site(testapp.app) as site:
        assert len(site.establishments[ESTABLISHMENT_A].pupil_ids) > before
        assert not len(site.staff.uploads)
    journal = [entry.event for entry in site.journal.newest_first()]
    assert "siecle.imported" in journal


def test_another_establishment_s_export_is_refused_with_its_line(office, testapp):
    refused = upload(
        office, eleves=("ElevesSansAdresses.xml", (SAMPLES / "ElevesSansAdresses.xml").read_bytes())
    )
    assert "rien n'a été importé" in refused
    assert "ElevesSansAdresses.xml, ligne" in refused
    assert "0545432L" in refused


def test_only_xml_or_zip_files_are_taken(office):
    refused = upload(office, eleves=("eleves.csv", b"a;b\n"))
    assert "un fichier .xml ou .zip" in refused


def test_a_code_is_mailed_once_unless_sent_again_on_purpose(office, testapp, mailbox):
    page = office.get(f"/gestion/{ESTABLISHMENT_A}/codes")
    form = next(f for f in page.forms.values() if f.action.endswith("/codes/envoi"))
    code = form["code"].value
    fields = dict(form.submit_fields())
    assert "Code envoyé à" in form.submit().follow()
    sent = mailbox.last()
    assert "Votre code d'activation" in sent["Subject"]
    with open_site(testapp.app) as site:
        assert site.codes[code].mailed_to == str(sent["To"])
    replayed = office.post(form.action, fields).follow()  # a double click, a reload
    assert "déjà été envoyé" in replayed
    assert len([m for m in mailbox.messages if "Votre code" in m["Subject"]]) == 1
    again = next(
        f
        for f in replayed.forms.values()
        if f.action.endswith("/codes/envoi") and f["code"].value == code
    )
    assert "renvoyer" in again.fields
    assert "Code envoyé à" in again.submit().follow()
    assert len([m for m in mailbox.messages if "Votre code" in m["Subject"]]) == 2


def test_a_preview_reports_its_progress_where_another_process_reads_it(
    office, testapp, monkeypatch
):
    """The progress is committed while the preview runs (another connection sees
    it), is read back by its owner only, and the preview still writes nothing."""
    from ts_host.staff import imports

    seen = []
    original = imports.import_siecle

    def watched(*args, **kwargs):
        with open_site(testapp.app) as site:  # another connection, as another process
            seen.extend((r.stage, r.percent) for r in site.staff.progress.values())
        return original(*args, **kwargs)

    monkeypatch.setattr(imports, "import_siecle", watched)
    page = office.get(f"/gestion/{ESTABLISHMENT_A}/import-siecle")
    form = next(f for f in page.forms.values() if f.enctype == "multipart/form-data")
    tracking = form["suivi"].value
    form["eleves"] = webtest.Upload(
        "ElevesSansAdresses.xml", export_for(ESTABLISHMENT_A, "ElevesSansAdresses.xml")
    )
    assert "Ce que l'import va changer" in form.submit()
    assert ("Comparaison avec les données enregistrées", 0) in seen
    url = f"/gestion/{ESTABLISHMENT_A}/import/progression"
    assert office.get(url, {"suivi": tracking}).json["pourcent"] == 100
    other = signed_in(testapp, Role.ETABLISSEMENT, "autre-secretariat")
    assert other.get(url, {"suivi": tracking}).json == {
        "etape": "",
        "fait": 0,
        "total": 0,
        "pourcent": 0,
    }


def test_reading_an_export_reports_how_far_it_is(tmp_path):
    from ts_host.admin.siecle import read_exports

    path = tmp_path / "ElevesSansAdresses.xml"
    path.write_bytes(export_for(ESTABLISHMENT_A, "ElevesSansAdresses.xml"))
    reports = []
    read_exports([path], lambda *report: reports.append(report))
    size = path.stat().st_size
    assert reports[-1] == ("ElevesSansAdresses.xml", size, size)
    assert [done for _, done, _ in reports] == sorted(done for _, done, _ in reports)


STS_SAMPLE = Path(__file__).parent / "data" / "sts" / "sts_emp_0545432L_2026.xml"


def test_an_sts_web_structure_is_previewed_then_confirmed(office, testapp):
    content = STS_SAMPLE.read_bytes().replace(b"0545432L", ESTABLISHMENT_A.encode())
    page = office.get(f"/gestion/{ESTABLISHMENT_A}/import-sts")
    form = next(f for f in page.forms.values() if f.enctype == "multipart/form-data")
    form["structure"] = webtest.Upload("sts_emp.xml", content)
    preview = form.submit()
    assert "Ce que l'import va changer" in preview
    with open_site(testapp.app) as site:  # the preview wrote nothing: the demo's is there
        assert site.establishments[ESTABLISHMENT_A].structure.source == "démonstration"
    confirmation = next(f for f in preview.forms.values() if "envoi" in f.fields)
    assert "Import STS-web enregistré" in confirmation.submit("confirmer").follow()
    with open_site(testapp.app) as site:
        assert "sts_emp.xml" in site.establishments[ESTABLISHMENT_A].structure.source
    assert "sts.imported" in [entry.event for entry in site.journal.newest_first()]


def test_an_upload_is_confirmed_only_by_the_import_that_previewed_it(office):
    preview = upload(
        office,
        eleves=("ElevesSansAdresses.xml", export_for(ESTABLISHMENT_A, "ElevesSansAdresses.xml")),
    )
    token = next(f for f in preview.forms.values() if "envoi" in f.fields)["envoi"].value
    csrf = preview.html.select_one("input[name=csrf_token]")["value"]
    refused = office.post(
        f"/gestion/{ESTABLISHMENT_A}/import-sts",
        {"csrf_token": csrf, "envoi": token, "confirmer": "1"},
    ).follow()
    assert "Cet envoi n'est plus disponible" in refused


def test_an_upload_waits_for_its_confirmation_in_blobs_not_in_a_record(office):
    sent = export_for(ESTABLISHMENT_A, "ElevesSansAdresses.xml")
    preview = upload(office, eleves=("ElevesSansAdresses.xml", sent))
    token = next(f for f in preview.forms.values() if "envoi" in f.fields)["envoi"].value
    with open_site(office.app) as site:
        (stored,) = site.staff.uploads[token].files.values()
        assert isinstance(stored, Blob)
        with stored.open("r") as stream:
            assert stream.read() == sent
