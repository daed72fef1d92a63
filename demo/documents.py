"""The demo's CV as a real PDF: what a young person would hand their advisor.

A pure function of its arguments (reportlab's `invariant=True`): the same CV gives the same
bytes on every run, so the demo stays deterministic down to its files.
"""

from dataclasses import dataclass
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import HRFlowable, ListFlowable, ListItem, Paragraph, SimpleDocTemplate


@dataclass(frozen=True)
class CvExperience:
    period: str
    role: str
    place: str


def build_cv_pdf(
    *,
    first_name: str,
    last_name: str,
    email: str = "",
    phone: str = "",
    city: str = "",
    headline: str = "",
    experiences: list[CvExperience] | tuple[CvExperience, ...] = (),
    education: list[str] | tuple[str, ...] = (),
    skills: list[str] | tuple[str, ...] = (),
) -> bytes:
    """A one-page CV as a real PDF (text is extractable, e.g. with pypdf).

    `invariant=True` keeps the bytes identical from one run to the next (no timestamp or
    random document id).
    """
    buffer = BytesIO()
    full_name = f"{first_name} {last_name}"
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"CV — {full_name}",
        author=full_name,
        invariant=True,
    )
    base = getSampleStyleSheet()
    name_style = ParagraphStyle("Name", parent=base["Title"], alignment=0, spaceAfter=2 * mm)
    contact_style = ParagraphStyle("Contact", parent=base["Normal"], textColor=colors.dimgray)
    section_style = ParagraphStyle(
        "Section", parent=base["Heading2"], spaceBefore=5 * mm, spaceAfter=2 * mm
    )
    body = base["Normal"]

    story = [Paragraph(escape(full_name), name_style)]
    if headline:
        story.append(Paragraph(f"<i>{escape(headline)}</i>", body))
    contact = " · ".join(escape(part) for part in (email, phone, city) if part)
    if contact:
        story.append(Paragraph(contact, contact_style))
    story.append(HRFlowable(width="100%", color=colors.lightgrey, spaceBefore=3 * mm))

    def bullets(lines: list[str]) -> ListFlowable:
        return ListFlowable(
            [ListItem(Paragraph(line, body), leftIndent=10) for line in lines],
            bulletType="bullet",
            start="•",
            leftIndent=10,
        )

    if experiences:
        story.append(Paragraph("Expériences", section_style))
        story.append(
            bullets(
                [
                    f"<b>{escape(e.period)}</b> — {escape(e.role)}, {escape(e.place)}"
                    for e in experiences
                ]
            )
        )
    if education:
        story.append(Paragraph("Formation", section_style))
        story.append(bullets([escape(line) for line in education]))
    if skills:
        story.append(Paragraph("Compétences", section_style))
        story.append(Paragraph(escape(" · ".join(skills)), body))

    doc.build(story)
    return buffer.getvalue()
