"""The heat grid's counts per day and month (dashboard.models.HeatCount) and the issues' open state in
their facts (the problem spots' input), filled from the facts already stored; the index after.

A database with no aggregates yet (a new one: 0003's rebuild moved here) gets the full rebuild,
which runs the current dashboard.aggregates and so needs every table added up to here."""

from django.db import migrations, models

from issues.sql import OPEN_STATUSES_SQL


def fill(apps, schema_editor):
    from dashboard.aggregates import dashboard_aggregates_rebuild, dashboard_heat_counts_fill

    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM dashboard_issuefact)")
        if not cursor.fetchone()[0]:
            dashboard_aggregates_rebuild()
            # The rows' deferred foreign-key checks now, not at the commit: the index below cannot
            # be built on a table with pending trigger events (a database that has issues but no
            # aggregates yet, e.g. a bulk load whose rebuild was interrupted).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            return
        cursor.execute("SET LOCAL statement_timeout = 0")
        cursor.execute(
            "UPDATE dashboard_issuefact f SET open = true FROM dashboard_statusspan s"
            f" WHERE s.issue_id = f.issue_id AND upper_inf(s.span) AND s.status IN {OPEN_STATUSES_SQL}"
        )
    dashboard_heat_counts_fill()


class Migration(migrations.Migration):

    dependencies = [
        ('dashboard', '0004_sla_histogram'),
        ('issues', '0011_open311_keyset_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='HeatCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('grain', models.CharField(choices=[('d', 'Day'), ('m', 'Month')], max_length=1)),
                ('day', models.DateField()),
                ('district_id', models.BigIntegerField(null=True)),
                ('x', models.FloatField(null=True)),
                ('y', models.FloatField(null=True)),
                ('issues', models.IntegerField(default=0)),
            ],
        ),
        migrations.AddField(
            model_name='issuefact',
            name='open',
            field=models.BooleanField(default=False),
        ),
        migrations.AddConstraint(
            model_name='heatcount',
            constraint=models.UniqueConstraint(fields=('grain', 'day', 'district_id', 'x', 'y'), name='dashboard_heatcount_unique', nulls_distinct=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='issuefact',
            index=models.Index(condition=models.Q(('open', True)), fields=['created_at'], name='dashboard_fact_open'),
        ),
    ]
