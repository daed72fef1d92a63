"""Benchmark: what the read log costs on the caseload, file, API list and export pages.

Prints figures, asserts nothing (DESIGN.md: speed is measured by benchmarks that print
figures). Each page is requested `--runs` times with the read log on and as many times with
it switched off (the INSERT replaced by nothing, in this process only), the two modes
interleaved so that a busy machine slows both alike; it prints the queries of each mode and
the median and p95 of each, and the p95 overhead. The data — `--young-people` files spread
over organisations of `--per-organization` files and caseloads of `--per-advisor`, one
follow-up and one step per file, `--log-per-file` access-log entries per file — is built
in a throwaway test database (named after this process), destroyed at the end:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relais \\
        .venv/bin/python benchmarks/read_log.py --young-people 1000000     # national scale
    .venv/bin/python benchmarks/read_log.py                                # SQLite, 20,000
"""

import argparse
import os
import statistics
import sys
import time
from contextlib import contextmanager, nullcontext
from datetime import timedelta
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("RELAIS_TESTING", "1")  # no SECRET_KEY needed for a throwaway run
os.environ["AUDIT_LOG_LEVEL"] = "WARNING"  # one audit line per request would be measured too
os.environ["API_THROTTLE_USER"] = "1000000/min"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from accounts.enums import OrganizationKind, Role  # noqa: E402
from accounts.models import ApiToken, Membership, Organization, User  # noqa: E402
from cases.enums import AccessAction, StepStatus  # noqa: E402
from cases.models import AccessLog, FollowUp, Step, StepType, YoungPerson  # noqa: E402
from cases.services import access_log as access_log_service  # noqa: E402

BATCH = 5000


def build(n: int, per_org: int, per_advisor: int, log_per_file: int) -> dict:
    """Organisations of `per_org` files, advisors of `per_advisor` files each; built chunk
    by chunk so that a million files never sit in memory at once."""
    n_orgs = max(1, -(-n // per_org))
    orgs = Organization.objects.bulk_create(
        Organization(name=f"Mission locale {i:03d}", kind=OrganizationKind.MISSION_LOCALE)
        for i in range(n_orgs)
    )
    advisors_per_org = max(1, -(-per_org // per_advisor))
    users = User.objects.bulk_create(
        (
            User(username=f"bench{o}_{a}", first_name=f"Prénom{a}", last_name=f"Nom{o}")
            for o in range(n_orgs)
            for a in range(advisors_per_org + 1)  # + the supervisor
        ),
        batch_size=BATCH,
    )
    memberships, advisors_of = [], {}
    for o, org in enumerate(orgs):
        staff = users[o * (advisors_per_org + 1) : (o + 1) * (advisors_per_org + 1)]
        advisors_of[org.pk] = staff[:-1]
        memberships += [Membership(user=u, organization=org, role=Role.ADVISOR) for u in staff[:-1]]
        memberships.append(Membership(user=staff[-1], organization=org, role=Role.SUPERVISOR))
    Membership.objects.bulk_create(memberships, batch_size=BATCH)
    readers = users[: min(len(users), 50)]

    if connection.vendor == "postgresql":
        _bulk_in_sql(n, per_org, per_advisor, log_per_file, orgs, users, advisors_per_org)
    else:
        _bulk_in_python(n, per_org, per_advisor, log_per_file, orgs, advisors_of, readers)
    first_org = orgs[0]
    advisor = advisors_of[first_org.pk][0]
    supervisor = users[advisors_per_org]
    file = YoungPerson.objects.filter(referent=advisor).order_by("pk").first()
    # One file read often: its log page has pages to turn.
    AccessLog.objects.bulk_create(
        (
            AccessLog(young_person=file, user=readers[k % len(readers)], action="view_file")
            for k in range(2000)
        ),
        batch_size=BATCH,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "advisor": advisor,
        "supervisor": supervisor,
        "file": file,
        "sizes": {
            "young people": n,
            "organisations": n_orgs,
            "files per advisor": per_advisor,
            "follow-ups": n,
            "steps": n,
            "access-log entries": n * log_per_file + 2000,
        },
    }


def _insert_from(model, source: str, expressions: dict[str, str]) -> None:
    """`INSERT INTO <model> SELECT … FROM <source>`: the named fields from SQL expressions
    over the source (trusted text of this script), every other column its model default,
    as a parameter."""
    quote = connection.ops.quote_name
    columns, values, defaults = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(quote(field.column))
        if field.name in expressions:
            values.append(expressions[field.name].replace("%", "%%"))
        else:
            values.append("%s")
            defaults.append(field.get_db_prep_save(field.get_default(), connection))
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {', '.join(values)} FROM {source.replace('%', '%%')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, defaults)


def _contiguous(objects) -> int:
    ids = [o.pk for o in objects]
    assert ids == list(range(ids[0], ids[0] + len(ids))), "ids not contiguous: use SQLite"
    return ids[0]


def _bulk_in_sql(n, per_org, per_advisor, log_per_file, orgs, users, advisors_per_org) -> None:
    """PostgreSQL: the million rows from generate_series, in a few statements (the ORM
    would take half an hour to build them in Python)."""
    org0, user0 = _contiguous(orgs), _contiguous(users)
    staff = advisors_per_org + 1
    step_type = StepType.objects.filter(organization__isnull=True).order_by("pk").first()
    now, today = timezone.now(), timezone.localdate()
    at_now = f"TIMESTAMPTZ '{now.isoformat()}'"
    started = YoungPerson.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    _insert_from(
        YoungPerson,
        f"generate_series(0, {n - 1}) AS g(i)",
        {
            "organization": f"{org0} + i / {per_org}",
            "referent": f"{user0} + (i / {per_org}) * {staff} "
            f"+ ((i % {per_org}) / {per_advisor}) % {advisors_per_org}",
            "first_name": "'Jeune' || i",
            "last_name": "'Famille' || (i % 997)",
            "birth_date": f"DATE '{today.isoformat()}' - (6000 + i % 3000)",
            "created_at": f"{at_now} - make_interval(days => (i % 700)::int)",
            "updated_at": at_now,
        },
    )
    people = f"cases_youngperson yp WHERE yp.id > {started}"
    _insert_from(
        FollowUp,
        people,
        {
            "young_person": "yp.id",
            "author": "yp.referent_id",
            "occurred_at": f"{at_now} - make_interval(days => (yp.id % 90)::int)",
            "channel": "'in_person'",
            "duration_minutes": "30",
            "notes": "'Point d''étape'",
        },
    )
    _insert_from(
        Step,
        people,
        {"young_person": "yp.id", "step_type": str(step_type.pk), "status": "'todo'"},
    )
    readers = min(len(users), 50)
    _insert_from(
        AccessLog,
        f"cases_youngperson yp CROSS JOIN generate_series(0, {log_per_file - 1}) AS g(k) "
        f"WHERE yp.id > {started}",
        {
            "young_person": "yp.id",
            "user": f"{user0} + (yp.id + k) % {readers}",
            "action": "'view_file'",
            "at": f"{at_now} - make_interval(hours => (k * 7 + yp.id % 24)::int)",
        },
    )
    print(f"  {n:,} files built in SQL")


def _bulk_in_python(n, per_org, per_advisor, log_per_file, orgs, advisors_of, readers) -> None:
    now = timezone.now()
    today = timezone.localdate()
    step_type = StepType.objects.filter(organization__isnull=True).order_by("pk").first()
    made = 0
    while made < n:
        chunk = []
        for i in range(made, min(n, made + BATCH)):
            org = orgs[i // per_org]
            advisors = advisors_of[org.pk]
            chunk.append(
                YoungPerson(
                    organization=org,
                    referent=advisors[(i % per_org) // per_advisor % len(advisors)],
                    first_name=f"Jeune{i}",
                    last_name=f"Famille{i % 997}",
                    birth_date=today - timedelta(days=6000 + i % 3000),
                    created_at=now - timedelta(days=i % 700),
                )
            )
        people = YoungPerson.objects.bulk_create(chunk)
        FollowUp.objects.bulk_create(
            FollowUp(
                young_person=yp,
                author_id=yp.referent_id,
                occurred_at=now - timedelta(days=made % 90),
                channel="in_person",
                duration_minutes=30,
                notes="Point d'étape",
            )
            for yp in people
        )
        Step.objects.bulk_create(
            Step(young_person=yp, step_type=step_type, status=StepStatus.TODO) for yp in people
        )
        AccessLog.objects.bulk_create(
            (
                AccessLog(
                    young_person=yp,
                    user=readers[(yp.pk + k) % len(readers)],
                    action=AccessAction.VIEW_FILE,
                    at=now - timedelta(hours=k * 7 + yp.pk % 24),
                )
                for yp in people
                for k in range(log_per_file)
            ),
            batch_size=BATCH,
        )
        made += len(people)
        print(f"\r  {made:,} / {n:,} files", end="", flush=True)
    print()


@contextmanager
def read_log_off():
    """The read log writes nothing: the one-row path and the INSERT … SELECT both stubbed."""
    with (
        mock.patch.object(access_log_service, "_insert_select", return_value=0),
        mock.patch.object(AccessLog, "save", lambda self, *args, **kwargs: None),
    ):
        yield


def signed_in(user: User) -> Client:
    """A session past the sign-in, second factor included for those who owe one
    (supervisors): as after typing the code of a confirmed authenticator."""
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="benchmark", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(client: Client, url: str, runs: int, headers: dict) -> dict:
    def get():
        response = client.get(url, headers=headers)
        if response.streaming:
            b"".join(response.streaming_content)
        assert response.status_code == 200, (url, response.status_code)

    figures = {}
    for mode, context in (("on", nullcontext), ("off", read_log_off)):
        with context():
            get()  # warm-up: caches, compiled templates
            with CaptureQueriesContext(connection) as ctx:
                get()
        figures[mode] = {"queries": len(ctx.captured_queries), "ms": []}
    for _ in range(runs):
        for mode, context in (("on", nullcontext), ("off", read_log_off)):
            with context():
                started = time.perf_counter()
                get()
                figures[mode]["ms"].append((time.perf_counter() - started) * 1000)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--young-people", type=int, default=20_000)
    parser.add_argument("--per-organization", type=int, default=2_500)
    parser.add_argument("--per-advisor", type=int, default=150)
    parser.add_argument("--log-per-file", type=int, default=3)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    setup_test_environment()
    connection.settings_dict.setdefault("TEST", {})
    if connection.vendor != "sqlite":
        connection.settings_dict["TEST"]["NAME"] = f"relais_benchmark_{os.getpid()}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        started = time.perf_counter()
        world = build(args.young_people, args.per_organization, args.per_advisor, args.log_per_file)
        built_in = time.perf_counter() - started
        advisor, supervisor, file = world["advisor"], world["supervisor"], world["file"]
        web, boss = signed_in(advisor), signed_in(supervisor)
        _token, key = ApiToken.objects.create(user=advisor, expiry=timedelta(days=1))
        token = {"authorization": f"Token {key}"}
        print(f"Relais read-log benchmark — {connection.vendor}, {args.runs} runs per mode")
        print("data: " + ", ".join(f"{k} {v:,}" for k, v in world["sizes"].items()))
        print(f"built in {built_in:.1f} s")
        pages = [
            ("caseload (not logged)", web, reverse("cases:caseload"), {}),
            ("file page", web, reverse("cases:detail", args=[file.pk]), {}),
            ("API young people, page 1", Client(), "/api/v1/young-people/", token),
            ("API follow-ups, page 1", Client(), "/api/v1/follow-ups/", token),
            ("API steps, page 1", Client(), "/api/v1/steps/", token),
            ("caseload CSV (advisor)", web, reverse("reports:export_caseload"), {}),
            (
                f"caseload CSV (organisation, {args.per_organization:,})",
                boss,
                reverse("reports:export_caseload") + "?scope=organization",
                {},
            ),
            ("log page (not logged)", web, reverse("cases:access_log", args=[file.pk]), {}),
            (
                "API access log (not logged)",
                Client(),
                f"/api/v1/young-people/{file.pk}/access-log/",
                token,
            ),
        ]
        print(
            f"{'page':<38} {'queries on/off':>14} {'median on/off ms':>17} "
            f"{'p95 on/off ms':>15} {'p95 +%':>7}"
        )
        for label, client, url, headers in pages:
            f = measure(client, url, args.runs, headers)
            on, off = f["on"], f["off"]
            p_on, p_off = p95(on["ms"]), p95(off["ms"])
            print(
                f"{label:<38} {on['queries']:>7}/{off['queries']:<6} "
                f"{statistics.median(on['ms']):>8.1f}/{statistics.median(off['ms']):<8.1f} "
                f"{p_on:>7.1f}/{p_off:<7.1f} {100 * (p_on - p_off) / p_off:>+6.1f}%"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
