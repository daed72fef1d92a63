"""Every write to a guide. Keyword-only, atomic, checking their actor (404 for a guide
the actor may not edit, as for a missing one). Each write adds a `GuideRevision` (who,
when, what the guide then said) and refreshes the search index of the guide."""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from accounts.selectors import administered_organizations
from cases.models import StepType
from core.exceptions import Conflict, DomainError, NotFound
from guides.access import is_platform_editor, linkable_step_types, may_edit
from guides.enums import GuideStatus, RevisionAction
from guides.models import Guide, GuideRevision, GuideStepType, GuideTerm
from guides.search import index_terms


class StepTypeTaken(DomainError):
    code = "step_type_taken"
    field = "step_types"


def _check_owner(actor: User, organization: Organization | None) -> None:
    if is_platform_editor(actor):
        return
    if organization is None or organization.pk not in {
        org.pk for org in administered_organizations(actor)
    }:
        raise NotFound


def _validate(guide: Guide) -> None:
    try:
        guide.full_clean(exclude=["step_types"])
    except ValidationError as error:
        first_field, messages = next(iter(error.message_dict.items()))
        field = None if first_field == "__all__" else first_field
        raise DomainError(" ".join(messages), field=field) from None


def _record(guide: Guide, *, actor: User | None, action: str) -> GuideRevision:
    last = guide.revisions.aggregate(n=Max("number"))["n"] or 0
    return GuideRevision.objects.create(
        guide=guide,
        number=last + 1,
        action=action,
        author=actor,
        created_at=guide.updated_at,
        title=guide.title,
        topic=guide.topic,
        summary=guide.summary,
        body=guide.body,
        status=guide.status,
        reviewed_on=guide.reviewed_on,
    )


def guide_reindex(guide: Guide) -> None:
    """Rewrite the search terms of one guide (its title, summary and text)."""
    GuideTerm.objects.filter(guide=guide).delete()
    terms = index_terms(title=guide.title, summary=guide.summary, body=guide.body)
    GuideTerm.objects.bulk_create(
        GuideTerm(guide=guide, term=term, weight=weight) for term, weight in terms.items()
    )


def _link_step_types(actor: User, guide: Guide, step_types: Iterable[StepType]) -> None:
    wanted = {st.pk: st for st in step_types}
    allowed = set(linkable_step_types(actor, guide.organization).values_list("pk", flat=True))
    if set(wanted) - allowed:
        raise NotFound
    taken = (
        GuideStepType.objects.filter(step_type_id__in=wanted)
        .exclude(guide=guide)
        .select_related("guide", "step_type")
        .order_by("step_type__order", "pk")
    )
    for link in taken:
        raise StepTypeTaken(
            _("The step “%(step)s” already has a guide: “%(guide)s”.")
            % {"step": link.step_type.label, "guide": link.guide.title}
        )
    GuideStepType.objects.filter(guide=guide).exclude(step_type_id__in=wanted).delete()
    present = set(GuideStepType.objects.filter(guide=guide).values_list("step_type_id", flat=True))
    GuideStepType.objects.bulk_create(
        GuideStepType(guide=guide, step_type_id=pk) for pk in sorted(set(wanted) - present)
    )


@transaction.atomic
def guide_create(
    *,
    actor: User,
    organization: Organization | None,
    slug: str,
    title: str,
    topic: str,
    summary: str,
    body: str,
    reviewed_on: date,
    step_types: Iterable[StepType] = (),
) -> Guide:
    """A new guide, as a draft, owned by `organization` (None: the platform)."""
    _check_owner(actor, organization)
    now = timezone.now()
    guide = Guide(
        organization=organization,
        slug=slug.strip(),
        title=title.strip(),
        topic=topic,
        summary=summary.strip(),
        body=body.strip(),
        reviewed_on=reviewed_on,
        status=GuideStatus.DRAFT,
        created_at=now,
        updated_at=now,
        updated_by=actor,
    )
    _validate(guide)
    guide.save()
    _link_step_types(actor, guide, step_types)
    guide_reindex(guide)
    _record(guide, actor=actor, action=RevisionAction.CREATED)
    return guide


@transaction.atomic
def guide_update(
    *,
    actor: User,
    guide: Guide,
    version: int,
    title: str,
    topic: str,
    summary: str,
    body: str,
    reviewed_on: date,
    step_types: Iterable[StepType] = (),
) -> Guide:
    """Change a guide's text. A published guide changes on /infos/ at once (the editor
    checks it with the preview first). Refused when someone saved since `version`."""
    if not may_edit(actor, guide):
        raise NotFound
    guide.title = title.strip()
    guide.topic = topic
    guide.summary = summary.strip()
    guide.body = body.strip()
    guide.reviewed_on = reviewed_on
    guide.updated_at = timezone.now()
    guide.updated_by = actor
    _validate(guide)
    fields = ["title", "topic", "summary", "body", "reviewed_on", "updated_at", "updated_by"]
    # One conditional UPDATE: of two editors working from the same version, one wins.
    saved = Guide.objects.filter(pk=guide.pk, version=version).update(
        version=F("version") + 1, **{name: getattr(guide, name) for name in fields}
    )
    if not saved:
        raise Conflict(
            _(
                "Someone saved this guide while you were editing it. Your text was not "
                "saved: copy it, reload the page and apply your changes again."
            )
        )
    guide.version = version + 1
    _link_step_types(actor, guide, step_types)
    guide_reindex(guide)
    _record(guide, actor=actor, action=RevisionAction.EDITED)
    return guide


@transaction.atomic
def guide_set_status(*, actor: User, guide: Guide, status: str) -> Guide:
    """Publish a draft or take a published guide off /infos/ (it stays, as a draft)."""
    if not may_edit(actor, guide):
        raise NotFound
    if status not in GuideStatus.values:
        raise DomainError(_("Unknown status."), field="status")
    now = timezone.now()
    changed = (
        Guide.objects.filter(pk=guide.pk)
        .exclude(status=status)
        .update(status=status, updated_at=now, updated_by=actor, version=F("version") + 1)
    )
    if not changed:
        raise Conflict(
            _("This guide is already published.")
            if status == GuideStatus.PUBLISHED
            else _("This guide is already a draft.")
        )
    guide.refresh_from_db()
    action = (
        RevisionAction.PUBLISHED if status == GuideStatus.PUBLISHED else RevisionAction.UNPUBLISHED
    )
    _record(guide, actor=actor, action=action)
    return guide
