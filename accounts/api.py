"""The API's sign-in: a user name and password for a token (POST /api/v1/auth/token/)."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access_tokens import access_token_issue
from accounts.lockout import lockout_message, lockout_seconds, request_is_locked_out
from accounts.two_factor import totp_verify, user_needs_two_factor
from opencity.errors import InvalidInput, RateLimited
from opencity.openapi import BAD_REQUEST, RATE_LIMITED
from opencity.throttles import SignInThrottle


class TokenInput(serializers.Serializer):
    username = serializers.CharField(label=_("User name"), max_length=150)
    password = serializers.CharField(label=_("Password"), max_length=4096, style={"input_type": "password"})
    otp_token = serializers.CharField(
        label=_("Code from the authenticator app"),
        max_length=16,
        required=False,
        help_text="Required for administrators and dispatchers when two-factor sign-in is on.",
    )


class TokenApi(APIView):
    """A user name and password for a token (send it as `Authorization: Token …`). The token
    expires after OPENCITY_API_TOKEN_DAYS and stops working when the password changes."""

    authentication_classes = ()
    permission_classes = ()
    throttle_classes = [SignInThrottle]

    @extend_schema(
        tags=["auth"],
        summary="Get a token",
        operation_id="auth_token_create",
        # Form bodies work too (DRF's parsers), but one schema under several content types makes
        # generated clients stumble (openapi-python-client 0.29 emits an unimportable module).
        request={"application/json": TokenInput},
        responses={
            200: OpenApiResponse(
                inline_serializer("Token", {"token": serializers.CharField()}),
                description="A new token, valid for OPENCITY_API_TOKEN_DAYS days or until the password changes.",
            ),
            400: BAD_REQUEST,
            429: RATE_LIMITED,
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        # The Django request: django-axes counts the failure and flags a lockout on it.
        django_request = request._request
        user = authenticate(
            django_request, username=data.validated_data["username"], password=data.validated_data["password"]
        )
        if user is None:
            if request_is_locked_out(django_request):
                raise RateLimited(lockout_message(), code="locked_out", retry_after=lockout_seconds())
            raise InvalidInput(
                _("Unable to sign in with the given user name and password."),
                fields={"non_field_errors": [_("Unable to sign in with the given user name and password.")]},
            )
        if (
            user_needs_two_factor(user)
            and totp_verify(user=user, token=data.validated_data.get("otp_token", "")) is None
        ):
            message = _("Enter the current code from your authenticator app.")
            raise InvalidInput(message, code="two_factor_required", fields={"otp_token": [message]})
        _token, raw_token = access_token_issue(user=user)
        return Response({"token": raw_token})
