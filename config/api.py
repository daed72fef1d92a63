"""API plumbing shared by every app's `api/` package: domain errors as HTTP answers,
Idempotency-Key support for POST, and the schema class that documents both."""

import hashlib
import json
from functools import wraps

import django_filters
from django import forms
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
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
    from accounts.models import IdempotencyRecord

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


# Any path segment reaches the view, which answers a JSON 404 for a malformed id (DRF's
# default, "[^/.]+", leaves "1.5" to Django's HTML 404 page).
LOOKUP_VALUE_REGEX = "[^/]+"

# The largest primary key the databases store (a signed 64-bit integer): a bigger one in a
# filter would make SQLite overflow and PostgreSQL fail, a 500 instead of an empty list.
MAX_ID = 2**63 - 1


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """Filter on a foreign key's id: an integer in range, else a 400 for that parameter."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "An error: `detail` says what went wrong (and `code` which error it is), or, for a "
        "400 on a body, each field that was refused maps to its list of messages."
    ),
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
    },
    "additionalProperties": {},
}
ERROR_DESCRIPTIONS = {
    "400": "Invalid input: a message per field (or `non_field_errors`), or an invalid filter.",
    "401": "No credentials, or an invalid or revoked token (`WWW-Authenticate: Token`).",
    "403": "Authenticated, but this side or role may not do this (`code: not_allowed`).",
    "404": "Does not exist, or is out of the caller's reach (never 403 for an object).",
    "409": "Conflict: invalid transition, stale version, suspected duplicate, or a request "
    "with the same Idempotency-Key still in progress.",
    "415": "Unsupported media type.",
    "422": "The Idempotency-Key was already used for a different request.",
    "429": "Too many requests: see `Retry-After`.",
}
WRITE_METHODS = ("POST", "PUT", "PATCH")


class RelaisAutoSchema(AutoSchema):
    """Documents the error answers every operation can give, so that the contract (and
    schemathesis' status-code check) covers 4xx as well as success, and the
    Idempotency-Key header on the POSTs that honour it."""

    def _view_method(self):
        action = getattr(self.view, "action", None)
        return getattr(self.view, action or self.method.lower(), None)

    def _is_idempotent(self) -> bool:
        return self.method == "POST" and getattr(self._view_method(), "idempotent", False)

    def get_override_parameters(self):
        parameters = [
            *super().get_override_parameters(),
            OpenApiParameter(
                "WWW-Authenticate",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[401],
                description="`Token`: how to authenticate.",
            ),
            OpenApiParameter(
                "Retry-After",
                OpenApiTypes.INT,
                OpenApiParameter.HEADER,
                response=[429],
                description="Seconds to wait before trying again.",
            ),
        ]
        if self._is_idempotent():
            parameters += [
                OpenApiParameter(
                    IDEMPOTENCY_HEADER,
                    {"type": "string", "minLength": 1, "maxLength": 200},
                    OpenApiParameter.HEADER,
                    description=(
                        "A key of your choice (e.g. a UUID): a retry with the same key and "
                        "body gets the first answer again (header `Idempotent-Replayed: "
                        "true`) instead of creating a second record."
                    ),
                ),
                OpenApiParameter(
                    "Idempotent-Replayed",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    response=True,
                    description="`true` when this answer is the replay of an earlier request.",
                ),
            ]
        return parameters

    def _resolve_path_parameters(self, variables):
        # The URL takes any segment as a primary key (LOOKUP_VALUE_REGEX) only so that a
        # malformed one gets the view's JSON 404; the contract stays "an integer id".
        loose, strict = f"(?P<pk>{LOOKUP_VALUE_REGEX})", r"(?P<pk>[^/.]+)"
        self.path_regex = self.path_regex.replace(loose, strict)
        return super()._resolve_path_parameters(variables)

    def _error_codes(self) -> list[str]:
        auth = self.get_auth()
        authenticated = bool(auth) and {} not in auth
        writes = self.method in WRITE_METHODS
        listing = self._is_list_view()
        paginated = listing and self._get_paginator() is not None
        codes = {"429"}
        if writes:
            codes |= {"400", "415"}
        if listing and self._get_filter_parameters():
            codes.add("400")  # an invalid filter value
        if authenticated:
            codes.add("401")
            if writes:
                codes |= {"403", "409"}
            if "{" in self.path or paginated or self.method == "POST":
                codes.add("404")  # out of reach, or a page past the end
        if self._is_idempotent():
            codes.add("422")
        return sorted(codes)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        error = ResolvedComponent(
            name="Error", type=ResolvedComponent.SCHEMA, object="Error", schema=ERROR_SCHEMA
        )
        self.registry.register_on_missing(error)
        declared = {code for code in responses if str(code).startswith("4")}
        for code in sorted(declared | set(self._error_codes())):
            described = responses.get(code)
            if described is None:
                described = responses[code] = {"description": ERROR_DESCRIPTIONS[code]}
            described.setdefault("content", {"application/json": {"schema": error.ref}})
            headers = self._get_response_headers_for_code(code, direction)
            if headers:
                described.setdefault("headers", headers)
        return responses
