"""Database guards shared by the apps: the statement timeout of web requests, and a longer one
for the few code paths that legitimately read a lot (the dashboard and its exports); and the
service transaction, in which work other apps do after each write is done once, at its end.

Web requests run with `statement_timeout` = OPENCITY_STATEMENT_TIMEOUT_MS (set on the connection,
opencity.settings.base.DATABASE_OPTIONS); a query it cancels answers 503 (opencity.middleware).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
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


# --- The service transaction --------------------------------------------------------------------

_service = threading.local()


@contextmanager
def service_transaction() -> Iterator[None]:
    """A service's transaction (transaction.atomic) that gathers the work asked for with
    `at_service_end` and does it once, just before the outermost such block ends: still inside
    the transaction, so it commits or rolls back with the writes that asked for it.

    Django has no pre-commit hook; this is one, explicitly. A block nested in another only joins
    it. When the block raises, the gathered work is dropped with the writes (the atomic block
    rolls back). Work asked for outside any service transaction is done at once, as before.
    """
    outermost = getattr(_service, "pending", None) is None
    with transaction.atomic():
        if not outermost:
            yield
            return
        _service.pending = {}
        try:
            yield
            service_work_now()
        finally:
            _service.pending = None


def service_work_now() -> None:
    """Do the work gathered so far in the service transaction now, not at its end (e.g. before the
    service takes a row lock that it holds to the commit, so that nobody waits on it meanwhile).
    Work asked for later is gathered again. Outside a service transaction there is none."""
    pending = getattr(_service, "pending", None)
    # In the order asked; work may ask for more work, which is done in turn.
    while pending:
        key = next(iter(pending))
        work, items = pending.pop(key)
        work(list(items))


def at_service_end(key: str, work: Callable[[list], object], items: Iterable) -> None:
    """Do `work(items)` now, or, inside a service_transaction, once at its end for every item asked
    for under `key` during it (each item once, in the order first asked). For work whose result
    depends only on the database's state at the time it runs, so that running it once at the end
    of the writes gives what running it after each write gave (e.g. the dashboard's refresh of an
    issue's pre-aggregated rows)."""
    pending = getattr(_service, "pending", None)
    if pending is None:
        work(list(items))
        return
    _work, gathered = pending.setdefault(key, (work, {}))
    gathered.update(dict.fromkeys(items))
