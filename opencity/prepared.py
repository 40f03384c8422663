"""Statements that PostgreSQL parses and plans once per connection (PREPARE / EXECUTE).

A small answer built whole by one statement (issue 13, item 4) spends more of the database's time
parsing and planning its long text than running it: the outages at a point took 0.4 ms a call as
text and 0.05 ms prepared, on 100,000 issues. psycopg2 prepares nothing by itself, so these few
statements are prepared by name on each connection the first time it runs them (the PREPARE and the
first EXECUTE go in one round trip), and executed by name after that.

A prepared statement belongs to one server session. Behind PgBouncer in transaction mode a client's
next transaction may run on another server connection, which never saw the PREPARE: with
DATABASE_BEHIND_PGBOUNCER the statements are sent as text, as before (README "Connection pooling").
PREPARE is not undone by a rollback; a call that fails after sending one does not know whether it
took, so the next call prepares under a new name rather than trip over the old one.
"""

from __future__ import annotations

import itertools
import re

from django.conf import settings

_PARAMETER = re.compile(r"%\(([a-z_][a-z0-9_]*)\)s")
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_generations = itertools.count(1)


class PreparedStatement:
    """An SQL text with `%(name)s` parameters (pyformat, as cursor.execute takes it), run as a
    prepared statement named `opencity_<name>_<n>` on each connection that runs it. Make one per
    text and keep it (a module constant, or functools.cache around the function that builds it)."""

    def __init__(self, name: str, sql: str) -> None:
        if not _NAME.match(name):
            raise ValueError(f"not a statement name: {name!r}")
        self.name = f"opencity_{name}"
        self.sql = sql
        self.parameters: list[str] = []

        def number(match: re.Match) -> str:
            if match.group(1) not in self.parameters:
                self.parameters.append(match.group(1))
            return f"${self.parameters.index(match.group(1)) + 1}"

        # The body goes through psycopg2's interpolation with the EXECUTE's values: `%` doubled.
        self._body = _PARAMETER.sub(number, sql).replace("%%", "%").replace("%", "%%")
        self._placeholders = ", ".join(["%s"] * len(self.parameters))

    def execute(self, cursor, params: dict) -> None:
        """Run the statement with these parameters on a Django cursor; fetch from the cursor after."""
        if settings.DATABASE_BEHIND_PGBOUNCER:
            cursor.execute(self.sql, params)
            return
        values = [params[name] for name in self.parameters]
        wrapper = cursor.db
        known = getattr(wrapper, "opencity_prepared", None)
        if known is None or known[0] is not wrapper.connection:
            # A new session (the first use, or Django reconnected): nothing is prepared in it yet.
            known = (wrapper.connection, {})
            wrapper.opencity_prepared = known
        prepared = known[1].get(self)
        if prepared is not None:
            cursor.execute(f"EXECUTE {prepared}({self._placeholders})" if values else f"EXECUTE {prepared}", values)
            return
        name = f"{self.name}_{next(_generations)}"
        execute = f"EXECUTE {name}({self._placeholders})" if values else f"EXECUTE {name}"
        cursor.execute(f"PREPARE {name} AS {self._body};\n{execute}", values)
        known[1][self] = name
