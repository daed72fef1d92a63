"""The platform superuser reads no case content, by any route (DESIGN.md: "platform staff:
no casual access to case content").

The web pages and the API are walked as the superuser by the permission matrix
(tests/test_permission_matrix.py, actor "superuser": 404 on every file, empty lists, no
young person's name in any body). Here: guardian's backend answers True to any
`has_perm` of a superuser, and it changes nothing; the Django admin, every page of it,
shows none; an API token of the superuser sees none; and no app code asks guardian."""

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.enums import Role
from accounts.models import User
from cases import services
from cases.access import access_document, access_young_person
from cases.enums import DELEGATION_CODENAME
from cases.models import Document, FollowUp, Step, YoungPerson
from core.exceptions import NotFound
from referrals import services as referral_services
from referrals.access import access_referral, access_shared_file
from tests.factories import OrganizationFactory, StepFactory, YoungPersonFactory, member
from tests.two_factor import fresh_code

pytestmark = pytest.mark.django_db

PASSWORD = "platform-pass-2026"
SECRETS = [
    "Eulalie",
    "Zygmuntowicz",
    "Boulangerie Quenelle",
    "Notes confidentielles Xq7",
    "Message confidentiel Wz9",
    "CV Zygmuntowicz",
]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def case():
    org = OrganizationFactory()
    partner_org = OrganizationFactory(partner=True)
    referent = member(org, Role.ADVISOR)
    partner = member(partner_org, Role.PARTNER)
    young_person = YoungPersonFactory(
        organization=org, referent=referent, first_name="Eulalie", last_name="Zygmuntowicz"
    )
    StepFactory(young_person=young_person)
    services.follow_up_create(
        actor=referent,
        young_person=young_person,
        occurred_at=timezone.now(),
        channel="phone",
        duration_minutes=10,
        notes="Notes confidentielles Xq7",
    )
    services.application_save(
        actor=referent,
        young_person=young_person,
        employer="Boulangerie Quenelle",
        position="Vendeur",
        source="job_board",
    )
    document = services.document_upload(
        actor=referent,
        young_person=young_person,
        kind="cv",
        title="CV Zygmuntowicz",
        upload=SimpleUploadedFile("cv.pdf", PDF, content_type="application/pdf"),
    )
    referral = referral_services.referral_send(
        actor=referent,
        young_person=young_person,
        to_organization=partner_org,
        reason="training",
        message="Message confidentiel Wz9",
        shared_sections=["identity", "documents"],
        consent_method="oral",
        consent_given=True,
    )
    referral_services.referral_accept(actor=partner, referral=referral)
    return {"young_person": young_person, "document": document, "referral": referral}


@pytest.fixture
def superuser():
    return User.objects.create_superuser("platform", "platform@example.org", PASSWORD)


def assert_no_secret(text: str, where: str) -> None:
    found = [secret for secret in SECRETS if secret in text]
    assert not found, (where, found)


def test_guardian_says_yes_to_the_superuser_and_nothing_listens(case, superuser):
    young_person, referral = case["young_person"], case["referral"]
    # What a naive `has_perm` check would let through:
    assert superuser.has_perm(f"cases.{DELEGATION_CODENAME}", young_person)

    assert not YoungPerson.objects.reachable(superuser).exists()
    assert not YoungPerson.objects.full_access(superuser).exists()
    assert not Step.objects.for_user(superuser).exists()
    assert not FollowUp.objects.for_user(superuser).exists()
    assert not Document.objects.for_user(superuser).exists()
    for attempt in (
        lambda: access_young_person(superuser, young_person.pk),
        lambda: access_document(superuser, case["document"].pk, young_person_pk=young_person.pk),
        lambda: access_referral(superuser, referral.pk),
        lambda: access_shared_file(superuser, referral.pk),
    ):
        with pytest.raises(NotFound):
            attempt()


def _admin_pages(client, superuser) -> list[tuple[str, object]]:
    """Every page of the Django admin a superuser can open: the index, each app's, and for
    each registered model its list, its add form and the change form of each object."""
    request = RequestFactory().get("/admin/")
    request.user = superuser
    pages = [("index", client.get(reverse("admin:index")))]
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        pages.append((opts.app_label, client.get(reverse("admin:app_list", args=[opts.app_label]))))
        pages.append((f"{prefix}_changelist", client.get(reverse(f"{prefix}_changelist"))))
        if model_admin.has_add_permission(request):
            pages.append((f"{prefix}_add", client.get(reverse(f"{prefix}_add"))))
        for pk in model._default_manager.order_by("pk").values_list("pk", flat=True)[:20]:
            pages.append(
                (f"{prefix}_change {pk}", client.get(reverse(f"{prefix}_change", args=[pk])))
            )
            pages.append(
                (f"{prefix}_history {pk}", client.get(reverse(f"{prefix}_history", args=[pk])))
            )
    return pages


def test_no_page_of_the_django_admin_shows_case_content(client, case, superuser):
    client.force_login(superuser)

    pages = _admin_pages(client, superuser)

    assert len(pages) > 20
    for where, page in pages:
        assert page.status_code == 200, where
        assert_no_secret(page.content.decode(), where)


def test_the_admin_search_finds_no_young_person(client, case, superuser):
    client.force_login(superuser)

    for model, model_admin in admin.site._registry.items():
        if not model_admin.search_fields:
            continue
        opts = model._meta
        for term in ("Zygmuntowicz", "Quenelle", "Wz9"):
            page = client.get(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), {"q": term}
            )
            assert page.status_code == 200
            assert page.context["cl"].result_count == 0, (opts.label, term)


def test_the_admin_has_no_case_model_and_view_on_site_leads_nowhere(client, case, superuser):
    client.force_login(superuser)
    registered = {model._meta.label for model in admin.site._registry}
    case_models = {
        model._meta.label
        for app in ("cases", "referrals")
        for model in apps.get_app_config(app).get_models()
    }
    # The step catalogue is the only case-app model the admin shows (no personal data).
    assert registered & case_models == {"cases.StepType"}

    young_person = case["young_person"]
    shortcut = reverse(
        "admin:view_on_site",
        args=[ContentType.objects.get_for_model(YoungPerson).pk, young_person.pk],
    )
    response = client.get(shortcut, follow=True)
    assert response.status_code == 404
    assert_no_secret(response.content.decode(), "view_on_site")


def test_a_token_of_the_superuser_sees_no_case_content(case, superuser):
    # The superuser must use two-factor authentication: its token takes the code too.
    answer = APIClient().post(
        "/api/v1/auth/token/",
        {"username": "platform", "password": PASSWORD, "otp": fresh_code(superuser)},
        format="json",
    )
    assert answer.status_code == 200
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
    young_person, referral = case["young_person"], case["referral"]

    for path in (
        "young-people",
        "diagnostics",
        "steps",
        "follow-ups",
        "applications",
        "documents",
        "referrals",
    ):
        listed = api.get(f"/api/v1/{path}/")
        assert listed.status_code == 200, path
        assert listed.json()["results"] == [], path
    for path in (
        f"young-people/{young_person.pk}/",
        f"documents/{case['document'].pk}/",
        f"documents/{case['document'].pk}/download/",
        f"referrals/{referral.pk}/",
        f"referrals/{referral.pk}/shared-file/",
        f"referrals/{referral.pk}/events/",
    ):
        response = api.get(f"/api/v1/{path}")
        assert response.status_code == 404, path
        assert_no_secret(response.content.decode(), path)


def test_no_app_code_asks_guardian_or_django_for_a_permission():
    """`has_perm` and guardian's `get_objects_for_user` answer True / everything for a
    superuser: who sees what goes through cases.querysets only. A call that must exist one
    day passes `with_superuser=False` (guardian) or is reviewed here."""
    base = Path(settings.BASE_DIR)
    offenders = []
    for app in ("accounts", "cases", "referrals", "reports", "supervision", "core", "config"):
        for path in (base / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                if name in {"has_perm", "has_perms", "has_module_perms", "get_perms"}:
                    offenders.append(f"{path.relative_to(base)}:{node.lineno} {name}")
                if name in {"get_objects_for_user", "get_objects_for_group"} and not any(
                    k.arg == "with_superuser"
                    and isinstance(k.value, ast.Constant)
                    and k.value.value is False
                    for k in node.keywords
                ):
                    offenders.append(f"{path.relative_to(base)}:{node.lineno} {name}")
    assert offenders == []
