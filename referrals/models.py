from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase

from accounts.models import Organization
from cases.models import YoungPerson
from core import netguard
from referrals.enums import (
    ConsentMethod,
    DeclineReason,
    OutcomeCode,
    ReferralReason,
    ReferralStatus,
    SharedSection,
)
from referrals.workflow import BADGES, INITIAL, OPEN_STATUSES, UNDER_WAY_STATUSES


class Referral(models.Model):
    young_person = models.ForeignKey(
        YoungPerson,
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("young person"),
    )
    from_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="referrals_sent",
        verbose_name=_("from"),
    )
    to_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="referrals_received",
        verbose_name=_("to"),
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    reason = models.CharField(_("reason"), max_length=32, choices=ReferralReason.choices)
    message = models.TextField(_("message"), blank=True)
    # Consent is recorded before anything is shared: who recorded it, when and how.
    consent_method = models.CharField(
        _("how consent was given"), max_length=16, choices=ConsentMethod.choices
    )
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("consent recorded by"),
    )
    consent_recorded_at = models.DateTimeField(_("consent recorded at"))
    shared_sections = models.JSONField(_("shared sections"), default=list, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ReferralStatus.choices,
        default=INITIAL,
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals_handled",
        verbose_name=_("handler"),
    )
    linked_young_person = models.ForeignKey(
        YoungPerson,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("file at the destination"),
    )
    decline_reason = models.CharField(
        _("decline reason"), max_length=32, choices=DeclineReason.choices, blank=True
    )
    outcome_code = models.CharField(
        _("outcome"), max_length=32, choices=OutcomeCode.choices, blank=True
    )
    outcome_note = models.TextField(_("outcome note"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-sent_at", "-pk"]
        permissions = [("view_shared_file", _("Can view the shared sections of the file"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReferralStatus.values), name="referral_status_valid"
            ),
            # One open referral per young person and destination, even under concurrency.
            models.UniqueConstraint(
                fields=["young_person", "to_organization"],
                condition=Q(status__in=OPEN_STATUSES),
                name="referral_one_open_per_destination",
                violation_error_message=_(
                    "A referral to this organisation is already open for this person."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(from_organization=models.F("to_organization")),
                name="referral_not_to_self",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReferralStatus.DECLINED) | ~Q(decline_reason=""),
                name="referral_declined_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReferralStatus.COMPLETED) | ~Q(outcome_code=""),
                name="referral_completed_has_outcome",
            ),
        ]
        indexes = [
            models.Index(fields=["to_organization", "status", "-sent_at"]),
            models.Index(fields=["from_organization", "status", "-sent_at"]),
            models.Index(fields=["status", "sent_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.young_person} → {self.to_organization}"

    def shares(self, section: str) -> bool:
        return section in self.shared_sections

    @property
    def reference(self) -> str:
        """The reference people quote (sheet, exports, access log): R-000042."""
        return f"R-{self.pk:06d}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_under_way(self) -> bool:
        """Open, or completed: no need to suggest another referral of the same kind."""
        return self.status in UNDER_WAY_STATUSES

    @property
    def status_badge(self) -> str:
        return BADGES.get(self.status, "")

    @property
    def shared_section_labels(self) -> list[str]:
        labels = dict(SharedSection.choices)
        return [labels[s] for s in SharedSection.values if s in self.shared_sections]


class ReferralEvent(models.Model):
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="events", verbose_name=_("referral")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    from_status = models.CharField(
        _("from status"), max_length=16, choices=ReferralStatus.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=16, choices=ReferralStatus.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("referral event")
        verbose_name_plural = _("referral events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.from_status} → {self.to_status}"


class ReferralMessage(models.Model):
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="messages", verbose_name=_("referral")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("message"))
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("referral message")
        verbose_name_plural = _("referral messages")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.referral_id} {self.at:%Y-%m-%d %H:%M}"


class ReferralUserObjectPermission(UserObjectPermissionBase):
    """Grant to see a referred young person's shared sections, on guardian's direct-FK
    model; written on acceptance, deleted the moment the referral leaves `accepted`."""

    content_object = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="user_grants"
    )

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("referral access grant")
        verbose_name_plural = _("referral access grants")


class WebhookEndpoint(models.Model):
    """A partner system's URL that receives the referral events of one organisation."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("organisation"),
    )
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=64)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.url


class WebhookDeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed (gave up)")


class WebhookDelivery(models.Model):
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("endpoint"),
    )
    event = models.ForeignKey(
        ReferralEvent,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("event"),
    )
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=WebhookDeliveryStatus.choices,
        default=WebhookDeliveryStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(
        _("last HTTP status"), null=True, blank=True
    )
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event"], name="webhook_delivery_once_per_event"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.endpoint_id}/{self.event_id} {self.status}"

    @property
    def failure_label(self) -> str:
        """The failure class of the last attempt, translated (never a raw error)."""
        return netguard.failure_label(self.last_error, self.last_status_code)
