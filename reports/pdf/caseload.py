"""The caseload report: one advisor's files, or a whole organisation's, on paper.

Built from one annotated query (`reports.selectors.caseload_report_rows`); rendered as a
LongTable whose header repeats on every page. Dates and figures are plain cells (cheap to
lay out); names go through escaped Paragraphs."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.units import cm
from reportlab.platypus import Spacer

from accounts.models import Organization, User
from cases.enums import YoungPersonStatus
from cases.models import YoungPerson
from core.pdf import (
    build_pdf,
    data_table,
    facts_table,
    fmt_date,
    fmt_datetime,
    generated_line,
    para,
    wrapped,
)


@dataclass(frozen=True)
class CaseloadLine:
    name: str
    referent: str
    status: str
    last_follow_up: datetime | None
    next_appointment: datetime | None
    steps_done: int
    steps_total: int
    overdue: int


@dataclass(frozen=True)
class CaseloadReport:
    subject: str  # whose caseload: an advisor's name or the organisation's
    organization: str
    per_organization: bool
    generated_at: datetime
    generated_by: str
    lines: tuple[CaseloadLine, ...]
    active: int
    with_overdue: int
    stale: int  # no follow-up for STALE_FOLLOW_UP_DAYS days
    stale_days: int

    @property
    def title(self) -> str:
        if self.per_organization:
            return _("Caseload of %(organization)s") % {"organization": self.subject}
        return _("Caseload of %(name)s") % {"name": self.subject}


def caseload_report_data(
    rows: QuerySet[YoungPerson],
    *,
    subject: str,
    organization: Organization | None,
    per_organization: bool,
    generated_by: User,
) -> CaseloadReport:
    """`rows` comes from `reports.selectors.caseload_report_rows` (annotated, one query)."""
    now = timezone.now()
    stale_days = settings.STALE_FOLLOW_UP_DAYS
    stale_before = now - timedelta(days=stale_days)
    lines = []
    active = with_overdue = stale = 0
    organizations: set[str] = set()
    for yp in rows:
        organizations.add(yp.organization.name)
        lines.append(
            CaseloadLine(
                name=f"{yp.last_name.upper()} {yp.first_name}",
                referent=yp.referent.display_name,
                status=yp.get_status_display(),
                last_follow_up=yp.last_follow_up_at,
                next_appointment=yp.next_appointment_at,
                steps_done=yp.steps_done,
                steps_total=yp.steps_total,
                overdue=yp.overdue_steps,
            )
        )
        if yp.status == YoungPersonStatus.ACTIVE:
            active += 1
            if yp.last_follow_up_at is None or yp.last_follow_up_at < stale_before:
                stale += 1
        if yp.overdue_steps:
            with_overdue += 1
    if organization is not None:
        organization_name = organization.name
    else:
        organization_name = ", ".join(sorted(organizations)) or generated_by.display_name
    return CaseloadReport(
        subject=subject,
        organization=organization_name,
        per_organization=per_organization,
        generated_at=now,
        generated_by=generated_by.display_name,
        lines=tuple(lines),
        active=active,
        with_overdue=with_overdue,
        stale=stale,
        stale_days=stale_days,
    )


def render_caseload_report(data: CaseloadReport) -> bytes:
    story = [
        para(data.title, "h1"),
        para(generated_line(data.generated_at, data.generated_by), "small"),
        Spacer(1, 6),
        facts_table(
            [
                (_("Young people"), str(len(data.lines))),
                (_("Active files"), str(data.active)),
                (_("Files with overdue steps"), str(data.with_overdue)),
                (
                    _("Active files without a follow-up for %(days)d days")
                    % {"days": data.stale_days},
                    str(data.stale),
                ),
            ]
        ),
        Spacer(1, 10),
    ]
    if not data.lines:
        story.append(para(_("No young person in this caseload.")))
    else:
        header = [_("Name")]
        widths = [5.2 * cm]
        if data.per_organization:
            header.append(_("Referent"))
            widths = [4.2 * cm, 3.2 * cm]
        header += [
            _("Status"),
            _("Last follow-up"),
            _("Next appointment"),
            _("Steps done"),
            _("Overdue"),
        ]
        widths += [1.9 * cm, 2.1 * cm, 2.8 * cm, 1.5 * cm, 1.3 * cm]
        rows = []
        for line in data.lines:
            row: list[object] = [wrapped(line.name, widths[0])]
            if data.per_organization:
                row.append(wrapped(line.referent, widths[1]))
            row += [
                line.status,
                fmt_date(line.last_follow_up),
                fmt_datetime(line.next_appointment),
                f"{line.steps_done}/{line.steps_total}",
                str(line.overdue) if line.overdue else "0",
            ]
            rows.append(row)
        last = len(header) - 1
        story.append(data_table(header, rows, widths, right_align=(last - 1, last)))
    return build_pdf(
        story,
        title=data.title,
        author=data.organization,
        subject=_("Caseload report"),
    )
