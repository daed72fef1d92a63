"""The referral sheet: a frozen snapshot built from selectors, then a pure renderer."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.platypus import Spacer

from core.pdf import build_pdf, facts_table, para
from referrals.enums import SharedSection
from referrals.models import Referral
from referrals.selectors import shared_file


@dataclass(frozen=True)
class SharedPart:
    sections: tuple[str, ...]
    identity: tuple[tuple[str, str], ...]
    diagnostic: tuple[tuple[str, str], ...]
    steps: tuple[tuple[str, str], ...]
    follow_ups: tuple[tuple[str, str], ...]
    applications: tuple[tuple[str, str], ...]
    documents: tuple[str, ...]


@dataclass(frozen=True)
class ReferralSheet:
    reference: str
    young_person_name: str
    birth_year: int
    from_organization: str
    sent_by: str
    to_organization: str
    sent_at: datetime
    status: str
    reason: str
    message: str
    consent: str
    shared_section_labels: tuple[str, ...]
    handler: str
    outcome: str
    shared: SharedPart | None


def _date(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else "—"


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def referral_sheet_data(referral: Referral, *, include_shared: bool) -> ReferralSheet:
    shared_part = None
    if include_shared:
        shared = shared_file(referral)
        yp = shared.young_person
        diagnostic = shared.diagnostics[0] if shared.diagnostics else None
        shared_part = SharedPart(
            sections=tuple(sorted(shared.sections)),
            identity=(
                (_("Birth date"), _date(yp.birth_date)),
                (_("Email"), yp.email or _("no email address yet")),
                (_("Phone"), yp.phone or "—"),
                (_("City"), yp.city or "—"),
            )
            if SharedSection.IDENTITY in shared.sections
            else (),
            diagnostic=(
                (_("Autonomy level"), diagnostic.get_autonomy_level_display()),
                *((str(label), _yes_no(value)) for label, value in diagnostic.answers),
            )
            if diagnostic
            else (),
            steps=tuple((s.step_type.label, s.get_status_display()) for s in shared.steps),
            follow_ups=tuple(
                (_date(f.occurred_at), f.notes or f.next_action or "—") for f in shared.follow_ups
            ),
            applications=tuple(
                (f"{a.position} — {a.employer}", a.get_status_display())
                for a in shared.applications
            ),
            documents=tuple(d.title for d in shared.documents),
        )
    outcome = ""
    if referral.outcome_code:
        outcome = referral.get_outcome_code_display()
        if referral.outcome_note:
            outcome += f" — {referral.outcome_note}"
    elif referral.decline_reason:
        outcome = referral.get_decline_reason_display()
    return ReferralSheet(
        reference=referral.reference,
        young_person_name=referral.young_person.full_name,
        birth_year=referral.young_person.birth_date.year,
        from_organization=referral.from_organization.name,
        sent_by=referral.sent_by.display_name if referral.sent_by else "—",
        to_organization=referral.to_organization.name,
        sent_at=referral.sent_at,
        status=referral.get_status_display(),
        reason=referral.get_reason_display(),
        message=referral.message,
        consent=_("%(method)s, recorded on %(date)s")
        % {
            "method": referral.get_consent_method_display(),
            "date": _date(referral.consent_recorded_at),
        },
        shared_section_labels=tuple(str(label) for label in referral.shared_section_labels),
        handler=referral.handler.display_name if referral.handler else "—",
        outcome=outcome,
        shared=shared_part,
    )


def render_referral_sheet(data: ReferralSheet) -> bytes:
    title = _("Referral sheet %(reference)s") % {"reference": data.reference}
    story = [
        para(title, "h1"),
        facts_table(
            [
                (_("Young person"), f"{data.young_person_name} ({data.birth_year})"),
                (_("From"), f"{data.from_organization} — {data.sent_by}"),
                (_("To"), data.to_organization),
                (_("Sent on"), _date(data.sent_at)),
                (_("Status"), data.status),
                (_("Reason"), data.reason),
                (_("Handler"), data.handler),
                (_("Consent"), data.consent),
                (_("Shared sections"), ", ".join(data.shared_section_labels) or _("none")),
                *([(_("Outcome"), data.outcome)] if data.outcome else []),
            ]
        ),
        para(_("Message"), "h2"),
        para(data.message or "—"),
    ]
    shared = data.shared
    if shared is None:
        story += [
            Spacer(1, 12),
            para(
                _(
                    "The shared sections appear on this sheet once the referral is accepted, "
                    "for its handler."
                ),
                "small",
            ),
        ]
    else:
        for heading, rows in (
            (_("Identity and contact"), shared.identity),
            (_("Digital diagnostic"), shared.diagnostic),
            (_("Steps"), shared.steps),
            (_("Follow-up notes"), shared.follow_ups),
            (_("Applications"), shared.applications),
        ):
            if rows:
                story += [para(heading, "h2"), facts_table(rows)]
        if shared.documents:
            story += [para(_("Documents"), "h2")] + [para(f"• {t}") for t in shared.documents]
    return build_pdf(
        story, title=title, author=data.from_organization, subject=_("Referral of a young person")
    )
