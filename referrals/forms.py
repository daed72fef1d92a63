from django import forms
from django.utils.translation import gettext_lazy as _

from referrals.enums import (
    ConsentMethod,
    DeclineReason,
    OutcomeCode,
    ReferralReason,
    SharedSection,
)


class ReferralForm(forms.Form):
    to_organization = forms.ModelChoiceField(queryset=None, label=_("Refer to"))
    reason = forms.ChoiceField(choices=ReferralReason.choices, label=_("Main reason"))
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
        label=_("Message to the receiving organisation"),
    )
    shared_sections = forms.MultipleChoiceField(
        choices=SharedSection.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Sections of the file shared once the referral is accepted"),
        help_text=_("The name and birth year are always shown. Share only what is useful."),
    )
    consent_method = forms.ChoiceField(
        choices=ConsentMethod.choices, label=_("How did the young person consent?")
    )
    consent_given = forms.BooleanField(
        required=True,
        label=_("The young person agreed to this referral and to sharing these sections."),
        error_messages={"required": _("No referral without the young person's consent.")},
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organization"].queryset = organizations
        self.fields["to_organization"].label_from_instance = lambda o: (
            f"{o.name} ({o.get_kind_display()})"
        )


class TransitionForm(forms.Form):
    """A form of the referral page that makes an action of the workflow table; its cleaned
    data are the parameters of the action's service. All take the destination's handlers,
    for the ones that choose a handler."""

    def __init__(self, *args, handlers=None, **kwargs):
        super().__init__(*args, **kwargs)


class NoteForm(TransitionForm):
    """An action that takes nothing but a note."""

    note = forms.CharField(
        required=False, max_length=2000, label=_("Note"), widget=forms.Textarea(attrs={"rows": 2})
    )


class AcceptForm(TransitionForm):
    handler = forms.ModelChoiceField(queryset=None, label=_("Handler"), required=False)
    note = forms.CharField(
        required=False, max_length=2000, label=_("Note"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, handlers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = handlers
        self.fields["handler"].label_from_instance = lambda u: u.display_name
        self.fields["handler"].empty_label = _("Me")


class DeclineForm(TransitionForm):
    reason = forms.ChoiceField(choices=DeclineReason.choices, label=_("Why"))
    note = forms.CharField(
        required=False, max_length=2000, label=_("Note"), widget=forms.Textarea(attrs={"rows": 2})
    )


class CompleteForm(TransitionForm):
    outcome_code = forms.ChoiceField(choices=OutcomeCode.choices, label=_("Outcome"))
    outcome_note = forms.CharField(
        required=False,
        max_length=4000,
        label=_("Details"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CancelForm(NoteForm):
    note = forms.CharField(
        required=False,
        max_length=2000,
        label=_("Why (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# The form of each action of the workflow table that asks for more than a note (or words it
# differently); any other action gets a NoteForm.
TRANSITION_FORMS: dict[str, type[TransitionForm]] = {
    "accept": AcceptForm,
    "decline": DeclineForm,
    "complete": CompleteForm,
    "cancel": CancelForm,
}


def transition_form(action: str, *args, **kwargs) -> TransitionForm:
    return TRANSITION_FORMS.get(action, NoteForm)(*args, **kwargs)


class HandlerForm(forms.Form):
    handler = forms.ModelChoiceField(queryset=None, label=_("Handler"))

    def __init__(self, *args, handlers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = handlers
        self.fields["handler"].label_from_instance = lambda u: u.display_name


class MessageForm(forms.Form):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, label=_("Message")
    )


class LinkForm(forms.Form):
    young_person = forms.ModelChoiceField(queryset=None, label=_("Existing file"))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["young_person"].queryset = candidates


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(
        label=_("URL of your system"),
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "Relais POSTs each referral event there, signed with the secret shown "
            "once the endpoint is created (header X-Relais-Signature: sha256=…). The "
            "address must be reachable from the internet: local and private network "
            "addresses are refused, and redirects are not followed."
        ),
    )
