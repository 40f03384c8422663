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
from django.db.models.signals import post_save, pre_save


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


# --- Rows that belong together, inserted together -----------------------------------------------


def insert_together(first: models.Model, *others: models.Model) -> None:
    """Insert new instances in one statement: `first`, and `others` that may refer to it by a
    foreign key set to it (unsaved, e.g. a new issue's first event). Each is saved as save() would
    save it (its fields' pre_save and database values, pre_save and post_save signals with
    created=True, its key set afterwards), in one round trip instead of one for each."""
    objs = [first, *others]
    quote = connection.ops.quote_name
    ctes, params = [], []
    for n, obj in enumerate(objs):
        meta = obj._meta
        if meta.parents or not obj._state.adding:
            raise ValueError(f"insert_together inserts new rows of one table each, not {obj!r}")
        pre_save.send(sender=obj.__class__, instance=obj, raw=False, using=connection.alias, update_fields=None)
        columns, placeholders = [], []
        for field in meta.local_concrete_fields:
            if field in meta.pk_fields or field.generated:
                continue
            columns.append(quote(field.column))
            if n and _refers_to(obj, field, first):
                placeholders.append(f"t0.{quote(first._meta.pk.column)}")
                continue
            value = field.pre_save(obj, add=True)
            if hasattr(value, "resolve_expression"):  # an expression, or a database default
                raise ValueError(f"insert_together takes values, not expressions ({field.name})")
            value = field.get_db_prep_save(value, connection=connection)
            placeholder = getattr(field, "get_placeholder_sql", None)
            sql, field_params = placeholder(value, None, connection) if placeholder else ("%s", (value,))
            placeholders.append(sql)
            params.extend(field_params)
        table, key = quote(meta.db_table), quote(meta.pk.column)
        # Names come from the models and values are parameters: nothing from input is in the SQL.
        rows = f"VALUES ({', '.join(placeholders)})" if not n else f"SELECT {', '.join(placeholders)} FROM t0"  # noqa: S608
        ctes.append(f"t{n} AS (INSERT INTO {table} ({', '.join(columns)}) {rows} RETURNING {key})")
    returned = ", ".join(f"t{n}.{quote(obj._meta.pk.column)}" for n, obj in enumerate(objs))
    sql = f"WITH {', '.join(ctes)} SELECT {returned} FROM {', '.join(f't{n}' for n in range(len(objs)))}"  # noqa: S608
    with transaction.mark_for_rollback_on_error(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        keys = cursor.fetchone()
    for obj, key in zip(objs, keys, strict=True):
        obj.pk = key
        obj._state.db = connection.alias
        obj._state.adding = False
    for obj in others:
        for field in obj._meta.local_concrete_fields:
            if _refers_to(obj, field, first):
                setattr(obj, field.attname, first.pk)
    for obj in objs:
        post_save.send(
            sender=obj.__class__, instance=obj, created=True, update_fields=None, raw=False, using=connection.alias
        )


def _refers_to(obj: models.Model, field: models.Field, first: models.Model) -> bool:
    """Whether `field` of `obj` is a foreign key set to the instance `first`."""
    return bool(field.many_to_one and field.is_cached(obj) and field.get_cached_value(obj) is first)
