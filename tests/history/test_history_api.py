"""GET /api/v1/young-people/{id}/history/: paginated; each entry has at, actor, channel,
object, action and changes as {field: [before, after]}; 404 out of reach."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.enums import Role
from cases import services
from cases.enums import AccessAction
from cases.models import AccessLog, StepType
from core.testing import assert_same_num_queries, capture_queries
from history.context import recording
from history.enums import Channel
from tests.factories import OrganizationFactory, YoungPersonFactory, member

pytestmark = pytest.mark.django_db


def url(yp) -> str:
    return f"/api/v1/young-people/{yp.pk}/history/"


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_entries_say_who_when_how_what_and_the_values(advisor, yp):
    step_type = StepType.objects.filter(organization=None).order_by("order")[0]
    with recording(channel=Channel.WEB, actor=advisor):
        (step,) = services.steps_add(actor=advisor, young_person=yp, step_types=[step_type])
        services.step_update(actor=advisor, step=step, status="done", due_date=None)
    response = client_of(advisor).get(url(yp))
    assert response.status_code == 200
    body = response.json()
    completed, added, opened = body["results"]
    assert body["count"] == 3
    assert completed["action"] == "update"
    assert completed["channel"] == "web"
    assert completed["actor"] == {
        "id": advisor.pk,
        "username": "camille",
        "display_name": "Camille Roux",
    }
    assert completed["object"] == {"type": "step", "id": step.pk, "label": step_type.label}
    assert completed["changes"]["status"] == ["todo", "done"]
    assert completed["changes"]["completed_by"] == [None, advisor.pk]
    before, after = completed["changes"]["completed_at"]
    assert before is None
    assert datetime.fromisoformat(after).tzinfo is not None  # ISO 8601 with its offset
    assert datetime.fromisoformat(completed["at"]) >= datetime.fromisoformat(added["at"])
    assert added["action"] == "create"
    assert added["changes"]["step_type"] == [None, step_type.pk]
    assert opened["object"] == {"type": "young_person", "id": yp.pk, "label": "Lina Bernard"}
    assert opened["actor"] is None  # made by a factory, outside any request
    assert opened["channel"] == "system"


def test_history_of_another_file_or_organisation_is_404(org, advisor, yp):
    colleague = member(org, Role.ADVISOR)  # directory card only
    other_org = OrganizationFactory()
    outsider = member(other_org, Role.SUPERVISOR)
    for user in (colleague, outsider):
        response = client_of(user).get(url(yp))
        assert response.status_code == 404, user
        assert "results" not in response.json()
    assert client_of(advisor).get("/api/v1/young-people/abc/history/").status_code == 404
    assert client_of(advisor).get("/api/v1/young-people/99999999/history/").status_code == 404
    assert APIClient().get(url(yp)).status_code == 401


def test_history_is_paginated_newest_first(advisor, yp):
    with recording(channel=Channel.API, actor=advisor):
        for i in range(60):
            services.young_person_update(
                actor=advisor, young_person=yp, version=yp.version, city=f"Ville {i}"
            )
    client = client_of(advisor)
    first = client.get(url(yp)).json()
    assert first["count"] == 61
    assert len(first["results"]) == 50
    assert first["results"][0]["changes"] == {"city": ["Ville 58", "Ville 59"]}
    assert first["next"] and first["previous"] is None
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 11
    assert second["results"][-1]["action"] == "create"
    assert client.get(url(yp) + "?page=9").status_code == 404


def test_reading_the_history_is_in_the_access_log(advisor, yp):
    client_of(advisor).get(url(yp))
    entry = AccessLog.objects.filter(young_person=yp).latest("pk")
    assert (entry.user, entry.action) == (advisor, AccessAction.VIEW_FILE)
    assert "history" in entry.detail


def test_query_count_is_the_same_at_1_and_100_entries(org):
    runs = []
    for n in (1, 100):
        referent = member(org, Role.ADVISOR)
        yp = YoungPersonFactory(organization=org, referent=referent)
        with recording(channel=Channel.API, actor=referent):
            for i in range(n):
                services.follow_up_create(
                    actor=referent,
                    young_person=yp,
                    occurred_at=timezone.now() - timedelta(hours=i),
                    channel="phone",
                    duration_minutes=10,
                )
        client = client_of(referent)
        with capture_queries() as queries:
            assert client.get(url(yp)).status_code == 200
        runs.append(queries)
    assert_same_num_queries(*runs)


def test_the_history_is_in_the_contract(client, advisor):
    client.force_login(advisor)
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/young-people/{id}/history/"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"id", "page"}
    assert {"200", "401", "404"} <= set(operation["responses"])
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    listed = schema["components"]["schemas"][page.rsplit("/", 1)[1]]
    assert {"count", "next", "previous", "results"} <= set(listed["properties"])
    entry = schema["components"]["schemas"]["HistoryEntry"]
    assert set(entry["required"]) == {"id", "at", "actor", "channel", "object", "action", "changes"}
    changes = entry["properties"]["changes"]
    assert changes["additionalProperties"]["minItems"] == 2
    assert changes["additionalProperties"]["maxItems"] == 2
