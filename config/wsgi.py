import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

from core.checks import production_problems

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Production refuses to serve without a secret key or with the console email backend.
if problems := production_problems():
    raise ImproperlyConfigured(" ".join(problems))
