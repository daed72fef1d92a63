"""Reads for supervisors: the dashboard's figures, the lists behind them, the running
delegations. Every young person counted or listed here comes from
`cases.selectors.young_people_full_access`, which for a supervisor is their whole
organisation; the figures are grouped by referent in SQL, so the number of queries does
not depend on the number of advisors or files (DESIGN.md: no N+1, ever)."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.enums import CASEWORK_ROLES, Role
from accounts.models import Membership, Organization, User
from accounts.selectors import active_memberships, organization_advisors
from cases.enums import (
    DELEGATION_CODENAME,
    OPEN_STEP_STATUSES,
    ApplicationStatus,
    StepStatus,
    YoungPersonStatus,
)
from cases.models import (
    Application,
    FollowUp,
    Step,
    YoungPerson,
    YoungPersonUserObjectPermission,
)
from cases.selectors import (
    caseload,
    young_people_followed_since,
    young_people_full_access,
    young_people_with_overdue_steps,
)
from core.periods import Period
from referrals.models import Referral
from referrals.selectors import referrals_visible
from referrals.workflow import AWAITING_ANSWER
from supervision.constants import APPOINTMENT_DAYS, DEFAULT_PERIOD_DAYS, STALE_DAYS
from supervision.enums import (
    FUNNEL_STEP_CODES,
    NO_FOLLOW_UP_METRICS,
    REFERRALS_WAITING,
    FunnelStage,
    Metric,
    ReferralDirection,
)

OPEN_FILE_STATUSES = (YoungPersonStatus.ACTIVE, YoungPersonStatus.PAUSED)


# --- organisations -------------------------------------------------------------------------


def supervised_organizations(user: User) -> list[Organization]:
    """The organisations `user` supervises, by name (no query beyond the membership cache)."""
    return [m.organization for m in active_memberships(user) if m.role == Role.SUPERVISOR]


def organization_young_people(user: User, organization: Organization) -> QuerySet[YoungPerson]:
    """The organisation's files `user` may work on: all of them for its supervisors."""
    return young_people_full_access(user).filter(organization_id=organization.pk)


# --- period --------------------------------------------------------------------------------


def default_period(today: date | None = None) -> Period:
    today = today or timezone.localdate()
    return Period(start=today - timedelta(days=DEFAULT_PERIOD_DAYS - 1), end=today)


# --- dashboard -----------------------------------------------------------------------------


@dataclass
class AdvisorRow:
    """One referent's figures. `is_member` is False for a referent who left the
    organisation (or lost the casework role) but still holds files: their files must be
    visible so that they can be reassigned."""

    user_id: int | None
    name: str
    is_member: bool = True
    held: int = 0
    figures: dict[str, int] = field(default_factory=dict)

    def get(self, key: str) -> int:
        return self.figures.get(key, 0)


@dataclass(frozen=True)
class FunnelBar:
    stage: str
    label: str
    value: int


@dataclass(frozen=True)
class Dashboard:
    organization: Organization
    rows: list[AdvisorRow]
    totals: AdvisorRow
    received_waiting: int
    period: Period
    funnel: list[FunnelBar]


def _display_name(first_name: str, last_name: str, username: str) -> str:
    return f"{first_name} {last_name}".strip() or username


def _by_referent(rows, key: str = "young_person__referent_id") -> dict[int, dict]:
    return {row.pop(key): row for row in rows}


def advisor_rows(user: User, organization: Organization) -> list[AdvisorRow]:
    """Per referent: active files, stale files, overdue steps, appointments, referrals.

    Five grouped queries whatever the size of the organisation. "No follow-up for N days"
    is computed as active files minus active files followed since the cut-off, so that
    one pass over recent follow-ups serves the three thresholds and the appointments.
    """
    now = timezone.now()
    today = timezone.localdate()
    young_people = organization_young_people(user, organization).order_by()
    active_ids = young_people.filter(status=YoungPersonStatus.ACTIVE).values("pk")

    files = young_people.values(
        "referent_id", "referent__first_name", "referent__last_name", "referent__username"
    ).annotate(
        active=Count("pk", filter=Q(status=YoungPersonStatus.ACTIVE)),
        held=Count("pk", filter=Q(status__in=OPEN_FILE_STATUSES)),
    )
    cutoffs = {days: now - timedelta(days=days) for days in STALE_DAYS}
    appointment_window = Q(
        next_appointment__gte=now, next_appointment__lt=now + timedelta(days=APPOINTMENT_DAYS)
    )
    follow_ups = (
        FollowUp.objects.filter(young_person__in=active_ids)
        .filter(Q(occurred_at__gte=cutoffs[max(STALE_DAYS)]) | appointment_window)
        .values("young_person__referent_id")
        .annotate(
            **{
                f"seen_{days}": Count(
                    "young_person", distinct=True, filter=Q(occurred_at__gte=cutoff)
                )
                for days, cutoff in cutoffs.items()
            },
            appointments=Count("young_person", distinct=True, filter=appointment_window),
        )
        .order_by()
    )
    overdue = (
        Step.objects.filter(
            young_person__in=active_ids, status__in=OPEN_STEP_STATUSES, due_date__lt=today
        )
        .values("young_person__referent_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    referrals = (
        Referral.objects.filter(
            from_organization_id=organization.pk,
            young_person__in=young_people.values("pk"),
            status__in=AWAITING_ANSWER,
        )
        .values("young_person__referent_id")
        .annotate(n=Count("pk"))
        .order_by()
    )

    seen = _by_referent(follow_ups)
    overdue_by = {r["young_person__referent_id"]: r["n"] for r in overdue}
    referrals_by = {r["young_person__referent_id"]: r["n"] for r in referrals}
    rows: dict[int, AdvisorRow] = {
        advisor.pk: AdvisorRow(user_id=advisor.pk, name=advisor.display_name)
        for advisor in organization_advisors(organization.pk).only(
            "pk", "first_name", "last_name", "username"
        )
    }
    for group in files:
        referent_id = group["referent_id"]
        row = rows.get(referent_id)
        if row is None:
            row = AdvisorRow(
                user_id=referent_id,
                name=_display_name(
                    group["referent__first_name"],
                    group["referent__last_name"],
                    group["referent__username"],
                ),
                is_member=False,
            )
            rows[referent_id] = row
        recent = seen.get(referent_id, {})
        row.held = group["held"]
        row.figures[Metric.ACTIVE] = group["active"]
        for metric, days in NO_FOLLOW_UP_METRICS.items():
            row.figures[metric] = group["active"] - recent.get(f"seen_{days}", 0)
        row.figures[Metric.APPOINTMENTS] = recent.get("appointments", 0)
        row.figures[Metric.OVERDUE_STEPS] = overdue_by.get(referent_id, 0)
        row.figures[REFERRALS_WAITING] = referrals_by.get(referent_id, 0)

    # A former member with nothing left open and nothing waiting is history, not work.
    kept = [row for row in rows.values() if row.is_member or row.held or any(row.figures.values())]
    kept.sort(key=lambda r: (not r.is_member, r.name.casefold(), r.user_id))
    return kept


def funnel(user: User, organization: Organization, period: Period) -> list[FunnelBar]:
    """Distinct young people of the organisation who completed each key step in the
    period, then those hired (an application marked hired in the period). Each stage is
    counted on its own: a young person who already had an email address before the
    period still counts for the later steps they completed in it."""
    young_people = organization_young_people(user, organization).order_by().values("pk")
    in_period = Q(completed_at__gte=period.starts_at, completed_at__lt=period.ends_before)
    done = (
        Step.objects.filter(
            in_period,
            young_person__in=young_people,
            status=StepStatus.DONE,
            step_type__code__in=FUNNEL_STEP_CODES,
        )
        .values("step_type__code")
        .annotate(n=Count("young_person", distinct=True))
        .order_by()
    )
    counts = {row["step_type__code"]: row["n"] for row in done}
    counts[FunnelStage.HIRED] = Application.objects.filter(
        young_person__in=young_people,
        status=ApplicationStatus.HIRED,
        updated_at__gte=period.starts_at,
        updated_at__lt=period.ends_before,
    ).aggregate(n=Count("young_person", distinct=True))["n"]
    return [FunnelBar(stage.value, stage.label, counts.get(stage, 0)) for stage in FunnelStage]


def received_waiting_count(organization: Organization) -> int:
    """Referrals sent to the organisation that nobody has answered yet."""
    return Referral.objects.filter(
        to_organization_id=organization.pk, status__in=AWAITING_ANSWER
    ).count()


def dashboard(user: User, organization: Organization, period: Period) -> Dashboard:
    rows = advisor_rows(user, organization)
    totals = AdvisorRow(user_id=None, name="")
    for row in rows:
        totals.held += row.held
        for key, value in row.figures.items():
            totals.figures[key] = totals.figures.get(key, 0) + value
    return Dashboard(
        organization=organization,
        rows=rows,
        totals=totals,
        received_waiting=received_waiting_count(organization),
        period=period,
        funnel=funnel(user, organization, period),
    )


# --- the lists behind the figures ----------------------------------------------------------


def young_people_for_metric(
    user: User,
    organization: Organization,
    *,
    metric: str,
    referent_id: int | None = None,
    step_code: str | None = None,
    period: Period | None = None,
) -> QuerySet[YoungPerson]:
    """The young people behind one dashboard figure. Same definitions as `advisor_rows`
    and `funnel`, so a list's length is the figure it was opened from. Plain rows: see
    `with_caseload_columns` for what a page of them shows."""
    now = timezone.now()
    qs = organization_young_people(user, organization)
    if referent_id is not None:
        qs = qs.filter(referent_id=referent_id)
    active = Q(status=YoungPersonStatus.ACTIVE)
    if metric == Metric.ACTIVE:
        qs = qs.filter(active)
    elif metric in NO_FOLLOW_UP_METRICS:
        since = now - timedelta(days=NO_FOLLOW_UP_METRICS[metric])
        qs = qs.filter(active).filter(~young_people_followed_since(since))
    elif metric == Metric.OVERDUE_STEPS:
        qs = qs.filter(active).filter(young_people_with_overdue_steps())
    elif metric == Metric.APPOINTMENTS:
        qs = qs.filter(active).filter(
            Exists(
                FollowUp.objects.filter(
                    young_person=OuterRef("pk"),
                    next_appointment__gte=now,
                    next_appointment__lt=now + timedelta(days=APPOINTMENT_DAYS),
                )
            )
        )
    elif metric == Metric.HELD:
        qs = qs.filter(status__in=OPEN_FILE_STATUSES)
    elif metric == Metric.STEP_DONE:
        done = {"status": StepStatus.DONE, "step_type__code": step_code}
        qs = qs.filter(_has_record_in(Step, "completed_at", period, **done))
    elif metric == Metric.HIRED:
        hired = {"status": ApplicationStatus.HIRED}
        qs = qs.filter(_has_record_in(Application, "updated_at", period, **hired))
    else:
        raise ValueError(f"Unknown metric: {metric}")
    return qs.order_by("last_name", "first_name", "pk")


def _has_record_in(model, moment: str, period: Period | None, **conditions: Any) -> Exists:
    """The file has a record of `model` meeting `conditions` whose `moment` falls in
    `period` (by default the dashboard's)."""
    period = period or default_period()
    in_period = {f"{moment}__gte": period.starts_at, f"{moment}__lt": period.ends_before}
    return Exists(model.objects.filter(young_person=OuterRef("pk"), **conditions, **in_period))


def with_caseload_columns(user: User, pks: list[int]) -> list[YoungPerson]:
    """One page of files, in the given order, with the caseload columns (last follow-up,
    next appointment, overdue steps). Computed for the page only: annotating the whole
    filtered list before LIMIT costs three subqueries per file of the organisation on
    SQLite, which evaluates them before sorting."""
    rows = caseload(user, scope="organization").filter(pk__in=pks)
    by_pk = {young_person.pk: young_person for young_person in rows}
    return [by_pk[pk] for pk in pks if pk in by_pk]


def waiting_referrals(
    user: User, organization: Organization, *, direction: str, referent_id: int | None = None
) -> QuerySet[Referral]:
    """Referrals waiting for an answer: sent by the organisation's young people's files
    (optionally of one referent), or received by the organisation. Oldest first."""
    qs = referrals_visible(user).filter(status__in=AWAITING_ANSWER)
    if direction == ReferralDirection.RECEIVED:
        qs = qs.filter(to_organization_id=organization.pk)
    else:
        qs = qs.filter(
            from_organization_id=organization.pk,
            young_person__organization_id=organization.pk,
        )
        if referent_id is not None:
            qs = qs.filter(young_person__referent_id=referent_id)
    return qs.order_by("sent_at", "pk")


# --- delegations ---------------------------------------------------------------------------


def running_delegations(
    user: User, organization: Organization
) -> QuerySet[YoungPersonUserObjectPermission]:
    """Delegations still running on the organisation's files, soonest to end first.

    `delegate_is_member` is False when the delegate has left the organisation: the row
    still exists but grants nothing (cases.querysets requires a casework membership).
    """
    files = organization_young_people(user, organization).order_by().values("pk")
    return (
        YoungPersonUserObjectPermission.objects.filter(
            content_object__in=files,
            permission__codename=DELEGATION_CODENAME,
            permission__content_type__app_label="cases",
            expires_at__gt=timezone.now(),
        )
        .annotate(
            delegate_is_member=Exists(
                Membership.objects.filter(
                    user=OuterRef("user"),
                    organization=organization,
                    is_active=True,
                    role__in=CASEWORK_ROLES,
                )
            )
        )
        .select_related("user", "granted_by", "content_object", "content_object__referent")
        .order_by("expires_at", "content_object__last_name", "pk")
    )
