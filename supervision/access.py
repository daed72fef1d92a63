"""Objects a supervision page names in its URL: NotFound for anything else."""

from typing import Any

from django.db.models import Exists, OuterRef

from accounts.models import Membership, Organization, User
from cases.models import YoungPerson
from core.access import as_pk
from core.exceptions import NotFound


def access_organization_referent(organization: Organization, pk: Any) -> User:
    """A user who is or was a member of the organisation, or holds one of its files: the
    only people whose name a drill-down list may show in its title."""
    referent = (
        User.objects.filter(pk=as_pk(pk))
        .filter(
            Exists(Membership.objects.filter(user=OuterRef("pk"), organization=organization))
            | Exists(YoungPerson.objects.filter(referent=OuterRef("pk"), organization=organization))
        )
        .first()
    )
    if referent is None:
        raise NotFound
    return referent
