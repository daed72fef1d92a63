"""The query-count helper says which query appeared and where it came from."""

import pytest

from accounts.models import Organization
from core.testing import (
    assert_num_queries,
    assert_same_num_queries,
    capture_queries,
    normalize_sql,
)
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def _organization_names() -> list[str]:
    return [organization.name for organization in Organization.objects.order_by("pk")]


def test_a_wrong_count_lists_each_query_with_its_origin():
    OrganizationFactory()
    with capture_queries() as queries:
        _organization_names()
        Organization.objects.filter(pk__in=[1, 2, 3], name="x").exists()
    with pytest.raises(AssertionError) as failure:
        assert_num_queries(queries, 1)
    message = str(failure.value)
    assert message.startswith("expected 1 queries, got 2:\n")
    assert '  1. SELECT … FROM "accounts_organization" ORDER BY' in message
    assert "tests/test_core_testing.py:_organization_names" in message
    assert '"accounts_organization"."id" IN (…)' in message
    assert_num_queries(queries, 2)


def test_a_count_that_moved_shows_the_extra_query():
    with capture_queries() as one:
        _organization_names()
    with capture_queries() as two:
        _organization_names()
        Organization.objects.count()
    with pytest.raises(AssertionError, match=r"1 queries, then 2") as failure:
        assert_same_num_queries(one, two)
    assert '\n+SELECT COUNT(*) AS "__count" FROM "accounts_organization"\n+     ↳ tests/' in str(
        failure.value
    )


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ('SAVEPOINT "s140_x12"', "SAVEPOINT"),
        ('RELEASE SAVEPOINT "s140_x12"', "RELEASE SAVEPOINT"),
        (
            'SELECT "a"."id", (SELECT MAX("b"."at") FROM "b") AS "m" FROM "a" '
            'WHERE "a"."name" = \'O\'\'Neil\' AND "a"."n" > 42 LIMIT 21',
            'SELECT … FROM "a" WHERE "a"."name" = # AND "a"."n" > # LIMIT #',
        ),
        (
            'SELECT "a"."id", "a"."name", "a"."kind", "a"."created_at" FROM "a" '
            'WHERE "a"."id" IN (%s, %s, %s)',
            'SELECT … FROM "a" WHERE "a"."id" IN (…)',
        ),
        ('SELECT COUNT(*) AS "__count" FROM "a"', 'SELECT COUNT(*) AS "__count" FROM "a"'),
    ],
)
def test_sql_is_normalised_for_both_databases(sql, expected):
    assert normalize_sql(sql) == expected
