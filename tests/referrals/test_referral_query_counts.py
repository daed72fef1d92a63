"""The referral inboxes cost the same number of queries with 1 and with 30 referrals."""

import pytest
from django.urls import reverse

from accounts.enums import Role
from core.testing import CapturedQueries, assert_same_num_queries, capture_queries
from referrals import services
from referrals.enums import DeclineReason, ReferralStatus
from tests.factories import OrganizationFactory, YoungPersonFactory, member

pytestmark = pytest.mark.django_db


def _world(n: int) -> dict:
    sender_org = OrganizationFactory()
    dest_org = OrganizationFactory(emmaus=True)
    referent = member(sender_org, Role.ADVISOR)
    handlers = [member(dest_org, Role.ADVISOR) for _ in range(3)]
    supervisor = member(dest_org, Role.SUPERVISOR)
    for i in range(n):
        # Each referral from another sending advisor and handled by another person, so that
        # a missing select_related shows up as one query per row.
        advisor = member(sender_org, Role.ADVISOR) if i % 2 else referent
        young_person = YoungPersonFactory(organization=sender_org, referent=advisor)
        referral = services.referral_send(
            actor=advisor,
            young_person=young_person,
            to_organization=dest_org,
            reason="equipment",
            message="",
            shared_sections=["identity"],
            consent_method="oral",
            consent_given=True,
        )
        handler = handlers[i % len(handlers)]
        if i % 3 == 1:
            services.referral_accept(actor=handler, referral=referral)
        elif i % 3 == 2:
            services.referral_decline(actor=handler, referral=referral, reason=DeclineReason.OTHER)
    return {"supervisor": supervisor, "sender_supervisor": member(sender_org, Role.SUPERVISOR)}


def _queries(client, user, url: str) -> tuple[CapturedQueries, int]:
    client.force_login(user)
    with capture_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200
    rows = len(response.context["page"].object_list)
    return queries, rows


@pytest.mark.parametrize(
    ("who", "url_name"),
    [("supervisor", "referrals:received"), ("sender_supervisor", "referrals:sent")],
)
def test_inbox_queries_do_not_grow_with_rows(client, who, url_name):
    small = _world(1)
    large = _world(30)
    # 25 per page; 10 of the 30 are still waiting.
    for query, large_rows_expected in (("", 25), (f"?status={ReferralStatus.SENT}", 10)):
        small_queries, small_rows = _queries(client, small[who], reverse(url_name) + query)
        large_queries, large_rows = _queries(client, large[who], reverse(url_name) + query)
        assert small_rows == 1, query
        assert large_rows == large_rows_expected, query
        assert_same_num_queries(small_queries, large_queries, label=query)
