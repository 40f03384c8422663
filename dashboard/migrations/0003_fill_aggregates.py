"""Formerly the fill of the pre-aggregated tables; it moved to 0004, after the tables that the
current dashboard.aggregates also writes exist (a rebuild here would fail on a new database)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0002_status_spans")]

    operations = []
