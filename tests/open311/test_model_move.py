"""Open311Submission moved from the issues app to open311 without touching its table: a database
migrated before the move keeps every submission, and the content type follows the model."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from open311.models import Open311Submission
from tests.open311.test_post import form

BEFORE_THE_MOVE = [("issues", "0006_category_attributes_and_open311"), ("open311", None)]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_submissions_survive_migrating_back_and_forth_across_the_move(world, api_key, open311):
    open311.post(form(api_key, service_code="playground", email="olena@example.net"))
    latest = _latest()
    try:
        _migrate(BEFORE_THE_MOVE)
        with connection.cursor() as cursor:
            cursor.execute("SELECT email FROM issues_open311submission")
            assert cursor.fetchall() == [("olena@example.net",)]
        assert ContentType.objects.filter(app_label="issues", model="open311submission").count() == 1
    finally:
        _migrate(latest)
    submission = Open311Submission.objects.get()
    assert (submission.email, submission.issue.source) == ("olena@example.net", "open311")
    assert ContentType.objects.get_for_model(Open311Submission).app_label == "open311"
    assert not ContentType.objects.filter(app_label="issues", model="open311submission").exists()
