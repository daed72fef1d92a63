"""Form fields every app shares."""

from django import forms
from django.core.exceptions import ValidationError

from core.access import MAX_ID


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A multiple choice of rows by id where an id past the 64-bit range is a choice that
    does not exist, not a 500: Django checks the range of a `pk=` lookup, not of the
    `pk__in` that this field runs."""

    def _check_values(self, value):
        for pk in value if isinstance(value, list | tuple) else ():
            try:
                number = int(pk)
            except (TypeError, ValueError):
                continue  # not a number: Django's own message
            if not 1 <= number <= MAX_ID:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)
