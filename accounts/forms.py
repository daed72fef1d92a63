from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from accounts.enums import Role
from accounts.models import Membership, User


class MemberAddForm(forms.Form):
    username = forms.CharField(
        label=_("Username"), max_length=150, validators=[UnicodeUsernameValidator()]
    )
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(
        label=_("Email"), help_text=_("The new member receives a link to choose a password.")
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is already taken."))
        return username


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class OrganizationSwitchForm(forms.Form):
    """Choose the organisation to work in, among the user's active memberships only."""

    organization = forms.TypedChoiceField(
        label=_("Organisation"),
        coerce=int,
        error_messages={
            "required": _("Choose the organisation to work in."),
            "invalid_choice": _("You are not an active member of this organisation."),
        },
    )

    def __init__(self, *args, memberships: list[Membership], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [
            (m.organization_id, f"{m.organization.name} ({m.get_role_display()})")
            for m in memberships
        ]


class ApiTokenCreateForm(forms.Form):
    """A name for the new token and the owner's password: a token opens the account to a
    program for weeks, so an unattended session is not enough to mint one. The password is
    checked through django-axes (`authenticate(request=…)`): failures count towards the
    lockout like those of the login form."""

    label = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Which system will use it, e.g. “Agency follow-up software”."),
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        owner = self.request.user
        user = authenticate(request=self.request, username=owner.get_username(), password=password)
        if user is None or user.pk != owner.pk:
            raise forms.ValidationError(_("This is not your password."))
        return password


class TwoFactorCodeForm(forms.Form):
    """A code from the authenticator app (6 digits) or, where accepted, a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
        error_messages={
            "required": _("Enter the code."),
            "max_length": _("A code has at most %(limit_value)d characters."),
        },
    )

    def __init__(self, *args, allow_recovery: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if allow_recovery:
            self.fields["code"].help_text = _(
                "The 6 digits your authenticator app shows for Relais, or one of your "
                "recovery codes."
            )
        else:
            self.fields["code"].help_text = _(
                "The 6 digits your authenticator app shows once you have added Relais to it."
            )
            self.fields["code"].widget.attrs["inputmode"] = "numeric"
