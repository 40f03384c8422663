"""Database guards shared by the apps: the statement timeout of web requests, and a longer one
for the few code paths that legitimately read a lot (the dashboard and its exports); and the
service transaction, in which work other apps do after each write is done once, at its end.

Web requests run with `statement_timeout` = OPENCITY_STATEMENT_TIMEOUT_MS (set on the connection,
opencity.settings.base.DATABASE_OPTIONS); a query it cancels answers 503 (opencity.middleware).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, models, transaction


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


# --- Model instances from raw rows --------------------------------------------------------------


def model_columns(
    model: type[models.Model], alias: str, *, exclude: Iterable[str] = ()
) -> tuple[list[models.Field], str]:
    """A model's concrete columns (but `exclude`, by attribute name) as a raw SELECT list on the
    table alias `alias`, and the fields they are, for model_from_row. Built once, at import: a
    raw statement that the ORM would otherwise build and compile again on every call."""
    excluded = set(exclude)
    fields = [field for field in model._meta.concrete_fields if field.attname not in excluded]
    return fields, ", ".join(f'{alias}."{field.column}"' for field in fields)


def model_from_row(model: type[models.Model], fields: Sequence[models.Field], values: Sequence) -> models.Model:
    """The instance a row of model_columns(model, …) describes, each value converted as the ORM
    converts it (from_db_value, the backend's converters); the excluded fields are deferred."""
    converted = []
    for field, value in zip(fields, values, strict=True):
        column, converters = _converters(field)
        for converter in converters:
            value = converter(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, [field.attname for field in fields], converted)


_field_converters: dict[models.Field, tuple] = {}


def _converters(field: models.Field) -> tuple:
    """The field's column expression and the converters the ORM applies to its values."""
    found = _field_converters.get(field)
    if found is None:
        column = field.get_col(field.model._meta.db_table)
        found = column, [*connection.ops.get_db_converters(column), *column.get_db_converters(connection)]
        _field_converters[field] = found
    return found
