"""opencity.prepared: a statement is prepared once per connection and executed by name after that,
in the same round trips as plain text; behind PgBouncer it stays plain text."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from opencity.prepared import PreparedStatement

pytestmark = pytest.mark.django_db

SQUARE = PreparedStatement("test_square", "SELECT %(n)s::int * %(n)s::int, %(word)s::text || '%%'")


def _run(statement: PreparedStatement, **params) -> tuple[list[str], tuple]:
    with CaptureQueriesContext(connection) as captured, connection.cursor() as cursor:
        statement.execute(cursor, params)
        row = cursor.fetchone()
    return [query["sql"] for query in captured.captured_queries], row


@pytest.mark.django_db(transaction=True)  # closes the connection: a new session
def test_prepared_on_first_use_then_executed_by_name():
    connection.close()
    first, row = _run(SQUARE, n=7, word="сто")
    assert row == (49, "сто%")
    assert len(first) == 1 and first[0].startswith("PREPARE opencity_test_square_")
    again, row = _run(SQUARE, n=3, word="x")
    assert row == (9, "x%")
    assert len(again) == 1 and again[0].startswith("EXECUTE opencity_test_square_")
    # a parameter used twice is one parameter of the statement
    assert SQUARE.parameters == ["n", "word"]


@pytest.mark.django_db(transaction=True)  # closes the connection: a new session
def test_a_new_connection_prepares_again():
    _run(SQUARE, n=1, word="a")
    connection.close()
    statements, row = _run(SQUARE, n=2, word="b")
    assert row == (4, "b%")
    assert statements[0].startswith("PREPARE ")


@pytest.mark.django_db(transaction=True)  # closes the connection: a new session
def test_a_failed_call_prepares_under_a_new_name_next_time():
    connection.close()
    failing = PreparedStatement("test_failing", "SELECT 1 / %(d)s::int")
    with pytest.raises(DatabaseError), transaction.atomic():
        _run(failing, d=0)  # prepared, then failed: whether the PREPARE took is not known here
    statements, row = _run(failing, d=1)
    assert row == (1,)
    assert statements[0].startswith("PREPARE ")
    statements, row = _run(failing, d=1)
    assert statements[0].startswith("EXECUTE ")


def test_behind_pgbouncer_the_text_is_sent(settings):
    settings.DATABASE_BEHIND_PGBOUNCER = True
    statements, row = _run(SQUARE, n=5, word="y")
    assert row == (25, "y%")
    assert statements == ["SELECT 5::int * 5::int, 'y'::text || '%'"]


def test_only_plain_names():
    with pytest.raises(ValueError, match="not a statement name"):
        PreparedStatement("bad name; DROP", "SELECT 1")
