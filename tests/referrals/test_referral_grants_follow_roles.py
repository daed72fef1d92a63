"""Grants follow roles (issue 9, item 7): the shared-file grants of accepted referrals are
recomputed, in the same transaction, whenever a membership of the destination changes —
a demoted or departed supervisor loses them at once, a handler keeps theirs while they hold
a destination role, a supervisor appointed while a referral is accepted gets them."""

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.enums import Role, SecurityEventKind
from accounts.models import Membership, SecurityEvent, User
from core.testing import assert_same_num_queries, capture_queries
from referrals import grants, services, workflow
from referrals.enums import ReferralStatus
from referrals.models import ReferralUserObjectPermission
from tests.factories import UserFactory, YoungPersonFactory, api_token, member
from tests.referrals.referral_helpers import (
    bring_to,
    grant_user_ids,
    make_scene,
    send_referral,
)

pytestmark = pytest.mark.django_db

S = ReferralStatus
NOT_SHARING = [s for s in S.values if s not in workflow.SHARING_STATUSES]


def _api_status(user: User, referral) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client.get(f"/api/v1/referrals/{referral.pk}/shared-file/").status_code


def _web_status(client, user: User, referral) -> int:
    client.force_login(user)
    return client.get(reverse("referrals:shared_file", args=[referral.pk])).status_code


def _membership(user: User, organization) -> Membership:
    return Membership.objects.select_related("user", "organization").get(
        user=user, organization=organization
    )


@pytest.fixture
def scene():
    scene = make_scene()
    scene.users["dest_admin"] = member(
        scene.dest_org, Role.ORG_ADMIN, first_name="Agathe", last_name="Admin"
    )
    return scene


@pytest.fixture
def accepted(scene):
    return bring_to(scene, send_referral(scene), S.ACCEPTED)


def _admin_post(client, scene, url_name: str, user: User, data: dict | None = None):
    client.force_login(scene.fresh("dest_admin"))
    membership = _membership(user, scene.dest_org)
    response = client.post(reverse(url_name, args=[scene.dest_org.pk, membership.pk]), data or {})
    assert response.status_code == 302
    client.logout()


def test_a_demoted_supervisor_loses_the_shared_file_at_once(client, scene, accepted):
    supervisor = scene.dest_supervisor
    assert _web_status(client, scene.fresh("dest_supervisor"), accepted) == 200
    assert _api_status(scene.fresh("dest_supervisor"), accepted) == 200

    _admin_post(client, scene, "accounts:member_edit", supervisor, {"role": Role.ADVISOR})

    assert _membership(supervisor, scene.dest_org).role == Role.ADVISOR
    assert supervisor.pk not in grant_user_ids(accepted)
    # Still a destination member (an advisor sees the record), no longer the shared file.
    assert _web_status(client, scene.fresh("dest_supervisor"), accepted) == 404
    assert _api_status(scene.fresh("dest_supervisor"), accepted) == 404
    assert client.get(reverse("referrals:detail", args=[accepted.pk])).status_code == 200
    # The handler is untouched.
    assert grant_user_ids(accepted) == {scene.handler.pk}


def test_a_deactivated_supervisor_loses_the_shared_file_at_once(client, scene, accepted):
    supervisor = scene.dest_supervisor
    assert _api_status(scene.fresh("dest_supervisor"), accepted) == 200

    _admin_post(client, scene, "accounts:member_toggle_active", supervisor)

    assert not _membership(supervisor, scene.dest_org).is_active
    assert grant_user_ids(accepted) == {scene.handler.pk}
    assert _web_status(client, scene.fresh("dest_supervisor"), accepted) == 404
    assert _api_status(scene.fresh("dest_supervisor"), accepted) == 404


def test_a_reactivated_supervisor_gets_the_grant_back(client, scene, accepted):
    admin = scene.fresh("dest_admin")
    membership = _membership(scene.dest_supervisor, scene.dest_org)
    account_services.member_set_active(actor=admin, membership=membership, is_active=False)
    assert scene.dest_supervisor.pk not in grant_user_ids(accepted)
    account_services.member_set_active(actor=admin, membership=membership, is_active=True)
    assert grant_user_ids(accepted) == {scene.handler.pk, scene.dest_supervisor.pk}
    assert _web_status(client, scene.fresh("dest_supervisor"), accepted) == 200


def test_a_demoted_handler_keeps_the_shared_file(client, scene):
    referral = send_referral(scene)
    services.referral_accept(actor=scene.fresh("dest_supervisor"), referral=referral)
    assert referral.handler_id == scene.dest_supervisor.pk

    _admin_post(
        client, scene, "accounts:member_edit", scene.dest_supervisor, {"role": Role.ADVISOR}
    )

    referral.refresh_from_db()
    assert referral.handler_id == scene.dest_supervisor.pk
    assert grant_user_ids(referral) == {scene.dest_supervisor.pk}
    assert _web_status(client, scene.fresh("dest_supervisor"), referral) == 200
    assert _api_status(scene.fresh("dest_supervisor"), referral) == 200


def test_a_deactivated_handler_loses_the_shared_file(client, scene, accepted):
    _admin_post(client, scene, "accounts:member_toggle_active", scene.handler)
    assert grant_user_ids(accepted) == {scene.dest_supervisor.pk}
    assert _api_status(scene.fresh("handler"), accepted) == 404


def test_a_handler_moved_to_a_role_without_casework_loses_the_shared_file(scene, accepted):
    account_services.member_change_role(
        actor=scene.fresh("dest_admin"),
        membership=_membership(scene.handler, scene.dest_org),
        role=Role.ORG_ADMIN,
    )
    assert grant_user_ids(accepted) == {scene.dest_supervisor.pk}


def test_a_supervisor_promoted_while_a_referral_is_accepted_sees_the_shared_file(
    client, scene, accepted
):
    advisor = scene.dest_advisor
    assert _web_status(client, scene.fresh("dest_advisor"), accepted) == 404

    _admin_post(client, scene, "accounts:member_edit", advisor, {"role": Role.SUPERVISOR})

    assert advisor.pk in grant_user_ids(accepted)
    assert _web_status(client, scene.fresh("dest_advisor"), accepted) == 200
    assert _api_status(scene.fresh("dest_advisor"), accepted) == 200


def test_a_supervisor_added_while_a_referral_is_accepted_sees_the_shared_file(
    client, scene, accepted
):
    client.force_login(scene.fresh("dest_admin"))
    response = client.post(
        reverse("accounts:members", args=[scene.dest_org.pk]),
        {
            "username": "nouvelle.resp",
            "first_name": "Inès",
            "last_name": "Nouvelle",
            "email": "ines@example.org",
            "role": Role.SUPERVISOR,
        },
    )
    assert response.status_code == 302
    newcomer = User.objects.get(username="nouvelle.resp")
    assert grant_user_ids(accepted) == {scene.handler.pk, scene.dest_supervisor.pk, newcomer.pk}
    assert _web_status(client, newcomer, accepted) == 200


def test_an_advisor_added_gets_no_grant(scene, accepted):
    account_services.member_add(
        actor=scene.fresh("dest_admin"),
        organization=scene.dest_org,
        username="nouveau.conseiller",
        first_name="Léo",
        last_name="Nouveau",
        email="leo@example.org",
        role=Role.ADVISOR,
    )
    assert grant_user_ids(accepted) == {scene.handler.pk, scene.dest_supervisor.pk}


@pytest.mark.parametrize("status", NOT_SHARING)
def test_referrals_not_accepted_are_not_granted(client, scene, status):
    referral = bring_to(scene, send_referral(scene), status)
    assert grant_user_ids(referral) == set()
    _admin_post(
        client, scene, "accounts:member_edit", scene.dest_advisor, {"role": Role.SUPERVISOR}
    )
    assert grant_user_ids(referral) == set()
    assert _web_status(client, scene.fresh("dest_advisor"), referral) == 404


def test_referrals_of_other_organisations_are_untouched(scene, accepted):
    """A change at the sender (or anywhere else) recomputes nothing at the destination."""
    account_services.membership_grant(
        user=scene.fresh("dest_advisor"), organization=scene.other_org, role=Role.SUPERVISOR
    )
    assert grant_user_ids(accepted) == {scene.handler.pk, scene.dest_supervisor.pk}


def test_the_sync_is_idempotent_and_repairs_stray_grants(scene, accepted):
    # A stray grant (written before grants followed roles) goes at the next sync.
    grants.grant_shared_file(referral=accepted, users=[scene.fresh("dest_partner")])
    services.referral_grants_sync(organization=scene.dest_org)
    services.referral_grants_sync(organization=scene.dest_org)
    assert grant_user_ids(accepted) == {scene.handler.pk, scene.dest_supervisor.pk}


def _accepted_referrals(scene, count: int) -> None:
    for i in range(count):
        young_person = (
            scene.young_person
            if i == 0
            else YoungPersonFactory(
                organization=scene.sender_org,
                referent=scene.referent,
                first_name=f"Jeune{i}",
                last_name="Lot",
            )
        )
        bring_to(scene, send_referral(scene, young_person=young_person), S.ACCEPTED)


def _promote_and_demote(scene):
    admin = scene.fresh("dest_admin")
    membership = _membership(scene.dest_advisor, scene.dest_org)
    with capture_queries() as promote:
        account_services.member_change_role(
            actor=admin, membership=membership, role=Role.SUPERVISOR
        )
    with capture_queries() as demote:
        account_services.member_change_role(actor=admin, membership=membership, role=Role.ADVISOR)
    with capture_queries() as sync:
        services.referral_grants_sync(organization=scene.dest_org)
    return promote, demote, sync


def test_the_sync_costs_as_many_queries_for_1_and_20_accepted_referrals():
    small, large = make_scene(), make_scene()
    for scene in (small, large):
        scene.users["dest_admin"] = member(scene.dest_org, Role.ORG_ADMIN)
    _accepted_referrals(small, 1)
    _accepted_referrals(large, 20)

    small_runs, large_runs = _promote_and_demote(small), _promote_and_demote(large)

    for label, first, second in zip(
        ("promote", "demote", "sync"), small_runs, large_runs, strict=True
    ):
        assert_same_num_queries(first, second, label=label)
    # The promotion wrote 20 grants and the demotion took them back, in as many queries.
    assert len(grant_user_ids_of_org(large)) == 40  # handler + supervisor on each
    assert len(small_runs[0]) <= 15, small_runs[0].report()


def grant_user_ids_of_org(scene) -> list[tuple[int, int]]:
    return list(
        ReferralUserObjectPermission.objects.filter(
            content_object__to_organization=scene.dest_org
        ).values_list("content_object_id", "user_id")
    )


# --- the Django admin writes memberships itself: the grants follow there too -------------


@pytest.fixture
def platform(client):
    client.force_login(User.objects.create_superuser("platform", "platform@example.org", "x"))
    return client


def test_a_supervisor_demoted_in_the_django_admin_loses_the_grant(platform, scene, accepted):
    membership = _membership(scene.dest_supervisor, scene.dest_org)
    response = platform.post(
        reverse("admin:accounts_membership_change", args=[membership.pk]),
        {
            "user": scene.dest_supervisor.pk,
            "organization": scene.dest_org.pk,
            "role": Role.ADVISOR,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert grant_user_ids(accepted) == {scene.handler.pk}
    event = SecurityEvent.objects.filter(subject=scene.dest_supervisor).latest("pk")
    assert (event.kind, event.detail) == (
        SecurityEventKind.ROLE_CHANGED,
        {"role": Role.ADVISOR, "previous_role": Role.SUPERVISOR, "via": "admin"},
    )


def test_a_supervisor_added_or_deleted_in_the_django_admin(platform, scene, accepted):
    newcomer = UserFactory()
    response = platform.post(
        reverse("admin:accounts_membership_add"),
        {
            "user": newcomer.pk,
            "organization": scene.dest_org.pk,
            "role": Role.SUPERVISOR,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert newcomer.pk in grant_user_ids(accepted)

    membership = _membership(newcomer, scene.dest_org)
    response = platform.post(
        reverse("admin:accounts_membership_delete", args=[membership.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert grant_user_ids(accepted) == {scene.handler.pk, scene.dest_supervisor.pk}
    assert list(
        SecurityEvent.objects.filter(subject=newcomer).order_by("pk").values_list("kind", flat=True)
    ) == [SecurityEventKind.ROLE_GRANTED, SecurityEventKind.MEMBERSHIP_DEACTIVATED]


def test_a_supervisor_demoted_on_the_admin_user_page_loses_the_grant(platform, scene, accepted):
    user = scene.fresh("dest_supervisor")
    membership = _membership(user, scene.dest_org)
    joined = timezone.localtime(user.date_joined)
    response = platform.post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        {
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "is_active": "on",
            "date_joined_0": joined.strftime("%Y-%m-%d"),
            "date_joined_1": joined.strftime("%H:%M:%S"),
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-id": membership.pk,
            "memberships-0-user": user.pk,
            "memberships-0-organization": scene.dest_org.pk,
            "memberships-0-role": Role.ADVISOR,
            "memberships-0-is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert _membership(user, scene.dest_org).role == Role.ADVISOR
    assert grant_user_ids(accepted) == {scene.handler.pk}
    assert SecurityEvent.objects.filter(
        subject=user, kind=SecurityEventKind.ROLE_CHANGED, detail__via="admin"
    ).exists()
