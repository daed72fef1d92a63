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
    TWO_FACTOR_ENABLED = "two_factor_enabled", _("Two-factor authentication turned on")
    TWO_FACTOR_DISABLED = "two_factor_disabled", _("Two-factor authentication turned off")
    TWO_FACTOR_RESET = "two_factor_reset", _("Two-factor authentication reset by an administrator")
    RECOVERY_CODES_REGENERATED = "recovery_codes_regenerated", _("New recovery codes")
    RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
