import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import LazyObject
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase

from accounts.models import Organization
from cases import diagnostics as rules
from cases.enums import (
    OPEN_STEP_STATUSES,
    AccessAction,
    AccessChannel,
    ApplicationSource,
    ApplicationStatus,
    AutonomyLevel,
    DocumentKind,
    FollowUpChannel,
    Situation,
    StepCategory,
    StepStatus,
    YoungPersonStatus,
)
from cases.querysets import CaseRecordQuerySet, YoungPersonQuerySet


class PrivateStorage(LazyObject):
    def _setup(self) -> None:
        self._wrapped = storages["private"]


private_storage = PrivateStorage()


def get_private_storage() -> PrivateStorage:
    # A callable keeps the storage (and its machine-specific path) out of migrations.
    return private_storage


class YoungPerson(models.Model):
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="young_people",
        verbose_name=_("organisation"),
    )
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="caseload",
        verbose_name=_("referent advisor"),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    birth_date = models.DateField(_("birth date"))
    # Half of the young people have no email address: absence is normal, not an error.
    email = models.EmailField(_("email address"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    situation = models.CharField(
        _("situation"), max_length=32, choices=Situation.choices, default=Situation.NEET
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=YoungPersonStatus.choices,
        default=YoungPersonStatus.ACTIVE,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    # Optimistic locking: every write bumps it, a write carrying a stale value is refused.
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = YoungPersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("young person")
        verbose_name_plural = _("young people")
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=YoungPersonStatus.values), name="young_person_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(situation__in=Situation.values), name="young_person_situation_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "last_name", "first_name", "birth_date"]),
            models.Index(fields=["referent", "status"]),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def age(self) -> int:
        today = timezone.localdate()
        born = self.birth_date
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class YoungPersonUserObjectPermission(UserObjectPermissionBase):
    """A delegation: guardian's direct-foreign-key grant with an end date.

    Direct FK (not guardian's generic table) so that "which young people may this user see"
    stays a plain indexed join at millions of rows.
    """

    content_object = models.ForeignKey(
        YoungPerson, on_delete=models.CASCADE, related_name="user_grants"
    )
    expires_at = models.DateTimeField(_("ends at"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        indexes = [models.Index(fields=["user", "expires_at"])]


class StepType(models.Model):
    """The step catalogue. Rows without an organisation are the defaults shared by all."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="step_types",
        verbose_name=_("organisation"),
    )
    code = models.SlugField(_("code"), max_length=64)
    label = models.CharField(_("label"), max_length=200)
    category = models.CharField(
        _("category"), max_length=32, choices=StepCategory.choices, default=StepCategory.OTHER
    )
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("step type")
        verbose_name_plural = _("step types")
        ordering = ["order", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(organization__isnull=True),
                name="step_type_default_code_unique",
            ),
            models.UniqueConstraint(
                fields=["organization", "code"],
                condition=Q(organization__isnull=False),
                name="step_type_org_code_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Step(models.Model):
    young_person = models.ForeignKey(
        YoungPerson, on_delete=models.CASCADE, related_name="steps", verbose_name=_("young person")
    )
    step_type = models.ForeignKey(
        StepType, on_delete=models.PROTECT, related_name="steps", verbose_name=_("step")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=StepStatus.choices, default=StepStatus.TODO
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("completed by"),
    )
    evidence = models.CharField(_("evidence"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = CaseRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["step_type__order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["young_person", "step_type"], name="step_unique_per_young_person"
            ),
            models.CheckConstraint(
                condition=Q(status__in=StepStatus.values), name="step_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=StepStatus.DONE, completed_at__isnull=False)
                | (~Q(status=StepStatus.DONE) & Q(completed_at__isnull=True)),
                name="step_completed_at_iff_done",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"]),
            # Per-file look-ups (overdue steps of each listed file) must not scan by status.
            models.Index(fields=["young_person", "status", "due_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.step_type} ({self.get_status_display()})"

    @property
    def is_overdue(self) -> bool:
        return (
            self.status in OPEN_STEP_STATUSES
            and self.due_date is not None
            and self.due_date < timezone.localdate()
        )


class DigitalDiagnostic(models.Model):
    young_person = models.ForeignKey(
        YoungPerson,
        on_delete=models.CASCADE,
        related_name="diagnostics",
        verbose_name=_("young person"),
    )
    performed_at = models.DateTimeField(_("date"), default=timezone.now)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("performed by"),
    )
    has_email = models.BooleanField(_("has an email address"))
    can_log_in_email = models.BooleanField(_("can log in to their email"))
    can_send_attachment = models.BooleanField(_("can send an attachment"))
    has_smartphone = models.BooleanField(_("has a smartphone"))
    has_computer = models.BooleanField(_("has a computer"))
    has_home_internet = models.BooleanField(_("has internet at home"))
    has_mobile_data = models.BooleanField(_("has mobile data"))
    can_create_online_account = models.BooleanField(_("can create an online account"))
    can_scan_upload = models.BooleanField(_("can scan and upload a document"))
    autonomy_level = models.PositiveSmallIntegerField(
        _("autonomy level"), choices=AutonomyLevel.choices
    )
    notes = models.TextField(_("notes"), blank=True)

    QUESTION_FIELDS = (
        "has_email",
        "can_log_in_email",
        "can_send_attachment",
        "has_smartphone",
        "has_computer",
        "has_home_internet",
        "has_mobile_data",
        "can_create_online_account",
        "can_scan_upload",
    )

    objects = CaseRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("digital diagnostic")
        verbose_name_plural = _("digital diagnostics")
        ordering = ["-performed_at", "-pk"]
        get_latest_by = "performed_at"
        constraints = [
            models.CheckConstraint(
                condition=Q(autonomy_level__gte=1, autonomy_level__lte=4),
                name="diagnostic_autonomy_level_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.young_person} — {self.performed_at:%Y-%m-%d}"

    @property
    def answers(self) -> list[tuple[str, bool]]:
        return [
            (self._meta.get_field(name).verbose_name, getattr(self, name))
            for name in self.QUESTION_FIELDS
        ]

    @property
    def lacks_equipment(self) -> bool:
        return rules.lacks_equipment(self)

    @property
    def lacks_connectivity(self) -> bool:
        return rules.lacks_connectivity(self)

    @property
    def lacks_basic_skills(self) -> bool:
        return rules.lacks_basic_skills(self)


class FollowUp(models.Model):
    young_person = models.ForeignKey(
        YoungPerson,
        on_delete=models.CASCADE,
        related_name="follow_ups",
        verbose_name=_("young person"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    occurred_at = models.DateTimeField(_("date"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=16, choices=FollowUpChannel.choices)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    notes = models.TextField(_("notes"), blank=True)
    next_action = models.CharField(_("next action"), max_length=300, blank=True)
    next_appointment = models.DateTimeField(_("next appointment"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = CaseRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=600),
                name="follow_up_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=FollowUpChannel.values), name="follow_up_channel_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["young_person", "-occurred_at"]),
            models.Index(fields=["young_person", "next_appointment"]),
        ]

    def __str__(self) -> str:
        return f"{self.young_person} — {self.occurred_at:%Y-%m-%d}"


def document_upload_to(instance: "Document", filename: str) -> str:
    # The stored name never carries the user's file name: no personal data in paths.
    return f"documents/{instance.young_person_id}/{uuid.uuid4().hex}"


class Document(models.Model):
    young_person = models.ForeignKey(
        YoungPerson,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("young person"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(
        _("file"), storage=get_private_storage, upload_to=document_upload_to, max_length=255
    )
    original_name = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    objects = CaseRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class Application(models.Model):
    young_person = models.ForeignKey(
        YoungPerson,
        on_delete=models.CASCADE,
        related_name="applications",
        verbose_name=_("young person"),
    )
    employer = models.CharField(_("employer"), max_length=200)
    position = models.CharField(_("position"), max_length=200)
    source = models.CharField(_("source"), max_length=32, choices=ApplicationSource.choices)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
    )
    applied_on = models.DateField(_("applied on"), null=True, blank=True)
    response_on = models.DateField(_("answer received on"), null=True, blank=True)
    cv = models.ForeignKey(
        Document,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("CV sent"),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = CaseRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.values),
                name="application_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status=ApplicationStatus.DRAFT) | Q(applied_on__isnull=False),
                name="application_applied_on_when_sent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position} — {self.employer}"


class AccessLog(models.Model):
    """Who looked at which file: owed to the young person, kept for audits."""

    young_person = models.ForeignKey(
        YoungPerson,
        on_delete=models.CASCADE,
        related_name="access_logs",
        verbose_name=_("young person"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    action = models.CharField(_("action"), max_length=32, choices=AccessAction.choices)
    channel = models.CharField(
        _("channel"), max_length=8, choices=AccessChannel.choices, default=AccessChannel.WEB
    )
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["young_person", "-at"])]

    def __str__(self) -> str:
        return f"{self.user} {self.action} {self.young_person_id} {self.at:%Y-%m-%d %H:%M}"


# The records of a file: each has a `young_person` and `objects.for_user(user)`.
type CaseRecord = Step | DigitalDiagnostic | FollowUp | Document | Application
