"""Open311Submission now lives in the open311 app (open311/0001 takes over the same table); here it
only leaves the issues app's model state. Nothing in the database changes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("issues", "0006_category_attributes_and_open311"),
        ("open311", "0001_open311submission_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Open311Submission")],
            database_operations=[],
        ),
    ]
