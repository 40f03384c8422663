# The map's counts per cell, pre-aggregated (issues.models.IssueCellCount): the grid's numbering as
# two database functions (the query and the triggers share them), the statement-level triggers that
# keep the table exact on every write to issues_issue, and the table filled from the issues there are.

from django.db import migrations, models

# issues.sql.cells_across(issues.sql.CELL_BASE_ZOOM): zoom 14's 64-pixel cells around the world.
# Frozen here; tests/issues/test_issue_cell_counts.py checks it against issues.sql.
BASE_ACROSS = 65536

# Leaflet's Web Mercator grid. A column is plain arithmetic on the longitude; a row clamps the
# latitude to Web Mercator's square world (85.0511287798° keeps both poles' rows inside it) and uses
# ln(tan(π/4 + φ/2)), which reads the latitude once, so that PostgreSQL inlines the function into
# a query instead of calling it per row. Both multiply by `across` last: for a power of two that is
# exact, so a coarser zoom's cell is the base grid's cell shifted right (floor(a / 2^k) = floor(floor(a) / 2^k)).
FUNCTIONS_SQL = """
CREATE FUNCTION issues_cell_column(lon double precision, across integer) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT floor((lon + 180) / 360 * across)::bigint $$;

CREATE FUNCTION issues_cell_row(lat double precision, across integer) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT floor((1 - ln(tan(pi() / 4 + radians(greatest(-85.0511287798, least(85.0511287798, lat))) / 2))
                             / pi()) / 2 * across)::bigint $$;
"""

# What an issue row adds to the table: one per public issue (the same test as issues.sql.public_sql).
PUBLIC = "NOT {r}.is_hidden AND NOT {r}.awaiting_confirmation"
# The columns whose change moves an issue between rows of the table (or in or out of it).
KEY = "ST_X({r}.point), ST_Y({r}.point), {r}.status, {r}.category_id, {r}.district_id, {r}.is_hidden, {r}.awaiting_confirmation"
DIFFERS = f"(o.id IS NULL OR n.id IS NULL OR ({KEY.format(r='o')}) IS DISTINCT FROM ({KEY.format(r='n')}))"


def _signed(sign: int, r: str) -> str:
    return (
        f"SELECT {sign} AS sign, ST_X({r}.point) AS lon, ST_Y({r}.point) AS lat, {r}.category_id, {r}.district_id,"
        f" {r}.status"
    )


DELTAS = {
    "insert": f"{_signed(1, 'n')} FROM new_rows n WHERE {PUBLIC.format(r='n')}",
    "delete": f"{_signed(-1, 'o')} FROM old_rows o WHERE {PUBLIC.format(r='o')}",
    # Only the rows whose key changed: an update of anything else (a comment's updated_at, the
    # supporters, a deadline) writes nothing here.
    "update": (
        f"{_signed(-1, 'o')} FROM old_rows o LEFT JOIN new_rows n ON n.id = o.id"
        f" WHERE {PUBLIC.format(r='o')} AND {DIFFERS}"
        f" UNION ALL {_signed(1, 'n')} FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id"
        f" WHERE {PUBLIC.format(r='n')} AND {DIFFERS}"
    ),
}

# Most updates change nothing the table keys on (a comment's updated_at, a supporter, a deadline):
# one cheap look at the old and new rows ends the trigger there, without the upsert statement.
UNCHANGED = {
    "update": f"""    IF NOT EXISTS (SELECT 1 FROM old_rows o LEFT JOIN new_rows n ON n.id = o.id WHERE {DIFFERS}) THEN
        RETURN NULL;
    END IF;
""",
}

# The statement's change, summed per row of the table (one upsert per key, in key order so that
# concurrent writers lock rows in the same order), then the rows left with nothing deleted.
APPLY = """
CREATE FUNCTION issues_cell_counts_on_{op}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    emptied bigint[];
BEGIN
{unchanged}    WITH delta AS (
        {delta}
    ),
    written AS (
        INSERT INTO issues_issuecellcount AS a (cx, cy, category_id, district_id, status, count, sum_lon, sum_lat)
        SELECT issues_cell_column(d.lon, {across}), issues_cell_row(d.lat, {across}), d.category_id, d.district_id,
               d.status, sum(d.sign), sum(d.sign * d.lon), sum(d.sign * d.lat)
        FROM delta d
        GROUP BY 1, 2, 3, 4, 5
        HAVING sum(d.sign) <> 0 OR sum(d.sign * d.lon) <> 0 OR sum(d.sign * d.lat) <> 0
        ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT ON CONSTRAINT issue_cell_count_key DO UPDATE
        SET count = a.count + EXCLUDED.count, sum_lon = a.sum_lon + EXCLUDED.sum_lon,
            sum_lat = a.sum_lat + EXCLUDED.sum_lat
        RETURNING a.id, a.count
    )
    SELECT array_agg(id) INTO emptied FROM written WHERE count <= 0;
    IF emptied IS NOT NULL THEN
        DELETE FROM issues_issuecellcount WHERE id = ANY(emptied) AND count <= 0;
    END IF;
    RETURN NULL;
END
$$;
"""

TRIGGERS_SQL = (
    "".join(
        APPLY.format(op=op, delta=delta, across=BASE_ACROSS, unchanged=UNCHANGED.get(op, ""))
        for op, delta in DELTAS.items()
    )
    + """
-- PostgreSQL 15 takes no column list on a trigger with transition tables: the update trigger runs on
-- every UPDATE statement and compares the old and new rows itself.
CREATE TRIGGER issues_cell_counts_insert AFTER INSERT ON issues_issue
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION issues_cell_counts_on_insert();
CREATE TRIGGER issues_cell_counts_update AFTER UPDATE ON issues_issue
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION issues_cell_counts_on_update();
CREATE TRIGGER issues_cell_counts_delete AFTER DELETE ON issues_issue
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION issues_cell_counts_on_delete();

CREATE FUNCTION issues_cell_counts_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM issues_issuecellcount;
    RETURN NULL;
END
$$;
CREATE TRIGGER issues_cell_counts_truncate AFTER TRUNCATE ON issues_issue
    FOR EACH STATEMENT EXECUTE FUNCTION issues_cell_counts_on_truncate();
"""
)

# The whole table from the issues (this migration, and `manage.py opencity_rebuild_cell_counts`,
# which locks issues_issue against writes first). Returns the rows written.
REBUILD_SQL = f"""
CREATE FUNCTION issues_cell_counts_rebuild() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    written bigint;
BEGIN
    DELETE FROM issues_issuecellcount;
    INSERT INTO issues_issuecellcount (cx, cy, category_id, district_id, status, count, sum_lon, sum_lat)
    SELECT issues_cell_column(ST_X(i.point), {BASE_ACROSS}), issues_cell_row(ST_Y(i.point), {BASE_ACROSS}),
           i.category_id, i.district_id, i.status, count(*), sum(ST_X(i.point)), sum(ST_Y(i.point))
    FROM issues_issue i
    WHERE {PUBLIC.format(r="i")}
    GROUP BY 1, 2, 3, 4, 5;
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END
$$;
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS issues_cell_counts_insert ON issues_issue;
DROP TRIGGER IF EXISTS issues_cell_counts_update ON issues_issue;
DROP TRIGGER IF EXISTS issues_cell_counts_delete ON issues_issue;
DROP TRIGGER IF EXISTS issues_cell_counts_truncate ON issues_issue;
DROP FUNCTION IF EXISTS issues_cell_counts_on_insert();
DROP FUNCTION IF EXISTS issues_cell_counts_on_update();
DROP FUNCTION IF EXISTS issues_cell_counts_on_delete();
DROP FUNCTION IF EXISTS issues_cell_counts_on_truncate();
DROP FUNCTION IF EXISTS issues_cell_counts_rebuild();
DROP FUNCTION IF EXISTS issues_cell_row(double precision, integer);
DROP FUNCTION IF EXISTS issues_cell_column(double precision, integer);
"""

# Every write to an issue updates rows here in place: room on each page lets PostgreSQL keep the new
# version beside the old one without touching the indexes (a HOT update; count and sums are not indexed).
FILL_SQL = """
ALTER TABLE issues_issuecellcount SET (fillfactor = 70);
SET LOCAL statement_timeout = 0;
SELECT issues_cell_counts_rebuild();
ANALYZE issues_issuecellcount;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("issues", "0011_open311_keyset_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="IssueCellCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("cx", models.IntegerField()),
                ("cy", models.IntegerField()),
                ("category_id", models.BigIntegerField()),
                ("district_id", models.BigIntegerField(null=True)),
                ("status", models.CharField(max_length=16)),
                ("count", models.IntegerField()),
                ("sum_lon", models.FloatField()),
                ("sum_lat", models.FloatField()),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("cx", "cy", "category_id", "district_id", "status"),
                        name="issue_cell_count_key",
                        nulls_distinct=False,
                    )
                ],
                "indexes": [
                    models.Index(fields=["status", "cx", "cy"], name="issue_cell_count_status_idx"),
                ],
            },
        ),
        migrations.RunSQL(FUNCTIONS_SQL + TRIGGERS_SQL + REBUILD_SQL, DROP_SQL),
        migrations.RunSQL(FILL_SQL, migrations.RunSQL.noop),
    ]
