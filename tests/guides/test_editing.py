"""Editing guides (/infos/gerer/): who may edit what, the preview, draft and published,
history, the optimistic lock, step links, and the attacks (another organisation's
guide, a platform guide, a forged step type, a replayed form, odd ids)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from cases.models import StepType
from guides import services
from guides.enums import GuideStatus, RevisionAction
from guides.models import Guide, GuideRevision, GuideStepType
from tests.factories import OrganizationFactory, UserFactory, default_step_type, member
from tests.guides.helpers import make_guide, platform_editor

pytestmark = pytest.mark.django_db

MANAGE = reverse("guides:manage")
CREATE = reverse("guides:create")


@pytest.fixture
def org():
    return OrganizationFactory(name="Mission locale Est")


@pytest.fixture
def admin(org):
    return member(org, Role.ORG_ADMIN, first_name="Awa", last_name="Diallo")


def form_data(**overrides) -> dict:
    return {
        "title": "Trouver un stage",
        "slug": "",
        "topic": "emploi",
        "summary": "Où chercher un stage, et comment écrire à une entreprise.",
        "body": "## Les étapes\n\n1. Cherchez.\n2. Écrivez.\n",
        "reviewed_on": timezone.localdate().isoformat(),
    } | overrides


def edit_data(guide: Guide, **overrides) -> dict:
    data = form_data(title=guide.title, topic=guide.topic, version=guide.version) | overrides
    data.pop("slug")
    return data


# --- who may edit ----------------------------------------------------------------------


def test_an_org_admin_creates_a_draft_guide_of_their_organisation(client, org, admin):
    client.force_login(admin)
    response = client.post(CREATE, form_data())
    guide = Guide.objects.get(slug="trouver-un-stage")
    assert response.status_code == 302
    assert response["Location"] == reverse("guides:edit", args=[guide.pk])
    assert guide.organization == org
    assert guide.status == GuideStatus.DRAFT
    assert guide.updated_by == admin
    # A draft is not public.
    assert client.get(reverse("guides:detail", args=[guide.slug])).status_code == 404
    revision = guide.revisions.get()
    assert (revision.number, revision.action, revision.author) == (1, "created", admin)


def test_platform_staff_create_platform_guides(client):
    editor = platform_editor()
    client.force_login(editor)
    client.post(CREATE, form_data())
    assert Guide.objects.get(slug="trouver-un-stage").organization is None


def test_a_staff_account_needs_the_guide_permission(client):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get(MANAGE).status_code == 404
    staff.user_permissions.add(Permission.objects.get(codename="change_guide"))
    staff = type(staff).objects.get(pk=staff.pk)  # permissions are cached per instance
    client.force_login(staff)
    assert client.get(MANAGE).status_code == 200
    guide = Guide.objects.get(slug="creer-une-adresse-e-mail")
    assert client.get(reverse("guides:edit", args=[guide.pk])).status_code == 200


@pytest.mark.parametrize("role", [Role.ADVISOR, Role.SUPERVISOR, Role.PARTNER])
def test_other_roles_edit_nothing(client, org, role):
    client.force_login(member(org, role))
    guide = make_guide(actor=member(org, Role.ORG_ADMIN), organization=org)
    for url in [MANAGE, CREATE, reverse("guides:edit", args=[guide.pk])]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("guides:unpublish", args=[guide.pk])).status_code == 404


def test_an_org_admin_cannot_touch_another_organisations_or_the_platforms_guides(
    client, org, admin
):
    other = OrganizationFactory()
    theirs = make_guide(actor=member(other, Role.ORG_ADMIN), organization=other)
    platform = Guide.objects.get(slug="creer-une-adresse-e-mail")
    client.force_login(admin)
    for guide in (theirs, platform):
        version = guide.version
        for name in ("edit", "history"):
            assert client.get(reverse(f"guides:{name}", args=[guide.pk])).status_code == 404
        response = client.post(reverse("guides:edit", args=[guide.pk]), edit_data(guide))
        assert response.status_code == 404
        assert client.post(reverse("guides:unpublish", args=[guide.pk])).status_code == 404
        assert client.get(reverse("guides:revision", args=[guide.pk, 1])).status_code == 404
        guide.refresh_from_db()
        assert guide.status == GuideStatus.PUBLISHED and guide.version == version
    listed = client.get(MANAGE).context["page"].object_list
    assert theirs not in listed and platform not in listed


def test_the_services_check_their_actor_too(org, admin):
    platform = Guide.objects.get(slug="creer-une-adresse-e-mail")
    from core.exceptions import NotFound

    with pytest.raises(NotFound):
        services.guide_set_status(actor=admin, guide=platform, status=GuideStatus.DRAFT)
    with pytest.raises(NotFound):
        make_guide(actor=admin, organization=OrganizationFactory())
    with pytest.raises(NotFound):
        make_guide(actor=admin, organization=None)


def test_a_removed_admin_loses_the_guides_at_once(client, org, admin):
    from accounts import services as account_services

    guide = make_guide(actor=admin, organization=org)
    client.force_login(admin)
    assert client.get(reverse("guides:edit", args=[guide.pk])).status_code == 200
    membership = admin.memberships.get()
    account_services.member_set_active(
        actor=member(org, Role.ORG_ADMIN), membership=membership, is_active=False
    )
    assert client.get(reverse("guides:edit", args=[guide.pk])).status_code == 404


@pytest.mark.parametrize("pk", ["0", "99999999", str(2**63), "9" * 30])
def test_odd_ids_are_404(client, admin, pk):
    client.force_login(admin)
    assert client.get(f"/infos/gerer/{pk}/").status_code == 404
    assert client.get(f"/infos/gerer/{pk}/historique/1/").status_code == 404


def test_an_odd_revision_number_is_404(client, org, admin):
    guide = make_guide(actor=admin, organization=org)
    client.force_login(admin)
    for number in ("0", "99", str(2**63), "9" * 30):
        url = f"/infos/gerer/{guide.pk}/historique/{number}/"
        assert client.get(url).status_code == 404, number


# --- the form ----------------------------------------------------------------------------


def test_preview_renders_the_text_and_saves_nothing(client, org, admin):
    client.force_login(admin)
    body = "## Étapes\n\n1. Un **point**\n\n<script>alert(1)</script>"
    response = client.post(CREATE, form_data(body=body, preview="1"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Aperçu (non enregistré)" in page
    assert "<strong>point</strong>" in page
    assert "<script>alert(1)</script>" not in page
    assert not Guide.objects.filter(slug="trouver-un-stage").exists()
    # The form comes back filled in, to go on writing.
    assert "Un **point**" in page


def test_preview_of_an_invalid_form_shows_its_errors(client, admin):
    client.force_login(admin)
    response = client.post(CREATE, form_data(title="", preview="1"))
    assert response.status_code == 400
    assert "Aperçu (non enregistré)" not in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 151}, "title"),
        ({"summary": "x" * 301}, "summary"),
        ({"body": "x" * 20_001}, "body"),
        ({"topic": "politique"}, "topic"),
        ({"reviewed_on": "demain"}, "reviewed_on"),
        ({"reviewed_on": "1999-12-31"}, "reviewed_on"),
        ({"slug": "gerer"}, "slug"),
        ({"slug": "numerique"}, "slug"),
        ({"slug": "pas un slug !"}, "slug"),
        ({"title": "!!!", "slug": ""}, "slug"),
        ({"slug": "creer-une-adresse-e-mail"}, "slug"),
        ({"step_types": ["abc"]}, "step_types"),
        ({"step_types": [str(2**64)]}, "step_types"),
    ],
)
def test_bad_input_gets_a_message_on_its_field(client, admin, overrides, field):
    StepType.objects.create(organization=admin.memberships.get().organization, code="x", label="X")
    client.force_login(admin)
    response = client.post(CREATE, form_data(**overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    assert Guide.objects.filter(organization__isnull=False).count() == 0


def test_a_review_date_in_the_future_is_refused(client, admin):
    client.force_login(admin)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(CREATE, form_data(reviewed_on=tomorrow))
    assert "reviewed_on" in response.context["form"].errors


def test_a_form_posted_twice_creates_one_guide(client, admin):
    client.force_login(admin)
    token = client.get(CREATE).context["form_token"]
    first = client.post(CREATE, form_data(form_token=token))
    second = client.post(CREATE, form_data(form_token=token))
    assert first.status_code == second.status_code == 302
    assert Guide.objects.filter(slug="trouver-un-stage").count() == 1


# --- edit, publish, history -----------------------------------------------------------


def test_edit_publish_unpublish_and_the_history_says_who_and_when(client, org, admin):
    client.force_login(admin)
    client.post(CREATE, form_data())
    guide = Guide.objects.get(slug="trouver-un-stage")
    edit_url = reverse("guides:edit", args=[guide.pk])

    response = client.post(edit_url, edit_data(guide, body="## Nouveau\n\n1. Étape neuve.\n"))
    assert response.status_code == 302
    client.post(reverse("guides:publish", args=[guide.pk]))
    guide.refresh_from_db()
    assert guide.status == GuideStatus.PUBLISHED
    public = client.get(reverse("guides:detail", args=[guide.slug])).content.decode()
    assert "Étape neuve." in public

    colleague = member(org, Role.ORG_ADMIN, first_name="Jo", last_name="Martin")
    client.force_login(colleague)
    client.post(reverse("guides:unpublish", args=[guide.pk]))
    assert client.get(reverse("guides:detail", args=[guide.slug])).status_code == 404

    history = client.get(reverse("guides:history", args=[guide.pk]))
    revisions = list(history.context["revisions"])
    assert [(r.number, r.action, r.author) for r in revisions] == [
        (4, RevisionAction.UNPUBLISHED, colleague),
        (3, RevisionAction.PUBLISHED, admin),
        (2, RevisionAction.EDITED, admin),
        (1, RevisionAction.CREATED, admin),
    ]
    page = history.content.decode()
    assert "Jo Martin" in page and "Awa Diallo" in page
    old = client.get(reverse("guides:revision", args=[guide.pk, 1])).content.decode()
    assert "Cherchez." in old and "Étape neuve." not in old


def test_publishing_twice_is_a_message_not_an_error(client, org, admin):
    guide = make_guide(actor=admin, organization=org)
    client.force_login(admin)
    response = client.post(reverse("guides:publish", args=[guide.pk]), follow=True)
    assert "déjà publié" in response.content.decode()
    assert guide.revisions.count() == 2


def test_a_stale_edit_is_refused_and_keeps_the_text(client, org, admin):
    guide = make_guide(actor=admin, organization=org)
    client.force_login(admin)
    stale = edit_data(guide, body="## Mon texte\n\n1. Perdu ?\n")
    services.guide_update(
        actor=admin,
        guide=guide,
        version=guide.version,
        title="Changé par un collègue",
        topic=guide.topic,
        summary=guide.summary,
        body=guide.body,
        reviewed_on=guide.reviewed_on,
    )
    response = client.post(reverse("guides:edit", args=[guide.pk]), stale)
    assert response.status_code == 400
    page = response.content.decode()
    assert "pendant que vous le modifiiez" in page
    assert "1. Perdu ?" in page
    guide.refresh_from_db()
    assert guide.title == "Changé par un collègue"


def test_an_edit_form_without_version_is_refused(client, org, admin):
    guide = make_guide(actor=admin, organization=org)
    client.force_login(admin)
    data = edit_data(guide)
    data.pop("version")
    assert client.post(reverse("guides:edit", args=[guide.pk]), data).status_code == 400


def test_the_address_of_a_guide_does_not_change(client, org, admin):
    guide = make_guide(actor=admin, organization=org, slug="mon-guide")
    client.force_login(admin)
    client.post(reverse("guides:edit", args=[guide.pk]), edit_data(guide, slug="autre"))
    guide.refresh_from_db()
    assert guide.slug == "mon-guide"


def test_the_list_shows_drafts_and_published_guides_of_the_editor(client, org, admin):
    draft = make_guide(actor=admin, organization=org, published=False, title="Brouillon A")
    published = make_guide(actor=admin, organization=org, title="Publié B")
    client.force_login(admin)
    listed = list(client.get(MANAGE).context["page"].object_list)
    assert listed == [published, draft]


# --- step links ------------------------------------------------------------------------


def test_platform_staff_link_default_steps_org_admins_their_own(client, org, admin):
    own = StepType.objects.create(organization=org, code="forum", label="Aller au forum")
    default = default_step_type("create_email")
    client.force_login(admin)
    form = client.get(CREATE).context["form"]
    assert list(form.fields["step_types"].queryset) == [own]
    # A forged default step: refused as an invalid choice.
    response = client.post(CREATE, form_data(step_types=[default.pk]))
    assert "step_types" in response.context["form"].errors
    response = client.post(CREATE, form_data(step_types=[own.pk]))
    guide = Guide.objects.get(slug="trouver-un-stage")
    assert list(guide.step_types.all()) == [own]

    client.force_login(platform_editor())
    form = client.get(CREATE).context["form"]
    assert default in form.fields["step_types"].queryset
    assert own not in form.fields["step_types"].queryset


def test_a_step_has_one_guide_at_most(client):
    editor = platform_editor()
    client.force_login(editor)
    taken = default_step_type("create_email")  # linked to "Créer une adresse e-mail"
    response = client.post(CREATE, form_data(step_types=[taken.pk]))
    assert response.status_code == 400
    assert "a déjà un guide" in response.content.decode()
    assert not Guide.objects.filter(slug="trouver-un-stage").exists()


def test_unticking_a_step_removes_its_link(client):
    editor = platform_editor()
    client.force_login(editor)
    guide = Guide.objects.get(slug="creer-une-adresse-e-mail")
    data = edit_data(guide, summary=guide.summary, body=guide.body)
    client.post(reverse("guides:edit", args=[guide.pk]), data)
    assert not GuideStepType.objects.filter(guide=guide).exists()
    data = edit_data(
        Guide.objects.get(pk=guide.pk),
        summary=guide.summary,
        body=guide.body,
        step_types=[default_step_type("create_email").pk],
    )
    client.post(reverse("guides:edit", args=[guide.pk]), data)
    assert GuideStepType.objects.get(guide=guide).step_type.code == "create_email"


def test_every_write_leaves_a_revision_and_nothing_half_written(org, admin):
    count = GuideRevision.objects.count()
    with pytest.raises(Exception):  # noqa: B017 - any refusal
        make_guide(actor=admin, organization=org, slug="gerer")
    assert GuideRevision.objects.count() == count
    assert not Guide.objects.filter(slug="gerer").exists()
