"""Who may read the API's schema and interactive docs."""

from django.conf import settings
from rest_framework.permissions import BasePermission


class ApiDocsAccess(BasePermission):
    """`/api/schema/` and `/api/docs/`: open to anybody in DEBUG; otherwise only to a
    signed-in user or a token (anonymous callers get 401)."""

    def has_permission(self, request, view) -> bool:
        return settings.DEBUG or bool(request.user and request.user.is_authenticated)
