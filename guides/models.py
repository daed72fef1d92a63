"""Public guides (/infos/): plain-French how-tos for young people, written and edited by
organisation admins and platform staff. The body is Markdown, rendered and sanitised at
display time (guides/markdown.py), never stored as HTML."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from cases.models import StepType
from guides.enums import GuideStatus, GuideTopic, RevisionAction
from guides.validators import (
    SLUG_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    validate_guide_slug,
)


class GuideQuerySet(models.QuerySet):
    def published(self) -> "GuideQuerySet":
        return self.filter(status=GuideStatus.PUBLISHED)


class Guide(models.Model):
    # NULL: a platform guide (the default ones, edited by platform staff only).
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="guides",
        verbose_name=_("organisation"),
    )
    slug = models.SlugField(
        _("address"), max_length=SLUG_MAX, unique=True, validators=[validate_guide_slug]
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    topic = models.CharField(_("topic"), max_length=16, choices=GuideTopic.choices)
    summary = models.CharField(_("summary"), max_length=SUMMARY_MAX)
    body = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=16, choices=GuideStatus.choices, default=GuideStatus.DRAFT
    )
    reviewed_on = models.DateField(_("last reviewed on"))
    step_types = models.ManyToManyField(
        StepType,
        through="GuideStepType",
        related_name="guides",
        blank=True,
        verbose_name=_("steps"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    # Optimistic locking: an edit based on an older version is refused, not merged.
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = GuideQuerySet.as_manager()

    class Meta:
        verbose_name = _("guide")
        verbose_name_plural = _("guides")
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=GuideStatus.values), name="guide_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(topic__in=GuideTopic.values), name="guide_topic_valid"
            ),
        ]
        indexes = [
            # The topic pages: published guides of a topic, by title.
            models.Index(fields=["status", "topic", "title"]),
            models.Index(fields=["organization", "updated_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == GuideStatus.PUBLISHED


class GuideStepType(models.Model):
    """A step type's guide: the step shows a link to it wherever it is listed. A step type
    has one guide at most (one-to-one), a guide may serve several step types."""

    guide = models.ForeignKey(
        Guide, on_delete=models.CASCADE, related_name="step_type_links", verbose_name=_("guide")
    )
    step_type = models.OneToOneField(
        StepType, on_delete=models.CASCADE, related_name="guide_link", verbose_name=_("step")
    )

    class Meta:
        verbose_name = _("guide of a step")
        verbose_name_plural = _("guides of steps")
        ordering = ["guide", "step_type"]

    def __str__(self) -> str:
        return f"{self.step_type} → {self.guide}"


class GuideRevision(models.Model):
    """What a guide said after each change, who made it and when (written by the services,
    one row per creation, edit, publication and withdrawal)."""

    guide = models.ForeignKey(
        Guide, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("guide")
    )
    number = models.PositiveIntegerField(_("number"))
    action = models.CharField(_("change"), max_length=16, choices=RevisionAction.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("date"), default=timezone.now)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    topic = models.CharField(_("topic"), max_length=16, choices=GuideTopic.choices)
    summary = models.CharField(_("summary"), max_length=SUMMARY_MAX)
    body = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=16, choices=GuideStatus.choices)
    reviewed_on = models.DateField(_("last reviewed on"))

    class Meta:
        verbose_name = _("guide revision")
        verbose_name_plural = _("guide revisions")
        ordering = ["guide", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["guide", "number"], name="guide_revision_number"),
            models.CheckConstraint(
                condition=Q(action__in=RevisionAction.values), name="guide_revision_action_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guide_id} #{self.number}"


class GuideTerm(models.Model):
    """The search index: the words of a guide (accents folded, plurals cut) and their
    prefixes, with a weight (title > summary > text). A search is an indexed equality on
    `term`, the same on SQLite and PostgreSQL (guides/search.py)."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="terms")
    term = models.CharField(max_length=40)
    weight = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["guide", "term"]
        constraints = [
            # Also the index every search uses (term first).
            models.UniqueConstraint(fields=["term", "guide"], name="guide_term_unique"),
        ]

    def __str__(self) -> str:
        return self.term
