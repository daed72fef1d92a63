from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app shares: domain errors, API plumbing, PDF and download helpers.

    The bottom floor of the house: it imports no other Relais app."""

    name = "core"
    default_auto_field = "django.db.models.BigAutoField"
