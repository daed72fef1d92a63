"""The shape of a demo file before it is written, and the odds the planner draws it with.

Pure data, no database access: `demo.planner.Planner` fills these dataclasses from a seeded
generator, then `demo.seeders.cases` writes them through the services.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from accounts.enums import OrganizationKind
from cases.enums import ApplicationStatus, FollowUpChannel, Situation
from cases.models import DigitalDiagnostic

# How far back the follow-up history of a file goes.
HISTORY_DAYS = 120

QUESTIONS = DigitalDiagnostic.QUESTION_FIELDS
# Digital profiles: the answers that are True. The order of PROGRESS is the order in which
# an accompanied young person typically closes the gaps (equipment first, then e-mail…).
PROFILES = {
    "offline": set(),
    "phone_only": {"has_smartphone", "has_mobile_data"},
    "lost_access": {"has_smartphone", "has_email"},
    "email_basic": {
        "has_smartphone", "has_mobile_data", "has_email", "can_log_in_email",
        "can_create_online_account",
    },
    "almost": {
        "has_smartphone", "has_mobile_data", "has_email", "can_log_in_email",
        "can_send_attachment", "can_create_online_account",
    },
    "autonomous": set(QUESTIONS),
}  # fmt: skip
PROFILE_WEIGHTS = {
    OrganizationKind.MISSION_LOCALE: {
        "offline": 2, "phone_only": 5, "lost_access": 3, "email_basic": 3, "almost": 2,
        "autonomous": 2,
    },
    OrganizationKind.EMMAUS_CONNECT: {
        "offline": 3, "phone_only": 4, "lost_access": 3, "email_basic": 2, "almost": 1,
        "autonomous": 0,
    },
}  # fmt: skip
PROGRESS = (
    "has_smartphone", "has_mobile_data", "has_email", "can_log_in_email",
    "can_send_attachment", "can_create_online_account", "can_scan_upload",
)  # fmt: skip
CV_PROBABILITY = {
    "offline": 0.6, "phone_only": 0.8, "lost_access": 0.8, "email_basic": 0.9,
    "almost": 0.95, "autonomous": 1.0,
}  # fmt: skip
SITUATION_WEIGHTS = {
    Situation.NEET: 4, Situation.JOB_SEEKING: 4, Situation.TRAINING: 1.5,
    Situation.EMPLOYED: 0.5, Situation.OTHER: 0.5,
}  # fmt: skip
CHANNEL_WEIGHTS = {
    FollowUpChannel.IN_PERSON: 6, FollowUpChannel.PHONE: 3, FollowUpChannel.VIDEO: 1,
    FollowUpChannel.SMS: 1, FollowUpChannel.EMAIL: 1,
}  # fmt: skip
APPLICATION_STATUS_WEIGHTS = {
    ApplicationStatus.DRAFT: 1, ApplicationStatus.SENT: 3, ApplicationStatus.INTERVIEW: 2,
    ApplicationStatus.HIRED: 1, ApplicationStatus.REJECTED: 3,
}  # fmt: skip


@dataclass
class FollowUpPlan:
    occurred_at: datetime
    channel: str
    duration_minutes: int
    notes: str
    next_action: str
    next_appointment: datetime | None = None


@dataclass
class StepPlan:
    code: str
    status: str
    due_date: date | None
    evidence: str = ""


@dataclass
class ApplicationPlan:
    employer: str
    position: str
    source: str
    status: str
    applied_on: date | None
    response_on: date | None
    with_cv: bool
    notes: str


@dataclass
class YoungPersonPlan:
    first_name: str
    last_name: str
    birth_date: date
    email: str
    phone: str
    city: str
    situation: str
    status: str
    email_recorded_later: str = ""
    diagnostics: list[tuple[datetime, dict[str, bool], str]] = field(default_factory=list)
    follow_ups: list[FollowUpPlan] = field(default_factory=list)
    steps: list[StepPlan] = field(default_factory=list)
    cv: dict | None = None
    applications: list[ApplicationPlan] = field(default_factory=list)
