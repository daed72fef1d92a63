from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    MISSION_LOCALE = "mission_locale", _("Mission locale")
    EMMAUS_CONNECT = "emmaus_connect", _("Emmaüs Connect")
    PARTNER = "partner", _("Partner agency")


class Role(models.TextChoices):
    ADVISOR = "advisor", _("Advisor")
    SUPERVISOR = "supervisor", _("Supervisor")
    PARTNER = "partner", _("Partner")
    ORG_ADMIN = "org_admin", _("Organisation admin")


# Roles that work on young people's files inside their own organisation.
CASEWORK_ROLES = frozenset({Role.ADVISOR, Role.SUPERVISOR})

# Roles that see more than their own caseload (every file of the organisation, or its
# members): appointing someone to one is notified to the organisation's other admins and
# supervisors.
ELEVATED_ROLES = frozenset({Role.SUPERVISOR, Role.ORG_ADMIN})


class SecurityEventKind(models.TextChoices):
    ROLE_GRANTED = "role_granted", _("Role granted")
    ROLE_CHANGED = "role_changed", _("Role changed")
    MEMBERSHIP_DEACTIVATED = "membership_deactivated", _("Membership deactivated")
    MEMBERSHIP_REACTIVATED = "membership_reactivated", _("Membership reactivated")
    # API tokens (accounts.models.ApiToken): created and revoked by their owner, revoked
    # all at once when the password changes, the account is deactivated or its last
    # active membership ends.
    TOKEN_CREATED = "token_created", _("API token created")
    TOKEN_REVOKED = "token_revoked", _("API token revoked by its owner")
    TOKENS_REVOKED_PASSWORD = "tokens_revoked_password", _("API tokens revoked: password changed")
    TOKENS_REVOKED_DEACTIVATED = (
        "tokens_revoked_deactivated",
        _("API tokens revoked: account deactivated"),
    )
    TOKENS_REVOKED_NO_MEMBERSHIP = (
        "tokens_revoked_no_membership",
        _("API tokens revoked: last membership ended"),
    )
    TWO_FACTOR_ENABLED = "two_factor_enabled", _("Two-factor authentication turned on")
    TWO_FACTOR_DISABLED = "two_factor_disabled", _("Two-factor authentication turned off")
    TWO_FACTOR_RESET = "two_factor_reset", _("Two-factor authentication reset by an administrator")
    RECOVERY_CODES_REGENERATED = "recovery_codes_regenerated", _("New recovery codes")
    RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
