from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """Through which door a change came in."""

    WEB = "web", _("Web")
    API = "api", _("API")
    ADMIN = "admin", _("Administration")
    IMPORT = "import", _("File import")
    COMMAND = "command", _("Command")
    # No request and no command said otherwise: a background task, a shell.
    SYSTEM = "system", _("System")


class Action(models.TextChoices):
    """django-auditlog's actions (0, 1, 2) by the names the API gives them."""

    CREATE = "create", _("Creation")
    UPDATE = "update", _("Change")
    DELETE = "delete", _("Deletion")
