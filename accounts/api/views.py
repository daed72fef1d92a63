from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services, two_factor
from accounts.api.authentication import ApiTokenAuthentication
from accounts.lockout import (
    LOCKED_STATUS,
    api_lockout_response_body,
    is_locked_out,
    locked_until,
    retry_after_seconds,
)
from accounts.models import Organization
from accounts.selectors import active_memberships
from core.api.filters import LOOKUP_VALUE_REGEX


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=4096, trim_whitespace=False, style={"input_type": "password"}
    )
    label = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="Optional: which system holds the token (shown on the owner's page).",
    )
    otp = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        default="",
        help_text=(
            "Required when the account uses two-factor authentication: the current code of "
            "its authenticator app (or one of its recovery codes, used up)."
        ),
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        read_only=True, help_text="The key, shown this once: Relais keeps only its hash."
    )
    expires_at = serializers.DateTimeField(
        read_only=True, help_text="After this moment the token answers 401: ask for a new one."
    )


class TokenView(APIView):
    """POST username + password → a new token for `Authorization: Token <key>`, valid for
    API_TOKEN_TTL_DAYS days (each call makes another one: one per client system).
    DELETE (with the token) revokes that token, and only it, at once."""

    throttle_scope = "token"

    def get_permissions(self):
        if self.request.method == "POST":
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_authenticators(self):
        # Only a token can revoke itself; no session (and so no CSRF) involved.
        if getattr(self, "request", None) is not None and self.request.method == "POST":
            return []
        return [ApiTokenAuthentication()]

    @extend_schema(
        request=TokenRequestSerializer,
        auth=[],
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(
                description=(
                    "Wrong credentials, or `otp` missing or wrong for an account with "
                    "two-factor authentication (a wrong code counts as a failed sign-in "
                    "towards the lockout)"
                )
            ),
            403: OpenApiResponse(
                description=(
                    "`code: two_factor_enrolment_required`: the account's role requires "
                    "two-factor authentication and it has not set it up yet (in the browser)"
                )
            ),
            409: OpenApiResponse(
                description=(
                    "`code: token_limit_reached`: the account already holds "
                    "API_TOKEN_LIMIT_PER_USER (10 by default) live tokens; revoke one first."
                )
            ),
            429: OpenApiResponse(
                description=(
                    "Too many requests (see `Retry-After`), or `code: account_locked`: "
                    "after 10 failed attempts (by default) on one account from one client, "
                    "that account is locked for that client, even with the right password, "
                    "for 15 minutes after the last attempt; `retry_after` and `Retry-After` say "
                    "how many seconds to wait, `detail` how to reset the password."
                )
            ),
        },
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        credentials = {
            "username": serializer.validated_data["username"],
            "password": serializer.validated_data["password"],
        }
        # The request lets django-axes count the failures of this (account, client) pair.
        user = authenticate(request=request, **credentials)
        if user is None and is_locked_out(request):
            until = locked_until(request)
            return Response(
                api_lockout_response_body(request, until),
                status=LOCKED_STATUS,
                headers={"Retry-After": str(retry_after_seconds(until))},
            )
        if user is None:
            return Response(
                {"non_field_errors": [_("Unable to log in with these credentials.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        refused = self._second_factor_refusal(request, user, serializer.validated_data["otp"])
        if refused is not None:
            return refused
        token, key = services.api_token_create(
            actor=user, label=serializer.validated_data["label"], via="api"
        )
        response = Response(TokenSerializer({"token": key, "expires_at": token.expiry}).data)
        # A credential: no cache may keep it (the caller is not signed in yet, so the
        # middleware that marks signed-in answers does not).
        patch_cache_control(response, private=True, no_store=True)
        return response

    @staticmethod
    def _second_factor_refusal(request, user, otp: str) -> Response | None:
        """An account with 2FA gives its current code too; a wrong code is a failed
        sign-in for django-axes (guessing codes leads to the same lockout as passwords)."""
        if two_factor.is_enabled(user):
            if not otp.strip():
                message = _("This account uses two-factor authentication: send its code in otp.")
            elif two_factor.check_code(user, otp) is None:
                user_login_failed.send(
                    sender=__name__,
                    credentials={"username": user.get_username()},
                    request=request,
                )
                message = _("This code is not valid (a code works once).")
            else:
                return None
            return Response({"otp": [message]}, status=status.HTTP_400_BAD_REQUEST)
        if two_factor.is_required(user):
            return Response(
                {
                    "detail": _(
                        "Your role requires two-factor authentication: set it up in Relais "
                        "(sign in with a browser) before asking for a token."
                    ),
                    "code": "two_factor_enrolment_required",
                },
                status=status.HTTP_403_FORBIDDEN,
            )
        return None

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        services.api_token_revoke(actor=request.user, token=request.auth, via="api")
        return Response(status=status.HTTP_204_NO_CONTENT)


class MembershipSerializer(serializers.Serializer):
    organization = serializers.IntegerField(source="organization_id")
    organization_name = serializers.CharField(source="organization.name")
    organization_kind = serializers.CharField(source="organization.kind")
    role = serializers.CharField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    email = serializers.EmailField()
    memberships = MembershipSerializer(many=True)


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        return Response(
            MeSerializer(
                {
                    "id": user.pk,
                    "username": user.username,
                    "first_name": user.first_name,
                    "last_name": user.last_name,
                    "email": user.email,
                    "memberships": active_memberships(user),
                }
            ).data
        )


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "kind", "territory"]


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    """Every organisation on the platform (to choose a referral's destination)."""

    lookup_value_regex = LOOKUP_VALUE_REGEX
    serializer_class = OrganizationSerializer
    queryset = Organization.objects.order_by("name")
    filterset_fields = ["kind"]
