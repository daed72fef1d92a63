"""/infos/: public guides (no account needed) and their editors' pages (/infos/gerer/).

Public pages are `public_page`: no sign-in, no second factor, no JavaScript, under
60 KB. Editing pages answer 404 to whoever may not edit (guides/access.py)."""

from contextlib import nullcontext

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import access_working_organization
from accounts.enums import Role
from core import form_tokens
from core.access import as_pk
from core.decorators import public_page
from core.exceptions import Conflict, DomainError, NotFound
from core.pagination import querystring_without_page
from guides import nearby, selectors, services
from guides.access import (
    access_editable_guide,
    access_published_guide,
    can_edit_guides,
    is_platform_editor,
    linkable_step_types,
    may_edit,
)
from guides.enums import GuideStatus, GuideTopic
from guides.forms import GuideForm, SearchForm
from guides.markdown import render_markdown

PAGE_SIZE = 20
MANAGE_PAGE_SIZE = 50

TOPIC_INTROS = {
    GuideTopic.ORIENTATION: _("Find out what you want to do and who can help you."),
    GuideTopic.FORMATION: _("Learn a trade, get a diploma, find out who pays."),
    GuideTopic.EMPLOI: _("CV, applications, France Travail, job interviews."),
    GuideTopic.NUMERIQUE: _("Email, attachments, scans, passwords: the basics, step by step."),
}


def _topics_context() -> list[dict]:
    return [{"value": t.value, "label": t.label, "intro": TOPIC_INTROS[t]} for t in GuideTopic]


@public_page
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    page = None
    if query:
        page = Paginator(selectors.search_guides(query), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    return render(
        request,
        "guides/index.html",
        {
            "form": form,
            "query": query,
            "page": page,
            "topics": []
            if query
            else [
                {"summary": summary, "intro": TOPIC_INTROS[summary.topic]}
                for summary in selectors.topic_summaries()
            ],
            "querystring": querystring_without_page(request),
            "places": nearby.places(topic=None),
        },
    )


@public_page
@require_GET
def topic(request: HttpRequest, topic: str) -> HttpResponse:
    current = GuideTopic(topic)
    page = Paginator(selectors.topic_guides(current), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "guides/topic.html",
        {
            "topic": current,
            "intro": TOPIC_INTROS[current],
            "topics": _topics_context(),
            "page": page,
            "form": SearchForm(),
            "querystring": "",
            "places": nearby.places(topic=current.value),
        },
    )


@public_page
@require_GET
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    guide = access_published_guide(slug)
    return render(
        request,
        "guides/detail.html",
        {
            "guide": guide,
            "topic": GuideTopic(guide.topic),
            "body": render_markdown(guide.body),
            "related": selectors.related_guides(guide),
            "can_edit": request.user.is_authenticated and may_edit(request.user, guide),
            "places": nearby.places(topic=guide.topic),
        },
    )


# --- editors ------------------------------------------------------------------------------


def _require_editor(request: HttpRequest) -> None:
    if not can_edit_guides(request.user):
        raise Http404


@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    page = Paginator(selectors.guides_for_editor(request.user), MANAGE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "guides/manage/list.html",
        {"page": page, "querystring": "", "platform_editor": is_platform_editor(request.user)},
    )


def _form_page(request, *, form, guide, organization, preview, form_token=""):
    return render(
        request,
        "guides/manage/form.html",
        {
            "form": form,
            "guide": guide,
            "organization": organization,
            "platform_editor": is_platform_editor(request.user),
            "preview": preview,
            "form_token": form_token,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _preview(form: GuideForm):
    """The text rendered as the public page will show it (the submit "Preview" button:
    no JavaScript needed, nothing saved)."""
    if not form.is_valid():
        return None
    return {
        "title": form.cleaned_data["title"],
        "summary": form.cleaned_data["summary"],
        "body": render_markdown(form.cleaned_data["body"]),
    }


def _apply_error(form: GuideForm, error: DomainError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    if is_platform_editor(request.user):
        organization = None  # platform staff write the platform's guides
    else:
        organization = access_working_organization(
            request.user, roles={Role.ORG_ADMIN}, current=request.current_organization
        )
    step_types = linkable_step_types(request.user, organization)
    form = GuideForm(request.POST or None, step_types=step_types, creating=True)
    preview = None
    if request.method == "POST" and "preview" in request.POST:
        preview = _preview(form)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        token = form_tokens.posted(request)
        try:
            with transaction.atomic() if token else nullcontext():
                if token and not form_tokens.take(user=request.user, token=token):
                    messages.info(request, _("This form was already saved; nothing was added."))
                    return redirect("guides:manage")
                guide = services.guide_create(
                    actor=request.user,
                    organization=organization,
                    slug=data["slug"],
                    **_guide_content(data),
                )
        except NotFound:
            raise
        except DomainError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("Guide saved as a draft. Publish it when it is ready."))
            return redirect("guides:edit", pk=guide.pk)
    return _form_page(
        request,
        form=form,
        guide=None,
        organization=organization,
        preview=preview,
        form_token=form_tokens.for_page(request),
    )


def _guide_content(data: dict) -> dict:
    """What the guide form gives the create and update services alike."""
    return {
        "title": data["title"],
        "topic": data["topic"],
        "summary": data["summary"],
        "body": data["body"],
        "reviewed_on": data["reviewed_on"],
        "step_types": data.get("step_types") or [],
    }


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    guide = access_editable_guide(request.user, pk)
    step_types = linkable_step_types(request.user, guide.organization)
    initial = {
        "title": guide.title,
        "topic": guide.topic,
        "summary": guide.summary,
        "body": guide.body,
        "reviewed_on": guide.reviewed_on,
        "version": guide.version,
        "step_types": selectors.linked_step_type_ids(guide),
    }
    form = GuideForm(request.POST or None, initial=initial, step_types=step_types, creating=False)
    preview = None
    if request.method == "POST" and "preview" in request.POST:
        preview = _preview(form)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.guide_update(
                actor=request.user,
                guide=guide,
                version=data["version"],
                **_guide_content(data),
            )
        except NotFound:
            raise
        except DomainError as error:
            _apply_error(form, error)
        else:
            messages.success(
                request,
                _("Saved. The public page shows the new text.")
                if guide.is_published
                else _("Saved."),
            )
            return redirect("guides:edit", pk=guide.pk)
    return _form_page(
        request, form=form, guide=guide, organization=guide.organization, preview=preview
    )


def _set_status(request: HttpRequest, pk: int, status: str) -> HttpResponse:
    guide = access_editable_guide(request.user, pk)
    try:
        services.guide_set_status(actor=request.user, guide=guide, status=status)
    except Conflict as error:
        messages.info(request, error.message)
    else:
        messages.success(
            request,
            _("The guide is published: anyone can read it on /infos/.")
            if status == GuideStatus.PUBLISHED
            else _("The guide is withdrawn: it is a draft again, nobody else sees it."),
        )
    return redirect("guides:edit", pk=guide.pk)


@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_status(request, pk, GuideStatus.PUBLISHED)


@require_POST
def unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_status(request, pk, GuideStatus.DRAFT)


@require_GET
def history(request: HttpRequest, pk: int) -> HttpResponse:
    guide = access_editable_guide(request.user, pk)
    return render(
        request,
        "guides/manage/history.html",
        {"guide": guide, "revisions": selectors.guide_revisions(guide)},
    )


@require_GET
def revision(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    guide = access_editable_guide(request.user, pk)
    found = selectors.guide_revision(guide, as_pk(number))
    if found is None:
        raise NotFound
    return render(
        request,
        "guides/manage/revision.html",
        {"guide": guide, "revision": found, "body": render_markdown(found.body)},
    )
