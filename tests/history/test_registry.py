"""What the history records of each model, decided field by field; the storage that the
retention rule will need (one person's entries found by index, their values erased)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.api.serializers import HISTORY_OBJECT_TYPES
from cases.models import (
    Application,
    DigitalDiagnostic,
    Document,
    FollowUp,
    Step,
    YoungPerson,
    YoungPersonUserObjectPermission,
)
from history.context import recording
from history.enums import Channel
from history.models import HistoryEntry
from history.registry import tracked, tracked_models
from history.selectors import history_of_young_person
from history.services import history_erase_values
from referrals.models import Referral
from tests.factories import ALL_YES, YoungPersonFactory

pytestmark = pytest.mark.django_db

# Every field a tracked model has and the history leaves out, with the reason. A new
# field fails this test until it is either recorded or listed here.
NOT_RECORDED = {
    YoungPerson: {"id", "created_by", "created_at", "updated_at", "version"},
    DigitalDiagnostic: {"id", "young_person"},
    Step: {"id", "young_person", "created_at", "updated_at"},
    FollowUp: {"id", "young_person", "created_at"},
    Application: {"id", "young_person", "created_by", "created_at", "updated_at"},
    # `file`: the stored file's random path — metadata only, never the contents.
    Document: {"id", "young_person", "file"},
    YoungPersonUserObjectPermission: {"id", "content_object", "permission", "created_at"},
    Referral: {"id", "young_person", "sent_at", "updated_at", "reminder_sent_at"},
}


def test_every_field_of_every_tracked_model_is_decided():
    assert {t.model for t in tracked_models()} == set(NOT_RECORDED)
    for model, left_out in NOT_RECORDED.items():
        fields = {f.name for f in model._meta.concrete_fields}
        recorded = set(tracked(model).fields)
        assert recorded | left_out == fields, model
        assert not recorded & left_out, model


def test_the_api_documents_every_kind_of_object():
    assert set(HISTORY_OBJECT_TYPES) == {t.kind for t in tracked_models()}


def test_one_files_history_is_one_query_on_its_index(advisor, yp):
    other = YoungPersonFactory(organization=yp.organization, referent=advisor)
    with recording(channel=Channel.WEB, actor=advisor):
        services.diagnostic_record(actor=advisor, young_person=yp, answers=ALL_YES)
        services.diagnostic_record(actor=advisor, young_person=other, answers=ALL_YES)
    with CaptureQueriesContext(connection) as ctx:
        entries = list(history_of_young_person(yp.pk)[:50])
    assert len(ctx.captured_queries) == 1
    assert {e.young_person_id for e in entries} == {yp.pk}
    assert [e.actor for e in entries] == [advisor, None]  # joined, not fetched one by one
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("EXPLAIN " + str(history_of_young_person(yp.pk)[:50].query))
            plan = " ".join(row[0] for row in cursor.fetchall())
        assert "history_young_person" in plan, plan
    else:
        sql, params = history_of_young_person(yp.pk)[:50].query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row) for row in cursor.fetchall())
        assert "history_young_person" in plan, plan


def test_erasing_one_persons_values_keeps_what_happened(advisor, yp):
    other = YoungPersonFactory(organization=yp.organization, referent=advisor)
    with recording(channel=Channel.WEB, actor=advisor):
        services.young_person_update(
            actor=advisor, young_person=yp, version=yp.version, city="Douai"
        )
    count = HistoryEntry.objects.filter(young_person_id=yp.pk).count()
    assert history_erase_values(young_person_id=yp.pk, batch_size=1) == count
    for entry in HistoryEntry.objects.filter(young_person_id=yp.pk):
        assert entry.object_repr == ""
        assert entry.additional_data is None
        assert all(values == [None, None] for values in entry.changes.values())
    changed = HistoryEntry.objects.filter(young_person_id=yp.pk, action=1).get()
    assert (set(changed.changes), changed.actor) == ({"city"}, advisor)
    untouched = HistoryEntry.objects.get(young_person_id=other.pk)
    assert untouched.object_repr == other.full_name
    assert untouched.changes["last_name"] == [None, other.last_name]
