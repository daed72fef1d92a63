"""`Authorization: Token <key>`: django-rest-knox's hashed, expiring tokens
(accounts.models.ApiToken), with what Relais adds: a malformed key is a clean 401 (never a
500), and the token's last use is noted for its owner's "Mes accès API" page."""

import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from rest_framework import exceptions

from accounts import services

# What knox issues: the prefix of settings.REST_KNOX and hex characters. Anything else
# (non-UTF-8 bytes, a NUL that PostgreSQL would refuse, a megabyte of text) is refused
# before it reaches the database.
_KEY = re.compile(r"[A-Za-z0-9_]{1,100}")


class ApiTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, token: bytes):
        try:
            key = token.decode("utf-8")
        except UnicodeDecodeError:
            key = ""
        if not _KEY.fullmatch(key):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user, auth_token = super().authenticate_credentials(token)
        services.api_token_touch(auth_token)
        return user, auth_token


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The schema's security scheme, under the name DRF's plaintext tokens had."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "`Token <key>`, the key from POST /api/v1/auth/token/. It expires at the "
                "`expires_at` given with it; a password change or deactivation revokes it."
            ),
        }
