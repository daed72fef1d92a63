"""Supervisor pages. Only supervisors of the organisation in the URL get anything; for
everyone else the organisation does not exist (404), like any object out of reach."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.access import access_supervised_organization
from accounts.enums import Role
from accounts.models import Organization
from accounts.selectors import organization_advisors, organization_for
from cases import services as case_services
from core.exceptions import DomainError
from core.periods import Period
from supervision import charts, selectors
from supervision.access import access_organization_referent
from supervision.constants import DELEGATIONS_PAGE_SIZE, DRILL_DOWN_PAGE_SIZE, REASSIGN_MAX
from supervision.enums import (
    DASHBOARD_COLUMNS,
    REFERRALS_WAITING,
    FunnelStage,
    Metric,
    ReferralDirection,
)
from supervision.forms import DrillDownForm, PeriodForm, ReassignForm, ReferralListForm


def _url(name: str, organization: Organization, query: dict | None = None) -> str:
    url = reverse(name, args=[organization.pk])
    return f"{url}?{urlencode(query)}" if query else url


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    # The current organisation when supervised there, else the first supervised one.
    organization = organization_for(
        request.user, roles={Role.SUPERVISOR}, current=request.current_organization
    )
    if organization is None:
        raise Http404
    return redirect("supervision:dashboard", org_pk=organization.pk)


def _figure_url(organization: Organization, key: str, referent_id: int | None) -> str:
    if key == REFERRALS_WAITING:
        query = {"direction": ReferralDirection.SENT.value}
        name = "supervision:referrals"
    else:
        query = {"metric": key}
        name = "supervision:young_people"
    if referent_id is not None:
        query["referent"] = referent_id
    return _url(name, organization, query)


def _cells(organization: Organization, row: selectors.AdvisorRow) -> list[dict]:
    return [
        {"label": label, "value": row.get(key), "url": _figure_url(organization, key, row.user_id)}
        for key, label in DASHBOARD_COLUMNS
    ]


def _funnel_url(organization: Organization, bar: selectors.FunnelBar, period: Period) -> str:
    if bar.stage == FunnelStage.HIRED:
        query = {"metric": Metric.HIRED.value}
    else:
        query = {"metric": Metric.STEP_DONE.value, "step": bar.stage}
    query |= {"start": period.start.isoformat(), "end": period.end.isoformat()}
    return _url("supervision:young_people", organization, query)


@require_GET
def dashboard(request: HttpRequest, org_pk: int) -> HttpResponse:
    organization = access_supervised_organization(request.user, org_pk)
    period_form = PeriodForm(request.GET)
    period = period_form.period
    data = selectors.dashboard(request.user, organization, period)
    funnel = [
        {"label": bar.label, "value": bar.value, "url": _funnel_url(organization, bar, period)}
        for bar in data.funnel
    ]
    return render(
        request,
        "supervision/dashboard.html",
        {
            "organization": organization,
            "organizations": selectors.supervised_organizations(request.user),
            "dashboard": data,
            "columns": [label for _key, label in DASHBOARD_COLUMNS],
            "rows": [
                {
                    "advisor": row,
                    "cells": _cells(organization, row),
                    "held_url": _figure_url(organization, Metric.HELD, row.user_id),
                }
                for row in data.rows
            ],
            "totals": _cells(organization, data.totals),
            "period_form": period_form,
            "funnel": funnel,
            "chart": charts.horizontal_bar_chart([(bar.label, bar.value) for bar in data.funnel]),
            "summary": {
                "active_url": _figure_url(organization, Metric.ACTIVE, None),
                "stale_url": _figure_url(organization, Metric.NO_FOLLOW_UP_30, None),
                "overdue_url": _figure_url(organization, Metric.OVERDUE_STEPS, None),
                "received_url": _url(
                    "supervision:referrals",
                    organization,
                    {"direction": ReferralDirection.RECEIVED.value},
                ),
            },
        },
    )


def _page(request_data, rows, size: int) -> Page:
    return Paginator(rows, size).get_page(request_data.get("page"))


def _list_title(metric: str, params: DrillDownForm) -> str:
    if metric == Metric.STEP_DONE:
        return _("Young people who completed “%(step)s” in the period") % {
            "step": FunnelStage(params.cleaned_data["step"]).label
        }
    return str(Metric(metric).label)


def _young_people_page(
    request: HttpRequest,
    organization: Organization,
    params: DrillDownForm,
    *,
    form: ReassignForm | None = None,
    page_number: str | None = None,
    status: int = 200,
) -> HttpResponse:
    data = params.cleaned_data
    referent = None
    if data["referent"]:
        referent = access_organization_referent(organization, data["referent"])
    rows = selectors.young_people_for_metric(
        request.user,
        organization,
        metric=data["metric"],
        referent_id=data["referent"],
        step_code=data.get("step") or None,
        period=params.period(),
    )
    page = Paginator(rows, DRILL_DOWN_PAGE_SIZE).get_page(page_number)
    page.object_list = selectors.with_caseload_columns(
        request.user, list(page.object_list.values_list("pk", flat=True))
    )
    if form is None:
        form = _reassign_form(request, organization, None)
        form.initial["expected_count"] = page.paginator.count
    selected = {str(value) for value in (form["young_people"].value() or [])}
    query = params.query()
    return render(
        request,
        "supervision/young_people.html",
        {
            "organization": organization,
            "title": _list_title(data["metric"], params),
            "referent": referent,
            "period": params.period(),
            "page": page,
            "form": form,
            "selected": selected,
            "query": query,
            "list_url": reverse("supervision:young_people", args=[organization.pk]),
            "querystring": urlencode(query),
            "reassign_max": REASSIGN_MAX,
        },
        status=status,
    )


def _reassign_form(request: HttpRequest, organization: Organization, data) -> ReassignForm:
    return ReassignForm(
        data,
        young_people=selectors.organization_young_people(request.user, organization),
        advisors=organization_advisors(organization.pk),
    )


@require_GET
def young_people(request: HttpRequest, org_pk: int) -> HttpResponse:
    organization = access_supervised_organization(request.user, org_pk)
    params = DrillDownForm(request.GET)
    if not params.is_valid():
        raise BadRequest("invalid list parameters")
    return _young_people_page(request, organization, params, page_number=request.GET.get("page"))


@require_POST
def reassign(request: HttpRequest, org_pk: int) -> HttpResponse:
    """Reassign the ticked files, or every file of the list. Any invalid or out-of-reach
    id refuses the whole request: the list comes back with the error, nothing changed."""
    organization = access_supervised_organization(request.user, org_pk)
    params = DrillDownForm(request.POST)
    if not params.is_valid():
        raise BadRequest("invalid list parameters")
    form = _reassign_form(request, organization, request.POST)
    page_number = request.POST.get("page")
    if form.is_valid():
        young_people = list(form.cleaned_data["young_people"])
        if form.cleaned_data["all_matching"]:
            rows = selectors.young_people_for_metric(
                request.user,
                organization,
                metric=params.cleaned_data["metric"],
                referent_id=params.cleaned_data["referent"],
                step_code=params.cleaned_data.get("step") or None,
                period=params.period(),
            )
            young_people = list(
                selectors.organization_young_people(request.user, organization).filter(
                    pk__in=rows.values("pk")
                )
            )
            expected = form.cleaned_data["expected_count"]
            if expected is not None and expected != len(young_people):
                form.add_error(
                    None,
                    _(
                        "The list changed since it was displayed (%(before)d files, now "
                        "%(now)d). Check it and try again; nothing was reassigned."
                    )
                    % {"before": expected, "now": len(young_people)},
                )
    if form.is_valid():
        new_referent = form.cleaned_data["new_referent"]
        try:
            count = case_services.young_people_reassign(
                actor=request.user, young_people=young_people, new_referent=new_referent
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d file reassigned to %(name)s.",
                    "%(count)d files reassigned to %(name)s.",
                    count,
                )
                % {"count": count, "name": new_referent.display_name},
            )
            return redirect(_url("supervision:young_people", organization, params.query()))
    return _young_people_page(
        request, organization, params, form=form, page_number=page_number, status=400
    )


@require_GET
def referrals(request: HttpRequest, org_pk: int) -> HttpResponse:
    organization = access_supervised_organization(request.user, org_pk)
    params = ReferralListForm(request.GET)
    if not params.is_valid():
        raise BadRequest("invalid list parameters")
    direction, referent_id = params.cleaned_data["direction"], params.cleaned_data["referent"]
    referent = None
    if referent_id:
        referent = access_organization_referent(organization, referent_id)
    rows = selectors.waiting_referrals(
        request.user, organization, direction=direction, referent_id=referent_id
    )
    query = {"direction": direction} | ({"referent": referent_id} if referent_id else {})
    return render(
        request,
        "supervision/referrals.html",
        {
            "organization": organization,
            "title": ReferralDirection(direction).label,
            "direction": direction,
            "referent": referent,
            "page": _page(request.GET, rows, DRILL_DOWN_PAGE_SIZE),
            "querystring": urlencode(query),
        },
    )


@require_GET
def delegations(request: HttpRequest, org_pk: int) -> HttpResponse:
    organization = access_supervised_organization(request.user, org_pk)
    rows = selectors.running_delegations(request.user, organization)
    return render(
        request,
        "supervision/delegations.html",
        {"organization": organization, "page": _page(request.GET, rows, DELEGATIONS_PAGE_SIZE)},
    )
