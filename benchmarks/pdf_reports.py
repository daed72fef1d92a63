"""Benchmark of the report PDFs (and the caseload CSV) at the sizes advisors reach.

    .venv/bin/python benchmarks/pdf_reports.py
    .venv/bin/python benchmarks/pdf_reports.py --young-people 5000 --follow-ups 500 --repeat 5
    .venv/bin/python benchmarks/pdf_reports.py --database-url postgres://postgres@127.0.0.1:5432/relais

Prints figures (time to gather the data, time to render, size, pages, queries); it asserts
nothing about speed. The data lives in a throwaway database: by default a temporary SQLite
file, migrated from scratch; with --database-url, a `relais_bench_<pid>` test database
created next to the given one and dropped at the end. Nothing else is touched.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--young-people", type=int, default=2000, help="caseload size")
    parser.add_argument("--follow-ups", type=int, default=200, help="follow-ups in one file")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measure (median kept)")
    parser.add_argument("--database-url", default="", help="PostgreSQL server to use instead")
    parser.add_argument(
        "--analyze",
        action="store_true",
        help="run ANALYZE after loading (SQLite plans the caseload's overdue-steps "
        "subquery badly without statistics)",
    )
    return parser.parse_args()


def setup_django(database_url: str, workdir: Path) -> None:
    sys.path.insert(0, str(ROOT))
    # Whatever the caller's environment says, never point at a real database.
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["PRIVATE_MEDIA_ROOT"] = str(workdir / "media")
    os.environ.setdefault("RELAIS_TESTING", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["AUDIT_LOG_LEVEL"] = "WARNING"
    import django

    django.setup()


def build_data(young_people: int, follow_ups: int):
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.enums import OrganizationKind, Role
    from accounts.models import Membership, Organization, User
    from cases import services
    from cases.enums import AccessAction, FollowUpChannel, StepStatus
    from cases.models import AccessLog, DigitalDiagnostic, FollowUp, Step, StepType, YoungPerson
    from referrals import services as referral_services

    now = timezone.now()
    org = Organization.objects.create(
        name="Mission Locale Bench Métropole", kind=OrganizationKind.MISSION_LOCALE
    )
    emmaus = Organization.objects.create(
        name="Emmaüs Connect Bench", kind=OrganizationKind.EMMAUS_CONNECT
    )
    password = make_password(None)
    advisor = User.objects.create(
        username="bench.advisor", first_name="Camille", last_name="Lefèvre", password=password
    )
    supervisor = User.objects.create(
        username="bench.supervisor", first_name="Inès", last_name="Roux", password=password
    )
    colleagues = [
        User.objects.create(
            username=f"bench.colleague{i}",
            first_name="Léo",
            last_name=f"Petit{i}",
            password=password,
        )
        for i in range(20)
    ]
    Membership.objects.bulk_create(
        [Membership(user=advisor, organization=org, role=Role.ADVISOR)]
        + [Membership(user=supervisor, organization=org, role=Role.SUPERVISOR)]
        + [Membership(user=u, organization=org, role=Role.ADVISOR) for u in colleagues]
    )
    step_types = list(StepType.objects.filter(organization__isnull=True).order_by("order"))

    # One thick file: the file summary and "Mon parcours".
    file = YoungPerson.objects.create(
        organization=org,
        referent=advisor,
        first_name="Éloïse",
        last_name="Œuvray-Nguyễn",
        birth_date=(now - timedelta(days=20 * 365)).date(),
        email="eloise@example.org",
        phone="06 12 34 56 78",
        city="Roubaix",
        created_by=advisor,
    )
    FollowUp.objects.bulk_create(
        FollowUp(
            young_person=file,
            author=advisor,
            occurred_at=now - timedelta(days=i),
            channel=FollowUpChannel.IN_PERSON if i % 3 else FollowUpChannel.PHONE,
            duration_minutes=30 + i % 60,
            notes=(
                f"Entretien n°{i}. Point sur la recherche d'emploi, l'adresse e-mail et le CV ; "
                "la jeune personne a envoyé deux candidatures & prépare un entretien. "
            )
            * (1 + i % 3),
            next_action="Relancer l'employeur" if i % 4 == 0 else "",
            next_appointment=now + timedelta(days=7) if i == 0 else None,
        )
        for i in range(follow_ups)
    )
    Step.objects.bulk_create(
        Step(
            young_person=file,
            step_type=st,
            status=StepStatus.DONE if i % 2 == 0 else StepStatus.TODO,
            completed_at=now - timedelta(days=30 - i) if i % 2 == 0 else None,
            due_date=(now + timedelta(days=10 * i)).date() if i % 2 else None,
        )
        for i, st in enumerate(step_types)
    )
    answers = dict.fromkeys(DigitalDiagnostic.QUESTION_FIELDS, True) | {"has_computer": False}
    services.diagnostic_record(actor=advisor, young_person=file, answers=answers)
    for i in range(10):
        services.application_save(
            actor=advisor,
            young_person=file,
            employer=f"Employeur {i}",
            position="Vendeuse",
            source="job_board",
            status="sent",
        )
    AccessLog.objects.bulk_create(
        AccessLog(
            young_person=file,
            user=colleagues[i % len(colleagues)],
            action=AccessAction.VIEW_CARD,
            at=now - timedelta(days=i),
        )
        for i in range(60)
    )
    referral_services.referral_send(
        actor=advisor,
        young_person=file,
        to_organization=emmaus,
        reason="equipment",
        message="",
        shared_sections=["identity", "diagnostic"],
        consent_method="oral",
        consent_given=True,
    )

    # A large caseload: the caseload report and the CSV export.
    people = YoungPerson.objects.bulk_create(
        YoungPerson(
            organization=org,
            referent=advisor,
            first_name=f"Prénom{i}",
            last_name=f"Nom-{i:05d} à l'Épreuve",
            birth_date=(now - timedelta(days=18 * 365 + i)).date(),
            city="Lille",
            created_by=advisor,
            created_at=now - timedelta(days=i % 400),
        )
        for i in range(young_people - 1)
    )
    FollowUp.objects.bulk_create(
        FollowUp(
            young_person=yp,
            author=advisor,
            occurred_at=now - timedelta(days=(i + k * 17) % 200),
            channel=FollowUpChannel.IN_PERSON,
            duration_minutes=45,
            next_appointment=now + timedelta(days=i % 30) if k == 0 and i % 2 else None,
        )
        for i, yp in enumerate(people)
        for k in range(2)
    )
    Step.objects.bulk_create(
        Step(
            young_person=yp,
            step_type=st,
            status=StepStatus.DONE if (i + j) % 3 == 0 else StepStatus.TODO,
            completed_at=now - timedelta(days=(i + j) % 90) if (i + j) % 3 == 0 else None,
            due_date=(now - timedelta(days=5)).date() if (i + j) % 5 == 0 else None,
        )
        for i, yp in enumerate(people)
        for j, st in enumerate(step_types[:4])
    )
    return org, advisor, supervisor, file


def cpu_yardstick() -> float:
    """A fixed amount of pure-Python work, to compare figures taken on different machines
    (or on a busy one)."""
    start = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.perf_counter() - start


def measure(label: str, repeat: int, gather: Callable, render: Callable) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from pypdf import PdfReader

    gather_times, render_times = [], []
    result = queries = None
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            data = gather()
            gather_times.append(time.perf_counter() - start)
        queries = len(ctx.captured_queries)
        start = time.perf_counter()
        result = render(data)
        render_times.append(time.perf_counter() - start)
    size = len(result) if isinstance(result, bytes) else len(result.encode())
    pages = len(PdfReader(BytesIO(result)).pages) if isinstance(result, bytes) else "—"
    gather_ms = statistics.median(gather_times) * 1000
    render_ms = statistics.median(render_times) * 1000
    print(
        f"{label:<48} {gather_ms:>9.0f} {render_ms:>9.0f} {gather_ms + render_ms:>9.0f} "
        f"{size / 1024:>9.0f} {pages!s:>6} {queries:>8}"
    )


def run(args: argparse.Namespace) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone, translation

    from cases.selectors import caseload
    from core.periods import Period
    from reports import exports, pdf, selectors

    print(f"Database: {connection.vendor} (throwaway) — migrating…", flush=True)
    call_command("migrate", verbosity=0)
    translation.activate("fr")
    start = time.perf_counter()
    org, advisor, supervisor, file = build_data(args.young_people, args.follow_ups)
    print(
        f"Data: 1 file with {args.follow_ups} follow-ups; a caseload of {args.young_people} "
        f"young people (2 follow-ups, 4 steps each), built in {time.perf_counter() - start:.1f} s"
    )
    if args.analyze:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"Median of {args.repeat} runs; ANALYZE {'run' if args.analyze else 'not run'}; "
        f"CPU yardstick (10 M additions in Python): {cpu_yardstick():.2f} s.\n"
    )
    print(
        f"{'report':<48} {'data ms':>9} {'render ms':>9} {'total ms':>9} {'KiB':>9} "
        f"{'pages':>6} {'queries':>8}"
    )
    measure(
        f"File summary ({args.follow_ups} follow-ups)",
        args.repeat,
        lambda: pdf.file_summary_data(file, generated_by=advisor),
        pdf.render_file_summary,
    )
    measure(
        "Mon parcours",
        args.repeat,
        lambda: pdf.my_pathway_data(file),
        pdf.render_my_pathway,
    )

    def caseload_report(user, subject: str, **rows_of):
        """The caseload report of `user`; of the whole organisation when `rows_of` names it."""
        return lambda: pdf.caseload_report_data(
            selectors.caseload_report_rows(user, **rows_of),
            subject=subject,
            organization=org,
            per_organization=bool(rows_of),
            generated_by=user,
        )

    measure(
        f"Caseload report, advisor ({args.young_people} rows)",
        args.repeat,
        caseload_report(advisor, advisor.display_name),
        pdf.render_caseload_report,
    )
    measure(
        f"Caseload report, organisation ({args.young_people} rows)",
        args.repeat,
        caseload_report(supervisor, org.name, organization=org),
        pdf.render_caseload_report,
    )
    today = timezone.localdate()
    period = Period(today - timedelta(days=365), today)
    measure(
        "Activity report (one year)",
        args.repeat,
        lambda: pdf.activity_report_data(org, period, generated_by=supervisor),
        pdf.render_activity_report,
    )
    measure(
        f"Caseload CSV export ({args.young_people} rows)",
        args.repeat,
        lambda: list(selectors.with_step_counts(caseload(advisor, scope="mine"))),
        lambda rows: "".join(exports.csv_lines(exports.CASELOAD_COLUMNS, rows)),
    )


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="relais-bench-") as workdir:
        setup_django(args.database_url, Path(workdir))
        if args.database_url:
            from django.db import connection

            connection.settings_dict.setdefault("TEST", {})["NAME"] = f"relais_bench_{os.getpid()}"
            old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
            try:
                run(args)
            finally:
                connection.creation.destroy_test_db(old_name, verbosity=0)
        else:
            run(args)


if __name__ == "__main__":
    main()
