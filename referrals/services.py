"""Writes about referrals.

Every transition goes through `referral_transition`, which reads its row of the workflow
table (referrals/workflow.py) and does what the row says: answered_at, closed_at, the
fields it requires, the grants on the shared file, the email. The per-transition services
(`referral_accept`, `referral_decline`…) are thin names for it, with the parameters the
forms and the API speak.

Transitions are conditional updates (`WHERE status = <expected>`), so two concurrent
transitions on one referral cannot both win: the loser gets InvalidTransition and its
transaction writes nothing."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.enums import Role
from accounts.models import Membership, Organization, User
from cases.enums import AccessAction
from cases.models import YoungPerson
from cases.selectors import young_people_full_access
from cases.services import access_log_record
from core.exceptions import NotAllowed
from history.services import history_record_update, snapshot
from referrals import grants, notifications, selectors, webhooks, workflow
from referrals.enums import (
    ConsentMethod,
    ReferralReason,
    ReferralStatus,
    SharedSection,
    Side,
)
from referrals.exceptions import InvalidTransition
from referrals.models import Referral, ReferralEvent, ReferralMessage

SIDE_ONLY = {
    Side.SENDER: _lazy("Only the sending organisation can do this."),
    Side.DESTINATION: _lazy("Only the receiving organisation can do this."),
    Side.SYSTEM: _lazy("Relais does this automatically."),
}


def _side_of(actor: User | None, referral: Referral) -> set[str]:
    if actor is None:
        return {Side.SYSTEM}
    sides = set()
    if selectors.is_destination(actor, referral):
        sides.add(Side.DESTINATION)
    if selectors.is_sender(actor, referral):
        sides.add(Side.SENDER)
    return sides


def _check_transition(actor: User | None, referral: Referral, target: str) -> workflow.Transition:
    """Refuse a transition the pipeline does not have, or that this side may not make."""
    source = referral.status
    rule = workflow.find(source, target)
    if rule is None:
        raise InvalidTransition(
            _("This referral cannot go from “%(status)s” to “%(target)s”.")
            % {"status": ReferralStatus(source).label, "target": ReferralStatus(target).label}
        )
    if rule.side not in _side_of(actor, referral):
        raise NotAllowed(str(SIDE_ONLY[rule.side]))
    return rule


def _check_required(target: str, fields: dict[str, Any]) -> None:
    """The fields the target status needs, checked first: a decline without a valid reason
    is refused as such, whatever the referral's status."""
    for rule in workflow.entering(target):
        for required in rule.requires:
            choices = Referral._meta.get_field(required.field).flatchoices
            if fields.get(required.field) not in {value for value, _label in choices}:
                raise NotAllowed(str(required.message))


def _check_handler(referral: Referral, handler: User) -> None:
    if (
        not selectors.destination_handlers(referral.to_organization_id)
        .filter(pk=handler.pk)
        .exists()
    ):
        raise NotAllowed(_("The handler must be a member of the receiving organisation."))


def _grant_holders(referral: Referral, handler: User) -> list[User]:
    users = {handler.pk: handler}
    for supervisor in selectors.destination_supervisors(referral.to_organization_id):
        users.setdefault(supervisor.pk, supervisor)
    return list(users.values())


@transaction.atomic
def referral_transition(
    *, actor: User | None, referral: Referral, target: str, note: str = "", **fields: Any
) -> Referral:
    """Move a referral along one row of the workflow table (actor None: Relais itself).

    `fields` are the Referral fields the row requires or accepts; the row decides the rest."""
    _check_required(target, fields)
    rule = _check_transition(actor, referral, target)
    unexpected = set(fields) - set(rule.fields)
    if unexpected:
        raise TypeError(f"{rule.action} does not take {', '.join(sorted(unexpected))}")
    source = referral.status
    changes = {name: v.strip() if isinstance(v, str) else v for name, v in fields.items()}
    if rule.grants:
        changes["handler"] = changes.get("handler") or actor
        _check_handler(referral, changes["handler"])
    now = timezone.now()
    changes.update(status=target, updated_at=now)
    if rule.answered:
        changes["answered_at"] = now
    if rule.closes:
        changes["closed_at"] = now
    updated = Referral.objects.filter(pk=referral.pk, status=source).update(**changes)
    if updated != 1:
        current = Referral.objects.filter(pk=referral.pk).values_list("status", flat=True).first()
        raise InvalidTransition(
            _(
                "Someone else changed this referral in the meantime "
                "(its status is now “%(status)s”). Reload the page."
            )
            % {"status": ReferralStatus(current).label if current else "?"}
        )
    before = snapshot(referral)
    for name, value in changes.items():
        setattr(referral, name, value)
    # A conditional UPDATE (WHERE status = source) sends no signal: recorded here.
    history_record_update(before=before, after=referral, fields=changes)
    event = ReferralEvent.objects.create(
        referral=referral,
        actor=actor,
        from_status=source,
        to_status=target,
        note=note.strip() or str(rule.note),
    )
    webhooks.on_event(event)
    if rule.closes:
        # Access to the shared sections ends at once, in the same transaction.
        grants.revoke_shared_file(referral=referral)
    if rule.grants:
        holders = _grant_holders(referral, changes["handler"])
        grants.grant_shared_file(referral=referral, users=holders)
    notifications.on_transition(referral, rule)
    return referral


@transaction.atomic
def referral_send(
    *,
    actor: User,
    young_person: YoungPerson,
    to_organization: Organization,
    reason: str,
    message: str,
    shared_sections: list[str],
    consent_method: str,
    consent_given: bool,
) -> Referral:
    if not young_people_full_access(actor).filter(pk=young_person.pk).exists():
        raise NotAllowed(_("You cannot refer this young person."))
    if to_organization.pk == young_person.organization_id:
        raise NotAllowed(_("Choose another organisation than your own."))
    if not consent_given:
        raise NotAllowed(
            _("The young person's consent must be recorded before anything is shared.")
        )
    if consent_method not in ConsentMethod.values or reason not in ReferralReason.values:
        raise NotAllowed(_("Choose how consent was given and a reason."))
    unknown = set(shared_sections) - set(SharedSection.values)
    if unknown:
        raise NotAllowed(_("Unknown section: %(names)s") % {"names": ", ".join(sorted(unknown))})
    if Referral.objects.filter(
        young_person=young_person,
        to_organization=to_organization,
        status__in=workflow.OPEN_STATUSES,
    ).exists():
        raise NotAllowed(_("A referral to this organisation is already open for this person."))
    now = timezone.now()
    referral = Referral(
        young_person=young_person,
        from_organization_id=young_person.organization_id,
        to_organization=to_organization,
        sent_by=actor,
        reason=reason,
        message=message.strip(),
        consent_method=consent_method,
        consent_recorded_by=actor,
        consent_recorded_at=now,
        shared_sections=[s for s in SharedSection.values if s in shared_sections],
        sent_at=now,
        updated_at=now,
    )
    referral.full_clean()
    try:
        with transaction.atomic():
            referral.save()
    except IntegrityError as race:  # a concurrent send won: same answer as the check above
        raise NotAllowed(
            _("A referral to this organisation is already open for this person.")
        ) from race
    event = ReferralEvent.objects.create(
        referral=referral, actor=actor, from_status="", to_status=referral.status
    )
    webhooks.on_event(event)
    notifications.on_sent(referral)
    return referral


# --- one thin service per action of the table ------------------------------------------


def referral_accept(
    *, actor: User, referral: Referral, handler: User | None = None, note: str = ""
) -> Referral:
    return referral_transition(
        actor=actor, referral=referral, target=ReferralStatus.ACCEPTED, note=note, handler=handler
    )


def referral_decline(*, actor: User, referral: Referral, reason: str, note: str = "") -> Referral:
    return referral_transition(
        actor=actor,
        referral=referral,
        target=ReferralStatus.DECLINED,
        note=note,
        decline_reason=reason,
    )


def referral_complete(
    *, actor: User, referral: Referral, outcome_code: str, outcome_note: str = ""
) -> Referral:
    return referral_transition(
        actor=actor,
        referral=referral,
        target=ReferralStatus.COMPLETED,
        note=outcome_note,
        outcome_code=outcome_code,
        outcome_note=outcome_note,
    )


def referral_cancel(*, actor: User, referral: Referral, note: str = "") -> Referral:
    return referral_transition(
        actor=actor, referral=referral, target=ReferralStatus.CANCELLED, note=note
    )


def referral_expire(*, referral: Referral) -> Referral:
    return referral_transition(actor=None, referral=referral, target=ReferralStatus.EXPIRED)


# The services whose parameters are not the model's fields (the forms and the API speak
# them); any other action of the table takes a note only and goes straight to the table.
_NAMED_PARAMETERS = {
    "accept": referral_accept,
    "decline": referral_decline,
    "complete": referral_complete,
}


def referral_act(*, actor: User, referral: Referral, action: str, **params: Any) -> Referral:
    """An action of the workflow table by its name, as the referral page and the API make it."""
    service = _NAMED_PARAMETERS.get(action)
    if service is not None:
        return service(actor=actor, referral=referral, **params)
    return referral_transition(
        actor=actor, referral=referral, target=workflow.target_of(action), **params
    )


@transaction.atomic
def referral_assign_handler(*, actor: User, referral: Referral, handler: User) -> Referral:
    if not selectors.is_destination(actor, referral):
        raise NotAllowed(_("Only the receiving organisation assigns a handler."))
    # Read the status under a row lock: a referral closed in the meantime gets no grant.
    current = (
        Referral.objects.select_for_update()
        .filter(pk=referral.pk)
        .values_list("status", flat=True)
        .first()
    )
    if current not in workflow.OPEN_STATUSES:
        raise InvalidTransition(_("This referral is closed."))
    referral.status = current
    _check_handler(referral, handler)
    previous = referral.handler
    referral.handler = handler
    referral.updated_at = timezone.now()
    referral.save(update_fields=["handler", "updated_at"])
    if referral.status in workflow.SHARING_STATUSES:
        holders = _grant_holders(referral, handler)
        if previous is not None and previous.pk not in {u.pk for u in holders}:
            grants.revoke_shared_file(referral=referral, user=previous)
        grants.grant_shared_file(referral=referral, users=holders)
    return referral


@transaction.atomic
def referral_grants_sync(*, organization: Organization) -> None:
    """Make the grants on the shared files of every accepted referral TO `organization`
    what the roles say now: its handler while they hold a destination role there (a
    supervisor demoted to advisor still handles it; a deactivated one does not), and its
    active supervisors. Rows are deleted and created in bulk: a fixed number of queries,
    whatever the number of referrals (bounded by the organisation's accepted ones)."""
    referrals = selectors.sharing_referrals_to(organization.pk)
    handlers = dict(referrals.values_list("pk", "handler_id"))
    if not handlers:
        return
    roles = selectors.destination_member_roles(organization.pk)
    supervisors = {pk for pk, role in roles.items() if role == Role.SUPERVISOR}
    wanted = {
        (referral_id, user_id)
        for referral_id, handler_id in handlers.items()
        for user_id in supervisors | ({handler_id} if handler_id in roles else set())
    }
    existing = grants.shared_file_grants(referrals)
    remove = [pk for pk, referral_id, user_id in existing if (referral_id, user_id) not in wanted]
    add = sorted(wanted - {(referral_id, user_id) for _pk, referral_id, user_id in existing})
    grants.replace_shared_file_grants(remove=remove, add=add)


def referral_grants_on_membership_change(*, membership: Membership) -> None:
    """Listener of accounts' `membership_changed` hook (registered in referrals/apps.py):
    a role given or taken away changes the grants at once, in the same transaction."""
    referral_grants_sync(organization=membership.organization)


@transaction.atomic
def referral_message_post(*, actor: User, referral: Referral, body: str) -> ReferralMessage:
    body = body.strip()
    if not body:
        raise NotAllowed(_("The message is empty."))
    if not (selectors.is_destination(actor, referral) or selectors.is_sender(actor, referral)):
        raise NotAllowed(_("You cannot write on this referral."))
    message = ReferralMessage(referral=referral, author=actor, body=body)
    message.full_clean()
    message.save()
    return message


@transaction.atomic
def referral_link_file(*, actor: User, referral: Referral, young_person: YoungPerson) -> Referral:
    if young_person.organization_id != referral.to_organization_id or not (
        selectors.is_destination(actor, referral)
    ):
        raise NotAllowed(_("This file is not in the receiving organisation."))
    referral.linked_young_person = young_person
    referral.updated_at = timezone.now()
    referral.save(update_fields=["linked_young_person", "updated_at"])
    return referral


def record_shared_file_view(*, actor: User, referral: Referral) -> None:
    access_log_record(
        user=actor,
        young_person=referral.young_person,
        action=AccessAction.VIEW_SHARED,
        detail=referral.to_organization.name,
    )


def referrals_expire_due() -> tuple[int, int]:
    """Remind, then expire, unanswered referrals. Idempotent: safe to run at any frequency."""
    now = timezone.now()
    remind_before = now - timedelta(days=settings.REFERRAL_REMINDER_DAYS)
    expire_before = now - timedelta(days=settings.REFERRAL_EXPIRY_DAYS)
    expired = 0
    expirable = Referral.objects.filter(
        status__in=[t.source for t in workflow.entering(ReferralStatus.EXPIRED)],
        sent_at__lt=expire_before,
    )
    for referral in expirable:
        try:
            referral_expire(referral=referral)
        except InvalidTransition:
            continue  # answered in the meantime
        expired += 1
    reminded = 0
    due = Referral.objects.filter(
        status__in=workflow.AWAITING_ANSWER,
        sent_at__lt=remind_before,
        reminder_sent_at__isnull=True,
    )
    for referral in due:
        with transaction.atomic():
            if Referral.objects.filter(
                pk=referral.pk,
                reminder_sent_at__isnull=True,
                status__in=workflow.AWAITING_ANSWER,
            ).update(reminder_sent_at=now):
                notifications.on_reminder(referral)
                reminded += 1
    return reminded, expired
