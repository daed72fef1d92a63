"""Query-count assertions that say *which* query appeared, not just that the count moved.

In the spirit of les-emplois' ``assertSnapshotQueries``: every query run inside
``capture_queries()`` is recorded with its SQL, normalised (placeholders, literals, ids and
``IN (…)`` lists folded, the select list elided) and with its origin, the first stack frame
in the project's own code (``cases/views.py:CaseloadView.get_context_data``), or the
library function that issued it when no project code is on the stack (the session lookup
of ``django.contrib.sessions``), plus the project template being rendered when a lazy
queryset is evaluated by a template.

The counts are the counts of ``django.test.utils.CaptureQueriesContext`` (this helper is a
subclass), so a pinned number means the same as with ``assertNumQueries``::

    from core.testing import assert_num_queries, assert_same_num_queries, capture_queries

    with capture_queries() as queries:
        response = client.get(url)
    assert_num_queries(queries, 5)

    # The same page with 1 and with 100 rows: the failure shows a diff of the two lists.
    assert_same_num_queries(small, large)

Why counts and not snapshot files: the suite runs on SQLite and on PostgreSQL, whose SQL
differs in more than quoting (casts, date functions, LIKE vs. UPPER/ILIKE, savepoints), so
a stored snapshot would need one file per vendor and twice the review churn for every
harmless change. A pinned count whose failure prints the numbered, normalised queries with
their origin gives the reviewer the same information on either database.
"""

from __future__ import annotations

import difflib
import linecache
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_PROJECT_PREFIX = f"{PROJECT_ROOT}/"
_THIS_FILE = str(Path(__file__).resolve())
# Django's transaction statements are logged by `debug_transaction`, outside the cursor.
_TRANSACTION_STATEMENTS = frozenset({"BEGIN", "COMMIT", "ROLLBACK"})
# Frames that only pass the request or the query along: never an interesting origin.
_PLUMBING = ("/django/db/", "/django/test/", "/django/core/handlers/", "/django/utils/deprecation")
# The conftest safety nets wrap QuerySet.get: they are on the stack, never the origin.
_ORM_WRAPPERS = frozenset({"tests/safety_nets.py"})
SQL_WIDTH = 220
SHORT_SELECT_LIST = 30


@dataclass(frozen=True, slots=True)
class Query:
    sql: str
    origin: str

    def __str__(self) -> str:
        return f"{self.sql}\n     ↳ {self.origin}"


class CapturedQueries(CaptureQueriesContext):
    """`CaptureQueriesContext` that also records, for every query, its raw SQL and origin."""

    def __init__(self, connection) -> None:
        super().__init__(connection)
        self._records: list[tuple[str, str]] = []
        self._wrapper_cm = None

    def _record(self, execute, sql, params, many, context):
        self._records.append((sql, _origin(sys._getframe(1))))
        return execute(sql, params, many, context)

    def __enter__(self) -> CapturedQueries:
        super().__enter__()
        self._wrapper_cm = self.connection.execute_wrapper(self._record)
        self._wrapper_cm.__enter__()
        return self

    def __exit__(self, exc_type, exc_value, traceback) -> None:
        self._wrapper_cm.__exit__(exc_type, exc_value, traceback)
        super().__exit__(exc_type, exc_value, traceback)

    @property
    def queries(self) -> list[Query]:
        records = iter(self._records)
        result = []
        for logged in self.captured_queries:
            if logged["sql"] in _TRANSACTION_STATEMENTS:
                result.append(Query(logged["sql"], "(transaction management)"))
                continue
            raw_sql, origin = next(records, (logged["sql"], "?"))
            result.append(Query(normalize_sql(raw_sql), origin))
        return result

    def report(self) -> str:
        """The numbered list of queries, as printed by a failing assertion."""
        return "\n".join(f"{i:>3}. {query}" for i, query in enumerate(self.queries, 1))


@contextmanager
def capture_queries(using: str = DEFAULT_DB_ALIAS) -> Iterator[CapturedQueries]:
    with CapturedQueries(connections[using]) as captured:
        yield captured


def assert_num_queries(captured: CapturedQueries, expected: int, *, label: str = "") -> None:
    if len(captured) != expected:
        raise AssertionError(
            f"{label + ': ' if label else ''}expected {expected} queries, "
            f"got {len(captured)}:\n{captured.report()}"
        )


def assert_same_num_queries(
    first: CapturedQueries, second: CapturedQueries, *, label: str = ""
) -> None:
    """The same page measured twice (typically with 1 and with 100 rows) cost as many
    queries; otherwise the message is a diff of the two lists, so the query that
    appears once per row is the one marked with `+`."""
    if len(first) == len(second):
        return
    diff = difflib.unified_diff(
        [line for query in first.queries for line in str(query).splitlines()],
        [line for query in second.queries for line in str(query).splitlines()],
        fromfile=f"first run ({len(first)} queries)",
        tofile=f"second run ({len(second)} queries)",
        lineterm="",
        n=2,
    )
    raise AssertionError(
        f"{label + ': ' if label else ''}{len(first)} queries, then {len(second)}:\n"
        + "\n".join(diff)
    )


# --- normalisation -----------------------------------------------------------------------

_SAVEPOINT = re.compile(r'^((?:RELEASE |ROLLBACK TO )?SAVEPOINT) +"?[\w]+"?\s*$')
_QUOTED = re.compile(r"'(?:[^']|'')*'")
_NUMBER = re.compile(r"(?<![\w\"])-?\d+(?:\.\d+)?(?![\w\"])")
_PLACEHOLDER = re.compile(r"%s|\?")
_IN_LIST = re.compile(r"\bIN \((?:\s*(?:#|NULL)\s*,?)+\)", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def normalize_sql(sql: str) -> str:
    """Stable across runs: parameters, literals and ids become `#`, `IN (…)` lists one `IN (…)`, the
    select list `…`, savepoint names go; truncated to `SQL_WIDTH` characters."""
    sql = _SPACES.sub(" ", sql).strip()
    if match := _SAVEPOINT.match(sql):
        return match.group(1)
    sql = _PLACEHOLDER.sub("#", sql)
    sql = _QUOTED.sub("#", sql)
    sql = _NUMBER.sub("#", sql)
    sql = _IN_LIST.sub("IN (…)", sql)
    sql = _elide_select_list(sql)
    if len(sql) > SQL_WIDTH:
        sql = sql[: SQL_WIDTH - 1] + "…"
    return sql


def _elide_select_list(sql: str) -> str:
    """`SELECT "a"."id", … (SELECT … FROM …) AS "x" FROM "t" …` → `SELECT … FROM "t" …`:
    a long column list rarely tells which query it is, the table and the WHERE clause do."""
    head = re.match(r"SELECT (DISTINCT )?", sql)
    if not head:
        return sql
    depth = 0
    upper = sql.upper()
    for i in range(head.end(), len(sql)):
        char = sql[i]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and upper.startswith(" FROM ", i):
            if i - head.end() <= SHORT_SELECT_LIST:  # `COUNT(*) AS "__count"` says a lot
                return sql
            return f"{head.group(0)}…{sql[i:]}"
    return sql


# --- origin ------------------------------------------------------------------------------


def _origin(frame: FrameType | None) -> str:
    project = library = template = test = None
    while frame is not None:
        filename = frame.f_code.co_filename
        if template is None:
            template = _template_name(frame)
        if (
            filename.startswith(_PROJECT_PREFIX)
            and "/.venv/" not in filename
            and filename != _THIS_FILE
        ):
            relative = filename.removeprefix(_PROJECT_PREFIX)
            if relative in _ORM_WRAPPERS:
                pass
            elif relative.startswith("tests/"):
                # The test itself (or a factory): only an origin when nothing else is, and
                # whatever calls the test (pytest) is never one.
                test = test or f"{relative}:{frame.f_code.co_qualname}"
            elif "get_response(" not in linecache.getline(filename, frame.f_lineno):
                # (A middleware handing the request on is not where a query comes from.)
                project = f"{relative}:{frame.f_code.co_qualname}"
                break
        elif library is None and test is None and not any(p in filename for p in _PLUMBING):
            library = f"{_short_library_path(filename)}:{frame.f_code.co_qualname}"
        frame = frame.f_back
    if project and library and "/django/template/" not in library:
        # e.g. `cases/views.py:caseload via <lib>/django/core/paginator.py:Paginator.count`
        where = f"{project} via {library}"
    else:
        where = project or library or test or "?"
    return f"{where} (rendering {template})" if template else where


def _template_name(frame: FrameType) -> str | None:
    """The project template whose node is rendering, when a template runs the query."""
    if "/django/template/" not in frame.f_code.co_filename:
        return None
    node = frame.f_locals.get("self")
    origin = getattr(node, "origin", None)
    name = getattr(origin, "name", None)
    if isinstance(name, str) and name.startswith(_PROJECT_PREFIX):
        return getattr(origin, "template_name", None) or name
    return None


def _short_library_path(filename: str) -> str:
    for marker in ("/site-packages/", "/lib/python"):
        if marker in filename:
            return "<lib>/" + filename.split(marker, 1)[1]
    return filename
