"""Web forms. The rules on values are `cases.validators`, shared with the API serializers,
the CSV import and the services: a form only calls them, so its messages are theirs."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import validators
from cases.enums import DocumentKind
from cases.models import Application, DigitalDiagnostic, FollowUp, Step, StepType, YoungPerson
from cases.services import APPLICATION_EDITABLE, FOLLOW_UP_WRITTEN
from core.forms import IdMultipleChoiceField


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class YoungPersonForm(forms.ModelForm):
    class Meta:
        model = YoungPerson
        fields = ["first_name", "last_name", "birth_date", "email", "phone", "city", "situation"]
        widgets = {"birth_date": DateInput()}
        help_texts = {"email": _("Leave empty if the young person has no email address yet.")}

    def clean_birth_date(self):
        born = self.cleaned_data["birth_date"]
        existing = self.instance if self.instance.pk else None
        if existing is None:
            validators.validate_birth_date(born)
        elif born != existing.birth_date:
            # Judged against the day the file was created, as the service does.
            validators.validate_birth_date(born, on=timezone.localdate(existing.created_at))
        return born


class YoungPersonCreateForm(YoungPersonForm):
    confirm_duplicate = forms.BooleanField(
        required=False,
        label=_("I checked: this is a different person, create the file anyway."),
    )


class YoungPersonUpdateForm(YoungPersonForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta(YoungPersonForm.Meta):
        fields = [*YoungPersonForm.Meta.fields, "status"]


class DiagnosticForm(forms.ModelForm):
    class Meta:
        model = DigitalDiagnostic
        fields = [*DigitalDiagnostic.QUESTION_FIELDS, "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class StepsAddForm(forms.Form):
    step_types = IdMultipleChoiceField(
        queryset=None,  # the organisation's catalogue, given by the view
        widget=forms.CheckboxSelectMultiple,
        label=_("Steps"),
    )
    due_date = forms.DateField(required=False, label=_("Due date"), widget=DateInput())

    def __init__(self, *args, step_types=None, **kwargs):
        super().__init__(*args, **kwargs)
        if step_types is not None:
            self.fields["step_types"].queryset = step_types


class StepForm(forms.ModelForm):
    class Meta:
        model = Step
        fields = ["status", "due_date", "evidence"]
        widgets = {"due_date": DateInput()}


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = list(FOLLOW_UP_WRITTEN)
        widgets = {
            "occurred_at": DateTimeInput(),
            "next_appointment": DateTimeInput(),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    def clean_occurred_at(self):
        occurred_at = self.cleaned_data["occurred_at"]
        validators.validate_follow_up_moment(occurred_at)
        return occurred_at

    def clean_next_appointment(self):
        next_appointment = self.cleaned_data["next_appointment"]
        if next_appointment is not None:
            validators.validate_plausible_moment(next_appointment)
        return next_appointment

    def clean_duration_minutes(self):
        minutes = self.cleaned_data["duration_minutes"]
        if not 1 <= minutes <= 600:
            raise forms.ValidationError(_("Enter a duration between 1 and 600 minutes."))
        return minutes


class ApplicationForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = list(APPLICATION_EDITABLE)
        widgets = {
            "applied_on": DateInput(),
            "response_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, young_person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cv"].queryset = young_person.documents.all()

    def clean(self):
        cleaned = super().clean()
        # The service dates a sent application too; the form must do it before the model's
        # constraint (a sent application has a date) is checked on the instance.
        if cleaned.get("status"):
            cleaned["applied_on"] = validators.applied_on_default(
                status=cleaned["status"], applied_on=cleaned.get("applied_on")
            )
        return cleaned


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(choices=DocumentKind.choices, label=_("Kind"))
    title = forms.CharField(max_length=200, required=False, label=_("Title"))
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Word (.docx), OpenDocument (.odt), PNG or JPEG."),
        max_length=255,
    )


class DelegationForm(forms.Form):
    grantee = forms.ModelChoiceField(queryset=None, label=_("Colleague"))
    ends_on = forms.DateField(label=_("Until"), widget=DateInput())

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grantee"].queryset = colleagues
        self.fields["grantee"].label_from_instance = lambda u: u.display_name

    def clean_ends_on(self):
        ends_on = self.cleaned_data["ends_on"]
        validators.validate_delegation_end(ends_on)
        return ends_on


class StepTypeForm(forms.ModelForm):
    class Meta:
        model = StepType
        fields = ["label", "code", "category", "order"]
        help_texts = {"code": _("Short identifier: lowercase letters, digits and hyphens.")}
