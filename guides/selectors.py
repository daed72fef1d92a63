"""Reads of the guides: public lists (published only), search, editors' lists. Every list
is ordered and joined, in a fixed number of queries whatever the number of guides."""

from dataclasses import dataclass

from django.db.models import Count, QuerySet, Sum

from accounts.models import User
from guides.access import editable_guides
from guides.enums import GuideTopic
from guides.models import Guide, GuideRevision
from guides.search import query_terms

TOPIC_PREVIEW = 6


@dataclass(frozen=True)
class TopicSummary:
    topic: GuideTopic
    count: int
    guides: list[Guide]


def published_guides() -> QuerySet[Guide]:
    return Guide.objects.published().select_related("organization").order_by("title", "pk")


def topic_summaries() -> list[TopicSummary]:
    """Each topic with its number of published guides and the first few titles: one
    count query plus one query per topic (a fixed number: the topics are an enum)."""
    counts = dict(
        Guide.objects.published()
        .order_by()
        .values_list("topic")
        .annotate(n=Count("pk"))
        .values_list("topic", "n")
    )
    return [
        TopicSummary(
            topic=topic,
            count=counts.get(topic.value, 0),
            guides=list(
                Guide.objects.published()
                .filter(topic=topic)
                .only("slug", "title", "topic")
                .order_by("title", "pk")[:TOPIC_PREVIEW]
            ),
        )
        for topic in GuideTopic
    ]


def topic_guides(topic: str) -> QuerySet[Guide]:
    return published_guides().filter(topic=topic)


def related_guides(guide: Guide, *, limit: int = 5) -> list[Guide]:
    return list(
        Guide.objects.published()
        .filter(topic=guide.topic)
        .exclude(pk=guide.pk)
        .only("slug", "title", "topic")
        .order_by("title", "pk")[:limit]
    )


def search_guides(query: str) -> QuerySet[Guide]:
    """Published guides holding every term of `query` (words or their beginnings), the
    best first: title words weigh more than summary words, which weigh more than text."""
    terms = query_terms(query)
    if not terms:
        return Guide.objects.none()
    return (
        published_guides()
        .filter(terms__term__in=terms)
        .annotate(matched=Count("terms__term", distinct=True), score=Sum("terms__weight"))
        .filter(matched=len(terms))
        .order_by("-score", "title", "pk")
    )


def guides_for_editor(user: User) -> QuerySet[Guide]:
    return (
        editable_guides(user)
        .select_related("organization", "updated_by")
        .order_by("-updated_at", "pk")
    )


def guide_revisions(guide: Guide) -> QuerySet[GuideRevision]:
    return guide.revisions.select_related("author").order_by("-number")


def guide_revision(guide: Guide, number: int) -> GuideRevision | None:
    return guide.revisions.select_related("author").filter(number=number).first()


def linked_step_type_ids(guide: Guide) -> list[int]:
    return list(
        guide.step_type_links.order_by("step_type_id").values_list("step_type_id", flat=True)
    )
