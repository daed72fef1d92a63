"""Two people act on one referral at the same moment: accept at the destination, cancel at
the sender. The conditional update (`WHERE status = 'sent'`) must let exactly one win.

PostgreSQL only: SQLite serialises every write on one database lock, so the race this test
is about cannot happen there (and its in-memory test database is not shared by threads)."""

import threading

import pytest
from django.db import connection

from accounts.models import User
from core.exceptions import NotAllowed
from referrals import services
from referrals.enums import ReferralStatus
from referrals.exceptions import InvalidTransition
from referrals.models import Referral, ReferralEvent
from tests.referrals.referral_helpers import grant_user_ids, make_scene, send_referral

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Concurrency needs PostgreSQL: SQLite serialises writers and its in-memory "
        "test database is not shared between threads.",
    ),
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 10


def _race(referral_pk: int, handler_pk: int, referent_pk: int) -> dict[str, object]:
    barrier = threading.Barrier(2, timeout=30)
    outcome: dict[str, object] = {}

    def run(name: str, user_pk: int, action) -> None:
        try:
            # Each thread loads its own copies while the referral is still `sent`, exactly as
            # two web requests would.
            actor = User.objects.get(pk=user_pk)
            referral = Referral.objects.get(pk=referral_pk)
            barrier.wait()
            action(actor, referral)
            outcome[name] = "ok"
        except Exception as error:  # recorded and asserted on by the main thread
            outcome[name] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(
            target=run,
            args=(
                "accept",
                handler_pk,
                lambda actor, r: services.referral_accept(actor=actor, referral=r),
            ),
        ),
        threading.Thread(
            target=run,
            args=(
                "cancel",
                referent_pk,
                lambda actor, r: services.referral_cancel(actor=actor, referral=r),
            ),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), "a transition thread hung"
    return outcome


def test_accept_and_cancel_at_the_same_time_only_one_wins():
    scene = make_scene()
    winners = []
    for _ in range(ROUNDS):
        referral = send_referral(scene)
        outcome = _race(referral.pk, scene.handler.pk, scene.referent.pk)

        succeeded = [name for name, result in outcome.items() if result == "ok"]
        failed = {name: result for name, result in outcome.items() if result != "ok"}
        assert len(succeeded) == 1, outcome
        [loser] = failed.values()
        assert not isinstance(loser, NotAllowed), loser
        assert isinstance(loser, InvalidTransition), repr(loser)

        referral.refresh_from_db()
        expected = ReferralStatus.ACCEPTED if succeeded == ["accept"] else ReferralStatus.CANCELLED
        assert referral.status == expected
        # The loser went through the conditional update and is told what happened.
        assert str(ReferralStatus(expected).label) in loser.message
        events = list(
            ReferralEvent.objects.filter(referral=referral).values_list("to_status", flat=True)
        )
        assert sorted(events) == sorted([ReferralStatus.SENT, expected])
        if expected == ReferralStatus.CANCELLED:
            assert grant_user_ids(referral) == set()
            assert referral.handler is None
        else:
            assert grant_user_ids(referral) == {scene.handler.pk, scene.dest_supervisor.pk}
            # Close it so the next round can send a new referral to the same organisation.
            services.referral_cancel(actor=scene.fresh("referent"), referral=referral)
        winners.append(succeeded[0])

    assert len(winners) == ROUNDS
    assert Referral.objects.count() == ROUNDS
