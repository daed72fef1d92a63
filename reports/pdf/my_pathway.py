""" "Mon parcours": the summary owed to the young person, in plain words and large type.

Short sentences, no jargon, no staff notes: what is done, what is left, the next
appointment, who holds the file, who looked at it and what was shared with whom."""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.units import cm
from reportlab.platypus import Spacer

from cases.enums import StepStatus
from cases.models import YoungPerson
from cases.selectors import young_person_file
from core.pdf import (
    build_pdf,
    check_mark,
    data_table,
    fmt_day,
    fmt_long_date,
    fmt_long_datetime,
    heading,
    para,
)
from core.pdf import cell as table_cell
from reports.selectors import access_summary

BODY_SIZE = 14  # large type: many readers struggle with small print
ACCESS_LINES = 20


@dataclass(frozen=True)
class StepToDo:
    label: str
    started: bool
    due: date | None


@dataclass(frozen=True)
class StepDone:
    label: str
    on: datetime | None


@dataclass(frozen=True)
class Look:
    name: str
    organizations: str
    day: date


@dataclass(frozen=True)
class Sharing:
    organization: str
    sent_at: datetime
    sections: tuple[str, ...]
    status: str


@dataclass(frozen=True)
class MyPathway:
    first_name: str
    full_name: str
    organization: str
    referent: str
    generated_at: datetime
    done: tuple[StepDone, ...]
    to_do: tuple[StepToDo, ...]
    next_appointment: datetime | None
    looks: tuple[Look, ...]
    shared: tuple[Sharing, ...]

    @property
    def title(self) -> str:
        return _("My pathway: %(name)s") % {"name": self.full_name}


def my_pathway_data(young_person: YoungPerson) -> MyPathway:
    file = young_person_file(young_person)
    return MyPathway(
        first_name=young_person.first_name,
        full_name=young_person.full_name,
        organization=young_person.organization.name,
        referent=young_person.referent.display_name,
        generated_at=timezone.now(),
        done=tuple(
            StepDone(s.step_type.label, s.completed_at)
            for s in file.steps
            if s.status == StepStatus.DONE
        ),
        to_do=tuple(
            StepToDo(s.step_type.label, s.status == StepStatus.IN_PROGRESS, s.due_date)
            for s in file.steps
            if s.status in (StepStatus.TODO, StepStatus.IN_PROGRESS)
        ),
        next_appointment=file.next_appointment,
        looks=tuple(
            Look(line.name, line.organizations, line.day)
            for line in access_summary(young_person, limit=ACCESS_LINES)
        ),
        shared=tuple(
            Sharing(
                organization=r.to_organization.name,
                sent_at=r.sent_at,
                sections=tuple(str(label) for label in r.shared_section_labels),
                status=r.get_status_display(),
            )
            for r in file.referrals
        ),
    )


def _p(text: object, style: str = "body"):
    return para(text, style, base_size=BODY_SIZE)


def render_my_pathway(data: MyPathway) -> bytes:
    story = [
        _p(_("My pathway"), "h1"),
        _p(_("Hello %(first_name)s,") % {"first_name": data.first_name}),
        _p(
            _(
                "This paper sums up your pathway with %(organization)s. It is yours. "
                "If something is wrong or not clear, tell your advisor."
            )
            % {"organization": data.organization}
        ),
        _p(_("Made on %(date)s.") % {"date": fmt_long_date(data.generated_at)}, "small"),
    ]

    story.append(heading(_("Your steps"), base_size=BODY_SIZE))
    if not data.done and not data.to_do:
        story.append(_p(_("No step has been planned with you yet.")))
    if data.done:
        story.append(_p(_("What you have done:")))
        for step in data.done:
            line = f"{check_mark(True)}  {step.label}"
            if step.on:
                line += " " + _("(done on %(date)s)") % {"date": fmt_long_date(step.on)}
            story.append(_p(line))
    if data.to_do:
        story.append(_p(_("What is left to do:")))
        for step in data.to_do:
            line = f"{check_mark(False)}  {step.label}"
            if step.started:
                line += " " + _("(started)")
            if step.due:
                line += " " + _("(before %(date)s)") % {"date": fmt_long_date(step.due)}
            story.append(_p(line))

    story.append(heading(_("Your next appointment"), base_size=BODY_SIZE))
    if data.next_appointment:
        story.append(_p(fmt_long_datetime(data.next_appointment)))
    else:
        story.append(_p(_("No appointment is planned yet. Ask your advisor for one.")))

    story.append(heading(_("Who holds your file"), base_size=BODY_SIZE))
    story.append(
        _p(
            _("Your advisor is %(name)s, at %(organization)s.")
            % {"name": data.referent, "organization": data.organization}
        )
    )

    story.append(heading(_("Who looked at your file"), base_size=BODY_SIZE))
    if data.looks:
        story.append(
            _p(
                _("The people who opened your file, most recent first (at most %(count)d):")
                % {"count": ACCESS_LINES}
            )
        )
        story.append(
            data_table(
                [_("Date"), _("Name"), _("Organisation")],
                [
                    [
                        table_cell(fmt_day(look.day), base_size=11),
                        table_cell(look.name or _("a former staff member"), base_size=11),
                        table_cell(look.organizations, base_size=11),
                    ]
                    for look in data.looks
                ],
                [4.3 * cm, 5.5 * cm, 7.2 * cm],
                base_size=11,
            )
        )
    else:
        story.append(_p(_("Nobody has opened your file yet.")))

    story.append(heading(_("What was shared, and with whom"), base_size=BODY_SIZE))
    if not data.shared:
        story.append(_p(_("Nothing from your file was sent to another organisation.")))
    for sharing in data.shared:
        story.append(
            _p(
                _("On %(date)s, we sent part of your file to %(organization)s.")
                % {"date": fmt_long_date(sharing.sent_at), "organization": sharing.organization}
            )
        )
        story.append(
            _p(
                _("What was shared: %(sections)s.")
                % {"sections": ", ".join(sharing.sections) or _("only your name and year of birth")}
            )
        )
        story.append(_p(_("Where it stands: %(status)s.") % {"status": sharing.status}))
        story.append(Spacer(1, 6))

    story.append(heading(_("Your rights"), base_size=BODY_SIZE))
    story.append(
        _p(
            _(
                "You can ask to see everything in your file and to correct what is wrong. "
                "Nothing is shared with another organisation without your agreement."
            )
        )
    )
    return build_pdf(
        story,
        title=data.title,
        author=data.organization,
        subject=_("Summary of the pathway, for the young person"),
    )
