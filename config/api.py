"""API plumbing shared by every app's `api/` package: domain errors as HTTP answers,
and Idempotency-Key support for POST."""

import hashlib
import json
from functools import wraps

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from cases.exceptions import (
    ConcurrentModification,
    DomainError,
    DuplicateSuspected,
    InvalidDocument,
    NotAllowed,
)


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"


def exception_handler(exc, context):
    """Domain errors become clear 4xx answers, never 500s."""
    from referrals.exceptions import InvalidTransition

    if isinstance(exc, DuplicateSuspected):
        return Response(
            {
                "detail": exc.message,
                "code": "duplicate_suspected",
                "matches": [{"id": m.pk, "referent": m.referent.display_name} for m in exc.matches],
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, ConcurrentModification | InvalidTransition):
        code = (
            "concurrent_modification"
            if isinstance(exc, ConcurrentModification)
            else ("invalid_transition")
        )
        return Response({"detail": exc.message, "code": code}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, InvalidDocument):
        return Response({"file": [exc.message]}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, NotAllowed):
        return Response(
            {"detail": exc.message, "code": "not_allowed"}, status=status.HTTP_403_FORBIDDEN
        )
    if isinstance(exc, DomainError):
        return Response({"detail": exc.message}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


IDEMPOTENCY_HEADER = "Idempotency-Key"


def _fingerprint(request) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(request.get_full_path().encode())
    digest.update(request.content_type.encode() if request.content_type else b"")
    # request.body is unavailable once a multipart stream was read; hash the parsed data.
    try:
        digest.update(request.body)
    except Exception:
        digest.update(
            json.dumps({k: str(v) for k, v in request.data.items()}, sort_keys=True).encode()
        )
    return digest.hexdigest()


def idempotent(method):
    """Honour `Idempotency-Key` on a POST handler: a retried request with the same key and
    the same body gets the first answer again instead of creating a second record."""

    @wraps(method)
    def wrapper(self, request, *args, **kwargs):
        from accounts.models import IdempotencyRecord

        key = request.headers.get(IDEMPOTENCY_HEADER)
        if not key:
            return method(self, request, *args, **kwargs)
        if len(key) > 200 or not key.isprintable():
            raise ValidationError(
                {IDEMPOTENCY_HEADER: _("Use a key of at most 200 printable characters.")}
            )
        fingerprint = _fingerprint(request)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=request.user, key=key, fingerprint=fingerprint
                )
        except IntegrityError:
            record = None
        if record is None:
            record = IdempotencyRecord.objects.get(user=request.user, key=key)
            if record.fingerprint != fingerprint:
                return Response(
                    {
                        "detail": _("This Idempotency-Key was already used for another request."),
                        "code": "idempotency_key_reused",
                    },
                    status=status.HTTP_422_UNPROCESSABLE_ENTITY,
                )
            if record.status_code is None:
                raise Conflict(_("A request with this Idempotency-Key is still being processed."))
            response = Response(record.response_body, status=record.status_code)
            response["Idempotent-Replayed"] = "true"
            return response
        try:
            response = method(self, request, *args, **kwargs)
        except Exception:
            record.delete()
            raise
        if response.status_code >= 500:
            record.delete()
        else:
            record.status_code = response.status_code
            record.response_body = response.data
            record.save(update_fields=["status_code", "response_body"])
        return response

    return wrapper
