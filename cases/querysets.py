"""Who sees what, as queryset methods (DESIGN.md, "Who sees what").

The rule lives here once: `YoungPerson.objects.full_access(user)` and `.reachable(user)`,
and every record of a file (steps, follow-ups, applications, documents, diagnostics)
filters through its young person with `Model.objects.for_user(user)`. Selectors add the
joins a page needs; views and API views go through selectors and the `access` module.

Imports no model of this app (models import this module): related models are reached
through the model's own fields.
"""

from typing import Self

from django.db.models import Case, CharField, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.models import User
from accounts.selectors import casework_org_ids, supervised_org_ids
from cases.enums import DELEGATION_CODENAME, AccessLevel


class YoungPersonQuerySet(QuerySet):
    def _delegated_ids(self, user: User, org_ids: list[int]) -> QuerySet:
        """Young people delegated to `user`, still running, in organisations they work in.

        Requiring a current casework membership means that leaving the organisation ends
        every delegation at once, without a clean-up job."""
        grants = self.model._meta.get_field("user_grants").related_model
        return grants.objects.filter(
            user=user,
            permission__codename=DELEGATION_CODENAME,
            permission__content_type__app_label="cases",
            expires_at__gt=timezone.now(),
            content_object__organization_id__in=org_ids,
        ).values("content_object_id")

    def _full_access_q(self, user: User) -> Q:
        org_ids = casework_org_ids(user)
        if not org_ids:
            return Q(pk__in=[])
        q = Q(referent=user, organization_id__in=org_ids)
        q |= Q(pk__in=self._delegated_ids(user, org_ids))
        supervised = supervised_org_ids(user)
        if supervised:
            q |= Q(organization_id__in=supervised)
        return q

    def full_access(self, user: User) -> Self:
        """Young people whose whole file `user` may read and change: the referent, the
        organisation's supervisors, and colleagues holding a running delegation."""
        return self.filter(self._full_access_q(user))

    def reachable(self, user: User) -> Self:
        """Full files plus directory cards, each row annotated with its `access` level.

        Colleagues of the same organisation see a directory card (name, birth year,
        referent) so they can avoid duplicates and find who holds a file."""
        full = self._full_access_q(user)
        return self.filter(full | Q(organization_id__in=casework_org_ids(user))).annotate(
            access=Case(
                When(full, then=Value(AccessLevel.FULL.value)),
                default=Value(AccessLevel.DIRECTORY.value),
                output_field=CharField(),
            )
        )


class CaseRecordQuerySet(QuerySet):
    """A record of a young person's file: visible exactly when the whole file is."""

    def for_user(self, user: User) -> Self:
        young_people = self.model._meta.get_field("young_person").related_model
        return self.filter(young_person__in=young_people.objects.full_access(user).values("pk"))
