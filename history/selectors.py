from django.db.models import QuerySet

from history.models import HistoryEntry


def history_of_young_person(young_person_id: int) -> QuerySet[HistoryEntry]:
    """One file's history, newest first: one indexed query (young person, timestamp),
    the actor and the content type joined. The caller has checked the access."""
    return (
        HistoryEntry.objects.filter(young_person_id=young_person_id)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )
