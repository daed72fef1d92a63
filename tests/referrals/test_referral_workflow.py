"""The workflow table (referrals/workflow.py) is the pipeline: these tests pin it, then walk
it, so that a new status or a new row is checked without writing a test for it: its French
label, its badge, its URL, its API endpoint, its section on the referral page, its side
enforced by the services, and what its flags say it does."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db.models import Q
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.html import escape

from core.exceptions import NotAllowed
from referrals import forms, notifications, services, webhooks, workflow
from referrals.api import serializers
from referrals.enums import ReferralStatus, Side
from referrals.exceptions import InvalidTransition
from referrals.models import Referral, ReferralEvent
from referrals.workflow import TRANSITIONS, Transition
from tests.factories import YoungPersonFactory
from tests.referrals.referral_helpers import (
    grant_user_ids,
    make_scene,
    make_transition,
    path_to,
    required_fields,
    send_referral,
    side_actor,
)

S = ReferralStatus
CSS = Path(settings.BASE_DIR) / "static" / "css" / "relais.css"


def _row(t: Transition) -> tuple:
    return (
        t.source,
        t.target,
        t.side,
        t.action,
        {name for name in ("answered", "closes", "grants", "succeeds") if getattr(t, name)},
        tuple(r.field for r in t.requires),
        t.accepts,
        t.notify,
        bool(t.note),
    )


# --- the table, pinned ----------------------------------------------------------------


def test_the_workflow_table_is_pinned():
    assert [_row(t) for t in TRANSITIONS] == [
        (
            S.SENT,
            S.ACCEPTED,
            Side.DESTINATION,
            "accept",
            {"answered", "grants"},
            (),
            ("handler",),
            Side.SENDER,
            False,
        ),
        (
            S.SENT,
            S.DECLINED,
            Side.DESTINATION,
            "decline",
            {"answered", "closes"},
            ("decline_reason",),
            (),
            Side.SENDER,
            False,
        ),
        (
            S.SENT,
            S.EXPIRED,
            Side.SYSTEM,
            "expire",
            {"answered", "closes"},
            (),
            (),
            Side.SENDER,
            True,
        ),
        (S.SENT, S.CANCELLED, Side.SENDER, "cancel", {"answered", "closes"}, (), (), "", False),
        (
            S.ACCEPTED,
            S.COMPLETED,
            Side.DESTINATION,
            "complete",
            {"closes", "succeeds"},
            ("outcome_code",),
            ("outcome_note",),
            Side.SENDER,
            False,
        ),
        (S.ACCEPTED, S.CANCELLED, Side.SENDER, "cancel", {"closes"}, (), (), "", False),
    ]


def test_the_statuses_derived_from_the_table():
    assert workflow.INITIAL == S.SENT
    assert workflow.OPEN_STATUSES == (S.SENT, S.ACCEPTED)
    assert workflow.AWAITING_ANSWER == (S.SENT,)
    assert workflow.SHARING_STATUSES == (S.ACCEPTED,)
    assert workflow.UNDER_WAY_STATUSES == (S.SENT, S.ACCEPTED, S.COMPLETED)
    assert workflow.ACTIONS == ("accept", "decline", "cancel", "complete")


def test_the_unique_constraint_reads_the_open_statuses():
    [constraint] = [
        c for c in Referral._meta.constraints if c.name == "referral_one_open_per_destination"
    ]
    assert constraint.condition == Q(status__in=workflow.OPEN_STATUSES)


@pytest.mark.django_db
def test_the_table_needs_no_migration():
    """If the open statuses change, the partial unique constraint needs a migration."""
    call_command("makemigrations", "referrals", check=True, dry_run=True, verbosity=0)


# --- the table is consistent -----------------------------------------------------------


def test_one_row_per_pair_of_statuses_and_one_target_per_action():
    pairs = [(t.source, t.target) for t in TRANSITIONS]
    assert len(pairs) == len(set(pairs))
    for action in {t.action for t in TRANSITIONS}:
        assert len({t.target for t in TRANSITIONS if t.action == action}) == 1, action


@pytest.mark.parametrize("t", TRANSITIONS, ids=lambda t: f"{t.source}-{t.target}")
def test_each_row_is_consistent(t):
    assert t.source in S.values and t.target in S.values
    assert t.side in Side.values
    assert t.notify in ("", Side.SENDER, Side.DESTINATION)
    # A transition closes exactly when nothing can follow it.
    assert t.closes == (t.target not in workflow.OPEN_STATUSES)
    assert not (t.closes and t.grants)
    # Relais says why when it acts alone.
    assert bool(t.note) == (t.side == Side.SYSTEM)
    for required in t.requires:
        assert Referral._meta.get_field(required.field).choices, required.field
        assert str(required.message)
    for name in t.accepts:
        Referral._meta.get_field(name)
    # The fields a status needs do not depend on where it is reached from.
    assert {r.field for u in workflow.entering(t.target) for r in u.requires} == {
        r.field for r in t.requires
    }


@pytest.mark.parametrize("status", S.values)
def test_each_status_has_a_french_label_and_a_badge_and_can_be_reached(status):
    with translation.override("fr"):
        label = str(S(status).label)
    with translation.override("en"):
        assert label != str(S(status).label), f"{status} has no French label"
    badge = workflow.BADGES[status]
    assert badge == "" or f".badge.{badge}" in CSS.read_text()
    assert status == workflow.INITIAL or workflow.entering(status)


@pytest.mark.parametrize("action", workflow.ACTIONS)
def test_each_action_has_its_url_its_endpoint_and_its_section(action):
    assert reverse(f"referrals:{action}", args=[1]) == f"/referrals/1/{action}/"
    assert reverse(f"api:referral-{action}", args=[1]) == f"/api/v1/referrals/1/{action}/"
    template = Path(get_template("referrals/detail.html").origin.name).read_text()
    assert f"{{% if can_{action} %}}" in template
    assert f"{{% url 'referrals:{action}' referral.pk %}}" in template


def test_relais_own_transitions_have_no_url():
    for t in TRANSITIONS:
        if t.side == Side.SYSTEM:
            with pytest.raises(NoReverseMatch):
                reverse(f"referrals:{t.action}", args=[1])


def test_an_action_that_takes_only_a_note_needs_no_form_or_serializer_of_its_own():
    assert type(forms.transition_form("postpone")) is forms.NoteForm
    assert serializers.transition_serializer("postpone") is serializers.NoteSerializer


# --- the services do what each row says -------------------------------------------------


def _at(scene, status: str) -> Referral:
    referral = send_referral(scene)
    for step in path_to(status):
        make_transition(scene, referral, step)
    referral.refresh_from_db()
    return referral


def _snapshot(referral: Referral) -> tuple:
    fresh = Referral.objects.get(pk=referral.pk)
    return (
        fresh.status,
        fresh.updated_at,
        ReferralEvent.objects.filter(referral=referral).count(),
        grant_user_ids(referral),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("t", TRANSITIONS, ids=lambda t: f"{t.source}-{t.target}")
def test_each_transition_is_refused_to_every_other_side(t):
    scene = make_scene()
    referral = _at(scene, t.source)
    before = _snapshot(referral)
    allowed = side_actor(scene, t.side)
    for role in ("referent", "handler", "outsider", "colleague"):
        if allowed is not None and scene.users[role].pk == allowed.pk:
            continue
        with pytest.raises(NotAllowed) as error:
            make_transition(scene, referral, t, actor=scene.fresh(role))
        assert error.value.message == str(services.SIDE_ONLY[t.side])
    if t.side != Side.SYSTEM:
        with pytest.raises(NotAllowed):
            make_transition(scene, referral, t, actor=None)
    assert _snapshot(referral) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "t", [t for t in TRANSITIONS if t.requires], ids=lambda t: f"{t.source}-{t.target}"
)
def test_each_required_field_is_required(t):
    scene = make_scene()
    referral = _at(scene, t.source)
    before = _snapshot(referral)
    for required in t.requires:
        for value in ("", None, "not-a-choice"):
            with pytest.raises(NotAllowed) as error:
                make_transition(scene, referral, t, **{required.field: value})
            assert error.value.message == str(required.message)
    assert _snapshot(referral) == before


@pytest.mark.django_db
@pytest.mark.parametrize("t", TRANSITIONS, ids=lambda t: f"{t.source}-{t.target}")
def test_each_transition_does_what_its_row_says(t, django_capture_on_commit_callbacks):
    scene = make_scene()
    referral = _at(scene, t.source)
    answered_before, grants_before = referral.answered_at, grant_user_ids(referral)
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        make_transition(scene, referral, t)
    referral.refresh_from_db()

    assert referral.status == t.target
    for required in t.requires:
        assert getattr(referral, required.field) == required_fields(t)[required.field]
    event = ReferralEvent.objects.filter(referral=referral).last()
    assert (event.from_status, event.to_status) == (t.source, t.target)
    assert event.actor == side_actor(scene, t.side)
    assert event.note == str(t.note)
    assert webhooks.payload_for(event)["event"] == f"referral.{t.target}"

    if t.answered:
        assert referral.answered_at is not None and referral.answered_at != answered_before
    else:
        assert referral.answered_at == answered_before
    assert (referral.closed_at is not None) == t.closes
    assert referral.is_open == (not t.closes)
    if t.grants:
        assert grant_user_ids(referral) == {scene.handler.pk, scene.dest_supervisor.pk}
        assert referral.handler == scene.handler
    elif t.closes:
        assert grant_user_ids(referral) == set()
    else:
        assert grant_user_ids(referral) == grants_before

    recipients = {
        Side.SENDER: [scene.referent.email],
        Side.DESTINATION: sorted(
            scene.users[r].email
            for r in ("handler", "dest_advisor", "dest_supervisor", "dest_partner")
        ),
    }
    if t.notify:
        [email] = mail.outbox
        assert sorted(email.to) == recipients[t.notify]
    else:
        assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize("status", S.values)
def test_only_the_table_moves_a_referral(status):
    """From each status, every target the table does not list is refused, whoever asks."""
    scene = make_scene()
    referral = _at(scene, status)
    before = _snapshot(referral)
    for target in S.values:
        if workflow.find(status, target) is None:
            rows = workflow.entering(target)
            fields = required_fields(rows[0]) if rows else {}
            for actor in (None, scene.fresh("referent"), scene.fresh("handler")):
                with pytest.raises(InvalidTransition):
                    services.referral_transition(
                        actor=actor, referral=referral, target=target, **fields
                    )
    assert _snapshot(referral) == before


# --- the pages and the emails read the table --------------------------------------------


@pytest.mark.django_db
def test_the_inbox_shows_each_status_with_its_badge(client):
    scene = make_scene()
    for status in S.values:
        young_person = YoungPersonFactory(
            organization=scene.sender_org, referent=scene.users["referent"]
        )
        referral = send_referral(scene, young_person=young_person)
        for step in path_to(status):
            make_transition(scene, referral, step)
    client.force_login(scene.users["dest_supervisor"])
    html = client.get(reverse("referrals:received")).content.decode()
    with translation.override("fr"):
        for status in S.values:
            badge = workflow.BADGES[status]
            css = f"badge {badge}" if badge else "badge"
            assert f'<span class="{css}">{escape(S(status).label)}</span>' in html, status


@pytest.mark.django_db
def test_a_status_without_wording_of_its_own_gets_a_generic_email():
    scene = make_scene()
    referral = _at(scene, S.CANCELLED)
    mail.outbox = []
    sent = notifications.send_referral_email.call(referral.pk, str(S.CANCELLED), str(Side.SENDER))
    assert sent == 1
    [email] = mail.outbox
    with translation.override("fr"):
        label = str(S.CANCELLED.label)
    assert f"« {label} »" in email.subject
    assert scene.dest_org.name in email.subject
    assert f"« {label} »" in email.body
    assert email.to == [scene.referent.email]
