"""The activity report for funders: what an organisation did over a period, in figures."""

from dataclasses import dataclass, replace
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.units import cm
from reportlab.platypus import Spacer

from accounts.models import Organization, User
from core.pdf import (
    build_pdf,
    cell,
    data_table,
    facts_table,
    fmt_date,
    fmt_minutes,
    fmt_rate,
    generated_line,
    heading,
    para,
)
from core.periods import Period
from referrals.enums import OutcomeCode, ReferralStatus
from reports.selectors import ActivityFigures, activity_figures


@dataclass(frozen=True)
class ActivityReport:
    organization: str
    territory: str
    period: Period
    generated_at: datetime
    generated_by: str
    figures: ActivityFigures  # referral statuses and outcomes named by their label

    @property
    def title(self) -> str:
        return _("Activity report of %(organization)s, %(start)s to %(end)s") % {
            "organization": self.organization,
            "start": fmt_date(self.period.start),
            "end": fmt_date(self.period.end),
        }


def activity_report_data(
    organization: Organization, period: Period, *, generated_by: User
) -> ActivityReport:
    figures = activity_figures(organization, period)
    return ActivityReport(
        organization=organization.name,
        territory=organization.territory,
        period=period,
        generated_at=timezone.now(),
        generated_by=generated_by.display_name,
        figures=replace(
            figures,
            referral_statuses=_labelled(ReferralStatus, figures.referral_statuses),
            referral_outcomes=_labelled(OutcomeCode, figures.referral_outcomes),
        ),
    )


def _labelled(choices, counts: tuple[tuple[str, int], ...]) -> tuple[tuple[str, int], ...]:
    labels = dict(choices.choices)
    return tuple((str(labels.get(code, code)), n) for code, n in counts)


def render_activity_report(data: ActivityReport) -> bytes:
    figures = data.figures
    story = [
        para(data.title, "h1"),
        para(generated_line(data.generated_at, data.generated_by), "small"),
        Spacer(1, 6),
        heading(_("People and follow-ups")),
        facts_table(
            [
                (_("Organisation"), data.organization),
                *([(_("Territory"), data.territory)] if data.territory else []),
                (
                    _("Period"),
                    _("%(start)s to %(end)s, both included")
                    % {"start": fmt_date(data.period.start), "end": fmt_date(data.period.end)},
                ),
                (_("People accompanied (at least one follow-up)"), str(figures.people_accompanied)),
                (_("New files opened"), str(figures.new_files)),
                (_("Follow-ups"), str(figures.follow_ups)),
                (_("Time spent in follow-ups"), fmt_minutes(figures.follow_up_minutes)),
            ]
        ),
        heading(_("Steps completed")),
        para(
            _(
                "Rate: steps done during the period, out of the steps on files at the end of "
                "the period (steps marked not applicable are left out)."
            ),
            "small",
        ),
    ]
    if figures.step_rates:
        story.append(
            data_table(
                [_("Step"), _("On files"), _("Done in the period"), _("Rate")],
                [
                    [cell(r.label), str(r.existing), str(r.done_in_period), fmt_rate(r.rate)]
                    for r in figures.step_rates
                ],
                [8.5 * cm, 2.5 * cm, 3.5 * cm, 2.5 * cm],
                right_align=(1, 2, 3),
            )
        )
    else:
        story.append(para(_("No step on any file.")))

    story.append(heading(_("Referrals sent in the period")))
    story.append(facts_table([(_("Referrals sent"), str(figures.referrals_sent))]))
    if figures.referrals_sent:
        story.append(heading(_("Where they stand")))
        story.append(
            data_table(
                [_("Status"), _("Referrals")],
                [[cell(label), str(n)] for label, n in figures.referral_statuses],
                [12 * cm, 5 * cm],
                right_align=(1,),
            )
        )
        story.append(heading(_("Outcomes")))
        if figures.referral_outcomes:
            story.append(
                data_table(
                    [_("Outcome"), _("Referrals")],
                    [[cell(label), str(n)] for label, n in figures.referral_outcomes],
                    [12 * cm, 5 * cm],
                    right_align=(1,),
                )
            )
        else:
            story.append(para(_("No outcome recorded yet.")))
    return build_pdf(
        story,
        title=data.title,
        author=data.organization,
        subject=_("Activity report"),
    )
