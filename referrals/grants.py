"""The shared-file grants of an accepted referral, stored on guardian's direct-foreign-key
model `ReferralUserObjectPermission`. The only module of this app that imports guardian."""

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from guardian.shortcuts import assign_perm

from accounts.models import User
from referrals.models import Referral, ReferralUserObjectPermission

CODENAME = "view_shared_file"
PERM = f"referrals.{CODENAME}"


def grant_shared_file(*, referral: Referral, users: list[User]) -> None:
    for user in users:
        assign_perm(PERM, user, referral)


def revoke_shared_file(*, referral: Referral, user: User | None = None) -> int:
    grants = ReferralUserObjectPermission.objects.filter(content_object=referral)
    if user is not None:
        grants = grants.filter(user=user)
    deleted, _ = grants.delete()
    return deleted


def has_shared_file_grant(*, user: User, referral: Referral) -> bool:
    return ReferralUserObjectPermission.objects.filter(
        content_object=referral, user=user, permission__codename=CODENAME
    ).exists()


def shared_file_grants(referrals: QuerySet[Referral]) -> list[tuple[int, int, int]]:
    """(grant pk, referral pk, user pk) of every shared-file grant on `referrals`: one query."""
    return list(
        ReferralUserObjectPermission.objects.filter(
            content_object__in=referrals, permission__codename=CODENAME
        ).values_list("pk", "content_object_id", "user_id")
    )


def replace_shared_file_grants(
    *, remove: list[int], add: list[tuple[int, int]], batch_size: int = 500
) -> None:
    """Delete the grants `remove` (pks), create `add` ((referral pk, user pk) pairs): a
    bounded number of queries whatever the number of referrals."""
    for start in range(0, len(remove), batch_size):
        ReferralUserObjectPermission.objects.filter(
            pk__in=remove[start : start + batch_size]
        ).delete()
    if add:
        permission = Permission.objects.get(
            content_type=ContentType.objects.get_for_model(Referral), codename=CODENAME
        )
        ReferralUserObjectPermission.objects.bulk_create(
            [
                ReferralUserObjectPermission(
                    permission=permission, content_object_id=referral_id, user_id=user_id
                )
                for referral_id, user_id in add
            ],
            batch_size=batch_size,
            ignore_conflicts=True,
        )
