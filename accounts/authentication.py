"""DRF authentication with the project's own sign-in tokens (accounts.access_tokens): the header
is `Authorization: Token <token>`, as with DRF's authtoken, which this replaces."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts.access_tokens import access_token_authenticate


class AccessTokenAuthentication(TokenAuthentication):
    """Token authentication against hashed, expiring tokens that die with a password change."""

    keyword = "Token"

    def authenticate_credentials(self, key):
        token = access_token_authenticate(raw_token=key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or expired token. Get a new one with your password."))
        return (token.user, token)
