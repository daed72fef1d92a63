"""/infos/: anyone reads the published guides, with no account, no JavaScript and small
pages; drafts and unknown addresses are 404; a half-signed-in session (password given,
second factor owed) still reads them."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse

from accounts.enums import Role
from guides import nearby
from guides.enums import GuideTopic
from guides.models import Guide
from tests.factories import OrganizationFactory, member
from tests.guides.helpers import make_guide
from tests.two_factor import password_only_login

pytestmark = pytest.mark.django_db

INDEX = reverse("guides:index")
PAGE_BUDGET = 60 * 1024


def test_the_index_shows_every_topic_and_the_default_guides(client):
    response = client.get(INDEX)
    assert response.status_code == 200
    page = response.content.decode()
    for topic in GuideTopic:
        assert reverse("guides:topic", args=[topic.value]) in page
    assert "Créer une adresse e-mail" in page
    assert 'role="search"' in page


def test_a_guide_page_has_its_steps_links_review_date_and_owner(client):
    response = client.get(reverse("guides:detail", args=["creer-une-adresse-e-mail"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Créer une adresse e-mail</h1>" in page
    assert "<ol>" in page  # numbered steps
    assert 'href="https://www.laposte.net" rel="noopener noreferrer"' in page
    assert "Relu le 30 novembre 2026" in page
    assert "Rédigé par l’équipe Relais" in page or "Rédigé par l'équipe Relais" in page


def test_an_organisation_guide_names_its_organisation(client):
    org = OrganizationFactory(name="Mission locale de Roubaix")
    admin = member(org, Role.ORG_ADMIN)
    guide = make_guide(actor=admin, organization=org, title="Le forum de l'emploi")
    page = client.get(reverse("guides:detail", args=[guide.slug])).content.decode()
    assert "Mission locale de Roubaix" in page


@pytest.mark.parametrize(
    "slug", ["nope", "gerer", "a" * 500, "brouillon"], ids=["unknown", "reserved", "long", "draft"]
)
def test_drafts_and_unknown_addresses_are_404(client, slug):
    make_guide(slug="brouillon", published=False)
    response = client.get(f"{INDEX}{slug}/")
    assert response.status_code in {404, 302} if slug == "gerer" else response.status_code == 404


def test_a_topic_page_lists_only_its_published_guides(client):
    make_guide(title="Guide publié du numérique", topic="numerique")
    make_guide(title="Guide brouillon du numérique", topic="numerique", published=False)
    make_guide(title="Guide de l'emploi", topic="emploi")
    page = client.get(reverse("guides:topic", args=["numerique"])).content.decode()
    assert "Guide publié du numérique" in page
    assert "Guide brouillon du numérique" not in page
    assert "Guide de l&#x27;emploi" not in page and "Guide de l'emploi" not in page


def test_topic_pages_paginate(client):
    Guide.objects.all().delete()
    for i in range(25):
        make_guide(title=f"Guide {i:02d}", topic="emploi")
    first = client.get(reverse("guides:topic", args=["emploi"])).content.decode()
    second = client.get(reverse("guides:topic", args=["emploi"]) + "?page=2").content.decode()
    assert "Guide 00" in first and "Guide 19" in first and "Guide 20" not in first
    assert "Guide 20" in second and "Guide 24" in second
    odd = client.get(reverse("guides:topic", args=["emploi"]) + "?page=abc")
    assert odd.status_code == 200


def test_search_finds_guides_and_says_so(client):
    page = client.get(INDEX, {"q": "pièce jointe"}).content.decode()
    assert "Envoyer un e-mail avec une pièce jointe" in page
    assert "trouvé" in page


def test_search_without_results_says_so(client):
    page = client.get(INDEX, {"q": "zzzzqqq"}).content.decode()
    assert "Aucun guide" in page


@pytest.mark.parametrize("query", ["x" * 5000, "<script>alert(1)</script>", "\x00", "%%%"])
def test_odd_searches_get_a_page_not_a_500(client, query):
    response = client.get(INDEX, {"q": query})
    assert response.status_code == 200
    assert "<script>alert" not in response.content.decode()


def test_a_half_signed_in_session_still_reads_guides_but_not_the_editors_pages(client):
    org = OrganizationFactory()
    admin = member(org, Role.ORG_ADMIN)
    password_only_login(client, admin)
    for url in [INDEX, reverse("guides:topic", args=["emploi"]), f"{INDEX}ecrire-son-cv/"]:
        assert client.get(url).status_code == 200, url
    response = client.get(reverse("guides:manage"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_setup"))


def test_public_pages_need_no_script_and_weigh_under_60_kb(client):
    """The page and everything it loads (stylesheet, icon): no script at all."""
    static_bytes = sum(
        Path(finders.find(path)).stat().st_size for path in ("css/relais.css", "favicon.svg")
    )
    longest = max(Guide.objects.published(), key=lambda g: len(g.body))
    for url in [
        INDEX,
        f"{INDEX}?q=mail",
        reverse("guides:topic", args=["numerique"]),
        reverse("guides:detail", args=[longest.slug]),
    ]:
        response = client.get(url)
        html = response.content.decode()
        assert "<script" not in html, url
        assert re.findall(r'<link rel="stylesheet" href="([^"]+)"', html) == [
            static("css/relais.css")
        ]
        assert len(response.content) + static_bytes < PAGE_BUDGET, (url, len(response.content))


def test_the_nearby_help_section_shows_what_a_directory_registers(client):
    page = client.get(INDEX).content.decode()
    assert "près de chez vous" not in page  # nothing registered yet: no empty section

    def provider(*, topic):
        return [nearby.HelpPlace(name=f"Atelier {topic or 'tous'}", details="Lundi 14 h")]

    nearby.register(provider)
    try:
        page = client.get(reverse("guides:topic", args=["numerique"])).content.decode()
        assert "Atelier numerique" in page and "Lundi 14 h" in page
    finally:
        nearby.unregister(provider)


def test_a_signed_in_editor_sees_an_edit_link_others_do_not(client):
    org = OrganizationFactory()
    admin = member(org, Role.ORG_ADMIN)
    guide = make_guide(actor=admin, organization=org)
    url = reverse("guides:detail", args=[guide.slug])
    edit = reverse("guides:edit", args=[guide.pk])
    assert edit not in client.get(url).content.decode()
    client.force_login(member(OrganizationFactory(), Role.ORG_ADMIN))
    assert edit not in client.get(url).content.decode()
    client.force_login(admin)
    assert edit in client.get(url).content.decode()


def test_guides_pages_answer_get_only(client):
    assert client.post(INDEX).status_code == 405
