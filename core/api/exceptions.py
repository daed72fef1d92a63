"""Domain errors as HTTP answers: each error knows its status and code, so the handler
does not need to know the subclasses."""

from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from core.database import is_database_busy
from core.exceptions import DatabaseBusy, DomainError


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"


def exception_handler(exc, context):
    """Domain errors become clear 4xx answers, never 500s."""
    if is_database_busy(exc):
        set_rollback()
        exc = DatabaseBusy()
    if isinstance(exc, DomainError):
        if exc.field:
            body = {exc.field: [exc.message]}
        else:
            body = {"detail": exc.message, "code": exc.code, **exc.extra_data()}
        return Response(body, status=exc.http_status)
    return drf_exception_handler(exc, context)
