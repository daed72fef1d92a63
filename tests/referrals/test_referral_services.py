"""The referral services: every transition, valid and invalid, its event and its grants;
sending with consent; the sides that may act."""

import pytest

from accounts.enums import Role
from core.exceptions import NotAllowed
from referrals import services
from referrals.enums import DeclineReason, OutcomeCode, ReferralStatus, SharedSection
from referrals.exceptions import InvalidTransition
from referrals.models import Referral, ReferralEvent, ReferralUserObjectPermission
from tests.factories import member
from tests.referrals.referral_helpers import (
    bring_to,
    grant_user_ids,
    make_scene,
    send_referral,
)

pytestmark = pytest.mark.django_db

S = ReferralStatus


@pytest.fixture
def scene():
    return make_scene()


@pytest.fixture
def referral(scene):
    return send_referral(scene)


def _events(referral) -> list[ReferralEvent]:
    return list(ReferralEvent.objects.filter(referral=referral).order_by("at", "pk"))


def _last_event(referral) -> ReferralEvent:
    return _events(referral)[-1]


def _db_status(referral) -> str:
    return Referral.objects.values_list("status", flat=True).get(pk=referral.pk)


# --- sending -------------------------------------------------------------------------


def test_send_records_consent_and_one_sent_event(scene):
    referral = send_referral(
        scene,
        shared_sections=["documents", "identity", "identity"],
        message="  Besoin d'un ordinateur.  ",
    )
    referral.refresh_from_db()
    assert referral.status == S.SENT
    assert referral.from_organization == scene.sender_org
    assert referral.to_organization == scene.dest_org
    assert referral.sent_by == scene.referent
    assert referral.consent_recorded_by == scene.referent
    assert referral.consent_recorded_at is not None
    assert referral.consent_method == "oral"
    # Catalogue order, no duplicates.
    assert referral.shared_sections == ["identity", "documents"]
    assert referral.message == "Besoin d'un ordinateur."
    assert referral.handler is None
    [event] = _events(referral)
    assert (event.actor, event.from_status, event.to_status) == (scene.referent, "", S.SENT)
    assert grant_user_ids(referral) == set()


def test_send_without_consent_is_refused_and_creates_nothing(scene):
    with pytest.raises(NotAllowed) as error:
        send_referral(scene, consent_given=False)
    assert "consentement" in error.value.message
    assert Referral.objects.count() == 0
    assert ReferralEvent.objects.count() == 0


def test_send_with_an_unknown_section_is_refused(scene):
    with pytest.raises(NotAllowed) as error:
        send_referral(scene, shared_sections=["identity", "bank_details"])
    assert "bank_details" in error.value.message
    assert Referral.objects.count() == 0


def test_send_to_own_organisation_is_refused(scene):
    with pytest.raises(NotAllowed):
        send_referral(scene, to_organization=scene.sender_org)
    assert Referral.objects.count() == 0


def test_second_open_referral_to_the_same_organisation_is_refused(scene, referral):
    with pytest.raises(NotAllowed):
        send_referral(scene)
    bring_to(scene, referral, S.ACCEPTED)
    with pytest.raises(NotAllowed):
        send_referral(scene)
    assert Referral.objects.count() == 1


def test_a_new_referral_is_allowed_once_the_previous_one_is_closed(scene, referral):
    bring_to(scene, referral, S.DECLINED)
    again = send_referral(scene)
    assert again.pk != referral.pk
    assert Referral.objects.filter(status=S.SENT).count() == 1


def test_referral_to_another_organisation_while_one_is_open(scene, referral):
    other = send_referral(scene, to_organization=scene.other_org)
    assert other.to_organization == scene.other_org
    assert Referral.objects.count() == 2


@pytest.mark.parametrize("role", ["colleague", "outsider", "handler", "dest_supervisor"])
def test_send_without_full_access_is_refused(scene, role):
    with pytest.raises(NotAllowed):
        send_referral(scene, actor=scene.fresh(role), to_organization=scene.other_org)
    assert Referral.objects.count() == 0


def test_sender_supervisor_may_send(scene):
    referral = send_referral(scene, actor=scene.fresh("sender_supervisor"))
    assert referral.sent_by == scene.sender_supervisor
    assert referral.consent_recorded_by == scene.sender_supervisor


@pytest.mark.parametrize(
    "overrides", [{"reason": "teleportation"}, {"consent_method": "telepathy"}]
)
def test_send_with_unknown_reason_or_consent_method_is_refused(scene, overrides):
    with pytest.raises(NotAllowed):
        send_referral(scene, **overrides)
    assert Referral.objects.count() == 0


# --- sent → accepted ------------------------------------------------------------------


def test_accept_defaults_handler_to_actor_and_grants_handler_and_supervisors(scene, referral):
    second_supervisor = member(scene.dest_org, Role.SUPERVISOR)
    services.referral_accept(actor=scene.fresh("handler"), referral=referral, note="  Reçu.  ")
    referral.refresh_from_db()
    assert referral.status == S.ACCEPTED
    assert referral.handler == scene.handler
    assert referral.answered_at is not None
    assert referral.closed_at is None
    assert grant_user_ids(referral) == {
        scene.handler.pk,
        scene.dest_supervisor.pk,
        second_supervisor.pk,
    }
    assert set(
        ReferralUserObjectPermission.objects.filter(content_object=referral).values_list(
            "permission__codename", flat=True
        )
    ) == {"view_shared_file"}
    sent, accepted = _events(referral)
    assert sent.to_status == S.SENT
    assert (accepted.actor, accepted.from_status, accepted.to_status, accepted.note) == (
        scene.handler,
        S.SENT,
        S.ACCEPTED,
        "Reçu.",
    )


def test_accept_with_an_explicit_handler(scene, referral):
    services.referral_accept(
        actor=scene.fresh("dest_supervisor"), referral=referral, handler=scene.dest_advisor
    )
    referral.refresh_from_db()
    assert referral.handler == scene.dest_advisor
    assert grant_user_ids(referral) == {scene.dest_advisor.pk, scene.dest_supervisor.pk}
    assert _last_event(referral).actor == scene.dest_supervisor


def test_accept_by_a_supervisor_grants_once(scene, referral):
    services.referral_accept(actor=scene.fresh("dest_supervisor"), referral=referral)
    assert grant_user_ids(referral) == {scene.dest_supervisor.pk}
    assert ReferralUserObjectPermission.objects.filter(content_object=referral).count() == 1


def test_accept_with_a_handler_outside_the_destination_is_refused(scene, referral):
    with pytest.raises(NotAllowed):
        services.referral_accept(
            actor=scene.fresh("handler"), referral=referral, handler=scene.referent
        )
    assert _db_status(referral) == S.SENT
    assert len(_events(referral)) == 1
    assert grant_user_ids(referral) == set()


def test_partner_member_may_accept(scene, referral):
    services.referral_accept(actor=scene.fresh("dest_partner"), referral=referral)
    referral.refresh_from_db()
    assert referral.status == S.ACCEPTED
    assert grant_user_ids(referral) == {scene.dest_partner.pk, scene.dest_supervisor.pk}


# --- sent → declined -----------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "because", None])
def test_decline_requires_a_decline_reason(scene, referral, reason):
    with pytest.raises(NotAllowed):
        services.referral_decline(actor=scene.fresh("handler"), referral=referral, reason=reason)
    assert _db_status(referral) == S.SENT
    assert len(_events(referral)) == 1


def test_decline_stores_the_reason_and_logs_one_event(scene, referral):
    services.referral_decline(
        actor=scene.fresh("dest_advisor"),
        referral=referral,
        reason=DeclineReason.OUT_OF_SCOPE,
        note="Pas notre public.",
    )
    referral.refresh_from_db()
    assert referral.status == S.DECLINED
    assert referral.decline_reason == DeclineReason.OUT_OF_SCOPE
    assert referral.answered_at is not None
    assert referral.closed_at is not None
    events = _events(referral)
    assert len(events) == 2
    assert (events[1].actor, events[1].from_status, events[1].to_status, events[1].note) == (
        scene.dest_advisor,
        S.SENT,
        S.DECLINED,
        "Pas notre public.",
    )
    assert grant_user_ids(referral) == set()


# --- sent → cancelled ------------------------------------------------------------------


@pytest.mark.parametrize("role", ["referent", "sender_supervisor"])
def test_sender_cancels_a_sent_referral(scene, referral, role):
    services.referral_cancel(actor=scene.fresh(role), referral=referral, note="Plus besoin.")
    referral.refresh_from_db()
    assert referral.status == S.CANCELLED
    assert referral.closed_at is not None
    event = _last_event(referral)
    assert (event.actor, event.from_status, event.to_status, event.note) == (
        scene.users[role],
        S.SENT,
        S.CANCELLED,
        "Plus besoin.",
    )
    assert len(_events(referral)) == 2


# --- sent → expired --------------------------------------------------------------------


def test_expire_is_done_by_the_system(scene, referral):
    services.referral_expire(referral=referral)
    referral.refresh_from_db()
    assert referral.status == S.EXPIRED
    assert referral.closed_at is not None
    events = _events(referral)
    assert len(events) == 2
    assert events[1].actor is None
    assert (events[1].from_status, events[1].to_status) == (S.SENT, S.EXPIRED)
    assert events[1].note  # says why


# --- accepted → completed / cancelled ---------------------------------------------------


@pytest.mark.parametrize("outcome_code", ["", "magic", None])
def test_complete_requires_an_outcome_code(scene, referral, outcome_code):
    bring_to(scene, referral, S.ACCEPTED)
    with pytest.raises(NotAllowed):
        services.referral_complete(
            actor=scene.fresh("handler"), referral=referral, outcome_code=outcome_code
        )
    assert _db_status(referral) == S.ACCEPTED
    assert len(_events(referral)) == 2
    assert grant_user_ids(referral) == {scene.handler.pk, scene.dest_supervisor.pk}


def test_complete_stores_the_outcome_and_revokes_grants(scene, referral):
    bring_to(scene, referral, S.ACCEPTED)
    services.referral_complete(
        actor=scene.fresh("handler"),
        referral=referral,
        outcome_code=OutcomeCode.SIM_PROVIDED,
        outcome_note="  SIM solidaire remise le 3.  ",
    )
    referral.refresh_from_db()
    assert referral.status == S.COMPLETED
    assert referral.outcome_code == OutcomeCode.SIM_PROVIDED
    assert referral.outcome_note == "SIM solidaire remise le 3."
    assert referral.closed_at is not None
    events = _events(referral)
    assert [e.to_status for e in events] == [S.SENT, S.ACCEPTED, S.COMPLETED]
    assert (events[2].actor, events[2].from_status, events[2].note) == (
        scene.handler,
        S.ACCEPTED,
        "SIM solidaire remise le 3.",
    )
    assert grant_user_ids(referral) == set()


def test_sender_cancels_an_accepted_referral_and_grants_go(scene, referral):
    bring_to(scene, referral, S.ACCEPTED)
    assert grant_user_ids(referral)
    services.referral_cancel(actor=scene.fresh("referent"), referral=referral)
    referral.refresh_from_db()
    assert referral.status == S.CANCELLED
    assert grant_user_ids(referral) == set()
    event = _last_event(referral)
    assert (event.from_status, event.to_status, event.actor) == (
        S.ACCEPTED,
        S.CANCELLED,
        scene.referent,
    )
    assert len(_events(referral)) == 3


# --- invalid transitions ---------------------------------------------------------------


def _accept(scene, referral):
    return services.referral_accept(actor=scene.fresh("handler"), referral=referral)


def _decline(scene, referral):
    return services.referral_decline(
        actor=scene.fresh("handler"), referral=referral, reason=DeclineReason.OTHER
    )


def _complete(scene, referral):
    return services.referral_complete(
        actor=scene.fresh("handler"), referral=referral, outcome_code=OutcomeCode.OTHER
    )


def _cancel(scene, referral):
    return services.referral_cancel(actor=scene.fresh("referent"), referral=referral)


def _expire(scene, referral):
    return services.referral_expire(referral=referral)


ACTIONS = {
    S.ACCEPTED: _accept,
    S.DECLINED: _decline,
    S.COMPLETED: _complete,
    S.CANCELLED: _cancel,
    S.EXPIRED: _expire,
}
VALID = {
    (S.SENT, S.ACCEPTED),
    (S.SENT, S.DECLINED),
    (S.SENT, S.EXPIRED),
    (S.SENT, S.CANCELLED),
    (S.ACCEPTED, S.COMPLETED),
    (S.ACCEPTED, S.CANCELLED),
}
INVALID = [
    (source, target) for source in S.values for target in ACTIONS if (source, target) not in VALID
]


def test_the_invalid_list_covers_every_closed_status():
    sources = {source for source, _ in INVALID}
    assert sources == set(S.values)
    assert len(INVALID) == len(S.values) * len(ACTIONS) - len(VALID)


@pytest.mark.parametrize(("source", "target"), INVALID, ids=lambda v: str(v))
def test_invalid_transition_raises_and_writes_nothing(scene, referral, source, target):
    bring_to(scene, referral, source)
    referral.refresh_from_db()
    events_before = len(_events(referral))
    grants_before = grant_user_ids(referral)
    updated_before = referral.updated_at
    with pytest.raises(InvalidTransition) as error:
        ACTIONS[target](scene, referral)
    # A clear message naming where the referral is and where it cannot go.
    assert str(S(source).label) in error.value.message
    assert str(S(target).label) in error.value.message
    assert len(_events(referral)) == events_before
    assert grant_user_ids(referral) == grants_before
    referral.refresh_from_db()
    assert referral.status == source
    assert referral.updated_at == updated_before


def test_a_stale_copy_cannot_transition_after_someone_else_did(scene, referral):
    stale = Referral.objects.get(pk=referral.pk)
    _accept(scene, referral)
    with pytest.raises(InvalidTransition) as error:
        _cancel(scene, stale)
    assert str(S.ACCEPTED.label) in error.value.message
    assert _db_status(referral) == S.ACCEPTED
    assert len(_events(referral)) == 2
    assert grant_user_ids(referral) == {scene.handler.pk, scene.dest_supervisor.pk}


# --- the wrong side ----------------------------------------------------------------------


def test_sender_cannot_accept(scene, referral):
    with pytest.raises(NotAllowed):
        services.referral_accept(actor=scene.fresh("referent"), referral=referral)
    # Even naming a destination member as handler does not make the sender a destination.
    with pytest.raises(NotAllowed) as error:
        services.referral_accept(
            actor=scene.fresh("referent"), referral=referral, handler=scene.handler
        )
    assert str(services.SIDE_ONLY["destination"]) == error.value.message
    assert _db_status(referral) == S.SENT
    assert len(_events(referral)) == 1
    assert grant_user_ids(referral) == set()


def test_sender_cannot_decline_or_complete(scene, referral):
    with pytest.raises(NotAllowed):
        services.referral_decline(
            actor=scene.fresh("referent"), referral=referral, reason=DeclineReason.OTHER
        )
    bring_to(scene, referral, S.ACCEPTED)
    with pytest.raises(NotAllowed):
        services.referral_complete(
            actor=scene.fresh("sender_supervisor"),
            referral=referral,
            outcome_code=OutcomeCode.OTHER,
        )
    assert _db_status(referral) == S.ACCEPTED
    assert len(_events(referral)) == 2


@pytest.mark.parametrize("status", [S.SENT, S.ACCEPTED])
@pytest.mark.parametrize("role", ["handler", "dest_supervisor", "dest_partner"])
def test_destination_cannot_cancel(scene, referral, status, role):
    bring_to(scene, referral, status)
    events_before = len(_events(referral))
    with pytest.raises(NotAllowed) as error:
        services.referral_cancel(actor=scene.fresh(role), referral=referral)
    assert str(services.SIDE_ONLY["sender"]) == error.value.message
    assert _db_status(referral) == status
    assert len(_events(referral)) == events_before


@pytest.mark.parametrize("role", ["colleague", "outsider"])
def test_strangers_cannot_act(scene, referral, role):
    actor = scene.fresh(role)
    with pytest.raises(NotAllowed):
        services.referral_accept(actor=actor, referral=referral, handler=scene.handler)
    with pytest.raises(NotAllowed):
        services.referral_decline(actor=actor, referral=referral, reason=DeclineReason.OTHER)
    with pytest.raises(NotAllowed):
        services.referral_cancel(actor=actor, referral=referral)
    assert _db_status(referral) == S.SENT
    assert len(_events(referral)) == 1


def test_an_inactive_destination_membership_cannot_accept(scene, referral):
    scene.handler.memberships.update(is_active=False)
    with pytest.raises(NotAllowed):
        services.referral_accept(actor=scene.fresh("handler"), referral=referral)
    assert _db_status(referral) == S.SENT


# --- handler, messages, linking -------------------------------------------------------


def test_assign_handler_moves_the_grant_while_accepted(scene, referral):
    bring_to(scene, referral, S.ACCEPTED)
    services.referral_assign_handler(
        actor=scene.fresh("dest_supervisor"), referral=referral, handler=scene.dest_advisor
    )
    referral.refresh_from_db()
    assert referral.handler == scene.dest_advisor
    assert grant_user_ids(referral) == {scene.dest_advisor.pk, scene.dest_supervisor.pk}


def test_assign_handler_while_sent_writes_no_grant(scene, referral):
    services.referral_assign_handler(
        actor=scene.fresh("dest_supervisor"), referral=referral, handler=scene.dest_advisor
    )
    referral.refresh_from_db()
    assert referral.handler == scene.dest_advisor
    assert referral.status == S.SENT
    assert grant_user_ids(referral) == set()


def test_assign_handler_is_refused_to_the_sender_and_on_closed_referrals(scene, referral):
    with pytest.raises(NotAllowed):
        services.referral_assign_handler(
            actor=scene.fresh("referent"), referral=referral, handler=scene.handler
        )
    with pytest.raises(NotAllowed):
        services.referral_assign_handler(
            actor=scene.fresh("dest_supervisor"), referral=referral, handler=scene.outsider
        )
    bring_to(scene, referral, S.COMPLETED)
    with pytest.raises(InvalidTransition):
        services.referral_assign_handler(
            actor=scene.fresh("dest_supervisor"), referral=referral, handler=scene.dest_advisor
        )
    referral.refresh_from_db()
    assert referral.handler == scene.handler
    assert grant_user_ids(referral) == set()


def test_messages_from_both_sides_and_not_from_strangers(scene, referral):
    services.referral_message_post(
        actor=scene.fresh("referent"), referral=referral, body=" Bonjour "
    )
    services.referral_message_post(
        actor=scene.fresh("dest_partner"), referral=referral, body="Reçu"
    )
    with pytest.raises(NotAllowed):
        services.referral_message_post(actor=scene.fresh("outsider"), referral=referral, body="x")
    with pytest.raises(NotAllowed):
        services.referral_message_post(actor=scene.fresh("colleague"), referral=referral, body="x")
    with pytest.raises(NotAllowed):
        services.referral_message_post(actor=scene.fresh("referent"), referral=referral, body="  ")
    assert list(referral.messages.values_list("author_id", "body")) == [
        (scene.referent.pk, "Bonjour"),
        (scene.dest_partner.pk, "Reçu"),
    ]


def test_link_file_only_to_a_file_of_the_destination(scene, referral):
    from tests.factories import YoungPersonFactory

    theirs = YoungPersonFactory(organization=scene.dest_org, referent=scene.dest_advisor)
    with pytest.raises(NotAllowed):
        services.referral_link_file(
            actor=scene.fresh("handler"), referral=referral, young_person=scene.young_person
        )
    with pytest.raises(NotAllowed):
        services.referral_link_file(
            actor=scene.fresh("referent"), referral=referral, young_person=theirs
        )
    services.referral_link_file(
        actor=scene.fresh("handler"), referral=referral, young_person=theirs
    )
    referral.refresh_from_db()
    assert referral.linked_young_person == theirs


def test_shared_sections_keep_catalogue_order(scene):
    referral = send_referral(scene, shared_sections=list(reversed(SharedSection.values)))
    assert referral.shared_sections == list(SharedSection.values)


def test_send_sharing_no_section_is_allowed(scene):
    referral = send_referral(scene, shared_sections=[])
    assert referral.shared_sections == []
    assert referral.shared_section_labels == []


def test_sender_accepting_is_told_only_the_destination_can(scene, referral):
    with pytest.raises(NotAllowed) as error:
        services.referral_accept(actor=scene.fresh("referent"), referral=referral)
    assert error.value.message == str(services.SIDE_ONLY["destination"])
