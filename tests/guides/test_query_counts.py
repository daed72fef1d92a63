"""Guide pages cost the same number of queries with 1 and with 100 guides (or
revisions), and the public ones are pinned: an N+1 shows up as a failing number."""

import pytest
from django.urls import reverse

from accounts.enums import Role
from core.testing import (
    CapturedQueries,
    assert_num_queries,
    assert_same_num_queries,
    capture_queries,
)
from guides import services
from guides.models import Guide
from tests.factories import (
    OrganizationFactory,
    StepFactory,
    YoungPersonFactory,
    default_step_type,
    member,
)
from tests.guides.helpers import make_guide

pytestmark = pytest.mark.django_db


def queries_of(client, url: str, **params) -> CapturedQueries:
    with capture_queries() as queries:
        response = client.get(url, params)
    assert response.status_code == 200, url
    return queries


def _guides(n: int, **fields) -> list[Guide]:
    Guide.objects.all().delete()
    return [make_guide(title=f"Chercher un emploi {i}", topic="emploi", **fields) for i in range(n)]


PUBLIC = [
    # url, params, queries for an anonymous visitor
    (reverse("guides:index"), {}, 5),  # the count by topic, then a few titles per topic (4)
    (reverse("guides:index"), {"q": "emploi"}, 2),  # count, page
    (reverse("guides:topic", args=["emploi"]), {}, 2),  # count, page
]


@pytest.mark.parametrize(("url", "params", "expected"), PUBLIC)
def test_public_lists_constant_and_pinned(client, url, params, expected):
    runs = []
    for n in (1, 100):
        _guides(n)
        runs.append(queries_of(client, url, **params))
    assert_same_num_queries(*runs)
    assert_num_queries(runs[1], expected)


def test_a_guide_page_constant_and_pinned(client):
    runs = []
    for n in (1, 100):
        guide = _guides(n)[0]
        runs.append(queries_of(client, reverse("guides:detail", args=[guide.slug])))
    assert_same_num_queries(*runs)
    assert_num_queries(runs[1], 2)  # the guide and its organisation, related guides


def test_editor_list_constant(client):
    org = OrganizationFactory()
    admin = member(org, Role.ORG_ADMIN)
    client.force_login(admin)
    runs = []
    for n in (1, 100):
        _guides(n, actor=admin, organization=org)
        runs.append(queries_of(client, reverse("guides:manage")))
    assert_same_num_queries(*runs)


def test_history_constant(client):
    org = OrganizationFactory()
    admin = member(org, Role.ORG_ADMIN)
    client.force_login(admin)
    runs = []
    for n in (1, 100):
        guide = make_guide(actor=admin, organization=org)
        for i in range(n):
            guide = services.guide_update(
                actor=member(org, Role.ORG_ADMIN) if i % 2 else admin,
                guide=guide,
                version=guide.version,
                title=f"Titre {i}",
                topic=guide.topic,
                summary=guide.summary,
                body=guide.body,
                reviewed_on=guide.reviewed_on,
            )
        runs.append(queries_of(client, reverse("guides:history", args=[guide.pk])))
    assert_same_num_queries(*runs)


def test_step_links_cost_no_query(client):
    """The file page and the catalogue cost the same with 1 and with 3 steps linked to
    their guides: `{% step_guide %}` reads the joined guide, never the database."""
    org = OrganizationFactory()
    advisor = member(org, Role.ADVISOR)
    client.force_login(advisor)
    runs = []
    for codes in (["create_email"], ["create_email", "write_cv", "send_attachment"]):
        young_person = YoungPersonFactory(organization=org, referent=advisor)
        for code in codes:
            StepFactory(young_person=young_person, step_type=default_step_type(code))
        runs.append(queries_of(client, reverse("cases:detail", args=[young_person.pk])))
    assert_same_num_queries(*runs)
    page = client.get(reverse("cases:detail", args=[young_person.pk])).content.decode()
    assert page.count('class="guide-link"') >= 3
