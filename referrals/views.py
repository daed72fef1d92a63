"""Referral pages. Both sides see the referral record; only grant holders see the shared
sections, and only while the referral is accepted."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import access_working_organization
from accounts.enums import OrganizationKind, Role
from accounts.selectors import casework_organizations
from cases import services as case_services
from cases.access import access_young_person
from cases.diagnostics import referral_reasons
from cases.downloads import document_response
from cases.enums import AccessAction, AccessChannel
from core.exceptions import DomainError
from core.pagination import querystring_without_page
from referrals import pdf, selectors, services, workflow
from referrals import webhooks as webhook_services
from referrals.access import (
    access_referral,
    access_shared_document,
    access_shared_file,
    access_webhook_endpoint,
)
from referrals.enums import ReferralReason, ReferralStatus, SharedSection, Side
from referrals.filters import ReferralFilter
from referrals.forms import (
    HandlerForm,
    LinkForm,
    MessageForm,
    ReferralForm,
    WebhookEndpointForm,
    transition_form,
)
from referrals.models import Referral

SECRET_ONCE_SESSION_KEY = "webhook_secret_once"


def _inbox(request: HttpRequest, side: str, title: str) -> HttpResponse:
    organization, qs = selectors.referrals_of_side(
        request.user, side=side, current=request.current_organization
    )
    counts = selectors.status_counts(qs)
    filterset = ReferralFilter(request.GET, queryset=qs)
    rows = selectors.waiting_first(filterset.qs) if filterset.is_valid() else qs.none()
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "referrals/inbox.html",
        {
            "title": title,
            "side": side,
            "organization": organization,
            "filter": filterset,
            "page": page,
            "counts": [(ReferralStatus(s).label, s, n) for s, n in counts.items()],
            "querystring": querystring_without_page(request),
        },
    )


def received(request: HttpRequest) -> HttpResponse:
    if not selectors.destination_org_ids(request.user):
        raise Http404
    return _inbox(request, Side.DESTINATION, _("Referrals received"))


def sent(request: HttpRequest) -> HttpResponse:
    if not casework_organizations(request.user):
        raise Http404
    return _inbox(request, Side.SENDER, _("Referrals sent"))


def _detail_context(request: HttpRequest, referral: Referral, **forms) -> dict:
    user = request.user
    destination = selectors.is_destination(user, referral)
    sender = selectors.is_sender(user, referral)
    handlers = selectors.destination_handlers(referral.to_organization_id)
    sides = {Side.DESTINATION} if destination else set()
    if sender:
        sides.add(Side.SENDER)
    allowed = workflow.actions_from(referral.status, sides)
    context = {
        "referral": referral,
        "is_destination": destination,
        "is_sender": sender,
        "events": list(referral.events.select_related("actor")),
        "messages_list": list(referral.messages.select_related("author")),
        "can_see_file": selectors.can_see_shared_file(user, referral),
        "handler_form": forms.get("handler_form")
        or HandlerForm(handlers=handlers, initial={"handler": referral.handler_id}),
        "message_form": forms.get("message_form") or MessageForm(),
        "duplicates": [],
    }
    # For each action of the workflow table: `can_<action>` and `<action>_form`.
    for action in workflow.ACTIONS:
        context[f"can_{action}"] = action in allowed
        context[f"{action}_form"] = forms.get(f"{action}_form") or transition_form(
            action, handlers=handlers
        )
    if destination and referral.is_open and referral.linked_young_person_id is None:
        duplicates = selectors.possible_duplicates_at_destination(referral)
        context["duplicates"] = list(duplicates)
        context["link_form"] = LinkForm(candidates=duplicates)
    return context


def _render_detail(request: HttpRequest, referral: Referral, status: int = 200, **forms):
    """The referral page shows the record (reason, message, notes, outcome, messages):
    logged as a read of the file it was made from."""
    services.record_referral_view(actor=request.user, referral=referral)
    context = _detail_context(request, referral, **forms)
    return render(request, "referrals/detail.html", context, status=status)


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = access_referral(request.user, pk)
    return _render_detail(request, referral)


def _action(request: HttpRequest, pk: int, form_name: str, form, perform) -> HttpResponse:
    referral = access_referral(request.user, pk)
    if form.is_valid():
        try:
            perform(referral, form.cleaned_data)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("referrals:detail", pk=referral.pk)
        messages.success(request, _("Saved."))
        return redirect("referrals:detail", pk=referral.pk)
    return _render_detail(request, referral, 400, **{form_name: form})


@require_POST
def transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Every action of the workflow table (accept, decline, complete, cancel…): its form,
    then its service; referrals/urls.py gives each its URL."""
    referral = access_referral(request.user, pk)
    form = transition_form(
        action,
        request.POST,
        handlers=selectors.destination_handlers(referral.to_organization_id),
    )
    return _action(
        request,
        pk,
        f"{action}_form",
        form,
        lambda r, d: services.referral_act(actor=request.user, referral=r, action=action, **d),
    )


@require_POST
def assign_handler(request: HttpRequest, pk: int) -> HttpResponse:
    referral = access_referral(request.user, pk)
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
    referral = access_referral(request.user, pk)
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
    referral = access_shared_file(request.user, pk)
    services.record_shared_file_view(actor=request.user, referral=referral)
    return render(
        request,
        "referrals/shared_file.html",
        {"referral": referral, "shared": selectors.shared_file(referral), "Section": SharedSection},
    )


def shared_document(request: HttpRequest, pk: int, doc_pk: int) -> FileResponse:
    document = access_shared_document(request.user, pk, document_pk=doc_pk)
    return document_response(document, user=request.user)


def sheet(request: HttpRequest, pk: int) -> HttpResponse:
    referral = access_referral(request.user, pk)
    data = pdf.referral_sheet_data(
        referral, include_shared=selectors.can_see_shared_file(request.user, referral)
    )
    # One entry for the sheet: the shared sections when it carries them, else the record.
    shared = data.shared is not None
    record = services.record_shared_file_view if shared else services.record_referral_view
    record(actor=request.user, referral=referral, channel=AccessChannel.EXPORT)
    response = HttpResponse(pdf.render_referral_sheet(data), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="orientation-{referral.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, young_person_pk: int) -> HttpResponse:
    young_person = access_young_person(request.user, young_person_pk)
    organizations = selectors.destination_organizations(young_person.organization_id)
    initial = {"shared_sections": [SharedSection.IDENTITY, SharedSection.DIAGNOSTIC]}
    to = request.GET.get("to", "")
    if to.isdigit():
        initial["to_organization"] = organizations.filter(pk=int(to)).first()
    latest = young_person.diagnostics.first()
    reasons = referral_reasons(latest) if latest else []
    prefilled = bool(reasons) and request.GET.get("from") == "diagnostic"
    if prefilled:
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
    if prefilled:  # the message repeats what the latest diagnostic found
        case_services.access_log_record(
            user=request.user,
            young_person=young_person,
            action=AccessAction.VIEW_RECORDS,
            detail=_("diagnostic (referral form)"),
        )
    return render(request, "referrals/create.html", {"form": form, "yp": young_person})


def _administered_organization(request: HttpRequest):
    return access_working_organization(
        request.user, roles={Role.ORG_ADMIN}, current=request.current_organization
    )


@require_http_methods(["GET", "POST"])
def webhooks(request: HttpRequest) -> HttpResponse:
    organization = _administered_organization(request)
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
            # The secret is shown once, on the next page, to the admin who created it.
            request.session[SECRET_ONCE_SESSION_KEY] = endpoint.pk
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


@require_POST
def webhook_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = access_webhook_endpoint(_administered_organization(request), pk)
    webhook_services.endpoint_set_active(
        actor=request.user, endpoint=endpoint, is_active=not endpoint.is_active
    )
    return redirect("referrals:webhooks")


def webhook_deliveries(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = access_webhook_endpoint(_administered_organization(request), pk)
    page = Paginator(selectors.webhook_deliveries(endpoint), 50).get_page(request.GET.get("page"))
    show_secret = request.session.pop(SECRET_ONCE_SESSION_KEY, None) == endpoint.pk
    return render(
        request,
        "referrals/webhook_deliveries.html",
        {"endpoint": endpoint, "page": page, "show_secret": show_secret},
    )
