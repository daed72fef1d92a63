"""Shared set-up for the referral tests (not a test module: pytest collects test_*.py).

A `Scene` holds both sides of a referral and everyone around it, so that each test can say
"the destination supervisor" or "a colleague of the sender" without building it again.
"""

import itertools
from collections import deque
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from accounts.enums import Role
from accounts.models import Organization, User
from cases.models import YoungPerson
from referrals import services, workflow
from referrals.enums import DeclineReason, OutcomeCode, ReferralStatus, Side
from referrals.models import Referral, ReferralUserObjectPermission
from referrals.workflow import Transition
from tests.factories import OrganizationFactory, YoungPersonFactory, member

# Every role around a referral, from the point of view of the who-sees-what rule.
ROLES = (
    "referent",  # sender side, holds the file
    "colleague",  # sender side, same organisation, not the referent: directory card only
    "sender_supervisor",  # sender side, supervisor: full access to every file of the org
    "handler",  # destination advisor who handles the referral once accepted
    "dest_advisor",  # destination advisor, not the handler
    "dest_supervisor",  # destination supervisor
    "dest_partner",  # destination member with the partner role
    "outsider",  # advisor of an unrelated organisation
    "anonymous",
)
SENDER_SIDE = frozenset({"referent", "sender_supervisor"})
DESTINATION_SIDE = frozenset({"handler", "dest_advisor", "dest_supervisor", "dest_partner"})
# Holders of the shared-file grant once the referral is accepted by the handler.
GRANT_HOLDERS = frozenset({"handler", "dest_supervisor"})

PHONE = "06 12 34 56 78"
_SCENES = itertools.count(1)


@dataclass
class Scene:
    sender_org: Organization
    dest_org: Organization
    other_org: Organization
    users: dict[str, User]
    young_person: YoungPerson
    extra: dict = field(default_factory=dict)

    def __getattr__(self, name: str):
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)

    def fresh(self, role: str) -> User:
        """A new instance: the membership cache of `active_memberships` starts empty."""
        return User.objects.get(pk=self.users[role].pk)


def make_scene(*, dest_kind: str = "emmaus", young_person_fields: dict | None = None) -> Scene:
    n = next(_SCENES)
    sender_org = OrganizationFactory(name=f"Mission Locale de Lille {n}")
    dest_org = (
        OrganizationFactory(emmaus=True)
        if dest_kind == "emmaus"
        else OrganizationFactory(partner=True)
    )
    other_org = OrganizationFactory(name=f"Mission Locale de Roubaix {n}")
    users = {
        "referent": member(sender_org, Role.ADVISOR, first_name="Nadia", last_name="Referente"),
        "colleague": member(sender_org, Role.ADVISOR, first_name="Karim", last_name="Collegue"),
        "sender_supervisor": member(
            sender_org, Role.SUPERVISOR, first_name="Sophie", last_name="Responsable"
        ),
        "handler": member(dest_org, Role.ADVISOR, first_name="Hugo", last_name="Handler"),
        "dest_advisor": member(dest_org, Role.ADVISOR, first_name="Alice", last_name="Autre"),
        "dest_supervisor": member(
            dest_org, Role.SUPERVISOR, first_name="Denis", last_name="Directeur"
        ),
        "dest_partner": member(dest_org, Role.PARTNER, first_name="Paul", last_name="Partenaire"),
        "outsider": member(other_org, Role.ADVISOR, first_name="Olga", last_name="Dehors"),
    }
    fields = {
        "first_name": "Yanis",
        "last_name": "Martin",
        "email": "yanis.martin@example.org",
        "phone": PHONE,
    }
    fields.update(young_person_fields or {})
    young_person = YoungPersonFactory(organization=sender_org, referent=users["referent"], **fields)
    return Scene(sender_org, dest_org, other_org, users, young_person)


def send_referral(scene: Scene, **overrides) -> Referral:
    kwargs = {
        "actor": scene.fresh("referent"),
        "young_person": scene.young_person,
        "to_organization": scene.dest_org,
        "reason": "equipment",
        "message": "Besoin d'un smartphone pour ses démarches.",
        "shared_sections": ["identity", "diagnostic"],
        "consent_method": "oral",
        "consent_given": True,
    }
    kwargs.update(overrides)
    return services.referral_send(**kwargs)


def bring_to(scene: Scene, referral: Referral, status: str) -> Referral:
    """Move a `sent` referral to `status` through the services, as real users would."""
    if status == ReferralStatus.SENT:
        return referral
    if status == ReferralStatus.ACCEPTED:
        return services.referral_accept(actor=scene.fresh("handler"), referral=referral)
    if status == ReferralStatus.DECLINED:
        return services.referral_decline(
            actor=scene.fresh("handler"), referral=referral, reason=DeclineReason.NO_CAPACITY
        )
    if status == ReferralStatus.CANCELLED:
        return services.referral_cancel(actor=scene.fresh("referent"), referral=referral)
    if status == ReferralStatus.EXPIRED:
        return services.referral_expire(referral=referral)
    if status == ReferralStatus.COMPLETED:
        services.referral_accept(actor=scene.fresh("handler"), referral=referral)
        return services.referral_complete(
            actor=scene.fresh("handler"),
            referral=referral,
            outcome_code=OutcomeCode.EQUIPMENT_PROVIDED,
            outcome_note="Smartphone reconditionné remis.",
        )
    # A status the branches above do not know: along the table, with the first valid choices.
    for step in path_to(status):
        make_transition(scene, referral, step)
    return referral


def path_to(status: str) -> list[Transition]:
    """The shortest way from the initial status to `status` along the workflow table."""
    paths: dict[str, list[Transition]] = {workflow.INITIAL: []}
    queue = deque([workflow.INITIAL])
    while queue:
        current = queue.popleft()
        for t in workflow.TRANSITIONS:
            if t.source == current and t.target not in paths:
                paths[t.target] = [*paths[current], t]
                queue.append(t.target)
    if status not in paths:
        raise ValueError(status)
    return paths[status]


def side_actor(scene: Scene, side: str) -> User | None:
    """Who makes a transition of this side: the referent, the handler, or Relais (None)."""
    return {Side.SENDER: scene.fresh("referent"), Side.DESTINATION: scene.fresh("handler")}.get(
        side
    )


def required_fields(t: Transition) -> dict[str, str]:
    """A valid value for each field the row requires (the first choice)."""
    return {r.field: Referral._meta.get_field(r.field).choices[0][0] for r in t.requires}


def make_transition(scene: Scene, referral: Referral, t: Transition, **overrides) -> Referral:
    """Make one row of the table through the generic service, as its side would."""
    kwargs = {"actor": side_actor(scene, t.side), "referral": referral, "target": t.target}
    kwargs.update(required_fields(t))
    kwargs.update(overrides)
    return services.referral_transition(**kwargs)


def grant_user_ids(referral: Referral) -> set[int]:
    return set(
        ReferralUserObjectPermission.objects.filter(content_object=referral).values_list(
            "user_id", flat=True
        )
    )


def age_referral(referral: Referral, days: float) -> None:
    """Pretend the referral was sent `days` ago (a queryset update: no domain save)."""
    Referral.objects.filter(pk=referral.pk).update(sent_at=timezone.now() - timedelta(days=days))
