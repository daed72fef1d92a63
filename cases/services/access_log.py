"""The access log ("who looked at this file"): one entry per file whose content a response
carries, written in one INSERT per response whatever the number of files (README, "Read
log").

The caller has already let the user through an access function or a scoped selector: these
functions record what it let through and decide nothing, so they take no `actor` check of
their own (a second check would cost the query the read log must not add).
"""

import logging
from collections.abc import Iterable

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone

from accounts import security_log
from accounts.models import User
from cases.enums import AccessChannel
from cases.models import AccessLog, YoungPerson

audit = logging.getLogger("relais.audit")

DETAIL_MAX = AccessLog._meta.get_field("detail").max_length


def access_log_record(
    *,
    user: User,
    young_person: YoungPerson,
    action: str,
    channel: str = AccessChannel.WEB,
    detail: str = "",
) -> AccessLog:
    """One entry: a response about one file (its page, a document, a PDF of it)."""
    entry = AccessLog(
        young_person=young_person,
        user=user,
        action=action,
        channel=channel,
        detail=str(detail)[:DETAIL_MAX],
    )
    entry.save()
    audit.info(
        "user=%s young_person=%s action=%s channel=%s", user.pk, young_person.pk, action, channel
    )
    return entry


def access_log_record_many(
    *,
    user: User,
    young_people: QuerySet[YoungPerson] | Iterable[int | YoungPerson],
    action: str,
    channel: str,
    detail: str = "",
) -> int:
    """One entry per distinct file of `young_people`, all in one `INSERT … SELECT`.

    `young_people` is either a queryset of young people — an export or a report: its rows
    never come to Python, so a 20,000-file export costs one statement, as a 1-file one — or
    ids / young people (the page of an API list). A file named twice (two follow-ups of one
    file on a page) gets one entry. Returns the number of entries written; no query at all
    when there is nothing to log."""
    if not isinstance(young_people, QuerySet):
        ids = {yp if isinstance(yp, int) else yp.pk for yp in young_people}
        if not ids:
            return 0
        young_people = YoungPerson.objects.filter(pk__in=sorted(ids))
    written = _insert_select(
        young_people,
        user_id=user.pk,
        action=action,
        channel=channel,
        detail=str(detail)[:DETAIL_MAX],
    )
    audit.info(
        "user=%s action=%s channel=%s files=%s detail=%r", user.pk, action, channel, written, detail
    )
    if channel == AccessChannel.EXPORT:
        # An export of several files is also a security event (README, "Security log").
        security_log.export_recorded(
            actor=user, organization_id=None, files=written, what=str(detail)[:DETAIL_MAX]
        )
    return written


def _insert_select(
    young_people: QuerySet[YoungPerson], *, user_id: int, action: str, channel: str, detail: str
) -> int:
    """`INSERT INTO access_log (…) SELECT id, <constants> FROM young_person WHERE id IN
    (<the queryset>)`.

    The ORM has no INSERT … SELECT; bulk_create would bring every id to Python first and,
    past the database's parameter limit (SQLite: a few thousand rows here), split into
    several INSERTs. `IN (…)` also folds the duplicates a join in the queryset may make.
    The SQL of the queryset is Django's own, with its parameters passed separately."""
    connection = connections[young_people.db]
    try:
        inner_sql, inner_params = (
            young_people.order_by().values("pk").query.get_compiler(connection=connection).as_sql()
        )
    except EmptyResultSet:  # an empty filter (`.none()`, `pk__in=[]`): nothing was read
        return 0
    quote = connection.ops.quote_name
    log, person = AccessLog._meta, YoungPerson._meta
    columns = ", ".join(
        quote(log.get_field(name).column)
        for name in ("young_person", "user", "action", "channel", "detail", "at")
    )
    at = log.get_field("at").get_db_prep_save(timezone.now(), connection)
    alias = quote("read_log_person")
    pk = f"{alias}.{quote(person.pk.column)}"
    # Only quoted identifiers and Django's own compiled SQL go into the text; every value
    # (user, action, detail, the queryset's filters) is a parameter.
    sql = (
        f"INSERT INTO {quote(log.db_table)} ({columns}) "  # noqa: S608
        f"SELECT {pk}, %s, %s, %s, %s, %s FROM {quote(person.db_table)} {alias} "
        f"WHERE {pk} IN ({inner_sql})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, action, channel, detail, at, *inner_params])
        return max(cursor.rowcount, 0)
