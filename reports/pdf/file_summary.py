"""The file summary for staff: the whole file on paper, for a meeting or a hand-over."""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.units import cm
from reportlab.platypus import Spacer

from accounts.models import User
from cases.models import YoungPerson
from cases.selectors import young_person_file
from core.pdf import (
    DASH,
    build_pdf,
    cell,
    data_table,
    entry_heading,
    facts_table,
    fmt_date,
    fmt_datetime,
    generated_line,
    heading,
    para,
    section,
)


@dataclass(frozen=True)
class StepLine:
    label: str
    status: str
    due: date | None
    completed: datetime | None
    overdue: bool
    evidence: str


@dataclass(frozen=True)
class FollowUpLine:
    at: datetime
    channel: str
    minutes: int
    author: str
    notes: str
    next_action: str
    next_appointment: datetime | None


@dataclass(frozen=True)
class DiagnosticPart:
    at: datetime
    level: str
    answers: tuple[tuple[str, bool], ...]


@dataclass(frozen=True)
class FileSummary:
    full_name: str
    organization: str
    referent: str
    generated_at: datetime
    generated_by: str
    identity: tuple[tuple[str, str], ...]
    next_appointment: datetime | None
    diagnostic: DiagnosticPart | None
    steps: tuple[StepLine, ...]
    follow_ups: tuple[FollowUpLine, ...]
    applications: tuple[tuple[str, str, str, str], ...]  # date, position, employer, status
    documents: tuple[tuple[str, str, str], ...]  # date, kind, title
    referrals: tuple[tuple[str, str, str, str, str], ...]  # date, to, reason, status, sections
    delegations: tuple[tuple[str, str], ...]  # colleague, until

    @property
    def title(self) -> str:
        return _("File summary: %(name)s") % {"name": self.full_name}


def file_summary_data(young_person: YoungPerson, *, generated_by: User) -> FileSummary:
    """Built from `young_person_file`: a fixed number of queries whatever the file's size."""
    file = young_person_file(young_person)
    yp = young_person
    diagnostic = file.latest_diagnostic
    return FileSummary(
        full_name=yp.full_name,
        organization=yp.organization.name,
        referent=yp.referent.display_name,
        generated_at=timezone.now(),
        generated_by=generated_by.display_name,
        identity=(
            (_("Birth date"), f"{fmt_date(yp.birth_date)} ({yp.age})"),
            (_("Email"), yp.email or _("no email address yet")),
            (_("Phone"), yp.phone or DASH),
            (_("City"), yp.city or DASH),
            (_("Situation"), yp.get_situation_display()),
            (_("Status"), yp.get_status_display()),
            (_("Organisation"), yp.organization.name),
            (_("Referent"), yp.referent.display_name),
            (_("File opened on"), fmt_date(yp.created_at)),
        ),
        next_appointment=file.next_appointment,
        diagnostic=DiagnosticPart(
            at=diagnostic.performed_at,
            level=diagnostic.get_autonomy_level_display(),
            answers=tuple((str(label), bool(value)) for label, value in diagnostic.answers),
        )
        if diagnostic
        else None,
        steps=tuple(
            StepLine(
                label=s.step_type.label,
                status=s.get_status_display(),
                due=s.due_date,
                completed=s.completed_at,
                overdue=s.is_overdue,
                evidence=s.evidence,
            )
            for s in file.steps
        ),
        follow_ups=tuple(
            FollowUpLine(
                at=f.occurred_at,
                channel=f.get_channel_display(),
                minutes=f.duration_minutes,
                author=f.author.display_name if f.author else DASH,
                notes=f.notes,
                next_action=f.next_action,
                next_appointment=f.next_appointment,
            )
            for f in file.follow_ups
        ),
        applications=tuple(
            (
                fmt_date(a.applied_on or a.created_at),
                a.position,
                a.employer,
                a.get_status_display(),
            )
            for a in file.applications
        ),
        documents=tuple(
            (fmt_date(d.uploaded_at), d.get_kind_display(), d.title) for d in file.documents
        ),
        referrals=tuple(
            (
                fmt_date(r.sent_at),
                r.to_organization.name,
                r.get_reason_display(),
                r.get_status_display(),
                ", ".join(str(label) for label in r.shared_section_labels) or _("none"),
            )
            for r in file.referrals
        ),
        delegations=tuple((d.user.display_name, fmt_date(d.expires_at)) for d in file.delegations),
    )


def _step_status(step: StepLine) -> str:
    if step.overdue:
        return _("%(status)s (overdue)") % {"status": step.status}
    return step.status


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def render_file_summary(data: FileSummary) -> bytes:
    story = [
        para(data.title, "h1"),
        para(generated_line(data.generated_at, data.generated_by), "small"),
        Spacer(1, 6),
        facts_table(
            [
                *data.identity,
                (_("Next appointment"), fmt_datetime(data.next_appointment)),
            ]
        ),
    ]

    story += section(
        _("Digital diagnostic"),
        facts_table(
            [
                (_("Date"), fmt_date(data.diagnostic.at)),
                (_("Autonomy level"), data.diagnostic.level),
                *((label, _yes_no(value)) for label, value in data.diagnostic.answers),
            ]
        )
        if data.diagnostic
        else None,
        empty=_("No diagnostic yet."),
    )
    story += section(
        _("Steps"),
        data_table(
            [_("Step"), _("Status"), _("Due date"), _("Completed on"), _("Evidence")],
            [
                [
                    cell(s.label),
                    cell(_step_status(s)),
                    fmt_date(s.due),
                    fmt_date(s.completed),
                    cell(s.evidence),
                ]
                for s in data.steps
            ],
            [5 * cm, 3 * cm, 2.2 * cm, 2.3 * cm, 4.5 * cm],
        )
        if data.steps
        else None,
        empty=_("No step yet."),
    )

    story.append(heading(_("Follow-ups (%(count)d)") % {"count": len(data.follow_ups)}))
    if not data.follow_ups:
        story.append(para(_("No follow-up yet.")))
    # Paragraphs rather than table rows: a long note must be free to run over a page.
    for f in data.follow_ups:
        summary = _("%(date)s, %(channel)s, %(minutes)d min, %(author)s") % {
            "date": fmt_datetime(f.at),
            "channel": f.channel,
            "minutes": f.minutes,
            "author": f.author,
        }
        story.append(entry_heading(summary))
        if f.notes:
            story.append(para(f.notes))
        if f.next_action:
            story.append(para(_("Next action: %(action)s") % {"action": f.next_action}))
        if f.next_appointment:
            story.append(
                para(_("Next appointment: %(date)s") % {"date": fmt_datetime(f.next_appointment)})
            )

    record_tables = (
        (
            _("Applications"),
            [_("Date"), _("Position"), _("Employer"), _("Status")],
            [[d, cell(p), cell(e), cell(s)] for d, p, e, s in data.applications],
            [2.3 * cm, 5.5 * cm, 5.5 * cm, 3.7 * cm],
            _("No application yet."),
        ),
        (
            _("Documents"),
            [_("Date"), _("Kind"), _("Title")],
            [[d, cell(k), cell(t)] for d, k, t in data.documents],
            [2.3 * cm, 3.5 * cm, 11.2 * cm],
            _("No document yet."),
        ),
        (
            _("Referrals"),
            [_("Sent on"), _("To"), _("Reason"), _("Status"), _("Shared sections")],
            [[d, cell(t), cell(r), cell(s), cell(sec)] for d, t, r, s, sec in data.referrals],
            [2.3 * cm, 3.7 * cm, 3.5 * cm, 3.2 * cm, 4.3 * cm],
            _("No referral."),
        ),
    )
    for title, header, rows, widths, empty in record_tables:
        story += section(title, data_table(header, rows, widths) if rows else None, empty=empty)

    if data.delegations:
        story.append(heading(_("Delegated access")))
        story.append(
            facts_table([(name, _("until %(date)s") % {"date": d}) for name, d in data.delegations])
        )

    return build_pdf(
        story,
        title=data.title,
        author=data.organization,
        subject=_("Summary of a young person's file"),
    )
