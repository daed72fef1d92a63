"""Shared PDF plumbing (reportlab platypus): fonts registered once, metadata, page
numbers, escaping of every user string before it reaches a Paragraph, and the tables and
date formats the reports share."""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Table,
    TableStyle,
)

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


DASH = "—"
HEADER_BACKGROUND = colors.HexColor("#e8ebf3")
GRID = colors.HexColor("#c8c8d0")
CELL_PADDING = 4


def local(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _fmt_day(value: date | datetime | None, format_name: str) -> str:
    if value is None:
        return DASH
    if isinstance(value, datetime):
        value = local(value)
    return formats.date_format(value, format_name)


def fmt_date(value: date | datetime | None) -> str:
    return _fmt_day(value, "SHORT_DATE_FORMAT")


def fmt_datetime(value: datetime | None) -> str:
    if value is None:
        return DASH
    return formats.date_format(local(value), "SHORT_DATETIME_FORMAT")


def fmt_long_date(value: date | datetime | None) -> str:
    """ "mardi 3 mars 2026": for the young person, words rather than digits."""
    return _fmt_day(value, "l j F Y")


def fmt_day(value: date | None) -> str:
    """ "3 mars 2026": words, without the weekday (for narrow columns)."""
    return DASH if value is None else formats.date_format(value, "j F Y")


def fmt_long_datetime(value: datetime | None) -> str:
    if value is None:
        return DASH
    value = local(value)
    return _("%(day)s at %(time)s") % {
        "day": formats.date_format(value, "l j F Y"),
        "time": formats.time_format(value, "H:i"),
    }


def fmt_minutes(minutes: int) -> str:
    hours, rest = divmod(int(minutes), 60)
    return f"{hours} h {rest:02d}"


def fmt_rate(rate: float | None) -> str:
    return DASH if rate is None else f"{rate * 100:.0f} %"


@cache
def has_glyphs(text: str) -> bool:
    """Whether the embedded font can draw every character of `text` (DejaVu can draw ✓ and
    ☐; reportlab's fallback Vera cannot)."""
    from reportlab.pdfbase import pdfmetrics

    register_fonts()
    face = pdfmetrics.getFont(FONT).face
    return all(ord(char) in face.charToGlyph for char in text)


def check_mark(done: bool) -> str:
    if has_glyphs("✓☐"):
        return "✓" if done else "☐"
    return "[x]" if done else "[ ]"


@cache
def _cell_styles(base_size: float) -> tuple[ParagraphStyle, ParagraphStyle]:
    body = styles(base_size)["body"]
    cell = ParagraphStyle(
        f"Cell{base_size}",
        parent=body,
        fontSize=base_size,
        leading=base_size * 1.2,
        spaceBefore=0,
        spaceAfter=0,
    )
    head = ParagraphStyle(f"CellHead{base_size}", parent=cell, fontName=FONT_BOLD)
    return cell, head


@cache
def _heading_style(base_size: float) -> ParagraphStyle:
    return ParagraphStyle(
        f"SectionHeading{base_size}", parent=styles(base_size)["h2"], keepWithNext=1
    )


def heading(text: object, *, base_size: float = 10) -> Paragraph:
    """A section heading that never ends a page alone."""
    return Paragraph(escape(str(text)), _heading_style(base_size))


@cache
def _entry_heading_style() -> ParagraphStyle:
    small = styles(10)["small"]
    return ParagraphStyle(
        "EntryHeading", parent=small, fontName=FONT_BOLD, spaceBefore=6, keepWithNext=1
    )


def entry_heading(text: object) -> Paragraph:
    """The bold line above an entry (a follow-up…), kept on the page of what follows."""
    return Paragraph(escape(str(text)), _entry_heading_style())


def cell(text: object, *, base_size: float = 8, bold: bool = False) -> Paragraph:
    """A table cell from user text: escaped, wraps inside its column."""
    body, head = _cell_styles(base_size)
    safe = escape(str(text if text is not None else "")).replace("\n", "<br/>")
    return Paragraph(safe, head if bold else body)


def wrapped(text: object, width: float, *, base_size: float = 8) -> str:
    """A plain table cell broken into lines that fit `width`: drawn as-is (never parsed as
    markup, so nothing to escape) and far cheaper than a Paragraph over thousands of rows."""
    from reportlab.lib.utils import simpleSplit

    register_fonts()
    usable = width - 2 * CELL_PADDING
    return "\n".join(simpleSplit(str(text if text is not None else ""), FONT, base_size, usable))


def data_table(
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    col_widths: Sequence[float],
    *,
    base_size: float = 8,
    right_align: Sequence[int] = (),
) -> Flowable:
    """A table with a repeated header row. Paragraph cells (escaped) for text that may wrap;
    plain `str` cells (dates, figures: drawn as-is, never parsed as markup) stay cheap,
    which matters for thousands of rows."""
    data: list[list[object]] = [[cell(h, base_size=base_size, bold=True) for h in header]]
    data += [list(row) for row in rows]
    # LongTable: laid out row by row, so thousands of rows do not cost quadratic time.
    table = LongTable(data, colWidths=list(col_widths), repeatRows=1)
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), base_size),
        ("LEADING", (0, 0), (-1, -1), base_size * 1.2),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BACKGROUND),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, GRID),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
    ]
    commands += [("ALIGN", (col, 1), (col, -1), "RIGHT") for col in right_align]
    table.setStyle(TableStyle(commands))
    return table


def section(title: object, body: Flowable | None, *, empty: object) -> list[Flowable]:
    """A titled part of a report: its content, or one line saying there is none."""
    return [heading(title), body if body is not None else para(empty)]


def generated_line(generated_at: datetime, generated_by: str) -> str:
    return _("Generated on %(date)s by %(name)s") % {
        "date": fmt_datetime(generated_at),
        "name": generated_by,
    }
