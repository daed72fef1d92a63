"""Reads behind the reports, exports and imports.

Everything starts from the scoped selectors of `cases` and `referrals` (DESIGN.md, "Who
sees what"): a report never shows a row its reader could not open on screen. Lists are
one query each, their figures computed by subqueries, so a 2,000-row report costs what a
2-row one does."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from accounts.enums import CASEWORK_ROLES, Role
from accounts.models import Membership, Organization, User
from accounts.selectors import active_memberships, organization_for
from cases.enums import StepStatus
from cases.models import AccessLog, FollowUp, Step, YoungPerson
from cases.selectors import caseload
from core.periods import Period
from referrals.enums import ReferralStatus
from referrals.models import Referral

# --- who may run which report ----------------------------------------------------------


def supervised_organizations(user: User) -> list[Organization]:
    return [m.organization for m in active_memberships(user) if m.role == Role.SUPERVISOR]


def supervised_organization_get(
    user: User, pk: Any, *, current: Organization | None = None
) -> Organization | None:
    """One organisation `user` supervises; when `pk` is empty, the current organisation if
    supervised, else the first one."""
    organizations = supervised_organizations(user)
    if pk in (None, ""):
        return organization_for(user, roles={Role.SUPERVISOR}, current=current)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return next((o for o in organizations if o.pk == pk), None)


def import_organization(user: User, *, current: Organization | None = None) -> Organization | None:
    """Where an import lands: the importer's current organisation if they do casework
    there, else their first casework organisation."""
    return organization_for(user, roles=CASEWORK_ROLES, current=current)


def reportable_advisors(user: User) -> list[tuple[Organization, list[User]]]:
    """The colleagues whose caseload report a supervisor may print, by organisation."""
    organizations = supervised_organizations(user)
    if not organizations:
        return []
    by_org: dict[int, list[User]] = {o.pk: [] for o in organizations}
    memberships = (
        Membership.objects.filter(
            organization_id__in=list(by_org),
            is_active=True,
            role__in=CASEWORK_ROLES,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    for membership in memberships:
        by_org[membership.organization_id].append(membership.user)
    return [(o, by_org[o.pk]) for o in organizations]


def reportable_advisor_get(user: User, pk: Any) -> tuple[User, Organization] | None:
    """An advisor (or supervisor) of an organisation `user` supervises, or None."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    for organization, advisors in reportable_advisors(user):
        for advisor in advisors:
            if advisor.pk == pk:
                return advisor, organization
    return None


# --- caseload report -------------------------------------------------------------------


def with_step_counts(qs: QuerySet[YoungPerson]) -> QuerySet[YoungPerson]:
    """Adds `steps_done` and `steps_total` (steps that apply: not "not applicable")."""
    applicable = (
        Step.objects.filter(young_person=OuterRef("pk"))
        .exclude(status=StepStatus.NOT_APPLICABLE)
        .order_by()
        .values("young_person")
    )
    done = applicable.filter(status=StepStatus.DONE).annotate(n=Count("pk")).values("n")
    total = applicable.annotate(n=Count("pk")).values("n")
    return qs.annotate(
        steps_done=Coalesce(Subquery(done, output_field=IntegerField()), 0),
        steps_total=Coalesce(Subquery(total, output_field=IntegerField()), 0),
    )


def caseload_report_rows(
    user: User, *, referent: User | None = None, organization: Organization | None = None
) -> QuerySet[YoungPerson]:
    """The rows of a caseload report, in one query.

    No argument: the user's own caseload. `referent` (with `organization`): that advisor's
    files in an organisation the user supervises. `organization` alone: the whole
    organisation. The caller checks the supervision first; the queryset is scoped anyway.
    """
    if referent is None and organization is None:
        qs = caseload(user, scope="mine").order_by("last_name", "first_name", "pk")
    else:
        qs = caseload(user, scope="organization").filter(organization=organization)
        if referent is not None:
            qs = qs.filter(referent=referent).order_by("last_name", "first_name", "pk")
        else:
            qs = qs.order_by(
                "referent__last_name", "referent__first_name", "last_name", "first_name", "pk"
            )
    return with_step_counts(qs)


# --- periods and activity --------------------------------------------------------------


def previous_month(today: date | None = None) -> Period:
    today = today or timezone.localdate()
    end = today.replace(day=1) - timedelta(days=1)
    return Period(start=end.replace(day=1), end=end)


@dataclass(frozen=True)
class StepRate:
    label: str
    existing: int  # steps on files at the end of the period, "not applicable" left out
    done_in_period: int

    @property
    def rate(self) -> float | None:
        return self.done_in_period / self.existing if self.existing else None


@dataclass(frozen=True)
class ActivityFigures:
    people_accompanied: int
    new_files: int
    follow_ups: int
    follow_up_minutes: int
    step_rates: tuple[StepRate, ...]
    referrals_sent: int
    referral_statuses: tuple[tuple[str, int], ...]  # (status code, count), every status
    referral_outcomes: tuple[tuple[str, int], ...]  # (outcome code, count), seen codes only


def activity_figures(organization: Organization, period: Period) -> ActivityFigures:
    """What a funder asks for, over a period, in five queries whatever the volume."""
    in_period = {"gte": period.starts_at, "lt": period.ends_before}
    follow_ups = FollowUp.objects.filter(
        young_person__organization=organization,
        occurred_at__gte=in_period["gte"],
        occurred_at__lt=in_period["lt"],
    ).aggregate(
        n=Count("pk"),
        minutes=Coalesce(Sum("duration_minutes"), 0),
        people=Count("young_person", distinct=True),
    )
    new_files = YoungPerson.objects.filter(
        organization=organization,
        created_at__gte=in_period["gte"],
        created_at__lt=in_period["lt"],
    ).count()
    step_rows = (
        Step.objects.filter(young_person__organization=organization, created_at__lt=in_period["lt"])
        .exclude(status=StepStatus.NOT_APPLICABLE)
        .order_by()
        .values("step_type_id", "step_type__label", "step_type__order")
        .annotate(
            existing=Count("pk"),
            done_in_period=Count(
                "pk",
                filter=Q(
                    status=StepStatus.DONE,
                    completed_at__gte=in_period["gte"],
                    completed_at__lt=in_period["lt"],
                ),
            ),
        )
        .order_by("step_type__order", "step_type__label")
    )
    referrals = Referral.objects.filter(
        from_organization=organization,
        sent_at__gte=in_period["gte"],
        sent_at__lt=in_period["lt"],
    ).order_by()
    by_status = {
        row["status"]: row["n"] for row in referrals.values("status").annotate(n=Count("pk"))
    }
    outcomes = (
        referrals.exclude(outcome_code="")
        .values("outcome_code")
        .annotate(n=Count("pk"))
        .order_by("-n", "outcome_code")
    )
    return ActivityFigures(
        people_accompanied=follow_ups["people"],
        new_files=new_files,
        follow_ups=follow_ups["n"],
        follow_up_minutes=follow_ups["minutes"],
        step_rates=tuple(
            StepRate(row["step_type__label"], row["existing"], row["done_in_period"])
            for row in step_rows
        ),
        referrals_sent=sum(by_status.values()),
        referral_statuses=tuple((s, by_status.get(s, 0)) for s in ReferralStatus.values),
        referral_outcomes=tuple((row["outcome_code"], row["n"]) for row in outcomes),
    )


# --- the young person's own view -------------------------------------------------------


@dataclass(frozen=True)
class AccessSummaryLine:
    name: str  # empty when the account no longer exists
    organizations: str
    day: date
    times: int


def access_summary(young_person: YoungPerson, *, limit: int = 20) -> list[AccessSummaryLine]:
    """Who looked at the file, one line per person and day, most recent first (2 queries)."""
    rows = list(
        AccessLog.objects.filter(young_person=young_person)
        .annotate(day=TruncDate("at"))
        .values("user_id", "user__first_name", "user__last_name", "user__username", "day")
        .annotate(times=Count("pk"), last=Max("at"))
        .order_by("-day", "-last")[:limit]
    )
    user_ids = {row["user_id"] for row in rows if row["user_id"]}
    organizations: dict[int, list[str]] = {}
    for membership in (
        Membership.objects.filter(user_id__in=user_ids, is_active=True)
        .select_related("organization")
        .order_by("organization__name")
    ):
        organizations.setdefault(membership.user_id, []).append(membership.organization.name)
    lines = []
    for row in rows:
        name = ""
        if row["user_id"]:
            full = f"{row['user__first_name']} {row['user__last_name']}".strip()
            name = full or row["user__username"]
        lines.append(
            AccessSummaryLine(
                name=name,
                organizations=", ".join(organizations.get(row["user_id"], [])),
                day=row["day"],
                times=row["times"],
            )
        )
    return lines


def access_log_rows(young_person: YoungPerson) -> QuerySet[AccessLog]:
    return young_person.access_logs.select_related("user").order_by("-at", "-pk")
