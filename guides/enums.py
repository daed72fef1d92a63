from django.db import models
from django.utils.translation import gettext_lazy as _


class GuideTopic(models.TextChoices):
    """The sections of /infos/. The values are the French slugs of their pages
    (/infos/numerique/): stable, and what people see in the address bar."""

    ORIENTATION = "orientation", _("Finding your way")
    FORMATION = "formation", _("Training")
    EMPLOI = "emploi", _("Finding a job")
    NUMERIQUE = "numerique", _("Digital basics")


class GuideStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class RevisionAction(models.TextChoices):
    CREATED = "created", _("Created")
    EDITED = "edited", _("Edited")
    PUBLISHED = "published", _("Published")
    UNPUBLISHED = "unpublished", _("Unpublished")
