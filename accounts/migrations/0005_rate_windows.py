"""The request counters of the API throttles when the shared cache is the database (opencity.ratelimit).

A table of its own, not Django's cache table: one INSERT … ON CONFLICT DO UPDATE counts a request and
answers whether it may pass, where the database cache needed six statements (read, COUNT(*) of the
whole table for culling, savepoint, read, write, release) per throttle and raced between workers.
UNLOGGED: the counters are worth nothing after a crash (the table comes back empty), so writing
them to the WAL on every request would be waste; a replica has none, and needs none.
"""

from django.db import migrations

CREATE = """
CREATE UNLOGGED TABLE opencity_rate_window (
    key varchar(255) PRIMARY KEY,
    hits float8[] NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX opencity_rate_window_expires_idx ON opencity_rate_window (expires_at);
"""


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_user_postal_address")]

    operations = [migrations.RunSQL(CREATE, reverse_sql="DROP TABLE opencity_rate_window")]
