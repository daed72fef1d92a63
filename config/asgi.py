import os

from django.core.asgi import get_asgi_application
from django.core.exceptions import ImproperlyConfigured

from core.checks import production_problems

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()

# Production refuses to serve without a secret key or with the console email backend.
if problems := production_problems():
    raise ImproperlyConfigured(" ".join(problems))
