"""The conftest safety nets catch what they promise, and let through what they allow."""

import pytest
from django.db.models import OuterRef, Subquery
from django.template import Context, Engine

from accounts.enums import Role
from accounts.models import Membership, Organization, User
from tests import safety_nets
from tests.factories import OrganizationFactory, member
from tests.safety_nets import UnknownTemplateVariable, UnorderedSlice


@pytest.fixture
def render(tmp_path, monkeypatch):
    """Renders a template file as if it were one of the project's `templates/`."""
    monkeypatch.setattr(safety_nets, "PROJECT_TEMPLATES", f"{tmp_path}/")
    engine = Engine(dirs=[tmp_path])

    def render(source: str, **context) -> str:
        (tmp_path / "page.html").write_text(source)
        return engine.get_template("page.html").render(Context(context))

    return render


class Person:
    name = "Léa"
    referent = None


@pytest.mark.parametrize(
    "source",
    [
        "{{ yp.nmae }}",
        "{{ missing }}",
        "{% if can_see_fiel %}<button>Voir</button>{% endif %}",
        "{% if yp.name and yp.nmae %}x{% endif %}",
        "{% for step in yp.stpes %}{{ step }}{% endfor %}",
        "{{ yp.name|add:yp.nmae }}",
    ],
)
def test_a_typo_in_a_template_variable_fails(render, source):
    with pytest.raises(UnknownTemplateVariable, match=r"page\.html"):
        render(source, yp=Person())


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ yp.name }}", "Léa"),
        ('{{ yp.nmae|default:"-" }}', "-"),
        ('{{ missing|default_if_none:"-" }}', ""),
        ("{% firstof missing yp.name %}", "Léa"),
        # A lookup on a missing relation is data, not a typo.
        ("{{ yp.referent.email }}", ""),
        ("{% if yp.referent.email %}x{% endif %}", ""),
    ],
)
def test_what_a_template_may_leave_missing(render, source, expected):
    assert render(source, yp=Person()) == expected


def test_templates_outside_the_project_keep_django_behaviour(tmp_path):
    (tmp_path / "page.html").write_text("{{ yp.nmae }}{% if nope %}x{% endif %}")
    assert Engine(dirs=[tmp_path]).get_template("page.html").render(Context({})) == ""


@pytest.mark.django_db
def test_an_unordered_slice_fails():
    OrganizationFactory.create_batch(2)
    unordered = Organization.objects.order_by()
    with pytest.raises(UnorderedSlice, match=r"Organization sliced \[0:1\]"):
        list(unordered[:1])
    with pytest.raises(UnorderedSlice, match=r"\[1:2\]"):
        unordered[1]
    with pytest.raises(UnorderedSlice):
        unordered.first()
    with pytest.raises(UnorderedSlice):
        # The subquery of an annotation is checked too.
        list(
            Organization.objects.order_by("pk").annotate(
                any_member=Subquery(
                    Membership.objects.filter(organization=OuterRef("pk"))
                    .order_by()
                    .values("user")[:1]
                )
            )
        )


@pytest.mark.django_db
def test_what_may_be_sliced_without_an_order():
    organization = OrganizationFactory()
    advisor = member(organization, Role.ADVISOR)
    ordered = Organization.objects.order_by("pk")
    assert list(ordered[:1]) == [organization]
    assert Organization.objects.order_by().exists()
    assert Organization.objects.order_by().get(pk=organization.pk) == organization
    # `.first()` orders by pk only when the queryset was not explicitly unordered.
    assert Organization.objects.filter(pk=organization.pk).first() == organization
    assert (
        User.objects.filter(pk=advisor.pk, memberships__organization=organization)
        .order_by()
        .exists()
    )
    assert list(Organization.objects.order_by())  # no slice, no net
