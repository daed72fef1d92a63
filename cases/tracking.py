"""What the history of changes records of a young person's file (README, "History of
changes"): registered with the history app when the app is ready (cases/apps.py).

Only the fields named here are copied into the history. Left out: identifiers, the
young person (each entry is stored with its id), bookkeeping stamps (`updated_at`,
`version`, `created_at`, `created_by`: the entry itself says when and who), and the
stored file of a document (its metadata is recorded, never its contents or path).
"""

from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone

from cases.models import (
    Application,
    DigitalDiagnostic,
    Document,
    FollowUp,
    Step,
    YoungPerson,
    YoungPersonUserObjectPermission,
)
from history.registry import track


def _day(moment) -> str:
    return formats.date_format(timezone.localdate(moment), "SHORT_DATE_FORMAT")


def register() -> None:
    track(
        YoungPerson,
        kind="young_person",
        young_person="pk",
        fields=(
            "first_name",
            "last_name",
            "birth_date",
            "email",
            "phone",
            "city",
            "situation",
            "status",
            "organization",
            "referent",
        ),
        label=lambda yp: yp.full_name,
    )
    track(
        DigitalDiagnostic,
        kind="diagnostic",
        young_person="young_person_id",
        fields=(
            "performed_at",
            "performed_by",
            *DigitalDiagnostic.QUESTION_FIELDS,
            "autonomy_level",
            "notes",
        ),
        label=lambda diagnostic: _day(diagnostic.performed_at),
    )
    track(
        Step,
        kind="step",
        young_person="young_person_id",
        fields=("step_type", "status", "due_date", "completed_at", "completed_by", "evidence"),
        label=lambda step: step.step_type.label,
    )
    track(
        FollowUp,
        kind="follow_up",
        young_person="young_person_id",
        fields=(
            "occurred_at",
            "channel",
            "duration_minutes",
            "author",
            "notes",
            "next_action",
            "next_appointment",
        ),
        label=lambda follow_up: _day(follow_up.occurred_at),
    )
    track(
        Application,
        kind="application",
        young_person="young_person_id",
        fields=(
            "employer",
            "position",
            "source",
            "status",
            "applied_on",
            "response_on",
            "cv",
            "notes",
        ),
        label=str,
    )
    track(
        Document,
        kind="document",
        young_person="young_person_id",
        fields=(
            "title",
            "kind",
            "original_name",
            "content_type",
            "size",
            "uploaded_by",
            "uploaded_at",
        ),
        label=lambda document: document.title,
        formatters={"size": filesizeformat},
    )
    track(
        YoungPersonUserObjectPermission,
        kind="delegation",
        young_person="content_object_id",
        fields=("user", "expires_at", "granted_by"),
        label=lambda grant: grant.user.display_name,
    )
