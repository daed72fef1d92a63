from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from cases import validators
from core.forms import IdMultipleChoiceField
from core.periods import Period
from supervision.constants import MAX_PERIOD_DAYS
from supervision.enums import FUNNEL_STEP_CODES, Metric, ReferralDirection
from supervision.selectors import default_period


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _clean_period(cleaned: dict, form: forms.Form) -> None:
    start, end = cleaned.get("start"), cleaned.get("end")
    if start and end:
        if start > end:
            form.add_error("end", _("The end date must be on or after the start date."))
        elif end - start > timedelta(days=MAX_PERIOD_DAYS):
            form.add_error("start", _("Choose a period of five years at most."))


class PeriodForm(forms.Form):
    """The funnel's period; both dates are included. Empty means the last twelve months."""

    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=DateInput,
        validators=[validators.validate_plausible_day],
    )
    end = forms.DateField(
        label=_("To (included)"),
        required=False,
        widget=DateInput,
        validators=[validators.validate_plausible_day],
    )

    def __init__(self, data=None, *, today: date | None = None) -> None:
        self.default = default_period(today)
        # Only the period's own fields: the dashboard's URL carries nothing else.
        data = {k: v for k, v in data.items() if k in {"start", "end"}} if data else None
        initial = {"start": self.default.start, "end": self.default.end}
        super().__init__(data or None, initial=initial)

    def clean(self):
        cleaned = super().clean()
        _clean_period(cleaned, self)
        return cleaned

    @property
    def period(self) -> Period:
        if not self.is_bound or not self.is_valid():
            return self.default
        return Period(
            start=self.cleaned_data["start"] or self.default.start,
            end=self.cleaned_data["end"] or self.default.end,
        )


class DrillDownForm(forms.Form):
    """The query string of a list behind a dashboard figure."""

    metric = forms.ChoiceField(choices=Metric.choices, required=False)
    referent = forms.IntegerField(min_value=1, required=False)
    step = forms.ChoiceField(
        choices=[(code.value, code.label) for code in FUNNEL_STEP_CODES], required=False
    )
    start = forms.DateField(required=False, validators=[validators.validate_plausible_day])
    end = forms.DateField(required=False, validators=[validators.validate_plausible_day])

    def clean(self):
        cleaned = super().clean()
        cleaned["metric"] = cleaned.get("metric") or Metric.ACTIVE
        if cleaned["metric"] == Metric.STEP_DONE and not cleaned.get("step"):
            self.add_error("step", _("Choose a step."))
        _clean_period(cleaned, self)
        return cleaned

    def period(self) -> Period | None:
        if self.cleaned_data["metric"] not in {Metric.STEP_DONE, Metric.HIRED}:
            return None
        default = default_period()
        return Period(
            start=self.cleaned_data.get("start") or default.start,
            end=self.cleaned_data.get("end") or default.end,
        )

    def query(self) -> dict[str, str]:
        """The cleaned parameters, to rebuild the list's URL after a POST."""
        data = self.cleaned_data
        query = {"metric": data["metric"]}
        if data.get("referent"):
            query["referent"] = str(data["referent"])
        if data["metric"] == Metric.STEP_DONE:
            query["step"] = data["step"]
        period = self.period()
        if period is not None:
            query["start"], query["end"] = period.start.isoformat(), period.end.isoformat()
        return query


class ReferralListForm(forms.Form):
    direction = forms.ChoiceField(choices=ReferralDirection.choices, required=False)
    referent = forms.IntegerField(min_value=1, required=False)

    def clean(self):
        cleaned = super().clean()
        cleaned["direction"] = cleaned.get("direction") or ReferralDirection.SENT
        if cleaned["direction"] == ReferralDirection.RECEIVED:
            cleaned["referent"] = None
        return cleaned


class AdvisorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class ReassignForm(forms.Form):
    """Selected files (or every file of the list) → a new referent.

    The files are looked up in `young_people`, the supervisor's scoped list: an id that
    is unknown or out of reach makes the whole form invalid, so nothing is reassigned.
    """

    young_people = IdMultipleChoiceField(
        queryset=None,
        required=False,
        label=_("Files to reassign"),
        error_messages={
            "invalid_choice": _(
                "At least one of the selected files (%(value)s) does not exist or is out of "
                "your reach. Nothing was reassigned."
            ),
            "invalid_pk_value": _("“%(pk)s” is not a file number. Nothing was reassigned."),
        },
    )
    all_matching = forms.BooleanField(
        required=False, label=_("Reassign every file of this list, on every page")
    )
    expected_count = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    new_referent = AdvisorChoiceField(
        queryset=None,
        label=_("New referent"),
        empty_label=_("Choose an advisor"),
        error_messages={
            "invalid_choice": _(
                "The new referent must be an active advisor or supervisor of the organisation."
            )
        },
    )

    def __init__(self, *args, young_people, advisors, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["young_people"].queryset = young_people
        self.fields["new_referent"].queryset = advisors

    def clean(self):
        cleaned = super().clean()
        nothing = not cleaned.get("all_matching") and not cleaned.get("young_people")
        if nothing and "young_people" not in self.errors:
            self.add_error(
                "young_people", _("Select at least one file, or every file of the list.")
            )
        elif cleaned.get("young_people") is not None and not cleaned.get("all_matching"):
            # The same bound as the service, which also holds it for "every file of the list".
            try:
                validators.validate_reassign_count(len(cleaned["young_people"]))
            except forms.ValidationError as error:
                self.add_error(None, error)
        return cleaned
