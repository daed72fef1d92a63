"""The shared-file grants of an accepted referral, stored on guardian's direct-foreign-key
model `ReferralUserObjectPermission`. The only module of this app that imports guardian."""

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
