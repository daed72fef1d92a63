"""Reads about young people. Every queryset here is already scoped to what the user may
see (DESIGN.md, "Who sees what") and already joined: views, API, exports and PDFs start
from these functions and never from `YoungPerson.objects`."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.enums import OrganizationKind
from accounts.models import Organization, User
from accounts.selectors import supervised_org_ids
from cases.enums import OPEN_STEP_STATUSES
from cases.grants import active_delegations
from cases.models import (
    AccessLog,
    Application,
    CaseRecord,
    DigitalDiagnostic,
    Document,
    FollowUp,
    Step,
    StepType,
    YoungPerson,
)
from history.models import HistoryEntry
from history.selectors import history_of_young_person


def young_people_full_access(user: User) -> QuerySet[YoungPerson]:
    """Young people whose whole file `user` may read and change."""
    return YoungPerson.objects.full_access(user).select_related("organization", "referent")


def young_people_reachable(user: User) -> QuerySet[YoungPerson]:
    """Full files plus directory cards, each row annotated with its `access` level."""
    return YoungPerson.objects.reachable(user).select_related("organization", "referent")


def file_records[M: CaseRecord](model: type[M], user: User) -> QuerySet[M]:
    """Records of one kind (steps, follow-ups, diagnostics, applications, documents) of
    every file `user` holds in full, with their young person."""
    return model.objects.for_user(user).select_related("young_person")


def can_manage_delegations(user: User, young_person: YoungPerson) -> bool:
    """The referent and the organisation's supervisors delegate; a delegate does not."""
    return young_person.referent_id == user.pk or (
        young_person.organization_id in supervised_org_ids(user)
    )


def _with_caseload_annotations(qs: QuerySet[YoungPerson]) -> QuerySet[YoungPerson]:
    now = timezone.now()
    today = timezone.localdate()
    last_follow_up = (
        FollowUp.objects.filter(young_person=OuterRef("pk"))
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    next_appointment = (
        FollowUp.objects.filter(young_person=OuterRef("pk"), next_appointment__gte=now)
        .order_by("next_appointment")
        .values("next_appointment")[:1]
    )
    overdue = (
        Step.objects.filter(
            young_person=OuterRef("pk"), status__in=OPEN_STEP_STATUSES, due_date__lt=today
        )
        .order_by()
        .values("young_person")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(
        last_follow_up_at=Subquery(last_follow_up),
        next_appointment_at=Subquery(next_appointment),
        overdue_steps=Coalesce(Subquery(overdue, output_field=IntegerField()), 0),
    )


def caseload(
    user: User, *, scope: str = "mine", organization: Organization | None = None
) -> QuerySet[YoungPerson]:
    """The caseload list: the user's own files, or (for supervisors) the whole organisation
    — `organization` (the current one) when given, else every supervised organisation."""
    qs = young_people_full_access(user)
    if scope != "organization" or not supervised_org_ids(user):
        qs = qs.filter(referent=user)
    elif organization is not None:
        qs = qs.filter(organization_id=organization.pk)
    return _with_caseload_annotations(qs)


def young_people_listed(user: User) -> QuerySet[YoungPerson]:
    """Every full file the user holds (own, supervised, delegated), with list figures."""
    return _with_caseload_annotations(young_people_full_access(user))


def young_people_with_step_status(status: str) -> Exists:
    return Exists(Step.objects.filter(young_person=OuterRef("pk"), status=status))


def young_people_with_overdue_steps() -> Exists:
    return Exists(
        Step.objects.filter(
            young_person=OuterRef("pk"),
            status__in=OPEN_STEP_STATUSES,
            due_date__lt=timezone.localdate(),
        )
    )


def young_people_followed_since(since: datetime) -> Exists:
    return Exists(FollowUp.objects.filter(young_person=OuterRef("pk"), occurred_at__gte=since))


def duplicates_in_organization(
    *, organization_id: int, first_name: str, last_name: str, birth_date: date
) -> list[YoungPerson]:
    """Same name (ignoring case, accented letters included) and birth date.

    Compared in Python: SQLite's case folding is ASCII-only ("LÉA" ≠ "léa"), and the
    candidates sharing an organisation and a birth date are few."""
    wanted = (first_name.strip().casefold(), last_name.strip().casefold())
    candidates = YoungPerson.objects.filter(
        organization_id=organization_id, birth_date=birth_date
    ).select_related("referent")
    return [
        yp
        for yp in candidates
        if (yp.first_name.strip().casefold(), yp.last_name.strip().casefold()) == wanted
    ]


# A step type's public guide (guides.GuideStepType, reverse one-to-one): every list that
# shows steps joins it, so that `{% step_guide %}` links to it without a query.
GUIDE = "guide_link__guide"
STEP_GUIDE = f"step_type__{GUIDE}"


def step_types_for(organization_id: int) -> QuerySet[StepType]:
    """The catalogue an organisation uses: the shared defaults plus its own steps."""
    return (
        StepType.objects.filter(
            Q(organization__isnull=True) | Q(organization_id=organization_id), is_active=True
        )
        .select_related(GUIDE)
        .order_by("order", "label")
    )


def step_types_all() -> QuerySet[StepType]:
    """Every catalogue's step types; an organisation uses `step_types_for` of its own."""
    return StepType.objects.order_by("organization_id", "order", "pk")


def default_step_types() -> QuerySet[StepType]:
    return (
        StepType.objects.filter(organization__isnull=True)
        .select_related(GUIDE)
        .order_by("order", "label")
    )


def organization_step_types(organization_id: int) -> QuerySet[StepType]:
    return (
        StepType.objects.filter(organization_id=organization_id)
        .select_related(GUIDE)
        .order_by("order", "label")
    )


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    obj: Any


@dataclass(frozen=True)
class YoungPersonFile:
    young_person: YoungPerson
    steps: list[Step]
    follow_ups: list[FollowUp]
    applications: list[Application]
    documents: list[Document]
    diagnostics: list[DigitalDiagnostic]
    delegations: list
    timeline: list[TimelineEntry]
    next_appointment: datetime | None
    overdue_steps: list[Step]
    suggested_step_types: list[StepType]
    addable_step_types: list[StepType]
    referrals: list
    referral_reasons: list[str]

    @property
    def latest_diagnostic(self) -> DigitalDiagnostic | None:
        return self.diagnostics[0] if self.diagnostics else None


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day))


def _referral_suggestion(diagnostics: list, referrals: list) -> list[str]:
    """Why an Emmaüs Connect referral would help, unless one is already under way."""
    from cases.diagnostics import referral_reasons

    if not diagnostics:
        return []
    already = any(
        r.to_organization.kind == OrganizationKind.EMMAUS_CONNECT and r.is_under_way
        for r in referrals
    )
    return [] if already else referral_reasons(diagnostics[0])


def young_person_file(young_person: YoungPerson) -> YoungPersonFile:
    """Everything on the young person's page, in a fixed number of queries."""
    from cases.diagnostics import suggested_step_codes

    steps = list(
        young_person.steps.select_related("step_type", STEP_GUIDE, "completed_by").order_by(
            "step_type__order", "pk"
        )
    )
    follow_ups = list(young_person.follow_ups.select_related("author"))
    applications = list(young_person.applications.select_related("cv"))
    documents = list(young_person.documents.select_related("uploaded_by"))
    diagnostics = list(young_person.diagnostics.select_related("performed_by"))
    delegations = list(active_delegations(young_person))
    referrals = list(
        young_person.referrals.select_related("to_organization", "handler").order_by("-sent_at")
    )

    timeline: list[TimelineEntry] = []
    timeline += [TimelineEntry(f.occurred_at, "follow_up", f) for f in follow_ups]
    timeline += [TimelineEntry(d.performed_at, "diagnostic", d) for d in diagnostics]
    timeline += [TimelineEntry(d.uploaded_at, "document", d) for d in documents]
    timeline += [
        TimelineEntry(_aware(a.applied_on) if a.applied_on else a.created_at, "application", a)
        for a in applications
    ]
    timeline += [TimelineEntry(s.completed_at, "step_done", s) for s in steps if s.completed_at]
    timeline += [TimelineEntry(r.sent_at, "referral_sent", r) for r in referrals]
    timeline += [TimelineEntry(r.closed_at, "referral_closed", r) for r in referrals if r.closed_at]
    timeline.sort(key=lambda e: e.at, reverse=True)

    now = timezone.now()
    upcoming = [
        f.next_appointment for f in follow_ups if f.next_appointment and f.next_appointment >= now
    ]

    present = {s.step_type_id for s in steps}
    addable = [st for st in step_types_for(young_person.organization_id) if st.pk not in present]
    suggested: list[StepType] = []
    if diagnostics:
        by_code = {st.code: st for st in addable}
        suggested = [
            by_code[code] for code in suggested_step_codes(diagnostics[0]) if code in by_code
        ]

    return YoungPersonFile(
        young_person=young_person,
        steps=steps,
        follow_ups=follow_ups,
        applications=applications,
        documents=documents,
        diagnostics=diagnostics,
        delegations=delegations,
        timeline=timeline,
        next_appointment=min(upcoming) if upcoming else None,
        overdue_steps=[s for s in steps if s.is_overdue],
        suggested_step_types=suggested,
        addable_step_types=addable,
        referrals=referrals,
        referral_reasons=_referral_suggestion(diagnostics, referrals),
    )


def access_log_for(young_person: YoungPerson) -> QuerySet[AccessLog]:
    return young_person.access_logs.select_related("user")


def history_for(young_person: YoungPerson) -> QuerySet[HistoryEntry]:
    """The file's history of changes (its records' and referrals' included), newest first.
    The caller got `young_person` through `access_young_person` (full file)."""
    return history_of_young_person(young_person.pk)


def young_person_delegations(young_person: YoungPerson):
    return active_delegations(young_person)
