"""Search: words of the title, summary and text, accents and plurals folded, beginnings of
words found, every word required, the title weighing most; published guides only."""

import pytest

from guides import selectors
from guides.search import fold, index_terms, query_terms, words
from tests.guides.helpers import make_guide

pytestmark = pytest.mark.django_db


def test_fold_drops_accents_case_and_ligatures():
    assert fold("Numérique ÉCOLE Œuvre") == "numerique ecole oeuvre"


def test_words_cut_plurals_skip_stopwords_and_join_dashed_words():
    assert words("Les candidatures et les bureaux") == ["candidature", "bureau"]
    assert words("Une adresse e-mail") == ["adresse", "mail", "email"]
    # Link targets are not words of the guide.
    assert "tracker" not in words("[site](https://tracker.example/x)")


def test_index_terms_hold_prefixes_and_weigh_the_title_more():
    terms = index_terms(title="Scanner", summary="", body="scanner")
    assert {"sca", "scan", "scann", "scanne", "scanner"} <= set(terms)
    body_only = index_terms(title="", summary="", body="scanner")
    assert terms["scanner"] > body_only["scanner"]


def test_query_terms_are_bounded():
    assert query_terms("") == []
    assert query_terms("le la les") == []
    assert len(query_terms(" ".join(f"mot{i}" for i in range(50)))) == 8
    assert len(query_terms("x" * 10_000)) == 1


def titles(query: str) -> list[str]:
    return [g.title for g in selectors.search_guides(query)]


@pytest.fixture
def guides(db):
    from guides.models import Guide

    Guide.objects.all().delete()  # only the guides of this test
    return {
        "email": make_guide(
            title="Créer une adresse e-mail", body="Choisissez un service gratuit."
        ),
        "scan": make_guide(title="Scanner un document", body="Avec votre téléphone, créez un PDF."),
        "cv": make_guide(title="Écrire son CV", body="Envoyez-le par e-mail en PDF."),
        "draft": make_guide(title="Brouillon e-mail secret", published=False),
    }


def test_accents_plurals_and_beginnings_of_words_match(guides):
    assert titles("numerique") == []
    assert titles("ecrire") == ["Écrire son CV"]
    assert titles("scan") == ["Scanner un document"]
    assert titles("DOCUMENTS") == ["Scanner un document"]
    assert titles("téléphone") == titles("telephone") == ["Scanner un document"]


def test_every_word_is_required(guides):
    assert titles("pdf") == ["Scanner un document", "Écrire son CV"] or set(titles("pdf")) == {
        "Scanner un document",
        "Écrire son CV",
    }
    assert titles("pdf téléphone") == ["Scanner un document"]
    assert titles("pdf boulangerie") == []


def test_a_title_match_comes_first(guides):
    found = titles("mail")
    assert found[0] == "Créer une adresse e-mail"
    assert set(found) == {"Créer une adresse e-mail", "Écrire son CV"}


def test_drafts_are_never_found(guides):
    assert "Brouillon e-mail secret" not in titles("brouillon")
    assert titles("secret") == []


@pytest.mark.parametrize(
    "query", ["'; DROP TABLE guides_guide; --", "%", "_", "\\", "\x00", "🙂", "a" * 500]
)
def test_odd_queries_find_nothing_and_break_nothing(guides, query):
    assert titles(query) == []


def test_an_edit_reindexes_the_guide(guides):
    from guides import services

    guide = guides["cv"]
    services.guide_update(
        actor=guide.updated_by,
        guide=guide,
        version=guide.version,
        title="Écrire son CV",
        topic="emploi",
        summary="Résumé.",
        body="Avec un modèle de lettre.",
        reviewed_on=guide.reviewed_on,
    )
    assert titles("modele") == ["Écrire son CV"]
    assert titles("pdf") == ["Scanner un document"]
