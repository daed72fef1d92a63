"""Benchmark: the supervisor pages of an organisation of 20,000 young people, and one
file's page and history of changes (web and API) among ~10 history entries per file.

Prints figures, asserts nothing (DESIGN.md: speed is measured by benchmarks that print
figures, not by tests that time things). Builds the data with bulk_create in a throwaway
database (a test database named after this process, destroyed at the end), so it never
touches the development or another run's test database:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relais \
        .venv/bin/python benchmarks/dashboard_queries.py
    .venv/bin/python benchmarks/dashboard_queries.py            # in-memory SQLite
    .venv/bin/python benchmarks/dashboard_queries.py --young-people 5000 --runs 3
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("RELAIS_TESTING", "1")  # no SECRET_KEY needed for a throwaway run

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Permission  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.enums import OrganizationKind, Role  # noqa: E402
from accounts.models import Membership, Organization, User  # noqa: E402
from cases.enums import (  # noqa: E402
    ApplicationStatus,
    StepStatus,
    YoungPersonStatus,
)
from cases.models import (  # noqa: E402
    Application,
    FollowUp,
    Step,
    StepType,
    YoungPerson,
    YoungPersonUserObjectPermission,
)
from history.enums import Channel  # noqa: E402
from history.models import HistoryEntry  # noqa: E402
from referrals.enums import ReferralStatus  # noqa: E402
from referrals.models import Referral  # noqa: E402
from tests.two_factor import verified_force_login  # noqa: E402

BATCH = 2000


def build(n_young_people: int, seed: int = 20_000) -> tuple[Organization, User, dict]:
    """An organisation sized like a large mission locale: ~150 files per advisor."""
    rng = random.Random(seed)  # noqa: S311 - reproducible fake data, not secrets
    now = timezone.now()
    today = timezone.localdate()
    org, emmaus, other = Organization.objects.bulk_create(
        [
            Organization(name="Mission locale Benchmark", kind=OrganizationKind.MISSION_LOCALE),
            Organization(name="Emmaüs Connect Benchmark", kind=OrganizationKind.EMMAUS_CONNECT),
            Organization(name="Mission locale Voisine", kind=OrganizationKind.MISSION_LOCALE),
        ]
    )
    n_advisors = max(2, n_young_people // 150)
    n_departed = max(1, n_advisors // 20)
    users = User.objects.bulk_create(
        [
            User(username=f"bench{i}", first_name=f"Prénom{i}", last_name=f"Nom{i}", password="!")
            for i in range(n_advisors + n_departed + 5)
        ],
        batch_size=BATCH,
    )
    advisors = users[:n_advisors]
    departed = users[n_advisors : n_advisors + n_departed]
    supervisor, emmaus_advisor, other_advisor, *_rest = users[n_advisors + n_departed :]
    Membership.objects.bulk_create(
        [Membership(user=u, organization=org, role=Role.ADVISOR) for u in advisors]
        + [
            Membership(user=u, organization=org, role=Role.ADVISOR, is_active=False)
            for u in departed
        ]
        + [
            Membership(user=supervisor, organization=org, role=Role.SUPERVISOR),
            Membership(user=emmaus_advisor, organization=emmaus, role=Role.ADVISOR),
            Membership(user=other_advisor, organization=other, role=Role.ADVISOR),
        ],
        batch_size=BATCH,
    )
    referents = advisors + departed
    statuses = [YoungPersonStatus.ACTIVE] * 8 + [YoungPersonStatus.PAUSED, YoungPersonStatus.CLOSED]
    young_people = YoungPerson.objects.bulk_create(
        [
            YoungPerson(
                organization=org,
                referent=referents[i % len(referents)],
                first_name=f"Jeune{i}",
                last_name=f"Famille{i % 997}",
                birth_date=today - timedelta(days=rng.randint(16 * 365, 25 * 365)),
                status=rng.choice(statuses),
                created_at=now - timedelta(days=rng.randint(0, 900)),
            )
            for i in range(n_young_people)
        ],
        batch_size=BATCH,
    )
    outsiders = YoungPerson.objects.bulk_create(
        [
            YoungPerson(
                organization=other,
                referent=other_advisor,
                first_name=f"Voisin{i}",
                last_name="Voisin",
                birth_date=today - timedelta(days=20 * 365),
            )
            for i in range(max(10, n_young_people // 50))
        ],
        batch_size=BATCH,
    )

    follow_ups = []
    for yp in young_people:
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3, 4))):
            appointment = None
            if rng.random() < 0.3:
                appointment = now + timedelta(days=rng.uniform(-20, 30))
            follow_ups.append(
                FollowUp(
                    young_person=yp,
                    author=yp.referent,
                    occurred_at=now - timedelta(days=rng.uniform(0, 200)),
                    channel="in_person",
                    duration_minutes=30,
                    next_appointment=appointment,
                )
            )
    FollowUp.objects.bulk_create(follow_ups, batch_size=BATCH)

    step_types = list(StepType.objects.filter(organization__isnull=True))
    steps = []
    for yp in young_people:
        for step_type in rng.sample(step_types, rng.randint(2, 6)):
            status = rng.choice(
                (StepStatus.TODO, StepStatus.IN_PROGRESS, StepStatus.DONE, StepStatus.DONE)
            )
            done = status == StepStatus.DONE
            steps.append(
                Step(
                    young_person=yp,
                    step_type=step_type,
                    status=status,
                    due_date=today + timedelta(days=rng.randint(-60, 60)),
                    completed_at=now - timedelta(days=rng.uniform(0, 500)) if done else None,
                )
            )
    Step.objects.bulk_create(steps, batch_size=BATCH)

    applications = []
    for yp in rng.sample(young_people, len(young_people) // 3):
        for _ in range(rng.randint(1, 3)):
            status = rng.choice(
                (ApplicationStatus.SENT, ApplicationStatus.REJECTED, ApplicationStatus.HIRED)
            )
            applications.append(
                Application(
                    young_person=yp,
                    employer="Employeur",
                    position="Poste",
                    source="job_board",
                    status=status,
                    applied_on=today - timedelta(days=rng.randint(0, 400)),
                    updated_at=now - timedelta(days=rng.uniform(0, 400)),
                )
            )
    Application.objects.bulk_create(applications, batch_size=BATCH)

    def referral(yp, to, status):
        return Referral(
            young_person=yp,
            from_organization_id=yp.organization_id,
            to_organization=to,
            sent_by=yp.referent,
            reason="equipment",
            consent_method="oral",
            consent_recorded_at=now,
            shared_sections=["identity"],
            status=status,
            sent_at=now - timedelta(days=rng.uniform(0, 60)),
        )

    referral_statuses = (ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED)
    referrals = [
        referral(yp, emmaus, rng.choice(referral_statuses))
        for yp in rng.sample(young_people, len(young_people) // 10)
    ]
    referrals = [r for r in referrals if r.status != ReferralStatus.COMPLETED] + [
        referral(yp, org, ReferralStatus.SENT) for yp in outsiders
    ]
    Referral.objects.bulk_create(referrals, batch_size=BATCH)

    permission = Permission.objects.get(
        content_type__app_label="cases", codename="change_youngperson"
    )
    YoungPersonUserObjectPermission.objects.bulk_create(
        [
            YoungPersonUserObjectPermission(
                user=rng.choice(advisors),
                permission=permission,
                content_object=yp,
                expires_at=now + timedelta(days=rng.randint(1, 60)),
                granted_by=supervisor,
            )
            for yp in rng.sample(young_people, min(300, len(young_people)))
        ],
        batch_size=BATCH,
    )
    history = build_history(young_people, follow_ups, steps, rng)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    sizes = {
        "young people": len(young_people),
        "referents (departed)": f"{len(referents)} ({len(departed)})",
        "follow-ups": len(follow_ups),
        "steps": len(steps),
        "applications": len(applications),
        "referrals": len(referrals),
        "delegations": min(300, len(young_people)),
        "history entries": history,
    }
    return org, supervisor, sizes


def build_history(young_people, follow_ups, steps, rng) -> int:
    """What the services would have recorded: each file's creation, its follow-ups and
    steps, and a few changes, spread over the last 900 days."""
    now = timezone.now()
    kinds = {
        model: ContentType.objects.get_for_model(model) for model in (YoungPerson, FollowUp, Step)
    }

    def entry(obj, young_person, action, changes):
        return HistoryEntry(
            content_type=kinds[type(obj)],
            object_pk=str(obj.pk),
            object_id=obj.pk,
            object_repr=str(young_person.pk),
            action=action,
            changes=changes,
            actor_id=young_person.referent_id,
            channel=rng.choice((Channel.WEB, Channel.WEB, Channel.API)),
            young_person_id=young_person.pk,
            timestamp=now - timedelta(days=rng.uniform(0, 900)),
        )

    by_pk = {yp.pk: yp for yp in young_people}
    rows = []
    for yp in young_people:
        rows.append(entry(yp, yp, HistoryEntry.Action.CREATE, {"last_name": [None, yp.last_name]}))
        for _ in range(rng.randint(1, 4)):
            rows.append(entry(yp, yp, HistoryEntry.Action.UPDATE, {"city": ["Lille", "Douai"]}))
    for record in [*follow_ups, *steps]:
        young_person = by_pk[record.young_person_id]
        rows.append(entry(record, young_person, HistoryEntry.Action.CREATE, {"x": [None, 1]}))
    HistoryEntry.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def measure(client: Client, url: str, runs: int) -> tuple[int, list[float], list[float]]:
    client.get(url)  # warm-up: caches, connection, compiled templates
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return len(ctx.captured_queries), timings, [float(q["time"]) * 1000 for q in ctx]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--young-people", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    setup_test_environment()
    # A name of our own: never clobber the test database of a pytest run next door.
    connection.settings_dict.setdefault("TEST", {})
    if connection.vendor != "sqlite":
        connection.settings_dict["TEST"]["NAME"] = f"relais_benchmark_{os.getpid()}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        started = time.perf_counter()
        org, supervisor, sizes = build(args.young_people)
        built_in = time.perf_counter() - started
        client = Client()
        # Signed in with the second factor a supervisor owes (as after typing the code).
        verified_force_login(client, supervisor)
        # The file with the longest history: the worst case of its pages.
        file = YoungPerson.objects.get(
            pk=HistoryEntry.objects.values("young_person_id")
            .annotate(n=Count("pk"))
            .order_by("-n", "young_person_id")
            .values_list("young_person_id", flat=True)[:1]
        )

        print(f"Relais supervision benchmark — {connection.vendor}, {args.runs} runs per page")
        print(
            "data: "
            + ", ".join(
                f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in sizes.items()
            )
        )
        print(f"built in {built_in:.1f} s (bulk_create)")
        pages = [
            ("dashboard", reverse("supervision:dashboard", args=[org.pk])),
            (
                "list: no follow-up 30 days",
                reverse("supervision:young_people", args=[org.pk]) + "?metric=no_follow_up_30",
            ),
            (
                "list: step done (funnel)",
                reverse("supervision:young_people", args=[org.pk])
                + "?metric=step_done&step=upload_cv",
            ),
            (
                "referrals sent, waiting",
                reverse("supervision:referrals", args=[org.pk]) + "?direction=sent",
            ),
            ("running delegations", reverse("supervision:delegations", args=[org.pk])),
            ("file page", reverse("cases:detail", args=[file.pk])),
            ("file: history of changes", reverse("cases:history", args=[file.pk])),
            ("API: file history", f"/api/v1/young-people/{file.pk}/history/"),
        ]
        print(f"{'page':<30} {'queries':>7} {'median ms':>10} {'min ms':>8} {'max ms':>8}")
        details = {}
        for label, url in pages:
            count, timings, query_ms = measure(client, url, args.runs)
            details[label] = query_ms
            print(
                f"{label:<30} {count:>7} {statistics.median(timings):>10.1f} "
                f"{min(timings):>8.1f} {max(timings):>8.1f}"
            )
        print("SQL time per query (ms), in order:")
        for label, query_ms in details.items():
            print(f"  {label:<28} {', '.join(f'{ms:.0f}' for ms in query_ms)}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
