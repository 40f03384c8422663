"""DRF throttles for /api/v1/, with their rates read from settings at request time (so a deployment
or a test can change them): OPENCITY_API_ANON_RATE per client address, OPENCITY_API_USER_RATE per
account, OPENCITY_API_AUTH_RATE per client address on the token endpoint. The client address is
DRF's, with NUM_PROXIES set from OPENCITY_TRUSTED_PROXIES (the same right-most-trusted-hop rule as
opencity.ratelimit.client_ip). Refusals are 429 with Retry-After (DRF sets it from the wait).

With the database cache (the default), the windows are counted by one statement each
(opencity.ratelimit.throttle_window_hit) instead of DRF's read-modify-write of the cache: measured
on the small answers, an anonymous call went from twelve statements of throttling to one."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from opencity.ratelimit import throttle_uses_database, throttle_window_hit


class SharedWindowThrottle(SimpleRateThrottle):
    """DRF's sliding window, counted in one atomic statement when the shared cache is the database."""

    def allow_request(self, request, view) -> bool:
        if self.rate is None or not throttle_uses_database():
            return super().allow_request(request, view)
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        passed, self.history = throttle_window_hit(
            key=self.key, limit=self.num_requests, duration=self.duration, now=self.now
        )
        return passed


class AnonymousThrottle(SharedWindowThrottle, AnonRateThrottle):
    scope = "anon"

    def get_rate(self) -> str:
        return settings.OPENCITY_API_ANON_RATE


class AccountThrottle(SharedWindowThrottle, UserRateThrottle):
    """Per account. An anonymous call is AnonymousThrottle's alone: counting it again here, per
    address at the looser signed-in rate, only cost a second counter."""

    scope = "user"

    def get_cache_key(self, request, view) -> str | None:
        if not request.user or not request.user.is_authenticated:
            return None
        return super().get_cache_key(request, view)

    def get_rate(self) -> str:
        return settings.OPENCITY_API_USER_RATE


class SignInThrottle(SharedWindowThrottle):
    """Password guesses on the token endpoint, per client address (on top of the lockout)."""

    scope = "auth"

    def get_rate(self) -> str:
        return settings.OPENCITY_API_AUTH_RATE

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
