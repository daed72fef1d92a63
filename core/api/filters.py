"""Path and filter values that the database can take: a malformed or out-of-range id
answers 404 or 400, never a 500."""

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

from core.access import MAX_ID

# Any path segment reaches the view, which answers a JSON 404 for a malformed id (DRF's
# default, "[^/.]+", leaves "1.5" to Django's HTML 404 page).
LOOKUP_VALUE_REGEX = "[^/]+"


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """Filter on a foreign key's id: an integer in range, else a 400 for that parameter."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
