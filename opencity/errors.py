"""Domain errors with stable codes, shared by every app.

Services raise these; the one API exception handler (opencity/api.py) and the page views turn them
into 400/403/404/409 answers with messages in the user's language. A code never changes once
published: clients branch on it.
"""

from __future__ import annotations


class DomainError(Exception):
    """A refused operation. `message` is for people (a lazy translation); `fields` maps input
    fields to their messages when the problem is in specific fields."""

    status = 400
    code = "invalid"

    def __init__(self, message, *, code: str | None = None, fields: dict | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}


class InvalidInput(DomainError):
    status = 400
    code = "invalid"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class RateLimited(DomainError):
    """Too many requests. `retry_after` (seconds) becomes the answer's Retry-After header; our
    limits count per hour, so an hour is the honest upper bound when the caller knows no better."""

    status = 429
    code = "rate_limited"

    def __init__(self, message, *, retry_after: int = 3600, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = max(1, int(retry_after))
