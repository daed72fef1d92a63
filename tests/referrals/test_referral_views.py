"""Endpoint tests of the referral pages: the form (with its diagnostic prefill and consent),
the inboxes, the actions, messages, the duplicate offer, and what the young person's page
shows at the sender."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import escape

from accounts.enums import OrganizationKind
from cases import services as case_services
from cases.diagnostics import referral_reasons
from referrals import services
from referrals.enums import DeclineReason, OutcomeCode, ReferralReason, ReferralStatus
from referrals.models import Referral, ReferralEvent, ReferralMessage
from tests.factories import ALL_NO, ALL_YES, OrganizationFactory, YoungPersonFactory
from tests.referrals.referral_helpers import (
    age_referral,
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


def _post_for_messages(client, url: str, data: dict | None = None) -> list[str]:
    """POST, check it redirects to the referral, and return the messages shown there."""
    response = client.post(url, data or {}, follow=True)
    [(location, code)] = response.redirect_chain
    assert code == 302
    assert location.startswith("/referrals/")
    assert response.status_code == 200
    return [str(m) for m in response.context["messages"]]


def _diagnostic(scene, answers):
    return case_services.diagnostic_record(
        actor=scene.users["referent"], young_person=scene.young_person, answers=answers
    )


# --- the referral form --------------------------------------------------------------------


def test_form_prefilled_from_the_diagnostic(client, scene):
    # Another Emmaüs Connect site and a partner agency to choose from.
    OrganizationFactory(partner=True)
    OrganizationFactory(emmaus=True)
    diagnostic = _diagnostic(scene, ALL_NO)
    reasons = referral_reasons(diagnostic)
    assert len(reasons) == 3

    client.force_login(scene.users["referent"])
    url = reverse("referrals:create", args=[scene.young_person.pk])
    response = client.get(url + "?from=diagnostic")

    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["message"] == "\n".join(f"- {r}" for r in reasons)
    assert form.initial["reason"] == ReferralReason.EQUIPMENT
    chosen = form.initial["to_organization"]
    assert chosen.kind == OrganizationKind.EMMAUS_CONNECT
    html = response.content.decode()
    for reason in reasons:
        assert escape(reason) in html
    assert f'<option value="{chosen.pk}" selected>' in html
    # The sender's own organisation is not offered.
    assert f'<option value="{scene.sender_org.pk}"' not in html


def test_form_without_the_diagnostic_prefill(client, scene):
    _diagnostic(scene, ALL_NO)
    client.force_login(scene.users["referent"])
    response = client.get(reverse("referrals:create", args=[scene.young_person.pk]))
    form = response.context["form"]
    assert "message" not in form.initial
    assert "to_organization" not in form.initial
    assert form.initial["shared_sections"] == ["identity", "diagnostic"]


def test_form_with_an_explicit_destination_keeps_it(client, scene):
    _diagnostic(scene, ALL_NO)
    partner = OrganizationFactory(partner=True)
    client.force_login(scene.users["referent"])
    url = reverse("referrals:create", args=[scene.young_person.pk])
    response = client.get(f"{url}?from=diagnostic&to={partner.pk}")
    assert response.context["form"].initial["to_organization"] == partner


def _post_data(scene, **overrides) -> dict:
    data = {
        "to_organization": scene.dest_org.pk,
        "reason": "equipment",
        "message": "Besoin d'un téléphone",
        "shared_sections": ["identity", "steps"],
        "consent_method": "oral",
        "consent_given": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_post_without_consent_shows_the_error_and_creates_nothing(
    client, scene, django_capture_on_commit_callbacks
):
    client.force_login(scene.users["referent"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("referrals:create", args=[scene.young_person.pk]),
            _post_data(scene, consent_given=None),
        )
    assert response.status_code == 200
    error = str(response.context["form"].fields["consent_given"].error_messages["required"])
    assert response.context["form"].errors["consent_given"] == [error]
    assert escape(error) in response.content.decode()
    assert Referral.objects.count() == 0
    assert ReferralEvent.objects.count() == 0
    assert mail.outbox == []


def test_post_sends_the_referral(client, scene, django_capture_on_commit_callbacks):
    client.force_login(scene.users["referent"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("referrals:create", args=[scene.young_person.pk]), _post_data(scene)
        )
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:detail", args=[referral.pk])
    assert referral.sent_by == scene.referent
    assert referral.shared_sections == ["identity", "steps"]
    assert referral.status == S.SENT
    assert len(mail.outbox) == 1


def test_post_a_second_open_referral_shows_the_error(client, scene):
    send_referral(scene)
    client.force_login(scene.users["referent"])
    response = client.post(
        reverse("referrals:create", args=[scene.young_person.pk]), _post_data(scene)
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Referral.objects.count() == 1


def test_post_sharing_no_section(client, scene):
    client.force_login(scene.users["referent"])
    response = client.post(
        reverse("referrals:create", args=[scene.young_person.pk]),
        _post_data(scene, shared_sections=None),
    )
    assert response.status_code == 302
    assert Referral.objects.get().shared_sections == []


def test_form_is_404_for_a_colleague_and_the_destination(client, scene):
    url = reverse("referrals:create", args=[scene.young_person.pk])
    for role in ("colleague", "handler", "outsider"):
        client.force_login(scene.users[role])
        assert client.get(url).status_code == 404, role
        assert client.post(url, _post_data(scene)).status_code == 404, role
    assert Referral.objects.count() == 0


# --- inboxes -------------------------------------------------------------------------------


def _inbox_world(scene) -> dict[str, list[Referral]]:
    """Referrals to the destination, one per young person, in every status."""
    made: dict[str, list[Referral]] = {}
    plan = [S.SENT, S.SENT, S.ACCEPTED, S.DECLINED, S.COMPLETED, S.CANCELLED, S.EXPIRED]
    for i, status in enumerate(plan):
        young_person = YoungPersonFactory(
            organization=scene.sender_org, referent=scene.users["referent"]
        )
        referral = bring_to(scene, send_referral(scene, young_person=young_person), status)
        # The waiting ones are the oldest: only "waiting first" puts them on top.
        age_referral(referral, days=30 - i if status == S.SENT else i)
        made.setdefault(status, []).append(referral)
    return made


def _counts(response) -> dict[str, int]:
    return {code: n for _label, code, n in response.context["counts"]}


def _rows(response) -> list[Referral]:
    return list(response.context["page"].object_list)


@pytest.mark.parametrize(
    ("role", "url_name"), [("dest_advisor", "referrals:received"), ("referent", "referrals:sent")]
)
def test_inbox_counts_and_waiting_first(client, scene, role, url_name):
    made = _inbox_world(scene)
    client.force_login(scene.users[role])
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert _counts(response) == {
        S.SENT: 2,
        S.ACCEPTED: 1,
        S.DECLINED: 1,
        S.COMPLETED: 1,
        S.CANCELLED: 1,
        S.EXPIRED: 1,
    }
    rows = _rows(response)
    assert len(rows) == 7
    assert [r.status for r in rows[:2]] == [S.SENT, S.SENT]
    assert rows[2].status == S.ACCEPTED
    assert {r.pk for r in rows[:2]} == {r.pk for r in made[S.SENT]}
    html = response.content.decode()
    for referral in rows:
        assert reverse("referrals:detail", args=[referral.pk]) in html


@pytest.mark.parametrize("status", [S.DECLINED, S.SENT])
def test_inbox_status_filter(client, scene, status):
    made = _inbox_world(scene)
    client.force_login(scene.users["dest_supervisor"])
    response = client.get(reverse("referrals:received") + f"?status={status}")
    assert {r.pk for r in _rows(response)} == {r.pk for r in made[status]}
    # The counts still describe the whole inbox.
    assert sum(_counts(response).values()) == 7


def test_inbox_with_an_unknown_status_lists_nothing(client, scene):
    _inbox_world(scene)
    client.force_login(scene.users["dest_supervisor"])
    response = client.get(reverse("referrals:received") + "?status=bogus")
    assert response.status_code == 200
    assert _rows(response) == []


def test_inboxes_do_not_leak_to_others(client, scene):
    _inbox_world(scene)
    client.force_login(scene.users["outsider"])
    response = client.get(reverse("referrals:received"))
    assert _rows(response) == []
    assert sum(_counts(response).values()) == 0
    client.force_login(scene.users["colleague"])
    response = client.get(reverse("referrals:sent"))
    assert _rows(response) == []
    # The sender's supervisor sees every referral of the organisation.
    client.force_login(scene.users["sender_supervisor"])
    assert len(_rows(client.get(reverse("referrals:sent")))) == 7


def test_received_inbox_is_404_for_a_sender_only_organisation_admin(client, scene):
    from accounts.enums import Role
    from tests.factories import member

    admin = member(scene.dest_org, Role.ORG_ADMIN)
    client.force_login(admin)
    assert client.get(reverse("referrals:received")).status_code == 404


# --- actions through the web -------------------------------------------------------------


def test_accept_decline_complete_cancel_through_the_web(client, scene):
    referral = send_referral(scene)
    client.force_login(scene.users["handler"])
    assert (
        len(
            _post_for_messages(
                client, reverse("referrals:accept", args=[referral.pk]), {"note": "OK"}
            )
        )
        == 1
    )
    referral.refresh_from_db()
    assert (referral.status, referral.handler) == (S.ACCEPTED, scene.handler)

    # Accepting again: a clear message, no 500, no event.
    [message] = _post_for_messages(client, reverse("referrals:accept", args=[referral.pk]))
    assert str(S.ACCEPTED.label) in message
    assert ReferralEvent.objects.filter(referral=referral).count() == 2

    _post_for_messages(
        client,
        reverse("referrals:complete", args=[referral.pk]),
        {"outcome_code": OutcomeCode.EQUIPMENT_PROVIDED, "outcome_note": "Remis"},
    )
    referral.refresh_from_db()
    assert (referral.status, referral.outcome_note) == (S.COMPLETED, "Remis")

    client.force_login(scene.users["referent"])
    [message] = _post_for_messages(client, reverse("referrals:cancel", args=[referral.pk]))
    assert str(S.COMPLETED.label) in message
    referral.refresh_from_db()
    assert referral.status == S.COMPLETED


def test_wrong_side_through_the_web_is_a_message_not_an_error(client, scene):
    referral = send_referral(scene)
    client.force_login(scene.users["referent"])
    assert len(_post_for_messages(client, reverse("referrals:accept", args=[referral.pk]))) == 1
    client.force_login(scene.users["handler"])
    [message] = _post_for_messages(client, reverse("referrals:cancel", args=[referral.pk]))
    assert message == str(services.SIDE_ONLY["sender"])
    referral.refresh_from_db()
    assert referral.status == S.SENT


def test_decline_without_a_reason_is_a_form_error(client, scene):
    referral = send_referral(scene)
    client.force_login(scene.users["handler"])
    response = client.post(reverse("referrals:decline", args=[referral.pk]), {"note": "x"})
    assert response.status_code == 400
    assert response.context["decline_form"].errors["reason"]
    response = client.post(
        reverse("referrals:decline", args=[referral.pk]), {"reason": DeclineReason.UNREACHABLE}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == (S.DECLINED, DeclineReason.UNREACHABLE)


def test_detail_offers_the_actions_of_each_side(client, scene):
    referral = send_referral(scene)
    client.force_login(scene.users["handler"])
    context = client.get(reverse("referrals:detail", args=[referral.pk])).context
    assert (context["can_accept"], context["can_decline"], context["can_cancel"]) == (
        True,
        True,
        False,
    )
    client.force_login(scene.users["referent"])
    context = client.get(reverse("referrals:detail", args=[referral.pk])).context
    assert (context["can_accept"], context["can_decline"], context["can_cancel"]) == (
        False,
        False,
        True,
    )


# --- handler -------------------------------------------------------------------------------


def _assign(client, scene, referral, handler):
    client.force_login(scene.users["dest_supervisor"])
    response = client.post(
        reverse("referrals:assign_handler", args=[referral.pk]), {"handler": handler.pk}
    )
    assert response.status_code == 302
    referral.refresh_from_db()


def _file_status(client, scene, role, referral) -> int:
    client.force_login(scene.users[role])
    return client.get(reverse("referrals:shared_file", args=[referral.pk])).status_code


def test_assigning_a_handler_moves_the_grant(client, scene):
    referral = bring_to(scene, send_referral(scene), S.ACCEPTED)
    assert _file_status(client, scene, "dest_advisor", referral) == 404

    _assign(client, scene, referral, scene.dest_advisor)

    assert referral.handler == scene.dest_advisor
    assert grant_user_ids(referral) == {scene.dest_advisor.pk, scene.dest_supervisor.pk}
    assert _file_status(client, scene, "dest_advisor", referral) == 200
    assert _file_status(client, scene, "handler", referral) == 404
    assert _file_status(client, scene, "dest_supervisor", referral) == 200


def test_a_supervisor_handler_keeps_access_when_reassigning(client, scene):
    referral = send_referral(scene)
    services.referral_accept(actor=scene.fresh("dest_supervisor"), referral=referral)
    assert referral.handler == scene.dest_supervisor

    _assign(client, scene, referral, scene.dest_partner)

    assert referral.handler == scene.dest_partner
    assert grant_user_ids(referral) == {scene.dest_partner.pk, scene.dest_supervisor.pk}
    assert _file_status(client, scene, "dest_supervisor", referral) == 200
    assert _file_status(client, scene, "dest_partner", referral) == 200


def test_assigning_a_handler_outside_the_destination_is_refused(client, scene):
    referral = bring_to(scene, send_referral(scene), S.ACCEPTED)
    client.force_login(scene.users["dest_supervisor"])
    response = client.post(
        reverse("referrals:assign_handler", args=[referral.pk]), {"handler": scene.outsider.pk}
    )
    assert response.status_code == 400
    referral.refresh_from_db()
    assert referral.handler == scene.handler
    # The sender cannot assign either: a message, nothing changes.
    client.force_login(scene.users["referent"])
    assert _post_for_messages(
        client,
        reverse("referrals:assign_handler", args=[referral.pk]),
        {"handler": scene.dest_advisor.pk},
    )
    referral.refresh_from_db()
    assert referral.handler == scene.handler


# --- messages ------------------------------------------------------------------------------


def test_messages_from_both_sides_appear_on_the_referral(client, scene):
    referral = send_referral(scene)
    url = reverse("referrals:post_message", args=[referral.pk])
    client.force_login(scene.users["referent"])
    assert client.post(url, {"body": "Il est disponible le mardi."}).status_code == 302
    client.force_login(scene.users["dest_partner"])
    assert client.post(url, {"body": "Rendez-vous fixé au 12."}).status_code == 302

    for role in ("referent", "dest_partner", "dest_supervisor", "sender_supervisor"):
        client.force_login(scene.users[role])
        html = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
        assert "Il est disponible le mardi." in html, role
        assert "Rendez-vous fixé au 12." in html, role


@pytest.mark.parametrize("role", ["outsider", "colleague"])
def test_a_message_from_an_outsider_is_404(client, scene, role):
    referral = send_referral(scene)
    client.force_login(scene.users[role])
    response = client.post(
        reverse("referrals:post_message", args=[referral.pk]), {"body": "Coucou"}
    )
    assert response.status_code == 404
    assert ReferralMessage.objects.count() == 0


def test_an_empty_message_is_a_form_error(client, scene):
    referral = send_referral(scene)
    client.force_login(scene.users["referent"])
    response = client.post(reverse("referrals:post_message", args=[referral.pk]), {"body": ""})
    assert response.status_code == 400
    assert ReferralMessage.objects.count() == 0


# --- the duplicate offer -------------------------------------------------------------------


def test_duplicate_at_the_destination_is_offered_and_linked(client, scene):
    young_person = scene.young_person
    duplicate = YoungPersonFactory(
        organization=scene.dest_org,
        referent=scene.users["dest_advisor"],
        first_name=young_person.first_name.upper(),
        last_name=young_person.last_name.lower(),
        birth_date=young_person.birth_date,
    )
    # Same name, other birth date: not a duplicate.
    YoungPersonFactory(
        organization=scene.dest_org,
        referent=scene.users["dest_advisor"],
        first_name=young_person.first_name,
        last_name=young_person.last_name,
        birth_date=young_person.birth_date.replace(year=young_person.birth_date.year - 1),
    )
    referral = send_referral(scene)
    detail = reverse("referrals:detail", args=[referral.pk])
    link = reverse("referrals:link_file", args=[referral.pk])

    client.force_login(scene.users["handler"])
    response = client.get(detail)
    assert response.context["duplicates"] == [duplicate]
    assert link in response.content.decode()

    # The sender is not told what files the destination holds.
    client.force_login(scene.users["referent"])
    response = client.get(detail)
    assert response.context["duplicates"] == []
    assert link not in response.content.decode()
    assert client.post(link, {"young_person": duplicate.pk}).status_code == 404

    client.force_login(scene.users["handler"])
    response = client.post(link, {"young_person": duplicate.pk})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.linked_young_person == duplicate

    response = client.get(detail)
    assert response.context["duplicates"] == []
    assert reverse("cases:detail", args=[duplicate.pk]) in response.content.decode()


def test_duplicate_detection_ignores_accented_case():
    scene = make_scene(young_person_fields={"first_name": "Léa", "last_name": "Éluard"})
    duplicate = YoungPersonFactory(
        organization=scene.dest_org,
        referent=scene.users["dest_advisor"],
        first_name="LÉA",
        last_name="ÉLUARD ",
        birth_date=scene.young_person.birth_date,
    )
    referral = send_referral(scene)
    from referrals.selectors import possible_duplicates_at_destination

    assert list(possible_duplicates_at_destination(referral)) == [duplicate]


def test_linking_a_file_that_is_not_a_duplicate_is_refused(client, scene):
    unrelated = YoungPersonFactory(organization=scene.dest_org, referent=scene.users["handler"])
    referral = send_referral(scene)
    client.force_login(scene.users["handler"])
    response = client.post(
        reverse("referrals:link_file", args=[referral.pk]), {"young_person": unrelated.pk}
    )
    assert response.status_code == 400
    referral.refresh_from_db()
    assert referral.linked_young_person is None


# --- the young person's page at the sender -------------------------------------------------


def test_outcome_shows_on_the_young_persons_timeline(client, scene):
    referral = send_referral(scene)
    client.force_login(scene.users["referent"])
    url = reverse("cases:detail", args=[scene.young_person.pk])
    html = client.get(url).content.decode()
    assert reverse("referrals:detail", args=[referral.pk]) in html
    note = "Smartphone reconditionné remis le 4 mars."
    assert note not in html

    bring_to(scene, referral, S.ACCEPTED)
    services.referral_complete(
        actor=scene.fresh("handler"),
        referral=referral,
        outcome_code=OutcomeCode.EQUIPMENT_PROVIDED,
        outcome_note=note,
    )
    response = client.get(url)
    html = response.content.decode()
    assert escape(str(OutcomeCode.EQUIPMENT_PROVIDED.label)) in html
    assert escape(note) in html
    timeline = response.context["file"].timeline
    closed = [e for e in timeline if e.kind == "referral_closed"]
    assert [e.obj.pk for e in closed] == [referral.pk]


SUGGESTION = 'id="suggest-referral-title"'


def _yp_page(client, scene) -> str:
    client.force_login(scene.users["referent"])
    return client.get(reverse("cases:detail", args=[scene.young_person.pk])).content.decode()


def test_suggestion_card_when_equipment_is_missing_until_a_referral_is_open(client, scene):
    _diagnostic(scene, ALL_NO)
    html = _yp_page(client, scene)
    assert SUGGESTION in html
    assert reverse("referrals:create", args=[scene.young_person.pk]) + "?from=diagnostic" in html

    # A referral to a partner agency does not replace Emmaüs Connect.
    partner = OrganizationFactory(partner=True)
    send_referral(scene, to_organization=partner, reason="training")
    assert SUGGESTION in _yp_page(client, scene)

    referral = send_referral(scene, to_organization=scene.dest_org)
    assert scene.dest_org.kind == OrganizationKind.EMMAUS_CONNECT
    assert SUGGESTION not in _yp_page(client, scene)

    bring_to(scene, referral, S.ACCEPTED)
    assert SUGGESTION not in _yp_page(client, scene)


def test_suggestion_card_comes_back_after_a_declined_referral(client, scene):
    _diagnostic(scene, ALL_NO)
    referral = send_referral(scene)
    assert SUGGESTION not in _yp_page(client, scene)
    bring_to(scene, referral, S.DECLINED)
    assert SUGGESTION in _yp_page(client, scene)


def test_no_suggestion_card_without_need(client, scene):
    assert SUGGESTION not in _yp_page(client, scene)  # no diagnostic yet
    _diagnostic(scene, ALL_YES)
    assert SUGGESTION not in _yp_page(client, scene)
