from django.db import migrations, models


def hold_unconfirmed_reports(apps, schema_editor):
    """Reports already waiting for their reporter's confirmation (new, reporter unconfirmed) stop
    being public too."""
    Issue = apps.get_model("issues", "Issue")
    Issue.objects.filter(status="new", reporter__isnull=False, reporter__email_confirmed_at__isnull=True).update(
        awaiting_confirmation=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("issues", "0009_notification_delivery"),
        ("accounts", "0003_access_tokens"),
    ]

    operations = [
        migrations.AddField(
            model_name="issue",
            name="awaiting_confirmation",
            field=models.BooleanField(
                db_default=False, default=False, verbose_name="waiting for the reporter's e-mail confirmation"
            ),
        ),
        migrations.RunPython(hold_unconfirmed_reports, migrations.RunPython.noop),
    ]
