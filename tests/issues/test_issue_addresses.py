"""Every issue has a human-readable location: the gazetteer names a pin nobody described, on every
channel, and `opencity_fill_addresses` names the issues made before it, a batch per query."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from issues.models import Issue
from issues.services import issue_create
from issues.services.reporting import issues_fill_addresses
from tests.factories import CENTRE_LAT, CENTRE_LON, point
from tests.gazetteer import NEAR_STRYISKA_9, NEAR_STRYISKA_LINE, gazetteer_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def gazetteer(world):
    gazetteer_make()


def make(world, where, address=""):
    return issue_create(
        reporter=world.citizen, category=world.pothole, description="Яма", point=point(*where), address=address
    ).issue


def test_a_report_without_an_address_gets_the_nearest_one(world, gazetteer):
    assert make(world, NEAR_STRYISKA_9).address == "вул. Стрийська, 9"
    assert make(world, NEAR_STRYISKA_LINE).address == "біля вул. Стрийська, Східний"


def test_a_typed_address_is_kept(world, gazetteer):
    assert make(world, NEAR_STRYISKA_9, address="  під мостом ").address == "під мостом"


def test_without_a_gazetteer_the_district_or_the_coordinates_name_it(world):
    assert make(world, NEAR_STRYISKA_9).address == "біля Східний"
    # Inside the community, outside every district.
    assert make(world, (CENTRE_LON + 0.08, CENTRE_LAT)).address == f"{CENTRE_LAT:.5f}, {CENTRE_LON + 0.08:.5f}"


def test_the_stored_address_is_in_ukrainian_whatever_the_readers_language(world, gazetteer):
    with translation.override("en"):
        assert make(world, NEAR_STRYISKA_9).address == "вул. Стрийська, 9"


def test_filling_names_every_issue_without_an_address_in_batches(world, gazetteer, django_assert_max_num_queries):
    first = make(world, NEAR_STRYISKA_9, address="мій двір")
    empties = [make(world, where) for where in (NEAR_STRYISKA_9, NEAR_STRYISKA_LINE, NEAR_STRYISKA_9)]
    Issue.objects.filter(pk__in=[issue.pk for issue in empties]).update(address="")
    # 2 issues a batch: 2 batches of (select, name, update) and a last empty select.
    with django_assert_max_num_queries(9):
        assert issues_fill_addresses(batch_size=2) == 3
    assert Issue.objects.get(pk=first.pk).address == "мій двір"
    assert [Issue.objects.get(pk=issue.pk).address for issue in empties] == [
        "вул. Стрийська, 9",
        "біля вул. Стрийська, Східний",
        "вул. Стрийська, 9",
    ]
    out = StringIO()
    call_command("opencity_fill_addresses", stdout=out)
    assert out.getvalue() == "0 issue(s) got an address.\n"


def test_open311_and_the_api_never_answer_a_null_address(world, report, client):
    issue = report()
    Issue.objects.filter(pk=issue.pk).update(address="")  # one made before the gazetteer, not filled yet
    body = client.get("/open311/v2/requests.json").json()
    assert [row["address"] for row in body] == [""]
    detail = client.get(f"/api/v1/issues/{issue.ref}/").json()
    assert detail["address"] == ""
