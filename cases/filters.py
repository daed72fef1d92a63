"""Filters (django-filter) of the caseload and of the lists of a file's records, shared
by the web lists and the API."""

from dataclasses import dataclass
from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.enums import Role
from accounts.models import Organization
from accounts.selectors import organization_for
from cases import validators
from cases.enums import StepStatus, YoungPersonStatus
from cases.models import Application, DigitalDiagnostic, Document, FollowUp, Step, YoungPerson
from cases.selectors import (
    caseload,
    young_people_followed_since,
    young_people_with_overdue_steps,
    young_people_with_step_status,
)
from core.api.filters import IdFilter


class UpdatedSinceFilter(django_filters.IsoDateTimeFilter):
    """`updated_since`: a plausible moment of casework. The year 1 or 9999 with an offset
    cannot even be converted to UTC, a 500 instead of a 400."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("lookup_expr", "gte")
        kwargs.setdefault("validators", [validators.validate_plausible_moment])
        super().__init__(*args, **kwargs)


class YoungPersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name"), method="filter_name", max_length=100)
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=YoungPersonStatus.choices, empty_label=_("All")
    )
    step_status = django_filters.ChoiceFilter(
        label=_("Has a step"),
        choices=StepStatus.choices,
        method="filter_step_status",
        empty_label=_("Any"),
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue steps only"),
        method="filter_overdue",
        widget=django_filters.widgets.BooleanWidget,
    )
    no_follow_up_days = django_filters.NumberFilter(
        label=_("No follow-up for (days)"),
        method="filter_no_follow_up",
        min_value=1,
        max_value=3650,
    )
    # An id past the 64-bit range would overflow in the database: IdFilter refuses it
    # (the web list then ignores the filter, the API answers 400).
    referent = IdFilter(
        field_name="referent_id", label=_("Referent (user id)"), widget=forms.HiddenInput
    )
    updated_since = UpdatedSinceFilter(
        field_name="updated_at", label=_("Updated since"), widget=forms.HiddenInput
    )
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(
            ("last_name", "last_name"),
            ("birth_date", "birth_date"),
            ("last_follow_up_at", "last_follow_up_at"),
            ("next_appointment_at", "next_appointment_at"),
            ("overdue_steps", "overdue_steps"),
            ("created_at", "created_at"),
        ),
        field_labels={
            "last_name": _("Name"),
            "birth_date": _("Birth date"),
            "last_follow_up_at": _("Last follow-up"),
            "next_appointment_at": _("Next appointment"),
            "overdue_steps": _("Overdue steps"),
            "created_at": _("Created"),
        },
        empty_label=_("Name"),
    )

    class Meta:
        model = YoungPerson
        fields = [
            "q",
            "status",
            "step_status",
            "overdue",
            "no_follow_up_days",
            "referent",
            "updated_since",
        ]

    def filter_name(self, queryset, name, value):
        for word in value.split()[:5]:
            queryset = queryset.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
        return queryset

    def filter_step_status(self, queryset, name, value):
        return queryset.filter(young_people_with_step_status(value))

    def filter_overdue(self, queryset, name, value):
        if value:
            return queryset.filter(young_people_with_overdue_steps())
        return queryset

    def filter_no_follow_up(self, queryset, name, value):
        since = timezone.now() - timedelta(days=int(value))
        return queryset.filter(~young_people_followed_since(since))

    @property
    def qs(self):
        qs = super().qs
        cleaned = getattr(self.form, "cleaned_data", {})
        if not cleaned.get("ordering"):
            qs = qs.order_by("last_name", "first_name", "pk")
        else:
            qs = qs.order_by(*qs.query.order_by, "pk")
        return qs


@dataclass(frozen=True)
class CaseloadQuery:
    """The caseload as its query string asks for it: the list page and its CSV export."""

    filterset: YoungPersonFilter
    scope: str  # "mine", or "organization" for a supervisor who asks for it
    supervised: Organization | None  # the current organisation, when the user supervises it


def caseload_query(request: HttpRequest) -> CaseloadQuery:
    supervised = organization_for(
        request.user, roles={Role.SUPERVISOR}, current=request.current_organization
    )
    asked = request.GET.get("scope") == "organization"
    scope = "organization" if supervised is not None and asked else "mine"
    filterset = YoungPersonFilter(
        request.GET,
        queryset=caseload(request.user, scope=scope, organization=supervised),
    )
    return CaseloadQuery(filterset=filterset, scope=scope, supervised=supervised)


class CaseRecordFilter(django_filters.FilterSet):
    """The filter every record list shares: the young person it belongs to."""

    young_person = IdFilter(field_name="young_person_id")


class StepFilter(CaseRecordFilter):
    status = django_filters.ChoiceFilter(choices=StepStatus.choices)
    updated_since = UpdatedSinceFilter(field_name="updated_at")

    class Meta:
        model = Step
        fields = ["young_person", "status", "updated_since"]


class FollowUpFilter(CaseRecordFilter):
    updated_since = UpdatedSinceFilter(field_name="created_at")

    class Meta:
        model = FollowUp
        fields = ["young_person", "updated_since"]


class DiagnosticFilter(CaseRecordFilter):
    class Meta:
        model = DigitalDiagnostic
        fields = ["young_person"]


class ApplicationFilter(CaseRecordFilter):
    updated_since = UpdatedSinceFilter(field_name="updated_at")

    class Meta:
        model = Application
        fields = ["young_person", "status", "updated_since"]


class DocumentFilter(CaseRecordFilter):
    class Meta:
        model = Document
        fields = ["young_person", "kind"]


class YoungPersonApiFilter(YoungPersonFilter):
    referent = IdFilter(field_name="referent_id", label=_("Referent (user id)"))
    # Lists span every organisation the caller works in; this narrows to one.
    organization = IdFilter(field_name="organization_id", label=_("Organisation (id)"))
