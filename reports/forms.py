from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import validators
from cases.forms import DateInput
from reports.spreadsheets import IMPORT_FIELDS, IMPORT_MAX_BYTES, REQUIRED_FIELDS

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class AdvisorChoiceForm(forms.Form):
    """A supervisor picks whose caseload to print."""

    advisor = forms.TypedChoiceField(label=gettext_lazy("Advisor"), coerce=int)

    def __init__(self, *args, advisors_by_org=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["advisor"].choices = [
            (organization.name, [(user.pk, user.display_name) for user in users])
            for organization, users in advisors_by_org
        ]


class OrganizationChoiceForm(forms.Form):
    organization = forms.TypedChoiceField(label=gettext_lazy("Organisation"), coerce=int)

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(o.pk, o.name) for o in organizations]
        if len(organizations) == 1:
            self.fields["organization"].widget = forms.HiddenInput()


class ActivityReportForm(OrganizationChoiceForm):
    start = forms.DateField(
        label=gettext_lazy("From"),
        widget=DateInput(),
        input_formats=DATE_INPUT_FORMATS,
        validators=[validators.validate_plausible_day],
    )
    end = forms.DateField(
        label=gettext_lazy("To (included)"),
        widget=DateInput(),
        input_formats=DATE_INPUT_FORMATS,
        validators=[validators.validate_plausible_day],
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The start of the period must come before its end."))
        return data


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "Saved from your spreadsheet as CSV (separator ; or ,), at most 2 MB "
            "and 5,000 rows. The first line holds the column names."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,.txt"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is too large; the limit is %(limit)s MB.")
                % {"limit": f"{IMPORT_MAX_BYTES / 1_048_576:.0f}"}
            )
        return upload


class ImportMappingForm(forms.Form):
    """For each field of a file, the column of the spreadsheet that holds it."""

    def __init__(self, *args, headers=(), samples=None, **kwargs):
        super().__init__(*args, **kwargs)
        samples = samples or {}
        choices = [("", _("— not in the file —"))]
        for index, header in enumerate(headers):
            example = samples.get(index)
            label = _("Column %(number)d: %(name)s") % {"number": index + 1, "name": header}
            if example:
                label += _(" (e.g. %(example)s)") % {"example": example[:40]}
            choices.append((str(index), label))
        for name, label in IMPORT_FIELDS:
            self.fields[name] = forms.TypedChoiceField(
                label=label,
                choices=choices,
                coerce=int,
                empty_value=None,
                required=name in REQUIRED_FIELDS,
            )
        self.fields["referent"].help_text = _(
            "Optional: the username or full name of an advisor of your organisation. "
            "Without it, you become the referent of the new files."
        )

    def clean(self):
        data = super().clean()
        used: dict[int, str] = {}
        for name, _label in IMPORT_FIELDS:
            index = data.get(name)
            if index is None:
                continue
            if index in used:
                self.add_error(name, _("This column is already used for another field."))
            used[index] = name
        return data

    def mapping(self) -> dict[str, int | None]:
        return {name: self.cleaned_data.get(name) for name, _label in IMPORT_FIELDS}
