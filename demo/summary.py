"""What the demo data set holds, counted for the summary `seed_demo` prints."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from accounts.models import Organization, User
from cases.enums import OPEN_STEP_STATUSES, YoungPersonStatus
from cases.models import Application, DigitalDiagnostic, Document, FollowUp, Step, YoungPerson
from demo.data import DEMO_ORGANIZATION_NAMES, SUPERUSER


def demo_counts() -> dict[str, int]:
    orgs = Organization.objects.filter(name__in=DEMO_ORGANIZATION_NAMES)
    people = YoungPerson.objects.filter(organization__in=orgs)
    steps = Step.objects.filter(young_person__in=people)
    follow_ups = FollowUp.objects.filter(young_person__in=people)
    now, today = timezone.now(), timezone.localdate()
    return {
        "organizations": orgs.count(),
        "accounts": User.objects.filter(
            Q(memberships__organization__in=orgs) | Q(username=SUPERUSER[0])
        )
        .distinct()
        .count(),
        "young_people": people.count(),
        "without_email": people.filter(email="").count(),
        "paused": people.filter(status=YoungPersonStatus.PAUSED).count(),
        "closed": people.filter(status=YoungPersonStatus.CLOSED).count(),
        "diagnostics": DigitalDiagnostic.objects.filter(young_person__in=people).count(),
        "steps": steps.count(),
        "overdue": steps.filter(status__in=OPEN_STEP_STATUSES, due_date__lt=today).count(),
        "follow_ups": follow_ups.count(),
        "upcoming": people.filter(follow_ups__next_appointment__gte=now).distinct().count(),
        "stale": people.exclude(follow_ups__occurred_at__gte=now - timedelta(days=60)).count(),
        "applications": Application.objects.filter(young_person__in=people).count(),
        "documents": Document.objects.filter(young_person__in=people).count(),
    }
