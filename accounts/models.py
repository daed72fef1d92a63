from django.contrib.auth.models import AbstractUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken, AuthTokenManager
from knox.settings import CONSTANTS

from accounts.enums import OrganizationKind, Role, SecurityEventKind


class User(AbstractUser):
    """Custom from day one so that the user model can grow without a painful migration."""

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "username"]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def set_unusable_password(self) -> None:
        super().set_unusable_password()
        self._password_disabled = True

    def save(self, **kwargs) -> None:
        """Saves, then revokes the user's API tokens when the password was just changed or
        the account is inactive (README, "REST API for partner systems").

        The one exception to "no side effects in save()": a password is changed by the
        web form, the reset link, the Django admin, `manage.py changepassword` and any
        `set_password()` in a shell, and an account is deactivated by the admin or a
        script; this is the one place all of them pass. `_password` is Django's own
        marker of a new password (`AbstractBaseUser.save` reads it; hash upgrades on
        sign-in clear it first, so they revoke nothing)."""
        update_fields = kwargs.get("update_fields")
        disabled = self.__dict__.pop("_password_disabled", False)
        revoke = None
        if not self._state.adding:
            if not self.is_active and (update_fields is None or "is_active" in update_fields):
                revoke = SecurityEventKind.TOKENS_REVOKED_DEACTIVATED
            elif (self._password is not None or disabled) and (
                update_fields is None or "password" in update_fields
            ):
                revoke = SecurityEventKind.TOKENS_REVOKED_PASSWORD
        if revoke is None:
            super().save(**kwargs)
            return
        # One transaction: a new password is never saved while the old tokens survive.
        with transaction.atomic():
            super().save(**kwargs)
            ApiToken.objects.revoke_all(user=self, kind=revoke)


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganizationKind.choices)
    territory = models.CharField(_("territory"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=OrganizationKind.values),
                name="organization_kind_valid",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organization__name", "user__last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"], name="membership_unique_user_organization"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_valid"
            ),
        ]
        indexes = [models.Index(fields=["organization", "role", "is_active"])]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.get_role_display()})"


class SecurityEvent(models.Model):
    """The security log of roles and memberships: who gave whom which role, where, when.

    Written by the services of accounts/services.py in the same transaction as the change;
    never edited (the admin lists it read-only). `detail` holds what changed
    (e.g. {"role": "supervisor", "previous_role": "advisor"})."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=SecurityEventKind.choices)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="security_events",
        verbose_name=_("organisation"),
    )
    subject = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="security_events",
        verbose_name=_("subject"),
    )
    detail = models.JSONField(_("detail"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=SecurityEventKind.values),
                name="security_event_kind_valid",
            )
        ]
        indexes = [models.Index(fields=["organization", "at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject} @ {self.organization}"


class ApiTokenQuerySet(models.QuerySet):
    def live(self) -> "ApiTokenQuerySet":
        return self.filter(expiry__gt=timezone.now())


class ApiTokenManager(AuthTokenManager.from_queryset(ApiTokenQuerySet)):
    """knox's manager: `create(user=…, expiry=timedelta, label=…)` returns the saved token
    and its key, the only time the key exists outside the client (only its SHA-512
    digest and its first 15 characters, `token_key`, are stored)."""

    @transaction.atomic
    def revoke_all(self, *, user: "User", kind: str, actor: "User | None" = None) -> int:
        """Delete every token of `user` and log it (one SecurityEvent, when there was any).

        Lives here rather than in accounts/services.py because `User.save` needs it and
        services import this module."""
        tokens = list(self.filter(user=user).order_by("pk").values_list("token_key", "label"))
        if not tokens:
            return 0
        self.filter(user=user).delete()
        SecurityEvent.objects.create(
            actor=actor,
            kind=kind,
            subject=user,
            detail={"tokens": [{"token": key, "label": label} for key, label in tokens]},
        )
        return len(tokens)


class ApiToken(AbstractAuthToken):
    """A key for `Authorization: Token <key>` (django-rest-knox). Never stored in clear:
    `digest` is its SHA-512, `token_key` its first 15 characters ("relais_" and 8 hex
    characters: enough to find the row and for the owner to recognise it, useless to
    authenticate). Expires at `expiry`, always set."""

    id = models.BigAutoField(primary_key=True)
    # knox makes the digest the primary key; an integer is what URLs and logs show.
    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True)
    expiry = models.DateTimeField(_("expires at"))
    label = models.CharField(_("label"), max_length=100, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = ApiTokenManager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        # knox's own shows the digest: never print anything derived from the key.
        return self.label or gettext("API token")

    @property
    def is_expired(self) -> bool:
        return self.expiry <= timezone.now()
