"""The default guides: real content shipped with Relais, loaded by migrate (so production
has them) and by `manage.py load_guides`, never overwriting an editor's change."""

import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from guides.content import default_guide_files, load_default_guides
from guides.enums import GuideStatus, GuideTopic
from guides.markdown import render_markdown
from guides.models import Guide, GuideRevision, GuideTerm
from guides.validators import BODY_MAX, RESERVED_SLUGS, SUMMARY_MAX, TITLE_MAX

pytestmark = pytest.mark.django_db

FILES = default_guide_files()
OFFICIAL = re.compile(
    r"https://(www\.)?("
    r"francetravail\.fr|candidat\.francetravail\.fr|1jeune1solution\.gouv\.fr|"
    r"service-public\.fr|lannuaire\.service-public\.fr|franceconnect\.gouv\.fr|"
    r"moncompteformation\.gouv\.fr|onisep\.fr|cybermalveillance\.gouv\.fr|ameli\.fr|"
    r"labonnealternance\.apprentissage\.beta\.gouv\.fr|immersion-facile\.beta\.gouv\.fr|"
    r"emmaus-connect\.org|lesbonsclics\.fr|pix\.fr)"
)


def test_at_least_sixteen_guides_on_the_four_topics():
    assert len(FILES) >= 16
    by_topic = {topic: [f for f in FILES if f.topic == topic] for topic in GuideTopic.values}
    assert all(len(files) >= 3 for files in by_topic.values()), by_topic


@pytest.mark.parametrize("item", FILES, ids=[f.slug for f in FILES])
def test_each_guide_has_steps_official_links_and_a_review_date(item):
    assert item.slug not in RESERVED_SLUGS and re.fullmatch(r"[a-z0-9-]+", item.slug)
    assert len(item.title) <= TITLE_MAX and len(item.summary) <= SUMMARY_MAX
    assert len(item.body) <= BODY_MAX
    assert item.reviewed_on <= timezone.localdate()
    html = render_markdown(item.body)
    assert "<ol>" in html, "numbered steps"
    assert OFFICIAL.search(html), "a link to an official service"
    assert "<h2>Liens utiles</h2>" in html


@pytest.mark.parametrize("item", FILES, ids=[f.slug for f in FILES])
def test_sentences_stay_short(item):
    """Plain French ("facile à lire et à comprendre"): no sentence over 30 words."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", item.body)
    sentences = [s for s in re.split(r"[.!?:;\n]", text) if s.strip()]
    longest = max(sentences, key=lambda s: len(s.split()))
    assert len(longest.split()) <= 30, longest


def test_migrate_loaded_them_published_indexed_and_linked_to_their_steps():
    guides = Guide.objects.filter(slug__in=[f.slug for f in FILES])
    assert guides.count() == len(FILES)
    assert set(guides.values_list("status", flat=True)) == {GuideStatus.PUBLISHED}
    assert set(guides.values_list("organization", flat=True)) == {None}
    assert GuideTerm.objects.filter(guide__in=guides).exists()
    assert GuideRevision.objects.filter(guide__in=guides, number=1).count() == len(FILES)
    email = Guide.objects.get(slug="creer-une-adresse-e-mail")
    assert list(email.step_types.values_list("code", flat=True)) == ["create_email"]
    linked = set(
        Guide.objects.filter(step_types__isnull=False).values_list("step_types__code", flat=True)
    )
    # Every default step has its guide.
    assert linked >= {
        "create_email",
        "send_attachment",
        "write_cv",
        "upload_cv",
        "register_france_travail",
        "first_online_application",
        "get_device",
        "get_data_plan",
    }


def test_loading_again_never_overwrites_an_edited_guide():
    Guide.objects.filter(slug="ecrire-son-cv").update(title="Titre changé par un rédacteur")
    Guide.objects.filter(slug="trouver-sa-mission-locale").delete()
    out = StringIO()
    call_command("load_guides", stdout=out)
    assert "1" in out.getvalue()
    assert Guide.objects.get(slug="ecrire-son-cv").title == "Titre changé par un rédacteur"
    assert Guide.objects.filter(slug="trouver-sa-mission-locale").exists()
    assert load_default_guides(apps) == 0
