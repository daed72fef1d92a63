from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app shares: domain errors, API plumbing, PDF and download helpers.

    The bottom floor of the house: it imports no other Relais app."""

    name = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from core import checks  # noqa: F401  (registers the deploy checks)
        from core.middleware import stamp_session

        user_logged_in.connect(stamp_session, dispatch_uid="core.stamp_session")
