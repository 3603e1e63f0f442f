"""The information letters (guide, section 1.2) as one PDF, with reportlab.

One A4 page per letter: per responsable and child for the CAR, per pupil
for the CAE.  The recipient's SIECLE address sits in the window of a DL
window envelope (right-hand window: 100 mm from the left edge, 45 mm from
the top, 90 × 40 mm); the page tells the service and its address, the code
(large, in a monospace font, so 0-like and 1-like characters never
confuse), how to create the account, that the password is never sent by
mail, and ends with a reply coupon to cut along the dashed line to refuse
access.

The text is set in the host's PDF fonts (``ts_host.pdf``).  Every
block is a platypus frame of fixed size whose content shrinks to fit, so a
long address or name never pushes a letter onto a second page.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    FrameBreak,
    KeepInFrame,
    ListFlowable,
    ListItem,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from ..activation import display
from ..calendar import MONTHS
from ..establishments import Academy, EstablishmentConfig
from ..i18n import of_name
from ..models import CodeKind, Pupil, Responsable, Site
from ..pdf import FONT as SANS
from ..pdf import FONT_BOLD as BOLD
from ..pdf import FONT_MONO as MONO
from ..pdf import register_fonts
from .codes import LEGAL, CodeRow

PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT = 20 * mm
RIGHT = PAGE_WIDTH - 15 * mm
#: The window of a DL envelope, right side, measured from the top-left corner.
WINDOW_LEFT, WINDOW_TOP, WINDOW_WIDTH, WINDOW_HEIGHT = 100 * mm, 45 * mm, 90 * mm, 40 * mm
CUT_LINE = 78 * mm  #: height of the dashed line above the bottom edge
BODY_TOP = 92 * mm  #: from the top edge, under the window
PATHS = {CodeKind.CAR: "/creer-compte/responsable", CodeKind.CAE: "/creer-compte/eleve"}
GREY = colors.HexColor("#666666")
#: A table sets a font on its cells even when they hold paragraphs; without
#: this, the (not embedded) Helvetica would enter the file.
CELL_FONT = (("FONTNAME", (0, 0), (-1, -1), SANS),)


@functools.cache
def styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("letter", fontName=SANS, fontSize=9.5, leading=12.5)
    return {
        "body": base,
        "small": ParagraphStyle("small", base, fontSize=8, leading=10),
        "grey": ParagraphStyle("grey", base, fontSize=8, leading=10, textColor=GREY),
        "address": ParagraphStyle("address", base, fontSize=10.5, leading=13.5),
        "right": ParagraphStyle("right", base, alignment=TA_RIGHT),
        "heading": ParagraphStyle("heading", base, fontName=BOLD, fontSize=10.5, leading=14),
        "code": ParagraphStyle(
            "code", base, fontName=MONO, fontSize=20, leading=26, alignment=TA_CENTER
        ),
        "coupon_title": ParagraphStyle("coupon", base, fontName=BOLD, fontSize=10.5, leading=14),
    }


@dataclass(frozen=True)
class Letterhead:
    """What every letter of one establishment shares."""

    academy: str
    establishment: str
    establishment_address: tuple[str, ...]
    phone: str
    email: str
    public_url: str
    dated: date
    services: tuple[str, ...] = ()  #: titles of the services the establishment offers

    @classmethod
    def build(
        cls,
        academy: Academy,
        establishment: EstablishmentConfig,
        dated: date,
        services: Sequence[str],
    ) -> Letterhead:
        return cls(
            academy=academy.name,
            establishment=establishment.name,
            establishment_address=establishment.address,
            phone=establishment.contact.phone,
            email=establishment.contact.email,
            public_url=academy.public_url,
            dated=dated,
            services=tuple(services),
        )

    @classmethod
    def for_establishment(cls, academy: Academy, plugins, uai: str, dated: date) -> Letterhead:
        """The letterhead of ``uai``, naming the services it enables (web and command line)."""
        establishment = academy.establishment(uai)
        statuses = plugins.statuses
        services = [
            statuses[service_id].description.title
            for service_id in establishment.services
            if service_id in statuses and statuses[service_id].description
        ]
        return cls.build(academy, establishment, dated, services)


@dataclass(frozen=True)
class Letter:
    """One page: a code, the child it is for and who receives it."""

    kind: CodeKind
    code: str  #: as printed: ``KMHR-7CE-K4M-PCU``
    pupil_first_name: str
    pupil_name: str
    division: str
    recipient: tuple[str, ...]  #: the lines in the envelope's window
    salutation: str
    responsable_name: str  #: empty on a CAE letter
    reference: str  #: SIECLE ids the secretary types to revoke the code


def letters_for(site: Site, rows: Iterable[CodeRow]) -> list[Letter]:
    """A letter per unused code of a pupil still at school, in the rows' order.

    A CAE letter goes to the pupil at the address of their first legal
    responsable.
    """
    return [letter for row in rows if (letter := letter_of(site, row)) is not None]


def letter_of(site: Site, row: CodeRow) -> Letter | None:
    """The letter of ``row``'s code, or ``None`` when it has none to print (the
    code is not unused, the pupil left, a CAR's responsable is unknown)."""
    pupil = row.pupil
    if not pupil.active or not row.code.usable:
        return None
    if row.code.kind is CodeKind.CAR:
        addressee = row.responsable
        if addressee is None:
            return None
        recipient = (addressee.full_name, *postal_lines(addressee.address))
        salutation = {"Mme": "Madame,", "Mlle": "Madame,", "M.": "Monsieur,"}.get(
            addressee.civility, "Madame, Monsieur,"
        )
        reference = f"{pupil.siecle_id or pupil.id} / {addressee.siecle_id or addressee.id}"
        name = addressee.full_name
    else:
        family = _family(site, pupil)
        address = postal_lines(family.address) if family else ()
        recipient = (f"{pupil.first_name} {pupil.last_name.upper()}", *address)
        salutation = f"Bonjour {pupil.first_name},"
        reference = pupil.siecle_id or pupil.id
        name = ""
    return Letter(
        kind=row.code.kind,
        code=display(row.code.code),
        pupil_first_name=pupil.first_name,
        pupil_name=f"{pupil.first_name} {pupil.last_name.upper()}",
        division=pupil.division,
        recipient=recipient,
        salutation=salutation,
        responsable_name=name,
        reference=reference,
    )


@dataclass(frozen=True)
class Printing:
    """What ``print_letters`` wrote."""

    letters: int
    pages: int


def print_letters(
    site: Site,
    rows: Iterable[CodeRow],
    output: str | Path | BinaryIO,
    letterhead: Letterhead,
    progress: Callable[[int], None] = lambda n: None,
) -> Printing:
    """Write the letters of ``rows`` and mark their codes printed, now.

    The one way the web and ``ts-admin letters`` print: the marks are made
    in the caller's transaction, so they are kept exactly when the PDF is
    (an error while writing it aborts both).  Nothing is written when no
    row has a letter.
    """
    pairs = [(row, letter) for row in rows if (letter := letter_of(site, row)) is not None]
    if not pairs:
        return Printing(0, 0)
    pages = write_letters(output, [letter for _, letter in pairs], letterhead, progress)
    now = datetime.now()
    for row, _ in pairs:
        row.code.printed_at = now
    return Printing(len(pairs), pages)


def _family(site: Site, pupil: Pupil) -> Responsable | None:
    legal = sorted(
        (link for link in pupil.responsables if link.legal in LEGAL), key=lambda link: link.legal
    )
    return site.responsables.get(legal[0].responsable_id) if legal else None


def postal_lines(address: dict) -> tuple[str, ...]:
    """The address as La Poste wants it: street lines, postcode and city, country abroad."""
    lines = [address.get(f"line{n}", "") for n in (1, 2, 3, 4)]
    lines.append(f"{address.get('postcode', '')} {address.get('city', '')}".strip())
    country = address.get("country", "")
    if country and country.upper() != "FRANCE":
        lines.append(country.upper())
    return tuple(line for line in lines if line)


def long_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def write_letters(
    output: str | Path | BinaryIO,
    letters: Sequence[Letter],
    letterhead: Letterhead,
    progress: Callable[[int], None] = lambda n: None,
) -> int:
    """Write one page per letter to ``output``; return the number of pages."""
    register_fonts()
    document = BaseDocTemplate(
        output if not isinstance(output, Path) else str(output),
        pagesize=A4,
        title="Information des responsables — téléservices",
        author=letterhead.establishment,
        subject=letterhead.academy,
        creator="scolarité services",
        initialFontName=SANS,
    )
    frames = [
        Frame(
            WINDOW_LEFT,
            PAGE_HEIGHT - WINDOW_TOP - WINDOW_HEIGHT,
            WINDOW_WIDTH,
            WINDOW_HEIGHT,
            leftPadding=4 * mm,
            rightPadding=2 * mm,
            topPadding=3 * mm,
            bottomPadding=2 * mm,
            id="window",
        ),
        Frame(
            LEFT,
            CUT_LINE + 4 * mm,
            RIGHT - LEFT,
            PAGE_HEIGHT - BODY_TOP - CUT_LINE - 4 * mm,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id="body",
        ),
        Frame(
            LEFT,
            12 * mm,
            RIGHT - LEFT,
            CUT_LINE - 16 * mm,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id="coupon",
        ),
    ]
    document.addPageTemplates(
        PageTemplate(
            "letter",
            frames=frames,
            onPage=functools.partial(_page, letterhead=letterhead),
            onPageEnd=lambda canvas, doc: progress(1),
        )
    )
    story: list = []
    for number, letter in enumerate(letters):
        if number:
            story.append(FrameBreak())
        story += [
            _fit(_window(letter), frames[0]),
            FrameBreak(),
            _fit(_body(letter, letterhead), frames[1]),
            FrameBreak(),
            _fit(_coupon(letter, letterhead), frames[2]),
        ]
    document.build(story)
    return document.page


def _fit(flowables: list, frame: Frame) -> KeepInFrame:
    """The block at its size, shrunk if a long name or address would overflow."""
    width = frame._width - frame._leftPadding - frame._rightPadding
    height = frame._height - frame._topPadding - frame._bottomPadding
    return KeepInFrame(width, height, flowables, mode="shrink")


def _page(canvas, doc, letterhead: Letterhead) -> None:
    """What every page shares: the letterhead, the date and the cut line."""
    canvas.saveState()
    top = PAGE_HEIGHT - 15 * mm
    canvas.setFont(BOLD, 9)
    canvas.setFillColor(GREY)
    canvas.drawString(LEFT, top, letterhead.academy.upper())
    canvas.setFillColor(colors.black)
    canvas.setFont(BOLD, 11)
    canvas.drawString(LEFT, top - 6 * mm, letterhead.establishment)
    canvas.setFont(SANS, 8.5)
    lines = [*letterhead.establishment_address]
    lines += [f"Tél. {letterhead.phone}"] if letterhead.phone else []
    lines += [letterhead.email] if letterhead.email else []
    for number, line in enumerate(lines):
        canvas.drawString(LEFT, top - 11 * mm - number * 4 * mm, line)
    canvas.drawRightString(
        RIGHT, PAGE_HEIGHT - BODY_TOP + 4 * mm, f"Le {long_date(letterhead.dated)}"
    )
    canvas.setDash(3, 3)
    canvas.setStrokeColor(GREY)
    canvas.line(LEFT + 6 * mm, CUT_LINE, RIGHT, CUT_LINE)
    canvas.setFont(SANS, 12)
    canvas.drawString(LEFT, CUT_LINE - 1.5 * mm, "\u2702")
    canvas.restoreState()


def _window(letter: Letter) -> list:
    style = styles()["address"]
    return [Paragraph(escape(line), style) for line in letter.recipient]


def _body(letter: Letter, letterhead: Letterhead) -> list:
    s = styles()
    url = letterhead.public_url + PATHS[letter.kind]
    of_child = f"{escape(of_name(None, letter.pupil_first_name))} ({escape(letter.division)})"
    services = (
        " : " + ", ".join(escape(title) for title in letterhead.services)
        if letterhead.services
        else ""
    )
    if letter.kind is CodeKind.CAR:
        intro = (
            f"Notre établissement met à votre disposition les téléservices, des services en "
            f"ligne pour suivre la scolarité {of_child}{services}."
        )
        code_label = "Votre code d'activation responsable (CAR), personnel, pour cet enfant :"
        whose = f"le prénom de votre enfant ({escape(letter.pupil_first_name)}) et sa date"
        more = (
            "Vous recevez un code par enfant scolarisé dans l'établissement : rattachez les "
            "autres à votre compte depuis « gérer son compte ». Chaque responsable reçoit son "
            "propre code ; un même compte peut réunir ceux des deux parents."
        )
        refusal = (
            "Si vous ne souhaitez pas accéder aux téléservices, complétez le coupon ci-dessous "
            "et remettez-le à l'établissement : votre code sera rendu inutilisable."
        )
    else:
        intro = (
            f"Notre établissement vous propose les téléservices, des services en ligne pour "
            f"suivre votre scolarité en {escape(letter.division)}{services}."
        )
        code_label = "Votre code d'activation élève (CAE), personnel :"
        whose = "votre prénom et votre date"
        more = "Ce compte est le vôtre : ne prêtez ni votre code ni votre mot de passe."
        refusal = (
            "Si vos responsables légaux ne souhaitent pas que vous accédiez aux téléservices, "
            "ils complètent le coupon ci-dessous et le remettent à l'établissement."
        )
    steps = [
        f"Allez à l'adresse <b>{escape(url)}</b>.",
        f"Saisissez ce code, {whose} de naissance.",
        "Choisissez votre identifiant et votre mot de passe (de 6 à 10 chiffres, saisis sur "
        "le clavier affiché à l'écran) et indiquez votre adresse électronique.",
        "Choisissez vos questions de sécurité : elles vous seront posées si vous oubliez "
        "votre mot de passe.",
    ]
    code_box = Table(
        [[Paragraph(escape(letter.code), s["code"])]],
        colWidths=[110 * mm],
        style=TableStyle(
            [
                *CELL_FONT,
                ("BOX", (0, 0), (-1, -1), 1.2, colors.black),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#F2F2F2")),
                ("TOPPADDING", (0, 0), (-1, -1), 3 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3 * mm),
            ]
        ),
    )
    return [
        Paragraph("<b>Objet : accès aux téléservices — scolarité services</b>", s["body"]),
        Spacer(0, 3 * mm),
        Paragraph(escape(letter.salutation), s["body"]),
        Spacer(0, 2 * mm),
        Paragraph(intro, s["body"]),
        Spacer(0, 2 * mm),
        Paragraph(code_label, s["body"]),
        Spacer(0, 2 * mm),
        code_box,
        Spacer(0, 3 * mm),
        Paragraph("<b>Pour créer votre compte :</b>", s["body"]),
        ListFlowable(
            [ListItem(Paragraph(step, s["body"]), leftIndent=12) for step in steps],
            bulletType="1",
            bulletFormat="%s.",
            bulletFontName=SANS,
            bulletFontSize=9.5,
            leftIndent=12,
        ),
        Spacer(0, 2 * mm),
        Paragraph(escape(more), s["body"]),
        Spacer(0, 2 * mm),
        Paragraph(
            "<b>Le mot de passe n'est jamais envoyé, ni par courrier ni par courriel, et "
            "personne ne vous le demandera.</b> Le code ne sert qu'une fois, pour créer le "
            "compte ; ce n'est pas un mot de passe.",
            s["body"],
        ),
        Spacer(0, 2 * mm),
        Paragraph(escape(refusal), s["body"]),
        Spacer(0, 3 * mm),
        Paragraph("Le chef d'établissement", s["right"]),
    ]


def _coupon(letter: Letter, letterhead: Letterhead) -> list:
    s = styles()
    if letter.kind is CodeKind.CAR:
        who = [
            ("Responsable :", escape(letter.responsable_name)),
            ("Enfant :", escape(letter.pupil_name)),
            ("Classe :", escape(letter.division)),
        ]
        refuse = "Je refuse l'accès aux téléservices pour cet enfant."
    else:
        who = [
            ("Élève :", escape(letter.pupil_name)),
            ("Classe :", escape(letter.division)),
            ("Responsable légal :", ""),
        ]
        refuse = "Je refuse que mon enfant accède aux téléservices."
    rows = [[Paragraph(label, s["body"]), Paragraph(value, s["body"])] for label, value in who]
    rows.append(
        [Paragraph("Référence :", s["grey"]), Paragraph(escape(letter.reference), s["grey"])]
    )
    details = Table(
        rows,
        colWidths=[35 * mm, None],
        style=TableStyle(
            [
                *CELL_FONT,
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        ),
    )
    signature = Table(
        [[Paragraph("Date :", s["body"]), Paragraph("Signature :", s["body"])]],
        colWidths=[70 * mm, None],
        rowHeights=[18 * mm],
        style=TableStyle(
            [
                *CELL_FONT,
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        ),
    )
    return [
        Paragraph("Coupon réponse à retourner à l'établissement", s["coupon_title"]),
        Paragraph(escape(letterhead.establishment), s["grey"]),
        Spacer(0, 2 * mm),
        details,
        Spacer(0, 2 * mm),
        Paragraph(f"\u2610 <b>{escape(refuse)}</b>", s["body"]),
        Spacer(0, 2 * mm),
        signature,
    ]
