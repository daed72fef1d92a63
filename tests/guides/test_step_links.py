"""A step links to its guide wherever it is listed: the file page (steps, overdue,
suggested and addable steps), the step page, the shared file of a referral, the
catalogue. A draft guide shows no link."""

import pytest
from django.urls import reverse

from accounts.enums import Role
from cases.models import StepType
from guides import services
from guides.enums import GuideStatus
from guides.models import Guide
from tests.factories import OrganizationFactory, StepFactory, YoungPersonFactory, member
from tests.guides.helpers import make_guide

pytestmark = pytest.mark.django_db

EMAIL_GUIDE = reverse("guides:detail", args=["creer-une-adresse-e-mail"])


@pytest.fixture
def young_person():
    org = OrganizationFactory()
    return YoungPersonFactory(organization=org, referent=member(org, Role.ADVISOR))


def test_the_file_page_and_the_step_page_link_to_the_guide(client, young_person):
    step = StepFactory(young_person=young_person)  # "Créer une adresse e-mail"
    client.force_login(young_person.referent)
    page = client.get(reverse("cases:detail", args=[young_person.pk])).content.decode()
    assert f'href="{EMAIL_GUIDE}"' in page
    assert "Guide : Créer une adresse e-mail" in page
    # Addable steps of the catalogue link to theirs too ("Rédiger un CV").
    assert reverse("guides:detail", args=["ecrire-son-cv"]) in page
    step_page = client.get(reverse("cases:step_update", args=[young_person.pk, step.pk]))
    assert f'href="{EMAIL_GUIDE}"' in step_page.content.decode()


def test_a_draft_guide_is_not_linked(client, young_person):
    StepFactory(young_person=young_person)
    guide = Guide.objects.get(slug="creer-une-adresse-e-mail")
    services.guide_set_status(
        actor=type(young_person.referent).objects.create_superuser("root", password="x"),
        guide=guide,
        status=GuideStatus.DRAFT,
    )
    client.force_login(young_person.referent)
    page = client.get(reverse("cases:detail", args=[young_person.pk])).content.decode()
    assert EMAIL_GUIDE not in page


def test_an_organisation_step_links_to_its_organisations_guide(client, young_person):
    org = young_person.organization
    own = StepType.objects.create(organization=org, code="forum", label="Aller au forum")
    admin = member(org, Role.ORG_ADMIN)
    guide = make_guide(actor=admin, organization=org, step_types=[own], title="Le forum")
    StepFactory(young_person=young_person, step_type=own)
    client.force_login(young_person.referent)
    page = client.get(reverse("cases:detail", args=[young_person.pk])).content.decode()
    assert reverse("guides:detail", args=[guide.slug]) in page
    client.force_login(admin)
    catalogue = client.get(reverse("cases:catalogue")).content.decode()
    assert reverse("guides:detail", args=[guide.slug]) in catalogue
    assert EMAIL_GUIDE in catalogue  # the default steps too


def test_the_shared_file_of_a_referral_links_steps_to_their_guides(client, young_person):
    from referrals import services as referral_services

    StepFactory(young_person=young_person)
    partner_org = OrganizationFactory(partner=True)
    partner = member(partner_org, Role.PARTNER)
    referral = referral_services.referral_send(
        actor=young_person.referent,
        young_person=young_person,
        to_organization=partner_org,
        reason="training",
        message="",
        shared_sections=["identity", "steps"],
        consent_method="oral",
        consent_given=True,
    )
    referral_services.referral_accept(actor=partner, referral=referral)
    client.force_login(partner)
    page = client.get(reverse("referrals:shared_file", args=[referral.pk])).content.decode()
    assert EMAIL_GUIDE in page
