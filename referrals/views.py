"""Referral pages. Both sides see the referral record; only grant holders see the shared
sections, and only while the referral is accepted."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.enums import CASEWORK_ROLES, OrganizationKind, Role
from accounts.selectors import casework_organizations, organization_for
from cases import selectors as case_selectors
from cases.diagnostics import referral_reasons
from cases.downloads import document_response
from core.exceptions import DomainError
from referrals import pdf, selectors, services, workflow
from referrals import webhooks as webhook_services
from referrals.enums import ReferralReason, ReferralStatus, SharedSection, Side
from referrals.filters import ReferralFilter
from referrals.forms import (
    AcceptForm,
    CancelForm,
    CompleteForm,
    DeclineForm,
    HandlerForm,
    LinkForm,
    MessageForm,
    ReferralForm,
    WebhookEndpointForm,
)
from referrals.models import Referral


def _referral_or_404(request: HttpRequest, pk: int) -> Referral:
    referral = selectors.referral_get(request.user, pk)
    if referral is None:
        raise Http404
    return referral


def _inbox(request: HttpRequest, qs, template_title: str, side: str, organization) -> HttpResponse:
    counts = selectors.status_counts(qs)
    filterset = ReferralFilter(request.GET, queryset=qs)
    rows = selectors.waiting_first(filterset.qs) if filterset.is_valid() else qs.none()
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "referrals/inbox.html",
        {
            "title": template_title,
            "side": side,
            "organization": organization,
            "filter": filterset,
            "page": page,
            "counts": [(ReferralStatus(s).label, s, n) for s, n in counts.items()],
            "querystring": query.urlencode(),
        },
    )


def received(request: HttpRequest) -> HttpResponse:
    if not selectors.destination_org_ids(request.user):
        raise Http404
    organization = organization_for(
        request.user, roles=selectors.DESTINATION_ROLES, current=request.current_organization
    )
    return _inbox(
        request,
        selectors.referrals_received(request.user, organization=organization),
        _("Referrals received"),
        Side.DESTINATION,
        organization,
    )


def sent(request: HttpRequest) -> HttpResponse:
    if not casework_organizations(request.user):
        raise Http404
    organization = organization_for(
        request.user, roles=CASEWORK_ROLES, current=request.current_organization
    )
    return _inbox(
        request,
        selectors.referrals_sent(request.user, organization=organization),
        _("Referrals sent"),
        Side.SENDER,
        organization,
    )


def _detail_context(request: HttpRequest, referral: Referral, **forms) -> dict:
    user = request.user
    destination = selectors.is_destination(user, referral)
    sender = selectors.is_sender(user, referral)
    handlers = selectors.destination_handlers(referral.to_organization_id)
    sides = {Side.DESTINATION} if destination else set()
    if sender:
        sides.add(Side.SENDER)
    allowed = {t for side in sides for t in workflow.targets_from(referral.status, side)}
    context = {
        "referral": referral,
        "is_destination": destination,
        "is_sender": sender,
        "events": list(referral.events.select_related("actor")),
        "messages_list": list(referral.messages.select_related("author")),
        "can_accept": ReferralStatus.ACCEPTED in allowed,
        "can_decline": ReferralStatus.DECLINED in allowed,
        "can_complete": ReferralStatus.COMPLETED in allowed,
        "can_cancel": ReferralStatus.CANCELLED in allowed,
        "can_see_file": selectors.can_see_shared_file(user, referral),
        "accept_form": forms.get("accept_form") or AcceptForm(handlers=handlers),
        "decline_form": forms.get("decline_form") or DeclineForm(),
        "complete_form": forms.get("complete_form") or CompleteForm(),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "handler_form": forms.get("handler_form")
        or HandlerForm(handlers=handlers, initial={"handler": referral.handler_id}),
        "message_form": forms.get("message_form") or MessageForm(),
        "duplicates": [],
    }
    is_open = referral.status in (ReferralStatus.SENT, ReferralStatus.ACCEPTED)
    if destination and is_open and referral.linked_young_person_id is None:
        duplicates = selectors.possible_duplicates_at_destination(referral)
        context["duplicates"] = list(duplicates)
        context["link_form"] = LinkForm(candidates=duplicates)
    return context


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral_or_404(request, pk)
    return render(request, "referrals/detail.html", _detail_context(request, referral))


def _action(request: HttpRequest, pk: int, form_name: str, form, perform) -> HttpResponse:
    referral = _referral_or_404(request, pk)
    if form.is_valid():
        try:
            perform(referral, form.cleaned_data)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("referrals:detail", pk=referral.pk)
        messages.success(request, _("Saved."))
        return redirect("referrals:detail", pk=referral.pk)
    context = _detail_context(request, referral, **{form_name: form})
    return render(request, "referrals/detail.html", context, status=400)


@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral_or_404(request, pk)
    form = AcceptForm(
        request.POST, handlers=selectors.destination_handlers(referral.to_organization_id)
    )
    return _action(
        request,
        pk,
        "accept_form",
        form,
        lambda r, d: services.referral_accept(
            actor=request.user, referral=r, handler=d["handler"], note=d["note"]
        ),
    )


@require_POST
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        "decline_form",
        DeclineForm(request.POST),
        lambda r, d: services.referral_decline(
            actor=request.user, referral=r, reason=d["reason"], note=d["note"]
        ),
    )


@require_POST
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        "complete_form",
        CompleteForm(request.POST),
        lambda r, d: services.referral_complete(
            actor=request.user,
            referral=r,
            outcome_code=d["outcome_code"],
            outcome_note=d["outcome_note"],
        ),
    )


@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        "cancel_form",
        CancelForm(request.POST),
        lambda r, d: services.referral_cancel(actor=request.user, referral=r, note=d["note"]),
    )


@require_POST
def assign_handler(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral_or_404(request, pk)
    form = HandlerForm(
        request.POST, handlers=selectors.destination_handlers(referral.to_organization_id)
    )
    return _action(
        request,
        pk,
        "handler_form",
        form,
        lambda r, d: services.referral_assign_handler(
            actor=request.user, referral=r, handler=d["handler"]
        ),
    )


@require_POST
def post_message(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        "message_form",
        MessageForm(request.POST),
        lambda r, d: services.referral_message_post(actor=request.user, referral=r, body=d["body"]),
    )


@require_POST
def link_file(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral_or_404(request, pk)
    if not selectors.is_destination(request.user, referral):
        raise Http404
    form = LinkForm(request.POST, candidates=selectors.possible_duplicates_at_destination(referral))
    return _action(
        request,
        pk,
        "link_form",
        form,
        lambda r, d: services.referral_link_file(
            actor=request.user, referral=r, young_person=d["young_person"]
        ),
    )


def shared_file(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral_or_404(request, pk)
    if not selectors.can_see_shared_file(request.user, referral):
        raise Http404
    services.record_shared_file_view(actor=request.user, referral=referral)
    return render(
        request,
        "referrals/shared_file.html",
        {"referral": referral, "shared": selectors.shared_file(referral), "Section": SharedSection},
    )


def shared_document(request: HttpRequest, pk: int, doc_pk: int) -> FileResponse:
    referral = _referral_or_404(request, pk)
    if not selectors.can_see_shared_file(request.user, referral):
        raise Http404
    document = selectors.shared_document(referral, doc_pk)
    if document is None:
        raise Http404
    return document_response(document, user=request.user)


def sheet(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral_or_404(request, pk)
    data = pdf.referral_sheet_data(
        referral, include_shared=selectors.can_see_shared_file(request.user, referral)
    )
    if data.shared is not None:
        services.record_shared_file_view(actor=request.user, referral=referral)
    response = HttpResponse(pdf.render_referral_sheet(data), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="orientation-{referral.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, young_person_pk: int) -> HttpResponse:
    young_person = case_selectors.young_person_get_full(request.user, young_person_pk)
    if young_person is None:
        raise Http404
    organizations = selectors.destination_organizations(young_person.organization_id)
    initial = {"shared_sections": [SharedSection.IDENTITY, SharedSection.DIAGNOSTIC]}
    to = request.GET.get("to", "")
    if to.isdigit():
        initial["to_organization"] = organizations.filter(pk=int(to)).first()
    latest = young_person.diagnostics.first()
    reasons = referral_reasons(latest) if latest else []
    if reasons and request.GET.get("from") == "diagnostic":
        initial["message"] = "\n".join(f"- {r}" for r in reasons)
        initial["reason"] = (
            ReferralReason.EQUIPMENT
            if latest.lacks_equipment
            else ReferralReason.CONNECTIVITY
            if latest.lacks_connectivity
            else ReferralReason.DIGITAL_SKILLS
        )
        initial.setdefault(
            "to_organization",
            organizations.filter(kind=OrganizationKind.EMMAUS_CONNECT).first(),
        )
    form = ReferralForm(request.POST or None, organizations=organizations, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_send(actor=request.user, young_person=young_person, **data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Referral sent."))
            return redirect(reverse("referrals:detail", args=[referral.pk]))
    return render(request, "referrals/create.html", {"form": form, "yp": young_person})


def _administered_org_or_404(request: HttpRequest):
    organization = organization_for(
        request.user, roles={Role.ORG_ADMIN}, current=request.current_organization
    )
    if organization is None:
        raise Http404
    return organization


@require_http_methods(["GET", "POST"])
def webhooks(request: HttpRequest) -> HttpResponse:
    organization = _administered_org_or_404(request)
    form = WebhookEndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = webhook_services.endpoint_create(
                actor=request.user, organization=organization, url=form.cleaned_data["url"]
            )
        except DomainError as error:
            form.add_error("url", error.message)
        else:
            messages.success(request, _("Endpoint registered."))
            return redirect("referrals:webhook_deliveries", pk=endpoint.pk)
    return render(
        request,
        "referrals/webhooks.html",
        {
            "organization": organization,
            "form": form,
            "endpoints": selectors.webhook_endpoints(organization),
        },
    )


def _endpoint_or_404(request: HttpRequest, pk: int):
    organization = _administered_org_or_404(request)
    endpoint = selectors.webhook_endpoints(organization).filter(pk=pk).first()
    if endpoint is None:
        raise Http404
    return endpoint


@require_POST
def webhook_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint_or_404(request, pk)
    webhook_services.endpoint_set_active(
        actor=request.user, endpoint=endpoint, is_active=not endpoint.is_active
    )
    return redirect("referrals:webhooks")


def webhook_deliveries(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint_or_404(request, pk)
    page = Paginator(selectors.webhook_deliveries(endpoint), 50).get_page(request.GET.get("page"))
    return render(
        request, "referrals/webhook_deliveries.html", {"endpoint": endpoint, "page": page}
    )
