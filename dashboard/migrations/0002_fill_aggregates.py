"""Fill the pre-aggregated tables from the issues already there (a migration of its own: the unique
constraint the daily counts' upsert needs is created at the end of 0001)."""

from django.db import migrations


def fill(apps, schema_editor):
    """Derive the tables from the issues already there (what `opencity_rebuild_dashboard` does)."""
    from dashboard.aggregates import dashboard_aggregates_rebuild

    dashboard_aggregates_rebuild()


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0001_aggregates")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
