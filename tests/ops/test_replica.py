"""Read replicas, for real: a streaming replica of the test cluster serves the map layers, the
primary takes every write and the writer's own next reads, and a replica that is down or lagging
is skipped."""

from __future__ import annotations

import time

import pytest
from django.db import connections, transaction
from rest_framework.test import APIClient

from accounts.models import User
from issues.models import Issue
from opencity.dbrouter import REPLICA_DB_ALIAS, WROTE_COOKIE, ReplicaRouter, reading_alias, replica_reads
from tests.factories import CENTRE_LAT, CENTRE_LON
from tests.ops.conftest import wait_until_replayed

# The module-scoped alias must exist before pytest-django validates `databases`.
pytestmark = [
    pytest.mark.usefixtures("replica_alias"),
    pytest.mark.django_db(transaction=True, databases=["default", REPLICA_DB_ALIAS]),
]

LAYER = "/api/v1/issues/"
NEW_REPORT = {
    "category": "pothole",
    "description": "Яма біля зупинки",
    "location": {"type": "Point", "coordinates": [CENTRE_LON - 0.01, CENTRE_LAT]},
    "address": "вул. Стрийська, 3",
}


class Served:
    """Which server ran each statement of a request: (alias, backend pid, SQL)."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, int, str]] = []

    def __call__(self, execute, sql, params, many, context):
        connection = context["connection"]
        self.statements.append((connection.alias, connection.connection.get_backend_pid(), sql))
        return execute(sql, params, many, context)

    def by(self, needle: str) -> tuple[str, int]:
        """The (alias, pid) that ran the statement containing `needle`."""
        matches = [(alias, pid) for alias, pid, sql in self.statements if needle in sql]
        assert matches, f"no statement with {needle!r} in {self.statements}"
        return matches[-1]


def request_watched(method, path, **kwargs):
    served = Served()
    with connections["default"].execute_wrapper(served), connections[REPLICA_DB_ALIAS].execute_wrapper(served):
        response = method(path, **kwargs)
    return response, served


def in_recovery(alias: str, pid: int) -> bool:
    """pg_is_in_recovery() asked on the very connection (same backend) that served a statement."""
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid(), pg_is_in_recovery()")
        backend, recovering = cursor.fetchone()
    assert backend == pid, "the connection was replaced between the request and the check"
    return recovering


def layer_refs(response) -> set[str]:
    assert response.status_code == 200, response.content[:500]
    return {feature["properties"]["ref"] for feature in response.json()["features"]}


def test_writes_land_on_the_primary_and_layer_reads_come_from_the_replica(world, report, replica):
    citizen = APIClient()
    citizen.force_authenticate(world.citizen)
    created, served = request_watched(citizen.post, LAYER, data=NEW_REPORT, format="json")
    assert created.status_code == 201, created.content
    alias, pid = served.by('INSERT INTO "issues_issue"')
    assert alias == "default" and not in_recovery(alias, pid)
    assert WROTE_COOKIE in created.cookies  # the writer's next reads stay on the primary
    wait_until_replayed()

    anonymous = APIClient()
    response, served = request_watched(anonymous.get, LAYER)
    assert created.json()["ref"] in layer_refs(response)
    alias, pid = served.by("FeatureCollection")
    assert alias == REPLICA_DB_ALIAS and in_recovery(alias, pid)

    # The other read routes too: the outage layer (GeoJSON by PostGIS) and Open311 (the ORM).
    outages, served = request_watched(anonymous.get, "/api/v1/outages/")
    assert outages.status_code == 200
    assert served.by("FeatureCollection")[0] == REPLICA_DB_ALIAS
    # The vector tiles too (one ST_AsMVT statement each).
    for layer in ("issues", "budget", "outages"):
        tile, served = request_watched(anonymous.get, f"/api/v1/tiles/{layer}/0/0/0.mvt")
        assert tile.status_code in (200, 204)
        alias, pid = served.by("ST_AsMVT")
        assert alias == REPLICA_DB_ALIAS and in_recovery(alias, pid)
    tile, _served = request_watched(anonymous.get, "/api/v1/tiles/issues/0/0/0.mvt")
    assert created.json()["ref"].encode() in tile.content
    requests, served = request_watched(anonymous.get, "/open311/v2/requests.json")
    assert requests.status_code == 200
    assert served.by('FROM "issues_issue"')[0] == REPLICA_DB_ALIAS
    # A page that is not a replica route reads from the primary.
    page, served = request_watched(anonymous.get, f"/issues/{created.json()['ref']}/")
    assert page.status_code == 200
    assert {alias for alias, _pid, _sql in served.statements} == {"default"}


def test_a_citizen_sees_their_own_new_report_at_once(world, replica, settings):
    settings.OPENCITY_REPLICA_MAX_LAG_SECONDS = 3600  # the pause below must not count as lag
    # Pause only once the previous test's flush is replayed: paused in the middle of it, the replica
    # keeps the TRUNCATE's exclusive locks and every read there waits out the statement timeout.
    wait_until_replayed()
    with connections[REPLICA_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")  # the replica now lags as far as we like
    citizen = APIClient()
    citizen.force_authenticate(world.citizen)
    ref = citizen.post(LAYER, data=NEW_REPORT, format="json").json()["ref"]

    mine, served = request_watched(citizen.get, LAYER)
    assert ref in layer_refs(mine)
    assert served.by("FeatureCollection")[0] == "default"

    # Someone else, with no write of their own, reads the replica, which has not replayed it yet.
    theirs, served = request_watched(APIClient().get, LAYER)
    assert ref not in layer_refs(theirs)
    assert served.by("FeatureCollection")[0] == REPLICA_DB_ALIAS

    with connections[REPLICA_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")
    wait_until_replayed()
    assert ref in layer_refs(APIClient().get(LAYER))


def test_the_writers_stickiness_ends_after_its_seconds(world, replica, settings):
    settings.OPENCITY_REPLICA_STICKY_SECONDS = 1
    citizen = APIClient()
    citizen.force_authenticate(world.citizen)
    assert citizen.post(LAYER, data=NEW_REPORT, format="json").status_code == 201
    assert request_watched(citizen.get, LAYER)[1].by("FeatureCollection")[0] == "default"
    time.sleep(1.1)
    assert request_watched(citizen.get, LAYER)[1].by("FeatureCollection")[0] == REPLICA_DB_ALIAS


def test_a_lagging_replica_is_skipped(world, report, replica, settings):
    settings.OPENCITY_REPLICA_MAX_LAG_SECONDS = 1
    wait_until_replayed()  # as above: never pause in the middle of the previous test's flush
    with connections[REPLICA_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    issue = report()  # written on the primary, received by the replica, not replayed
    time.sleep(1.3)
    response, served = request_watched(APIClient().get, LAYER)
    assert issue.ref in layer_refs(response)
    assert served.by("FeatureCollection")[0] == "default"


def test_a_stopped_replica_is_skipped_and_used_again_when_back(world, report, replica):
    issue = report()
    replica.stop()
    started = time.monotonic()
    response, served = request_watched(APIClient().get, LAYER)
    assert issue.ref in layer_refs(response)
    assert served.by("FeatureCollection")[0] == "default"
    assert time.monotonic() - started < 5  # skipped quickly, not after a long connect timeout

    replica.start(fast_unsafe=True)
    wait_until_replayed()
    response, served = request_watched(APIClient().get, LAYER)
    assert issue.ref in layer_refs(response)
    assert served.by("FeatureCollection")[0] == REPLICA_DB_ALIAS


def test_transactions_and_accounts_always_read_the_primary(world, replica):
    router = ReplicaRouter()
    with replica_reads():
        assert reading_alias() == REPLICA_DB_ALIAS
        assert router.db_for_read(Issue) == REPLICA_DB_ALIAS
        assert router.db_for_read(User) == "default"  # who is signed in, with which role: always current
        with transaction.atomic():
            assert reading_alias() == "default"
            assert router.db_for_read(Issue) == "default"
    assert reading_alias() == "default"  # outside a marked request or block
    assert router.db_for_write(Issue) == "default"
