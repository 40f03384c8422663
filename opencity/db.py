"""Database guards shared by the apps: the statement timeout of web requests, and a longer one
for the few code paths that legitimately read a lot (the dashboard and its exports).

Web requests run with `statement_timeout` = OPENCITY_STATEMENT_TIMEOUT_MS (set on the connection,
opencity.settings.base.DATABASE_OPTIONS); a query it cancels answers 503 (opencity.middleware).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction


@contextmanager
def longer_statement_timeout(milliseconds: int | None = None) -> Iterator[None]:
    """Run the block in a transaction whose statements may take `milliseconds` (by default
    OPENCITY_REPORT_STATEMENT_TIMEOUT_MS): SET LOCAL ends with the transaction, so the connection
    goes back to the web requests' limit afterwards."""
    limit = int(settings.OPENCITY_REPORT_STATEMENT_TIMEOUT_MS if milliseconds is None else milliseconds)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [f"{limit}ms"])
        yield


def is_statement_timeout(error: BaseException) -> bool:
    """Whether a database error is PostgreSQL cancelling a statement (statement_timeout: 57014)."""
    cause = error.__cause__ or error
    return getattr(cause, "pgcode", None) == "57014"
