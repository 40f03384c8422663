"""Open311Submission moves from the issues app to this one. Only Django's model state moves: the
table (issues_open311submission), its rows, index and constraints stay exactly as they are, and the
content type is relabelled so admin history and permissions follow the model."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def relabel_content_type(apps, schema_editor, *, from_app: str, to_app: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label=from_app, model="open311submission").update(app_label=to_app)


def forwards(apps, schema_editor):
    relabel_content_type(apps, schema_editor, from_app="issues", to_app="open311")


def backwards(apps, schema_editor):
    relabel_content_type(apps, schema_editor, from_app="open311", to_app="issues")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0002_api_keys"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("issues", "0006_category_attributes_and_open311"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Open311Submission",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("email", models.EmailField(blank=True, max_length=254, verbose_name="e-mail")),
                        ("first_name", models.CharField(blank=True, max_length=150, verbose_name="first name")),
                        ("last_name", models.CharField(blank=True, max_length=150, verbose_name="last name")),
                        ("phone", models.CharField(blank=True, max_length=32, verbose_name="phone")),
                        ("device_id", models.CharField(blank=True, max_length=200, verbose_name="device id")),
                        ("account_id", models.CharField(blank=True, max_length=200, verbose_name="client's account id")),
                        ("address_id", models.CharField(blank=True, max_length=200, verbose_name="address id")),
                        ("media_url", models.URLField(blank=True, max_length=1000, verbose_name="media URL as sent")),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="received at")),
                        (
                            "api_key",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="open311_submissions",
                                to="accounts.apikey",
                                verbose_name="API key",
                            ),
                        ),
                        (
                            "issue",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="open311_submission",
                                to="issues.issue",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "Open311 submission",
                        "verbose_name_plural": "Open311 submissions",
                        "db_table": "issues_open311submission",
                        "indexes": [models.Index(fields=["api_key", "created_at"], name="open311_submission_key_idx")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
