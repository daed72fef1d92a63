"""`Idempotency-Key` support for POST handlers: a retried request gets the first answer
again instead of creating a second record."""

import hashlib
import json
from functools import wraps

from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.api.exceptions import Conflict
from core.models import IdempotencyRecord

IDEMPOTENCY_HEADER = "Idempotency-Key"


def _fingerprint(request) -> str:
    """What makes a retry "the same request": method, path and body content.

    A multipart body is hashed field by field, file contents included: every client draws
    a new boundary, so a retry that rebuilds its upload would never match byte for byte
    (and Django refuses to hold a large upload in `request.body` anyway)."""
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(request.get_full_path().encode())
    media_type = (request.content_type or "").split(";")[0].strip().lower()
    digest.update(media_type.encode())
    if media_type == "multipart/form-data":
        for name in sorted(request.data):
            for value in request.data.getlist(name):
                digest.update(b"\0" + name.encode() + b"\0")
                if hasattr(value, "chunks"):
                    digest.update((value.name or "").encode() + b"\0")
                    for chunk in value.chunks():
                        digest.update(chunk)
                    value.seek(0)
                else:
                    digest.update(str(value).encode())
        return digest.hexdigest()
    try:
        digest.update(request.body)
    except (RawPostDataException, RequestDataTooBig):
        digest.update(json.dumps(request.data, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _claim(user, key: str, fingerprint: str):
    """Take `key` for this request. Returns (record, True) when this request now holds
    it, (the earlier request's record, False) when another one had it, and (None, False)
    when it was released twice while we looked (the earlier requests failed).

    An earlier request that fails deletes its record, possibly between our failed insert
    and our read: the key is then free again and we try once more to take it."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user, key=key, fingerprint=fingerprint
                )
            return record, True
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if existing is not None:
            return existing, False
    return None, False


def idempotent(method):
    """Honour `Idempotency-Key` on a POST handler: a retried request with the same key and
    the same body gets the first answer again instead of creating a second record."""

    @wraps(method)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(IDEMPOTENCY_HEADER)
        # Reads on an action that also takes POST (messages) are never recorded.
        if not key or request.method != "POST":
            return method(self, request, *args, **kwargs)
        if len(key) > 200 or not key.isprintable():
            raise ValidationError(
                {IDEMPOTENCY_HEADER: _("Use a key of at most 200 printable characters.")}
            )
        fingerprint = _fingerprint(request)
        record, created = _claim(request.user, key, fingerprint)
        if not created:
            if record is not None and record.fingerprint != fingerprint:
                return Response(
                    {
                        "detail": _("This Idempotency-Key was already used for another request."),
                        "code": "idempotency_key_reused",
                    },
                    status=status.HTTP_422_UNPROCESSABLE_ENTITY,
                )
            if record is None or record.status_code is None:
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

    wrapper.idempotent = True
    return wrapper
