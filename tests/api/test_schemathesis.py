"""schemathesis against the project's own OpenAPI schema of /api/v1/, in process (WSGI).

Every operation, reads and writes, is called as each role an integrator may hold: anonymous, a
citizen, an executor's staff, a dispatcher and leadership. schemathesis generates the requests from
the schema — its examples and random ones (fuzzing) for every role, boundary and negative values
(coverage) for the citizen and the dispatcher — and every answer must be documented: never a 5xx,
only listed status codes and content types, and bodies that match the documented schema. Any
mismatch fails the test, not only a 5xx.

Generated values rarely name things that exist (a reference, a category code), so the test city's
references are the schema's examples and a share of the cases is pointed at its real codes
(`_realistic`): that is what reaches the
2xx answers and the nullable fields the issue of record was about (an issue that is not a duplicate,
a budget project with an executor). Bounded: few examples per operation, a fixed seed and
derandomized generation (the same cases on every run), no example database, no stateful phase.
"""

from __future__ import annotations

import datetime
import json
import zlib

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.access_tokens import access_token_issue
from issues.rules.transitions import Action
from issues.services import TransitionInput, issue_transition
from tests.factories import CENTRE_LAT, CENTRE_LON, BudgetProjectFactory, OutageFactory

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
ROLES = ["anonymous", "citizen", "executor_staff", "dispatcher", "leadership"]
EXAMPLES_PER_OPERATION = 6


def _openapi() -> dict:
    """The schema exactly as /api/schema/?format=json serves it (generated here: no request and no
    database needed at collection time)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


def _config(*, coverage: bool) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": 2026,
            "generation": {"max-examples": EXAMPLES_PER_OPERATION, "database": "none", "deterministic": True},
            "phases": {
                "examples": {"enabled": True},
                # Boundary and negative values of every parameter and body field (≈700 cases a role);
                # not the probes with methods an operation does not have (405s: Django's routing).
                "coverage": {"enabled": coverage, "unexpected-methods": []},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": False},
            },
        }
    )


# The test city's issues get these references (the counter is rolled back with every test, and
# they are reported on TUESDAY_10, in 2026): own (the citizen's), accepted (with a promised date),
# duplicate (merged into accepted), unrouted (no rule: no executor, no deadlines).
REFS = ["DRH-2026-000001", "DRH-2026-000002", "DRH-2026-000003", "DRH-2026-000004"]


def _with_test_city_examples(openapi: dict) -> dict:
    """The schema, with the test city's references and codes as examples: schemathesis sends
    examples first and builds its coverage cases on them, so the writes and reads reach their 2xx
    answers (random references would all be 404s)."""
    for path, operations in openapi["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "ref":
                    parameter["examples"] = {ref: {"value": ref} for ref in REFS}
                if parameter["name"] == "category" and path == "/api/v1/issues/nearby/":
                    parameter["examples"] = {"pothole": {"value": "pothole"}}
    return openapi


def _api_v1_only(openapi: dict) -> dict:
    """The /api/v1/ operations. The health checks are in the contract too, but take no input and
    answer 503 by design when not ready (tests/ops checks them against a real worker)."""
    openapi["paths"] = {path: item for path, item in openapi["paths"].items() if path.startswith("/api/v1/")}
    return openapi


def _schema(*, coverage: bool):
    openapi = _api_v1_only(_with_test_city_examples(_openapi()))
    loaded = schemathesis.openapi.from_dict(openapi, config=_config(coverage=coverage))
    loaded.app = get_wsgi_application()
    return loaded


# Every role gets the examples and the random cases; the coverage phase's boundary and negative
# values mostly test input validation, which is the same whoever asks, so they run as the roles
# that get past the permission checks to it: a citizen (reports, support, the lists) and a
# dispatcher (transitions, the dashboard). That keeps the test within about a minute of CI time.
THOROUGH_ROLES = ["citizen", "dispatcher"]
LIGHT_ROLES = [role for role in ROLES if role not in THOROUGH_ROLES]
thorough = _schema(coverage=True)
light = _schema(coverage=False)


@pytest.fixture
def city(world, report, settings) -> list[str]:
    settings.OPENCITY_REPORTS_PER_HOUR = 1000  # fuzzing reports many times; the limit is tested elsewhere
    settings.OPENCITY_MEDIA_UPLOADS_PER_HOUR = 1000
    own = report()
    accepted = report(reporter=world.other_citizen, where=world.inside_east)
    issue_transition(
        issue=accepted,
        actor=world.roads_staff,
        action=Action.ACCEPT,
        data=TransitionInput(promised_date=timezone.localdate() + datetime.timedelta(days=7)),
    )
    duplicate = report(reporter=world.other_citizen)
    issue_transition(
        issue=duplicate, actor=world.dispatcher, action=Action.MERGE, data=TransitionInput(duplicate_of=accepted)
    )
    unrouted = report(category=world.playground, reporter=world.other_citizen)
    assert [own.ref, accepted.ref, duplicate.ref, unrouted.ref] == REFS
    BudgetProjectFactory(executor=world.roads)
    BudgetProjectFactory(code="2026-no-executor", executor=None)
    OutageFactory(provider=world.water, published_by=world.dispatcher)
    return REFS


@pytest.fixture
def credentials(request, world, city) -> dict:  # noqa: ARG001 (city: the data must exist)
    user = {
        "anonymous": None,
        "citizen": world.citizen,
        "executor_staff": world.roads_staff,
        "dispatcher": world.dispatcher,
        "leadership": world.mayor,
    }[request.param]
    # Django's own test client does the same: the WSGI handler would otherwise close the test's
    # database connection (and its transaction) at the end of every request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield {"Authorization": f"Token {access_token_issue(user=user)[1]}"} if user else {}
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _pick(options: list, value) -> object:
    """One of `options`, always the same for the same generated value (hypothesis replays a
    failing case and must see the same request again)."""
    return options[zlib.crc32(repr(value).encode()) % len(options)]


def _realistic(case) -> None:
    """Point generated values that are well-formed but name nothing (a category code, an executor,
    a reference) at things that exist, so the writes reach their 2xx answers too."""
    if isinstance(case.body, dict):
        if isinstance(case.body.get("category"), str):
            case.body["category"] = _pick(["pothole", "open-manhole", "playground", "unknown"], case.body["category"])
        if isinstance(case.body.get("location"), dict):
            case.body["location"] = _pick(
                [{"type": "Point", "coordinates": [CENTRE_LON - 0.01, CENTRE_LAT]}, case.body["location"]],
                case.body["location"],
            )
        if isinstance(case.body.get("executor"), str):
            case.body["executor"] = _pick(["roads", "water", case.body["executor"]], case.body["executor"])
        if isinstance(case.body.get("duplicate_of"), str):
            case.body["duplicate_of"] = _pick([*REFS, case.body["duplicate_of"]], case.body["duplicate_of"])


def _call_and_validate(case, credentials: dict) -> None:
    _realistic(case)
    case.call_and_validate(headers=credentials, checks=CHECKS)


# The generated cases share one test city on purpose (like requests to one running server); what
# a case writes (a report, a "me too", a transition) is rolled back with the test.
@thorough.parametrize()
@pytest.mark.parametrize("credentials", THOROUGH_ROLES, indirect=True)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
def test_api_v1_answers_as_its_schema_says(case, credentials):
    _call_and_validate(case, credentials)


@light.parametrize()
@pytest.mark.parametrize("credentials", LIGHT_ROLES, indirect=True)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
def test_api_v1_answers_as_its_schema_says_to_every_role(case, credentials):
    _call_and_validate(case, credentials)


def test_the_fixture_points_are_inside_the_test_city():
    assert (CENTRE_LON, CENTRE_LAT) == (23.5056, 49.3489)
