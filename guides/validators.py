"""Rules shared by the guide form, the services and the loader of the default guides."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from guides.enums import GuideTopic

# A guide's address is /infos/<slug>/, next to the topic pages (/infos/<topic>/) and the
# editors' pages (/infos/gerer/): a guide may not take their names.
RESERVED_SLUGS = frozenset({*GuideTopic.values, "gerer", "recherche", "static"})
TITLE_MAX = 150
SUMMARY_MAX = 300
BODY_MAX = 20_000
SLUG_MAX = 80


def validate_guide_slug(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(
            _("This address is reserved: choose another one."), code="reserved_slug"
        )
