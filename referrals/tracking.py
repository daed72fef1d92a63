"""What the history of changes records of a referral (README, "History of changes"): it
belongs to the history of the referred young person's file. Registered when the app is
ready (referrals/apps.py). Left out: identifiers, the young person (each entry is
stored with its id), bookkeeping stamps (`sent_at` is the entry's own time, `updated_at`,
`reminder_sent_at`)."""

from history.registry import track
from referrals.enums import SharedSection
from referrals.models import Referral


def _sections(codes) -> str:
    labels = dict(SharedSection.choices)
    return ", ".join(str(labels.get(code, code)) for code in codes or [])


def register() -> None:
    track(
        Referral,
        kind="referral",
        young_person="young_person_id",
        fields=(
            "from_organization",
            "to_organization",
            "sent_by",
            "reason",
            "message",
            "consent_method",
            "consent_recorded_by",
            "consent_recorded_at",
            "shared_sections",
            "status",
            "handler",
            "linked_young_person",
            "decline_reason",
            "outcome_code",
            "outcome_note",
            "answered_at",
            "closed_at",
        ),
        label=lambda referral: referral.to_organization.name,
        formatters={"shared_sections": _sections},
    )
