"""The SLA table's pre-aggregates (dashboard.models.SlaCount, SlaHistogram) and the value buckets of
the assignment periods, filled from the periods already stored; the indexes are built after the fill.

0003's rebuild moved to the last migration that adds a table (it runs the current
dashboard.aggregates, which writes every table)."""

from django.db import migrations, models

from dashboard.sql import median_bucket_sql


def fill(apps, schema_editor):
    from dashboard.aggregates import dashboard_sla_tables_fill

    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM dashboard_assignmentperiod)")
        if not cursor.fetchone()[0]:
            return  # nothing stored yet: 0005 rebuilds everything
        cursor.execute("SET LOCAL statement_timeout = 0")
        cursor.execute(
            "UPDATE dashboard_assignmentperiod"
            f" SET answer_bucket = {median_bucket_sql('answer_hours')}, fix_bucket = {median_bucket_sql('fix_hours')}"
            " WHERE answer_hours IS NOT NULL OR fix_hours IS NOT NULL"
        )
    dashboard_sla_tables_fill()


class Migration(migrations.Migration):

    dependencies = [
        ('dashboard', '0003_fill_aggregates'),
        ('issues', '0011_open311_keyset_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='SlaCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('grain', models.CharField(choices=[('d', 'Day'), ('m', 'Month')], max_length=1)),
                ('day', models.DateField()),
                ('district_id', models.BigIntegerField(null=True)),
                ('executor_code', models.CharField(max_length=64, null=True)),
                ('periods', models.IntegerField(default=0)),
                ('answer_judged', models.IntegerField(default=0)),
                ('answered_on_time', models.IntegerField(default=0)),
                ('fix_judged', models.IntegerField(default=0)),
                ('fixed_on_time', models.IntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name='SlaHistogram',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('grain', models.CharField(choices=[('d', 'Day'), ('m', 'Month')], max_length=1)),
                ('day', models.DateField()),
                ('executor_code', models.CharField(max_length=64, null=True)),
                ('measure', models.CharField(max_length=6)),
                ('bucket', models.SmallIntegerField()),
                ('periods', models.IntegerField(default=0)),
            ],
        ),
        migrations.AddField(
            model_name='assignmentperiod',
            name='answer_bucket',
            field=models.SmallIntegerField(null=True),
        ),
        migrations.AddField(
            model_name='assignmentperiod',
            name='fix_bucket',
            field=models.SmallIntegerField(null=True),
        ),
        migrations.AddConstraint(
            model_name='slacount',
            constraint=models.UniqueConstraint(fields=('grain', 'day', 'district_id', 'executor_code'), name='dashboard_slacount_unique', nulls_distinct=False),
        ),
        migrations.AddConstraint(
            model_name='slahistogram',
            constraint=models.UniqueConstraint(fields=('grain', 'day', 'executor_code', 'measure', 'bucket'), name='dashboard_slahistogram_unique', nulls_distinct=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='assignmentperiod',
            index=models.Index(condition=models.Q(('answer_bucket__isnull', False)), fields=['executor_code', 'answer_bucket', 'started_at'], include=('answer_hours',), name='dashboard_period_answer_x'),
        ),
        migrations.AddIndex(
            model_name='assignmentperiod',
            index=models.Index(condition=models.Q(('answer_bucket__isnull', False)), fields=['answer_bucket', 'started_at'], include=('answer_hours',), name='dashboard_period_answer'),
        ),
        migrations.AddIndex(
            model_name='assignmentperiod',
            index=models.Index(condition=models.Q(('fix_bucket__isnull', False)), fields=['executor_code', 'fix_bucket', 'started_at'], include=('fix_hours',), name='dashboard_period_fix_x'),
        ),
        migrations.AddIndex(
            model_name='assignmentperiod',
            index=models.Index(condition=models.Q(('fix_bucket__isnull', False)), fields=['fix_bucket', 'started_at'], include=('fix_hours',), name='dashboard_period_fix'),
        ),
        migrations.AddIndex(
            model_name='assignmentperiod',
            index=models.Index(condition=models.Q(('tail_status', 'assigned'), ('tail_status', 'in_progress'), _connector='OR'), fields=['started_at'], name='dashboard_period_running'),
        ),
    ]
