"""The map's pre-aggregated counts per cell (issues.models.IssueCellCount). Triggers on issues_issue
keep them exact on every write (migration 0012); this recomputes them whole, for a database whose
issues were written with the triggers disabled (a restore with `--disable-triggers`,
`session_replication_role = replica`) or to check that nothing has drifted."""

from __future__ import annotations

from django.db import connection, transaction


def issue_cell_counts_rebuild() -> int:
    """Recompute every row of the table from the public issues; returns the rows written. Writes to
    the issues wait until it is done (SHARE lock), so no change is missed or counted twice; reads
    go on."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 0")  # the whole table in one statement
        cursor.execute("LOCK TABLE issues_issue IN SHARE MODE")
        cursor.execute("SELECT issues_cell_counts_rebuild()")
        written = cursor.fetchone()[0]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE issues_issuecellcount")
    return written
