"""Shared PDF plumbing (reportlab platypus): fonts registered once, metadata, page
numbers, and escaping of every user string before it reaches a Paragraph."""

from collections.abc import Iterable
from functools import cache
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

# DejaVu covers every French character (œ, «», …); reportlab's own Vera is the fallback
# so that a machine without system fonts still produces an embedded-font PDF.
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
_VERA = Path(reportlab.__file__).parent / "fonts"

FONT = "RelaisSans"
FONT_BOLD = "RelaisSans-Bold"


@cache
def register_fonts() -> None:
    regular, bold = _DEJAVU / "DejaVuSans.ttf", _DEJAVU / "DejaVuSans-Bold.ttf"
    if not (regular.exists() and bold.exists()):
        regular, bold = _VERA / "Vera.ttf", _VERA / "VeraBd.ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(regular)))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(bold)))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
    )


@cache
def styles(base_size: float = 10) -> dict[str, ParagraphStyle]:
    register_fonts()
    sample = getSampleStyleSheet()
    body = ParagraphStyle(
        "Body",
        parent=sample["BodyText"],
        fontName=FONT,
        fontSize=base_size,
        leading=base_size * 1.35,
    )
    return {
        "body": body,
        "small": ParagraphStyle(
            "Small",
            parent=body,
            fontSize=base_size * 0.85,
            leading=base_size * 1.15,
            textColor=colors.HexColor("#444444"),
        ),
        "h1": ParagraphStyle(
            "H1",
            parent=sample["Heading1"],
            fontName=FONT_BOLD,
            fontSize=base_size * 1.8,
            leading=base_size * 2.2,
        ),
        "h2": ParagraphStyle(
            "H2",
            parent=sample["Heading2"],
            fontName=FONT_BOLD,
            fontSize=base_size * 1.3,
            leading=base_size * 1.7,
            spaceBefore=base_size,
        ),
    }


def para(text: object, style: str = "body", *, base_size: float = 10) -> Paragraph:
    """A Paragraph from user text: escaped, newlines kept."""
    safe = escape(str(text if text is not None else "")).replace("\n", "<br/>")
    return Paragraph(safe, styles(base_size)[style])


def facts_table(rows: Iterable[tuple[object, object]], *, base_size: float = 10) -> Table:
    data = [[para(k, "small", base_size=base_size), para(v, base_size=base_size)] for k, v in rows]
    table = Table(data, colWidths=[5 * cm, 11.5 * cm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#cccccc")),
            ]
        )
    )
    return table


def build_pdf(story: list[Flowable], *, title: str, author: str, subject: str = "") -> bytes:
    register_fonts()
    buffer = BytesIO()

    def number_pages(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawRightString(
            A4[0] - 2 * cm,
            1.2 * cm,
            _("Page %(page)d") % {"page": doc.page},
        )
        canvas.drawString(2 * cm, 1.2 * cm, title[:90])
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author=author,
        subject=subject,
        creator="Relais",
        lang="fr-FR",
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
    )
    doc.build(story, onFirstPage=number_pages, onLaterPages=number_pages)
    return buffer.getvalue()
