from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.enums import DocumentKind
from cases.models import Application, DigitalDiagnostic, FollowUp, Step, StepType, YoungPerson


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
        today = timezone.localdate()
        if born > today:
            raise forms.ValidationError(_("The birth date cannot be in the future."))
        if born < today.replace(year=today.year - 100):
            raise forms.ValidationError(_("Check the birth date: it is more than 100 years ago."))
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
    step_types = forms.ModelMultipleChoiceField(
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
        fields = [
            "occurred_at",
            "channel",
            "duration_minutes",
            "notes",
            "next_action",
            "next_appointment",
        ]
        widgets = {
            "occurred_at": DateTimeInput(),
            "next_appointment": DateTimeInput(),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    def clean_occurred_at(self):
        occurred_at = self.cleaned_data["occurred_at"]
        if occurred_at > timezone.now() + timedelta(hours=1):
            raise forms.ValidationError(_("A follow-up cannot be logged in the future."))
        return occurred_at

    def clean_duration_minutes(self):
        minutes = self.cleaned_data["duration_minutes"]
        if not 1 <= minutes <= 600:
            raise forms.ValidationError(_("Enter a duration between 1 and 600 minutes."))
        return minutes


class ApplicationForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = [
            "employer",
            "position",
            "source",
            "status",
            "applied_on",
            "response_on",
            "cv",
            "notes",
        ]
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
        # A sent application is dated; today is the sensible default.
        if cleaned.get("status") not in (None, "draft") and not cleaned.get("applied_on"):
            cleaned["applied_on"] = timezone.localdate()
            self.instance.applied_on = cleaned["applied_on"]
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
        if ends_on <= timezone.localdate():
            raise forms.ValidationError(_("The end date must be in the future."))
        return ends_on


class StepTypeForm(forms.ModelForm):
    class Meta:
        model = StepType
        fields = ["label", "code", "category", "order"]
        help_texts = {"code": _("Short identifier: lowercase letters, digits and hyphens.")}
