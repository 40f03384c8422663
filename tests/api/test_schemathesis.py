"""schemathesis against the project's own OpenAPI schema of /api/v1/, in process (WSGI).

It generates requests from the schema — the schema's examples, then boundary and negative values
(coverage), then random ones (fuzzing) — signed in as a citizen, and checks every answer: never a
5xx, only documented status codes and content types, and bodies that match the documented schema.
Bounded: few examples per operation, a fixed seed (the same cases on every run), no example
database, and no stateful phase.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.access_tokens import access_token_issue
from tests.factories import CENTRE_LAT, CENTRE_LON

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _openapi() -> dict:
    """The schema exactly as /api/schema/?format=json serves it (generated here: no request and no
    database needed at collection time)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 2026,
        "generation": {"max-examples": 25, "database": "none"},
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
    }
)
schema = schemathesis.openapi.from_dict(_openapi(), config=CONFIG)
schema.app = get_wsgi_application()


@pytest.fixture
def citizen_token(world, report, settings):  # noqa: F811
    settings.OPENCITY_REPORTS_PER_HOUR = 1000  # fuzzing reports many times; the limit is tested elsewhere
    report()  # something for the lists and GETs to find
    # Django's own test client does the same: the WSGI handler would otherwise close the test's
    # database connection (and its transaction) at the end of every request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield access_token_issue(user=world.citizen)[1]
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# The generated cases share one test city on purpose (like requests to one running server); what
# a case writes (a report, a "me too") is rolled back with the test.
@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
def test_api_v1_answers_as_its_schema_says(case, citizen_token):
    case.call_and_validate(headers={"Authorization": f"Token {citizen_token}"}, checks=CHECKS)


def test_the_fixture_points_are_inside_the_test_city():
    assert (CENTRE_LON, CENTRE_LAT) == (23.5056, 49.3489)
