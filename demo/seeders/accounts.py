"""Demo organisations and staff accounts, written through `accounts.services`."""

from dataclasses import dataclass

from accounts import services as account_services
from accounts import two_factor
from accounts.models import Organization, User
from accounts.selectors import forget_memberships
from demo.data import (
    ACCOUNTS,
    DEMO_ORGANIZATION_NAMES,
    DEMO_TOTP_SECRET,
    DEMO_USERNAMES,
    ORGANIZATIONS,
    STAFF_EMAIL_DOMAIN,
    SUPERUSER,
)


@dataclass(frozen=True)
class Staff:
    organizations: dict[str, Organization]  # by organisation key ("nord", "sud"…)
    users: dict[str, User]  # by username, the platform superuser excluded
    superuser_existed: bool  # an existing platform admin is left unchanged


def existing_demo_organization_names() -> list[str]:
    return sorted(
        Organization.objects.filter(name__in=DEMO_ORGANIZATION_NAMES).values_list("name", flat=True)
    )


def taken_demo_usernames() -> list[str]:
    """Demo usernames already held by someone: the demo must not take those accounts over."""
    return sorted(
        User.objects.filter(username__in=DEMO_USERNAMES)
        .exclude(username=SUPERUSER[0])
        .values_list("username", flat=True)
    )


def seed_staff(*, hashed_password: str) -> Staff:
    organizations = {
        key: account_services.organization_create(name=name, kind=kind, territory=territory)
        for key, name, kind, territory in ORGANIZATIONS
    }
    users: dict[str, User] = {}
    for username, first_name, last_name, org_key, role, _files in ACCOUNTS:
        user = _create_user(username, first_name, last_name, hashed_password)
        account_services.membership_grant(user=user, organization=organizations[org_key], role=role)
        forget_memberships(user)
        if two_factor.is_required(user):
            two_factor.install_authenticator(user=user, base32_secret=DEMO_TOTP_SECRET)
        users[username] = user
    username, first_name, last_name = SUPERUSER
    superuser_existed = User.objects.filter(username=username).exists()
    if not superuser_existed:
        superuser = _create_user(username, first_name, last_name, hashed_password, superuser=True)
        two_factor.install_authenticator(user=superuser, base32_secret=DEMO_TOTP_SECRET)
    return Staff(organizations=organizations, users=users, superuser_existed=superuser_existed)


def _create_user(
    username: str,
    first_name: str,
    last_name: str,
    hashed_password: str,
    superuser: bool = False,
) -> User:
    create = User.objects.create_superuser if superuser else User.objects.create_user
    user = create(
        username=username,
        email=f"{username}@{STAFF_EMAIL_DOMAIN}",
        password=None,
        first_name=first_name,
        last_name=last_name,
    )
    # One costly hash for every account: the caller hashed the password once.
    user.password = hashed_password
    user.save(update_fields=["password"])
    return user
