"""The information letters (guide 1.2): one A4 page per code, for a window envelope."""

import io
from collections import defaultdict
from datetime import date

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm

from ts_host import activation
from ts_host.admin import codes, letters
from ts_host.cli import main
from ts_host.models import CodeKind

from .admin_helpers import DAY, NEW_NAME, NEW_UAI, Sandbox

A4_HEIGHT = 297 * mm


@pytest.fixture
def box(tmp_path):
    sandbox = Sandbox(tmp_path)
    sandbox.load()
    sandbox.tm.begin()
    yield sandbox
    sandbox.tm.abort()
    sandbox.close()


def letterhead(box, services=("Notes", "Absences")):
    establishment = box.academy.establishment(NEW_UAI)
    return letters.Letterhead.build(box.academy, establishment, DAY, services)


def print_letters(box, **scope):
    """The letters of ``scope`` as a PDF, read back; and the letters."""
    selection = codes.select(box.site, codes.Scope(NEW_UAI, **scope))
    rows = codes.rows(box.site, selection)
    found = letters.letters_for(box.site, rows)
    output = io.BytesIO()
    pages = letters.write_letters(output, found, letterhead(box))
    assert pages == len(found)
    output.seek(0)
    return PdfReader(output), found


def unused(box, kind):
    return [c for c in box.site.codes.values() if c.kind is kind and c.usable]


def test_one_page_per_responsable_and_child_with_the_code_and_the_names(box):
    pdf, found = print_letters(box, kinds=(CodeKind.CAR,))
    assert len(pdf.pages) == len(found) == len(unused(box, CodeKind.CAR)) == 11
    for page, letter in zip(pdf.pages, found, strict=True):
        assert (round(page.mediabox.width), round(page.mediabox.height)) == (595, 842)  # A4
        text = page.extract_text()
        assert letter.code in text
        assert letter.pupil_first_name in text
        assert letter.responsable_name in text
    first = pdf.pages[0].extract_text()
    # Sorted by class: 3B first, Chloé, and her mother's code.
    assert "Chloé" in first and "Mme Sophie LEFÈVRE" in first


def test_the_letter_tells_the_service_how_to_create_the_account_and_the_coupon(box):
    pdf, _found = print_letters(box, kinds=(CodeKind.CAR,), division="3B")
    text = pdf.pages[0].extract_text()
    for expected in (
        "ACADÉMIE DE TEST",
        NEW_NAME,
        "Le 15 février 2027",
        "http://teleservices.test/creer-compte/responsable",
        "Votre code d'activation responsable (CAR)",
        "le prénom de votre enfant (Chloé) et sa date de naissance",
        "de 6 à 10 chiffres",
        "Notes, Absences",
        "Le mot de passe n'est jamais envoyé, ni par courrier ni par courriel",
        "Coupon réponse à retourner à l'établissement",
        "Je refuse l'accès aux téléservices pour cet enfant.",
        "Classe :",
        "Date :",
        "Signature :",
        "4200101 / 5300201",
    ):
        assert expected in text, expected


def test_accents_and_characters_outside_latin9_print_right(box):
    pdf, _found = print_letters(box, kinds=(CodeKind.CAR,))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    for name in ("VANDŒUVRE-LÈS-NANCY", "M. Łukasz KOWALSKI", "Mme Thi Hương NGUYEN"):
        assert name in text
    assert "LUXEMBOURG" in text  # a foreign address ends with its country


def test_every_font_is_embedded(box):
    pdf, _found = print_letters(box, kinds=(CodeKind.CAR,), division="3B")
    fonts = {}
    for page in pdf.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    assert fonts
    for name, font in fonts.items():
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, name  # an embedded TrueType subset
        assert "Helvetica" not in name


def test_the_address_sits_in_the_window_of_a_dl_envelope(box):
    pdf, found = print_letters(box, kinds=(CodeKind.CAR,), division="3B")
    positions = defaultdict(list)

    def visit(text, cm, tm, font, size):
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        positions[text.strip()].append((x, y))

    def in_window(x, y):
        return 100 * mm <= x <= 190 * mm and A4_HEIGHT - 85 * mm <= y <= A4_HEIGHT - 45 * mm

    pdf.pages[0].extract_text(visitor_text=visit)
    for line in found[0].recipient:
        assert any(in_window(x, y) for x, y in positions[line]), line
    # The letterhead's own address stays out of the window.
    assert positions[NEW_NAME]
    assert not any(in_window(x, y) for x, y in positions[NEW_NAME])


def test_pupil_letters_go_to_the_pupil_at_the_family_address(box):
    pdf, found = print_letters(box, kinds=(CodeKind.CAE,))
    assert len(found) == len(unused(box, CodeKind.CAE)) == 7
    chloe = next(letter for letter in found if letter.pupil_first_name == "Chloé")
    assert chloe.recipient[0] == "Chloé LEFÈVRE"
    assert chloe.recipient[1:] == (
        "12 rue des Œillets",
        "Résidence Les Tilleuls, bât. B",
        "54500 VANDŒUVRE-LÈS-NANCY",
    )
    text = pdf.pages[found.index(chloe)].extract_text()
    assert "http://teleservices.test/creer-compte/eleve" in text
    assert "Votre code d'activation élève (CAE)" in text
    assert "Je refuse que mon enfant accède aux téléservices." in text


def test_used_and_revoked_codes_and_pupils_who_left_get_no_letter(box):
    site = box.site
    codes.revoke(site, codes.select(site, codes.Scope(NEW_UAI, responsable="5300201")))
    marc = codes.select(site, codes.Scope(NEW_UAI, responsable="5300202"))
    (used, _other) = codes.rows(site, marc)
    used.code.state = used.code.state.USED
    _pdf, found = print_letters(box, kinds=(CodeKind.CAR,))
    assert len(found) == 11 - 3
    assert "Noé" not in {letter.pupil_first_name for letter in found}


def test_a_long_name_and_address_still_fit_on_one_page(box):
    site = box.site
    mother = site.responsables[site.establishments[NEW_UAI].by_personne_id["5300201"]]
    mother.first_name = "Marie-Thérèse Anne-Sophie Bénédicte"
    mother.address = {
        **{
            f"line{n}": "Résidence des Grands Chênes, escalier C, appartement 1204"
            for n in (1, 2, 3, 4)
        },
        "postcode": "54500",
        "city": "VANDŒUVRE-LÈS-NANCY",
    }
    pdf, found = print_letters(box, kinds=(CodeKind.CAR,), responsable="5300201")
    assert len(pdf.pages) == len(found) == 2


def test_postal_lines_follow_la_poste():
    france = {"line1": "1 rue A", "postcode": "54000", "city": "NANCY", "country": "FRANCE"}
    assert letters.postal_lines(france) == ("1 rue A", "54000 NANCY")
    abroad = {"line1": "15 rue de la Gare", "postcode": "L-1611", "city": "LUXEMBOURG"}
    assert letters.postal_lines({**abroad, "country": "Luxembourg"})[-1] == "LUXEMBOURG"
    assert letters.long_date(date(2027, 8, 1)) == "1 août 2027"


# The command line ---------------------------------------------------------------------


def test_letters_from_the_command_line(siecle_ini, tmp_path, capsys):
    output = tmp_path / "lettres.pdf"
    arguments = ["letters", siecle_ini, "--uai", NEW_UAI, "--class", "3B", "-o", str(output)]
    assert main([*arguments, "--quiet"]) == 0
    assert f"2 lettres CAR écrites dans {output} (2 pages A4)." in capsys.readouterr().out
    assert len(PdfReader(output).pages) == 2
    assert main(["letters", siecle_ini, "--uai", NEW_UAI, "--kind", "CAE", "-o", str(output)]) == 0
    assert "7 lettres CAE" in capsys.readouterr().out


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--uai", NEW_UAI], "précisez le fichier PDF à écrire : -o lettres.pdf"),
        (["--uai", NEW_UAI, "-o", "/nulle/part/l.pdf"], "dossier introuvable : /nulle/part"),
        (["-o", "{tmp}/l.pdf"], "précisez l'établissement"),
        (["--uai", NEW_UAI, "--kind", "XYZ", "-o", "{tmp}/l.pdf"], "type de code inconnu"),
        (["--uai", NEW_UAI, "--pupil", "4200105", "-o", "{tmp}/l.pdf"], "aucun code inutilisé"),
    ],
)
def test_bad_letters_arguments_are_a_french_message(
    siecle_ini, tmp_path, capsys, arguments, message
):
    arguments = [a.replace("{tmp}", str(tmp_path)) for a in arguments]
    assert main(["letters", siecle_ini, "--quiet", *arguments]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_regenerated_code_is_printed_again_for_one_responsable(siecle_ini, tmp_path, capsys):
    target = ["--uai", NEW_UAI, "--pupil", "4200101", "--responsable", "5300201"]
    assert main(["codes", "regenerate", siecle_ini, *target]) == 0
    new_code = capsys.readouterr().out.split("nouveau code ")[1].split()[0]
    output = tmp_path / "nouvelle-lettre.pdf"
    assert main(["letters", siecle_ini, *target, "-o", str(output), "--quiet"]) == 0
    (page,) = PdfReader(output).pages
    assert activation.display(activation.normalise(new_code)) in page.extract_text()


def test_letters_not_yet_printed_leave_out_those_printed_before(siecle_ini, tmp_path, capsys):
    """The web and the command line mark what they print (``letters.print_letters``):
    ``--not-printed`` then gives the rest, and a regenerated code is not printed."""
    output = str(tmp_path / "lettres.pdf")
    common = ["letters", siecle_ini, "--uai", NEW_UAI, "-o", output, "--quiet"]
    assert main([*common, "--class", "3B"]) == 0
    assert "2 lettres CAR" in capsys.readouterr().out
    assert main([*common, "--not-printed"]) == 0
    assert "9 lettres CAR" in capsys.readouterr().out
    assert main([*common, "--not-printed"]) == 2
    assert "aucun code inutilisé et non encore imprimé" in capsys.readouterr().err
    target = ["--uai", NEW_UAI, "--pupil", "4200101", "--responsable", "5300201"]
    assert main(["codes", "regenerate", siecle_ini, *target]) == 0
    capsys.readouterr()
    assert main([*common, "--not-printed"]) == 0
    assert "1 lettres CAR" in capsys.readouterr().out
