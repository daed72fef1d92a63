"""Delegations: guardian grants stored on the direct-foreign-key model
`YoungPersonUserObjectPermission`, with an end date. The only module of this app that
imports guardian.

Normal work writes no permission row: the referent and supervisors are found by queryset
rules (cases.querysets), which also read these grants to let a delegate in.
"""

from datetime import datetime

from django.contrib.auth.models import Permission
from django.db.models import QuerySet
from django.utils import timezone
from guardian.shortcuts import remove_perm

from accounts.models import User
from cases.enums import DELEGATION_CODENAME
from cases.models import YoungPerson, YoungPersonUserObjectPermission


def _delegation_permission() -> Permission:
    return Permission.objects.get(content_type__app_label="cases", codename=DELEGATION_CODENAME)


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
