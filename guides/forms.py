from django import forms
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from core.forms import IdMultipleChoiceField
from guides.enums import GuideTopic
from guides.validators import (
    BODY_MAX,
    RESERVED_SLUGS,
    SLUG_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
)

MARKDOWN_HELP = _(
    "Short sentences. Steps as a numbered list (1. 2. 3.), sections with ## Title, "
    "**bold** for what matters, links as [text](https://address). No images and no HTML: "
    "they are removed."
)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search a guide"), max_length=100, required=False)


class GuideForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    slug = forms.SlugField(
        label=_("Address of the page"),
        max_length=SLUG_MAX,
        required=False,
        help_text=_(
            "The end of the guide's address (/infos/…): lowercase letters, digits and "
            "dashes. Leave it empty to make it from the title. It cannot change afterwards."
        ),
    )
    topic = forms.ChoiceField(label=_("Topic"), choices=GuideTopic.choices)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Two sentences at most: shown in lists and search results."),
    )
    body = forms.CharField(
        label=_("Text (Markdown)"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 20}),
        help_text=MARKDOWN_HELP,
    )
    reviewed_on = forms.DateField(
        label=_("Last reviewed on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The day someone checked that the steps and links are still right."),
    )
    step_types = IdMultipleChoiceField(
        label=_("Steps that link to this guide"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Wherever one of these steps is listed, it links to this guide."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, step_types, creating: bool, **kwargs) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("reviewed_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.creating = creating
        self.fields["step_types"].queryset = step_types
        if not creating:
            del self.fields["slug"]
        if not step_types.exists():
            del self.fields["step_types"]

    def clean_title(self) -> str:
        return self.cleaned_data["title"].strip()

    def clean_reviewed_on(self):
        value = self.cleaned_data["reviewed_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The review date cannot be in the future."))
        if value.year < 2000:
            raise forms.ValidationError(_("Enter a real review date."))
        return value

    def clean(self):
        data = super().clean()
        if self.creating and not self.errors.get("slug") and "title" in data:
            slug = data.get("slug") or slugify(data["title"])[:SLUG_MAX].strip("-")
            if not slug:
                self.add_error("slug", _("Choose an address with letters or digits."))
            elif slug in RESERVED_SLUGS:
                self.add_error("slug", _("This address is reserved: choose another one."))
            data["slug"] = slug
        if not self.creating and not data.get("version"):
            raise forms.ValidationError(_("Reload the page and try again."))
        return data
