"""Every URL, every kind of user and their relationship to the young person.

The meta-test at the bottom walks the URL resolver and fails when a URL is missing here:
a new view cannot ship without saying who may use it.
"""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from cases import services
from cases.models import StepType
from referrals import services as referral_services
from tests.factories import (
    OrganizationFactory,
    StepFactory,
    YoungPersonFactory,
    member,
)
from tests.matrix import (
    ACTORS,
    CASEWORKERS,
    FULL,
    LOGGED_IN,
    REFERRAL_SIDES,
    Row,
    World,
    detail,
    only,
    ref,
    yp,
)

CASE_FIRST_NAME = "Eulalie"
CASE_LAST_NAME = "Zygmuntowicz"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(db) -> World:
    org = OrganizationFactory()
    other = OrganizationFactory()
    partner_org = OrganizationFactory(partner=True)
    users = {
        "referent": member(org, Role.ADVISOR),
        "colleague": member(org, Role.ADVISOR),
        "delegate": member(org, Role.ADVISOR),
        "supervisor": member(org, Role.SUPERVISOR),
        "org_admin": member(org, Role.ORG_ADMIN),
        "partner": member(partner_org, Role.PARTNER),
        "other_advisor": member(other, Role.ADVISOR),
        "other_supervisor": member(other, Role.SUPERVISOR),
        "other_admin": member(other, Role.ORG_ADMIN),
        "superuser": User.objects.create_superuser(
            "platform", "platform@example.org", "platform-pass"
        ),
    }
    # Names that appear nowhere else, so that a page showing them is caught.
    young_person = YoungPersonFactory(
        organization=org,
        referent=users["referent"],
        first_name=CASE_FIRST_NAME,
        last_name=CASE_LAST_NAME,
    )
    step = StepFactory(young_person=young_person)
    document = services.document_upload(
        actor=users["referent"],
        young_person=young_person,
        kind="cv",
        title="CV",
        upload=SimpleUploadedFile("cv.pdf", PDF, content_type="application/pdf"),
    )
    application = services.application_save(
        actor=users["referent"],
        young_person=young_person,
        employer="Boulangerie",
        position="Vendeur",
        source="job_board",
    )
    services.delegation_grant(
        actor=users["referent"],
        young_person=young_person,
        grantee=users["delegate"],
        ends_on=timezone.localdate() + timedelta(days=7),
    )
    org_step_type = StepType.objects.create(organization=org, code="atelier-cv", label="Atelier CV")
    admin_membership = users["org_admin"].memberships.get()
    referral = referral_services.referral_send(
        actor=users["referent"],
        young_person=young_person,
        to_organization=partner_org,
        reason="training",
        message="",
        shared_sections=["identity", "documents"],
        consent_method="oral",
        consent_given=True,
    )
    referral_services.referral_accept(actor=users["partner"], referral=referral)
    return World(
        users,
        young_person,
        step,
        document,
        application,
        org_step_type,
        admin_membership,
        referral,
    )


MATRIX: dict[str, Row] = {
    "home": Row(
        lambda w: {},
        {
            **dict.fromkeys(CASEWORKERS, 302),
            "anonymous": 302,
            "org_admin": 200,
            "partner": 200,
            "other_admin": 200,
            "superuser": 200,
        },
    ),
    "accounts:login": Row(lambda w: {}, dict.fromkeys(LOGGED_IN, 302) | {"anonymous": 200}),
    "accounts:logout": Row(lambda w: {}, dict.fromkeys(ACTORS, 302), method="post"),
    "accounts:password_change": Row(lambda w: {}, only(LOGGED_IN)),
    "accounts:password_change_done": Row(lambda w: {}, only(LOGGED_IN)),
    "accounts:password_reset": Row(lambda w: {}, dict.fromkeys(ACTORS, 200)),
    "accounts:password_reset_done": Row(lambda w: {}, dict.fromkeys(ACTORS, 200)),
    "accounts:password_reset_confirm": Row(
        lambda w: {"uidb64": "MQ", "token": "bad-token"}, dict.fromkeys(ACTORS, 200)
    ),
    "accounts:password_reset_complete": Row(lambda w: {}, dict.fromkeys(ACTORS, 200)),
    "accounts:members": Row(
        lambda w: {"org_pk": w.young_person.organization_id}, only({"org_admin"})
    ),
    "accounts:member_edit": Row(
        lambda w: {
            "org_pk": w.young_person.organization_id,
            "pk": w.users["referent"].memberships.get().pk,
        },
        only({"org_admin"}),
    ),
    "accounts:member_toggle_active": Row(
        lambda w: {
            "org_pk": w.young_person.organization_id,
            "pk": w.users["referent"].memberships.get().pk,
        },
        only({"org_admin"}, 302),
        method="post",
    ),
    "cases:caseload": Row(lambda w: {}, only(CASEWORKERS)),
    "cases:directory": Row(lambda w: {}, only(CASEWORKERS)),
    "cases:create": Row(lambda w: {}, only(CASEWORKERS)),
    "cases:detail": Row(yp, detail),
    "cases:update": Row(yp, only(FULL)),
    "cases:diagnostic_create": Row(yp, only(FULL)),
    "cases:steps_add": Row(yp, only(FULL, 302), method="post"),
    "cases:step_update": Row(lambda w: yp(w) | {"step_pk": w.step.pk}, only(FULL)),
    "cases:follow_up_create": Row(yp, only(FULL)),
    "cases:application_create": Row(yp, only(FULL)),
    "cases:application_update": Row(lambda w: yp(w) | {"app_pk": w.application.pk}, only(FULL)),
    "cases:document_upload": Row(yp, only(FULL)),
    "cases:document_download": Row(lambda w: yp(w) | {"doc_pk": w.document.pk}, only(FULL)),
    "cases:document_delete": Row(
        lambda w: yp(w) | {"doc_pk": w.document.pk}, only(FULL, 302), method="post"
    ),
    "cases:delegations": Row(yp, only({"referent", "supervisor"})),
    "cases:delegation_revoke": Row(
        lambda w: yp(w) | {"user_pk": w.users["delegate"].pk},
        only({"referent", "supervisor"}, 302),
        method="post",
    ),
    "cases:access_log": Row(yp, only(FULL)),
    "cases:history": Row(yp, only(FULL)),
    "cases:catalogue": Row(lambda w: {}, only({"org_admin", "other_admin"})),
    "cases:catalogue_toggle": Row(
        lambda w: {"step_type_pk": w.org_step_type.pk}, only({"org_admin"}, 302), method="post"
    ),
    "referrals:received": Row(lambda w: {}, only(CASEWORKERS | {"partner"})),
    "referrals:sent": Row(lambda w: {}, only(CASEWORKERS)),
    "referrals:create": Row(lambda w: {"young_person_pk": w.young_person.pk}, only(FULL)),
    "referrals:detail": Row(ref, only(REFERRAL_SIDES)),
    "referrals:sheet": Row(ref, only(REFERRAL_SIDES)),
    # The referral is already accepted: accepting again is refused with a message.
    "referrals:accept": Row(ref, only(REFERRAL_SIDES, 302), method="post"),
    # Empty forms: whoever can see the referral gets the form back with its errors.
    "referrals:decline": Row(ref, only(REFERRAL_SIDES, 400), method="post"),
    "referrals:complete": Row(ref, only(REFERRAL_SIDES, 400), method="post"),
    "referrals:assign_handler": Row(ref, only(REFERRAL_SIDES, 400), method="post"),
    "referrals:post_message": Row(ref, only(REFERRAL_SIDES, 400), method="post"),
    "referrals:cancel": Row(ref, only(REFERRAL_SIDES, 302), method="post"),
    "referrals:link_file": Row(ref, only({"partner"}, 400), method="post"),
    "referrals:shared_file": Row(ref, only({"partner"})),
    "referrals:shared_document": Row(
        lambda w: ref(w) | {"doc_pk": w.document.pk}, only({"partner"})
    ),
}


def _extra_rows() -> dict[str, Row]:
    """Rows kept next to this file by app (tests/matrix_rows/<app>.py, a ROWS dict each),
    so that features can add their URLs without touching the core table."""
    import importlib
    import pkgutil

    import tests.matrix_rows as package

    rows: dict[str, Row] = {}
    for module in pkgutil.iter_modules(package.__path__):
        extra = importlib.import_module(f"tests.matrix_rows.{module.name}").ROWS
        assert not set(extra) & (set(MATRIX) | set(rows)), f"duplicate rows in {module.name}"
        rows.update(extra)
    return rows


MATRIX.update(_extra_rows())


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_permission_matrix(client, world, name, actor):
    row = MATRIX[name]
    if actor != "anonymous":
        client.force_login(world.users[actor])
    url = reverse(name, kwargs=row.kwargs(world))
    response = getattr(client, row.method)(url)
    if response.streaming:
        response.close()  # a FileResponse holds the document open until closed
    expected = row.expected[actor]
    if expected == "card":
        assert response.status_code == 200
        assert "cases/directory_card.html" in [t.name for t in response.templates]
        return
    assert response.status_code == expected, (name, actor, response.status_code)
    if actor == "superuser":
        assert_no_case_content(name, response)
    if expected == 200 and name == "cases:detail":
        assert "cases/young_person_detail.html" in [t.name for t in response.templates]
    if actor == "anonymous" and expected == 302 and name not in {"accounts:logout"}:
        assert response["Location"].startswith(reverse("accounts:login"))


def assert_no_case_content(name: str, response) -> None:
    """The platform superuser gets no young person's file anywhere: no file, document or
    PDF is streamed to them, no page names the young person, and every API list is empty
    (but the organisations, which are not case content)."""
    assert not response.streaming, name
    body = response.content.decode(errors="replace")
    assert CASE_LAST_NAME not in body and CASE_FIRST_NAME not in body, name
    if response.get("Content-Type", "").startswith("application/json"):
        data = response.json()
        if isinstance(data, dict) and "results" in data and name != "api:organization-list":
            assert data["results"] == [], name


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


def test_every_url_is_in_the_matrix():
    names = {name for name in _walk(get_resolver().url_patterns) if not name.startswith("admin:")}
    assert names - set(MATRIX) == set(), "URLs missing from the permission matrix"
    assert set(MATRIX) - names == set(), "Matrix rows for URLs that no longer exist"


def test_every_row_covers_every_actor():
    for name, row in MATRIX.items():
        assert set(row.expected) == set(ACTORS), name


def test_csrf_is_enforced(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["referent"])
    response = client.post(reverse("cases:steps_add", kwargs=yp(world)))
    assert response.status_code == 403
