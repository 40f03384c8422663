"""DRF throttles for /api/v1/, with their rates read from settings at request time (so a deployment
or a test can change them): OPENCITY_API_ANON_RATE per client address, OPENCITY_API_USER_RATE per
account, OPENCITY_API_AUTH_RATE per client address on the token endpoint. The client address is
DRF's, with NUM_PROXIES set from OPENCITY_TRUSTED_PROXIES (the same right-most-trusted-hop rule as
opencity.ratelimit.client_ip). Refusals are 429 with Retry-After (DRF sets it from the wait)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle


class AnonymousThrottle(AnonRateThrottle):
    scope = "anon"

    def get_rate(self) -> str:
        return settings.OPENCITY_API_ANON_RATE


class AccountThrottle(UserRateThrottle):
    scope = "user"

    def get_rate(self) -> str:
        return settings.OPENCITY_API_USER_RATE


class SignInThrottle(SimpleRateThrottle):
    """Password guesses on the token endpoint, per client address (on top of the lockout)."""

    scope = "auth"

    def get_rate(self) -> str:
        return settings.OPENCITY_API_AUTH_RATE

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
