"""Thin views: fetch through a scoped selector (404 when out of reach), call a service,
render. Domain errors become messages on the form, never a 500."""

from contextlib import nullcontext

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import access_working_organization
from accounts.enums import CASEWORK_ROLES, Role
from accounts.selectors import (
    casework_organizations,
    organization_advisors,
    organization_for,
)
from cases import selectors, services
from cases.access import (
    access_application,
    access_delegations,
    access_document,
    access_own_step_type,
    access_step,
    access_young_person,
)
from cases.downloads import document_response
from cases.enums import AccessAction, AccessChannel, AccessLevel
from cases.filters import caseload_query
from cases.forms import (
    ApplicationForm,
    DelegationForm,
    DiagnosticForm,
    DocumentForm,
    FollowUpForm,
    StepForm,
    StepsAddForm,
    StepTypeForm,
    YoungPersonCreateForm,
    YoungPersonUpdateForm,
)
from cases.models import Application, YoungPerson
from core import form_tokens
from core.access import as_pk
from core.exceptions import DomainError, DuplicateSuspected, NotFound
from core.pagination import querystring_without_page
from history.display import entry_views


def _file_url(young_person: YoungPerson) -> str:
    return reverse("cases:detail", args=[young_person.pk])


def caseload(request: HttpRequest) -> HttpResponse:
    if not casework_organizations(request.user):
        raise Http404
    query = caseload_query(request)
    filterset = query.filterset
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page = Paginator(rows, settings.CASELOAD_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/caseload.html",
        {
            "filter": filterset,
            "page": page,
            "scope": query.scope,
            "can_see_org": query.supervised is not None,
            "supervised_organization": query.supervised,
            "querystring": querystring_without_page(request),
        },
    )


def directory(request: HttpRequest) -> HttpResponse:
    if not casework_organizations(request.user):
        raise Http404
    query = request.GET.get("q", "").strip()[:100]
    results = None
    if query:
        qs = selectors.young_people_reachable(request.user)
        for word in query.split()[:5]:
            qs = qs.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
        results = Paginator(qs.order_by("last_name", "first_name", "pk"), 25).get_page(
            request.GET.get("page")
        )
    return render(request, "cases/directory.html", {"query": query, "page": results})


@require_http_methods(["GET", "POST"])
def young_person_create(request: HttpRequest) -> HttpResponse:
    # The file lands in the current organisation (the form page names it).
    organization = organization_for(
        request.user, roles=CASEWORK_ROLES, current=request.current_organization
    )
    if organization is None:
        raise Http404
    duplicates = []
    form = YoungPersonCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            young_person = services.young_person_create(
                actor=request.user,
                organization=organization,
                first_name=data["first_name"],
                last_name=data["last_name"],
                birth_date=data["birth_date"],
                email=data["email"],
                phone=data["phone"],
                city=data["city"],
                situation=data["situation"],
                confirm_duplicate=data["confirm_duplicate"],
            )
        except DuplicateSuspected as error:
            form.add_error(None, error.message)
            duplicates = error.matches
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The file was created."))
            return redirect(_file_url(young_person))
    return render(
        request,
        "cases/young_person_form.html",
        {"form": form, "duplicates": duplicates, "organization": organization},
    )


def _log_read(request: HttpRequest, young_person: YoungPerson, action: str, detail="") -> None:
    """A page that shows content of one file: one access-log entry (README, "Read log")."""
    services.access_log_record(
        user=request.user,
        young_person=young_person,
        action=action,
        channel=AccessChannel.WEB,
        detail=detail,
    )


def young_person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    young_person = access_young_person(request.user, pk, level=AccessLevel.DIRECTORY)
    if young_person.access == AccessLevel.DIRECTORY:
        _log_read(request, young_person, AccessAction.VIEW_CARD)
        return render(request, "cases/directory_card.html", {"young_person": young_person})
    _log_read(request, young_person, AccessAction.VIEW_FILE)
    return render(
        request,
        "cases/young_person_detail.html",
        {
            "yp": young_person,
            "file": selectors.young_person_file(young_person),
            "can_delegate": selectors.can_manage_delegations(request.user, young_person),
        },
    )


@require_http_methods(["GET", "POST"])
def young_person_update(request: HttpRequest, pk: int) -> HttpResponse:
    young_person = access_young_person(request.user, pk)
    form = YoungPersonUpdateForm(
        request.POST or None, instance=young_person, initial={"version": young_person.version}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        # Reload: the form mutated the instance while validating.
        young_person.refresh_from_db()
        try:
            services.young_person_update(
                actor=request.user, young_person=young_person, version=version, **data
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The file was updated."))
            return redirect(_file_url(young_person))
    # The form shows identity, contact and situation.
    _log_read(request, young_person, AccessAction.VIEW_FILE, _("edit form"))
    return render(request, "cases/young_person_edit.html", {"form": form, "yp": young_person})


def _form_page(
    request,
    young_person,
    form,
    title,
    on_valid,
    *,
    template="cases/simple_form.html",
    multipart=False,
    read=None,
):
    """The shared shape of every "add X to this file" page.

    The page renders a one-time token: posted twice, the form saves once. A POST without
    a token (a script, an older page) is saved as before. `read` (what the form shows of
    the file, as an access-log detail) logs the page when it shows a record's content: an
    edit form does, an empty "add" form shows only the name."""
    token = form_tokens.posted(request)
    if request.method == "POST" and form.is_valid():
        try:
            # The token is taken in the transaction that saves: a refused save gives it back.
            with transaction.atomic() if token else nullcontext():
                if token and not form_tokens.take(user=request.user, token=token):
                    messages.info(request, _("This form was already saved; nothing was added."))
                    return redirect(_file_url(young_person))
                on_valid(form.cleaned_data)
        except NotFound:
            raise
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Saved."))
            return redirect(_file_url(young_person))
    if read is not None:
        _log_read(request, young_person, AccessAction.VIEW_RECORDS, read)
    return render(
        request,
        template,
        {
            "form": form,
            "yp": young_person,
            "title": title,
            "multipart": multipart,
            "form_token": form_tokens.for_page(request),
        },
    )


@require_http_methods(["GET", "POST"])
def diagnostic_create(request: HttpRequest, pk: int) -> HttpResponse:
    young_person = access_young_person(request.user, pk)
    form = DiagnosticForm(request.POST or None)

    def save(data):
        notes = data.pop("notes", "")
        services.diagnostic_record(
            actor=request.user, young_person=young_person, answers=data, notes=notes
        )

    return _form_page(request, young_person, form, _("New digital diagnostic"), save)


@require_POST
def steps_add(request: HttpRequest, pk: int) -> HttpResponse:
    young_person = access_young_person(request.user, pk)
    form = StepsAddForm(
        request.POST, step_types=selectors.step_types_for(young_person.organization_id)
    )
    if form.is_valid():
        try:
            created = services.steps_add(
                actor=request.user,
                young_person=young_person,
                step_types=list(form.cleaned_data["step_types"]),
                due_date=form.cleaned_data["due_date"],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                ngettext("%(count)d step added.", "%(count)d steps added.", len(created))
                % {"count": len(created)},
            )
    else:
        messages.error(request, _("Choose at least one step from the catalogue."))
    return redirect(_file_url(young_person) + "#steps")


@require_http_methods(["GET", "POST"])
def step_update(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    step = access_step(request.user, step_pk, young_person_pk=pk)
    young_person = step.young_person
    form = StepForm(request.POST or None, instance=step)

    def save(data):
        step.refresh_from_db()
        services.step_update(actor=request.user, step=step, **data)

    title = step.step_type.label
    read = _("step: %(label)s") % {"label": title}
    return _form_page(
        request, young_person, form, title, save, template="cases/step_form.html", read=read
    )


@require_http_methods(["GET", "POST"])
def follow_up_create(request: HttpRequest, pk: int) -> HttpResponse:
    young_person = access_young_person(request.user, pk)
    form = FollowUpForm(request.POST or None)

    def save(data):
        services.follow_up_create(actor=request.user, young_person=young_person, **data)

    return _form_page(request, young_person, form, _("Log a follow-up"), save)


@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, pk: int, app_pk: int | None = None) -> HttpResponse:
    application: Application | None = None
    if app_pk is None:
        young_person = access_young_person(request.user, pk)
    else:
        application = access_application(request.user, app_pk, young_person_pk=pk)
        young_person = application.young_person
    form = ApplicationForm(request.POST or None, instance=application, young_person=young_person)

    def save(data):
        if application is not None:
            application.refresh_from_db()
        services.application_save(
            actor=request.user, young_person=young_person, application=application, **data
        )

    title = _("Edit application") if application else _("New application")
    # The log names the kind of record: it must not copy the content of the file.
    read = _("application") if application is not None else None
    return _form_page(request, young_person, form, title, save, read=read)


@require_http_methods(["GET", "POST"])
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    young_person = access_young_person(request.user, pk)
    form = DocumentForm(request.POST or None, request.FILES or None)

    def save(data):
        services.document_upload(
            actor=request.user,
            young_person=young_person,
            kind=data["kind"],
            title=data["title"],
            upload=data["file"],
        )

    return _form_page(request, young_person, form, _("Add a document"), save, multipart=True)


def document_download(request: HttpRequest, pk: int, doc_pk: int) -> FileResponse:
    document = access_document(request.user, doc_pk, young_person_pk=pk)
    return document_response(document, user=request.user, channel=AccessChannel.WEB)


@require_POST
def document_delete(request: HttpRequest, pk: int, doc_pk: int) -> HttpResponse:
    document = access_document(request.user, doc_pk, young_person_pk=pk)
    services.document_delete(actor=request.user, document=document)
    messages.success(request, _("The document was deleted."))
    return redirect(_file_url(document.young_person) + "#documents")


@require_http_methods(["GET", "POST"])
def delegations(request: HttpRequest, pk: int) -> HttpResponse:
    young_person = access_delegations(request.user, pk)
    colleagues = organization_advisors(young_person.organization_id).exclude(
        pk=young_person.referent_id
    )
    form = DelegationForm(request.POST or None, colleagues=colleagues)
    if request.method == "POST" and form.is_valid():
        try:
            services.delegation_grant(
                actor=request.user,
                young_person=young_person,
                grantee=form.cleaned_data["grantee"],
                ends_on=form.cleaned_data["ends_on"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Access delegated."))
            return redirect(reverse("cases:delegations", args=[young_person.pk]))
    return render(
        request,
        "cases/delegations.html",
        {
            "yp": young_person,
            "form": form,
            "delegations": selectors.young_person_delegations(young_person),
        },
    )


@require_POST
def delegation_revoke(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    young_person = access_delegations(request.user, pk)
    grant = selectors.young_person_delegations(young_person).filter(user_id=as_pk(user_pk)).first()
    if grant is None:
        raise NotFound
    services.delegation_revoke(actor=request.user, young_person=young_person, grantee=grant.user)
    messages.success(request, _("Delegation revoked."))
    return redirect(reverse("cases:delegations", args=[young_person.pk]))


def access_log(request: HttpRequest, pk: int) -> HttpResponse:
    # Not logged itself: it shows who read the file, not the file (README, "Read log").
    young_person = access_young_person(request.user, pk)
    page = Paginator(selectors.access_log_for(young_person), 50).get_page(request.GET.get("page"))
    return render(request, "cases/access_log.html", {"yp": young_person, "page": page})


def history(request: HttpRequest, pk: int) -> HttpResponse:
    """The file's history of changes: who changed what, when, through which channel, with
    the values before and after. Same access as the file's content, and logged as a view."""
    young_person = access_young_person(request.user, pk)
    services.access_log_record(
        user=request.user,
        young_person=young_person,
        action=AccessAction.VIEW_FILE,
        detail=_("History of changes"),
    )
    page = Paginator(selectors.history_for(young_person), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/history.html",
        {"yp": young_person, "page": page, "entries": entry_views(page.object_list)},
    )


@require_http_methods(["GET", "POST"])
def catalogue(request: HttpRequest) -> HttpResponse:
    organization = access_working_organization(
        request.user, roles={Role.ORG_ADMIN}, current=request.current_organization
    )
    form = StepTypeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.step_type_create(
                actor=request.user, organization=organization, **form.cleaned_data
            )
        except DomainError as error:
            form.add_error("code", error.message)
        else:
            messages.success(request, _("Step added to the catalogue."))
            return redirect("cases:catalogue")
    return render(
        request,
        "cases/catalogue.html",
        {
            "organization": organization,
            "form": form,
            "defaults": selectors.default_step_types(),
            "own": selectors.organization_step_types(organization.pk),
        },
    )


@require_POST
def catalogue_toggle(request: HttpRequest, step_type_pk: int) -> HttpResponse:
    organization = access_working_organization(
        request.user, roles={Role.ORG_ADMIN}, current=request.current_organization
    )
    step_type = access_own_step_type(organization, step_type_pk)
    services.step_type_set_active(
        actor=request.user, step_type=step_type, is_active=not step_type.is_active
    )
    return redirect("cases:catalogue")


def home(request: HttpRequest) -> HttpResponse:
    membership = request.current_membership
    if membership and membership.role in CASEWORK_ROLES:
        return redirect("cases:caseload")
    return render(request, "home.html", {"Role": Role})
