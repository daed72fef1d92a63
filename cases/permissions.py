"""Object-level exceptions to the organisation rule, carried by django-guardian.

The only module that imports guardian. Normal work needs no permission row: the referent
and supervisors are found by queryset rules (see cases.selectors). Delegations are rows of
the direct-foreign-key model YoungPersonUserObjectPermission, with an end date.
"""

from datetime import datetime

from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet
from django.utils import timezone
from guardian.shortcuts import remove_perm

from accounts.models import User
from cases.models import YoungPerson, YoungPersonUserObjectPermission

DELEGATION_CODENAME = "change_youngperson"


def _delegation_permission() -> Permission:
    return Permission.objects.get(content_type__app_label="cases", codename=DELEGATION_CODENAME)


def delegated_young_person_ids(user: User, org_ids: list[int]) -> QuerySet:
    """Subquery of young people delegated to `user`, still running, in orgs they work in.

    Requiring a current casework membership means that leaving the organisation ends every
    delegation at once, without a clean-up job.
    """
    return YoungPersonUserObjectPermission.objects.filter(
        user=user,
        permission__codename=DELEGATION_CODENAME,
        permission__content_type__app_label="cases",
        expires_at__gt=timezone.now(),
        content_object__organization_id__in=org_ids,
    ).values("content_object_id")


def grant_delegation(
    *, young_person: YoungPerson, user: User, expires_at: datetime, granted_by: User
) -> YoungPersonUserObjectPermission:
    grant, _created = YoungPersonUserObjectPermission.objects.update_or_create(
        user=user,
        permission=_delegation_permission(),
        content_object=young_person,
        defaults={"expires_at": expires_at, "granted_by": granted_by},
    )
    return grant


def revoke_delegation(*, young_person: YoungPerson, user: User) -> None:
    remove_perm(f"cases.{DELEGATION_CODENAME}", user, young_person)


def active_delegations(young_person: YoungPerson) -> QuerySet[YoungPersonUserObjectPermission]:
    return (
        YoungPersonUserObjectPermission.objects.filter(
            content_object=young_person,
            permission__codename=DELEGATION_CODENAME,
            expires_at__gt=timezone.now(),
        )
        .select_related("user", "granted_by")
        .order_by("expires_at")
    )


def expired_delegations() -> QuerySet[YoungPersonUserObjectPermission]:
    return YoungPersonUserObjectPermission.objects.filter(
        ~Q(expires_at__gt=timezone.now()), permission__codename=DELEGATION_CODENAME
    )
