"""System checks of the production configuration (`manage.py check --deploy`).

`production_problems()` is also what config/wsgi.py and config/asgi.py refuse to serve
with, so a deployment that skipped `check --deploy` still does not start."""

from django.conf import settings
from django.core.checks import Error, Tags, register

CONSOLE_EMAIL = "django.core.mail.backends.console.EmailBackend"


def _email_backends() -> list[str]:
    backends = [config.get("BACKEND", "") for config in getattr(settings, "MAILERS", {}).values()]
    if hasattr(settings, "EMAIL_BACKEND"):
        backends.append(settings.EMAIL_BACKEND)
    return backends


def production_problems() -> list[str]:
    """What makes this configuration unfit to serve real people; empty in DEBUG. The
    console email backend is accepted in the test suite (RELAIS_TESTING)."""
    if settings.DEBUG:
        return []
    problems = []
    if getattr(settings, "SECRET_KEY_IS_PLACEHOLDER", False):
        problems.append("SECRET_KEY must be set when DEBUG is off.")
    if not getattr(settings, "TESTING", False) and CONSOLE_EMAIL in _email_backends():
        problems.append(
            "EMAIL_BACKEND is the console backend, which would print emails (young "
            "people's names) into the logs: set EMAIL_BACKEND to "
            "django.core.mail.backends.smtp.EmailBackend (README, 'Production settings')."
        )
    return problems


@register(Tags.security, deploy=True)
def check_production_settings(app_configs, **kwargs) -> list[Error]:
    return [Error(problem, id="relais.E001") for problem in production_problems()]
