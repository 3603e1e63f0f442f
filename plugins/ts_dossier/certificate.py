"""The certificat de scolarité: issued on demand, checked by anyone at ``/verifier``.

Each certificate carries a verification code of 32 characters from
``secrets.token_urlsafe`` (192 bits: not guessable, and the public page's
lookups are throttled per client besides), printed in clear and as a QR code
of the verification address.  The database keeps what the certificate says
under the SHA-256 of the code, never the code itself.

The PDF is set in Helvetica, one of the PDF standard fonts (every reader has
it; its WinAnsi encoding covers French), and the QR code is reportlab's own.
"""

from __future__ import annotations

import io
import secrets
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from ts_host.api import EstablishmentConfig, format_date

from .i18n import _
from .models import Certificate

CODE_BYTES = 24
MARGIN = 25 * mm
QR_SIZE = 40 * mm

STYLES = {
    "establishment": ParagraphStyle("establishment", fontName="Helvetica", fontSize=10, leading=13),
    "title": ParagraphStyle(
        "title", fontName="Helvetica-Bold", fontSize=18, leading=24, alignment=1, spaceAfter=12
    ),
    "body": ParagraphStyle("body", fontName="Helvetica", fontSize=12, leading=18, spaceAfter=8),
    "small": ParagraphStyle("small", fontName="Helvetica", fontSize=9, leading=12),
}


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def school_year(establishment: EstablishmentConfig) -> str:
    return f"{establishment.year_start.year}-{establishment.year_end.year}"


def render(
    certificate: Certificate,
    establishment: EstablishmentConfig,
    code: str,
    verify_url: str,
    translate,
) -> bytes:
    """The certificate as a one-page A4 PDF; ``translate`` is the request's localizer's."""

    def text(message, **mapping) -> str:
        """A message of the catalogue, its values escaped for reportlab's markup."""
        values = {key: escape(str(value)) for key, value in mapping.items()}
        return translate(_(message, mapping=values))

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=translate(_("Certificat de scolarité")),
        author=certificate.establishment,
        lang="fr-FR",
    )
    lines = [certificate.establishment, *establishment.address]
    story = [
        Paragraph("<br/>".join(escape(line) for line in lines), STYLES["establishment"]),
        Spacer(1, 18 * mm),
        Paragraph(escape(translate(_("CERTIFICAT DE SCOLARITÉ"))), STYLES["title"]),
        Spacer(1, 8 * mm),
        Paragraph(
            text(
                "Je soussigné(e), ${head}, chef d'établissement, certifie que l'élève "
                "${name}, né(e) le ${birth_date}, est inscrit(e) à l'établissement "
                "${establishment} en classe de ${division} pour l'année scolaire ${year}.",
                head=certificate.head,
                name=f"{certificate.first_name} {certificate.last_name}",
                birth_date=format_date(certificate.birth_date),
                establishment=certificate.establishment,
                division=certificate.division,
                year=certificate.school_year,
            ),
            STYLES["body"],
        ),
        Paragraph(
            text("Fait le ${date}.", date=format_date(certificate.issued_on)), STYLES["body"]
        ),
        Paragraph(escape(certificate.head), STYLES["body"]),
        Spacer(1, 20 * mm),
        _qr(verify_url),
        Paragraph(
            text(
                "Ce certificat peut être vérifié à l'adresse ${url} (le code QR ci-dessus "
                "y mène). Code de vérification : ${code}",
                url=verify_url,
                code=code,
            ),
            STYLES["small"],
        ),
    ]
    doc.build(story)
    return buffer.getvalue()


def _qr(url: str) -> Drawing:
    widget = QrCodeWidget(url, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(
        QR_SIZE, QR_SIZE, transform=[QR_SIZE / (right - left), 0, 0, QR_SIZE / (top - bottom), 0, 0]
    )
    drawing.add(widget)
    return drawing
