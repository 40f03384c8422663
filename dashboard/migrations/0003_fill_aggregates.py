"""Fill the pre-aggregated tables from the issues already there (what `opencity_rebuild_dashboard`
does; after 0002, which creates the last of them and the constraints the daily upsert needs)."""

from django.db import migrations


def fill(apps, schema_editor):
    from dashboard.aggregates import dashboard_aggregates_rebuild

    dashboard_aggregates_rebuild()


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0002_status_spans")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
