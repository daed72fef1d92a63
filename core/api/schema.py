"""The schema class every API view uses: it documents the error answers each operation
can give and the Idempotency-Key header on the POSTs that honour it."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from core.api.filters import LOOKUP_VALUE_REGEX
from core.api.idempotency import IDEMPOTENCY_HEADER

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
    "409": "Conflict: invalid transition, stale version, suspected duplicate, a request "
    "with the same Idempotency-Key still in progress, or another write holding the database "
    "(`code: database_busy`: try again).",
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
