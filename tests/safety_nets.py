"""Two nets the whole suite runs under (installed by tests/conftest.py), so that a class of
silent bug fails a test instead of reaching production.

1. Unknown template variables. Django renders a missing variable as "" and a missing
   `{% if %}` condition as false, so a typo (`{{ yp.nmae }}`, `{% if can_see_fiel %}`)
   silently hides a value or a button. Here, in the project's own templates (`templates/`;
   Django's and third-party templates are left alone), a failed lookup raises
   `UnknownTemplateVariable`, in `{{ }}`, in `{% if %}`, `{% for %}`, filter arguments and
   every other tag that resolves a variable. Still allowed, because they say "this may be
   missing" on purpose:
   - the `default` and `default_if_none` filters on the variable (`{{ x|default:"-" }}`);
   - `{% firstof a b %}`, whose point is to take the first one that exists;
   - a lookup *on* `None` (`{{ yp.referent.email }}` when there is no referent): a missing
     relation is data, not a typo, and the typo still fails in every test where the
     relation exists.

2. Unordered slices. `qs[:10]`, `qs[20:40]`, `qs[0]` or `Subquery(qs[:1])` without an
   ORDER BY return whichever rows the database finds first: the result changes with the
   plan, the vendor and the data (Django's Paginator already warns, and warnings are
   errors). Here, every SELECT compiled with LIMIT/OFFSET whose query is not ordered
   (no `order_by()`, no Meta.ordering that applies) raises `UnorderedSlice`, subqueries
   included. Allowed, because the order cannot change their result:
   - existence checks: `.exists()`, `Exists(...)`, `.contains()` (Django clears their
     ordering itself);
   - the row fetched by `.get()` (and so `get_or_create`, …): LIMIT 21 is only there to
     report "more than one" cheaply.
   Not covered: raw SQL, and an ORDER BY on a non-unique column (ties stay in any order).
"""

from __future__ import annotations

import contextvars
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db.models import query as query_module
from django.db.models.sql import compiler as compiler_module
from django.db.models.sql import query as sql_query_module
from django.template import base as template_base
from django.template import defaulttags

PROJECT_TEMPLATES = f"{Path(__file__).resolve().parent.parent / 'templates'}/"
# Filters that exist to give a missing variable a value.
TOLERANT_FILTERS = frozenset({"default", "default_if_none"})
# Tags that resolve their variables knowing that some may be missing.
TOLERANT_NODES = (defaulttags.FirstOfNode,)


class SafetyNetError(BaseException):
    """Not an `Exception`, so that nothing on the way swallows it: `{% if a and b %}`
    answers False on any `Exception` (django.template.smartif), and a view or a task
    catching `Exception` would hide the finding too."""


class UnknownTemplateVariable(SafetyNetError):
    """A project template looked up a variable that does not exist."""


class UnorderedSlice(SafetyNetError):
    """A SELECT with LIMIT/OFFSET but no ORDER BY: its rows are not deterministic."""


# --- templates -----------------------------------------------------------------------------


def _template_origin(frame) -> str | None:
    """The template file of the nearest node being rendered up the stack."""
    while frame is not None:
        node = frame.f_locals.get("self")
        if isinstance(node, template_base.Node):
            return getattr(getattr(node, "origin", None), "name", None)
        frame = frame.f_back
    return None


def _is_tolerated(frame) -> bool:
    """Walk up from `Variable.resolve` to the FilterExpression and the tag using it."""
    while frame is not None:
        owner = frame.f_locals.get("self")
        if isinstance(owner, TOLERANT_NODES):
            return True
        if isinstance(owner, template_base.FilterExpression):
            names = {getattr(func, "__name__", "") for func, _args in owner.filters}
            if names & TOLERANT_FILTERS:
                return True
        if isinstance(owner, template_base.Node):
            return False
        frame = frame.f_back
    return False


@contextmanager
def strict_template_variables() -> Iterator[None]:
    original = template_base.Variable._resolve_lookup

    def _resolve_lookup(self, context):
        try:
            return original(self, context)
        except template_base.VariableDoesNotExist as exc:
            params = getattr(exc, "params", ())
            looked_up_in = params[1] if len(params) > 1 else context
            if looked_up_in is None:
                raise
            caller = sys._getframe(1)
            origin = _template_origin(caller) or ""
            if not origin.startswith(PROJECT_TEMPLATES) or _is_tolerated(caller):
                raise
            key = params[0] if params else "?"
            where = "the context" if looked_up_in is context else type(looked_up_in).__name__
            raise UnknownTemplateVariable(
                f"{origin.removeprefix(PROJECT_TEMPLATES)}: {{{{ {self.var} }}}} does not "
                f"resolve ({key!r} not found in {where}). Pass it from the view, fix the "
                f"typo, or say it may be missing with |default."
            ) from exc

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(template_base.Variable, "_resolve_lookup", _resolve_lookup)
        yield


# --- slices --------------------------------------------------------------------------------

_in_get = contextvars.ContextVar("in_queryset_get", default=False)


def _is_ordered(query) -> bool:
    # As QuerySet.ordered: Meta.ordering does not apply to a GROUP BY query.
    return bool(
        query.order_by
        or query.extra_order_by
        or (query.default_ordering and query.get_meta().ordering and not query.group_by)
    )


@contextmanager
def ordered_slices() -> Iterator[None]:
    original_as_sql = compiler_module.SQLCompiler.as_sql
    original_exists = sql_query_module.Query.exists
    original_get = query_module.QuerySet.get

    def as_sql(self, with_limits=True, with_col_aliases=False):
        query = self.query
        if (
            with_limits
            and query.is_sliced
            and not getattr(query, "_existence_check", False)
            and not (
                _in_get.get()
                and not query.subquery
                and query.low_mark == 0
                and query.high_mark == query_module.MAX_GET_RESULTS
            )
            and not _is_ordered(query)
        ):
            raise UnorderedSlice(
                f"{query.model.__name__ if query.model else 'query'} sliced "
                f"[{query.low_mark}:{query.high_mark}] without order_by(): add an "
                f"ordering (ending with a unique column) before slicing."
            )
        return original_as_sql(self, with_limits, with_col_aliases)

    def exists(self, limit=True):
        query = original_exists(self, limit)
        query._existence_check = True
        return query

    def get(self, *args, **kwargs):
        token = _in_get.set(True)
        try:
            return original_get(self, *args, **kwargs)
        finally:
            _in_get.reset(token)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(compiler_module.SQLCompiler, "as_sql", as_sql)
        patch.setattr(sql_query_module.Query, "exists", exists)
        patch.setattr(query_module.QuerySet, "get", get)
        yield
