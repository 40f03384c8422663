"""The Open311 listing without extensions is built from plain values (queries.open311_request_rows,
represent.service_requests_from_rows); it must say exactly what the object-by-object representation
says, field for field, in both languages, and cost the same few queries whatever the page size."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from issues.models import Issue
from issues.rules.transitions import Action
from issues.services import TransitionInput, issue_transition
from media_store.services import media_intake
from open311 import queries, represent
from open311.params import RequestFilters
from tests.factories import OutageFactory
from tests.world import TUESDAY_10

pytestmark = pytest.mark.django_db


def absolute(path: str) -> str:
    return f"https://city.example{path}"


@pytest.fixture
def city(world, report, settings, tmp_path):
    """Issues of every shape a request object shows: routed, unrouted, rejected with a note, with a
    report photo, inside an outage still on and one already over."""
    from tests.media_store.media import image_bytes

    settings.MEDIA_ROOT = str(tmp_path / "media")
    asset = media_intake(
        uploaded_file=SimpleUploadedFile("a.jpg", image_bytes(), content_type="image/jpeg"), uploaded_by=world.citizen
    ).asset
    routed = report()
    report(category=world.manhole, media=[asset], now=TUESDAY_10 + datetime.timedelta(minutes=1))
    rejected = report(category=world.manhole, now=TUESDAY_10 + datetime.timedelta(minutes=2))
    issue_transition(
        issue=rejected,
        actor=world.water_staff,
        action=Action.REJECT,
        data=TransitionInput(note="Люк належить залізниці"),
        now=TUESDAY_10 + datetime.timedelta(hours=1),
    )
    on, over = OutageFactory(provider=world.water), OutageFactory(provider=world.water)
    over.ended_at = timezone.now()
    over.save()
    Issue.objects.filter(pk=routed.pk).update(outage=on)
    in_the_past = report(now=TUESDAY_10 + datetime.timedelta(minutes=3))
    Issue.objects.filter(pk=in_the_past.pk).update(outage=over)
    return world


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_lean_listing_says_what_the_full_representation_says(city, language):
    filters = RequestFilters(page_size=10)
    with translation.override(language):
        issues, more = queries.open311_requests(filters=filters)
        expected = [represent.service_request(issue, absolute=absolute) for issue in issues]
        rows, lean_more = queries.open311_request_rows(filters=filters)
        lean = represent.service_requests_from_rows(rows, absolute=absolute)
    assert len(lean) == 4 and (lean_more, more) == (False, False)
    assert lean == expected
    assert [list(request) for request in lean] == [list(request) for request in expected]  # the key order too
    assert {request["service_notice"] is not None for request in lean} == {True, False}
    assert any(request["media_url"] for request in lean)


def test_the_lean_listing_costs_the_same_queries_for_a_bigger_page(city, report):
    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            rows, _more = queries.open311_request_rows(filters=RequestFilters(page_size=100))
            represent.service_requests_from_rows(rows, absolute=absolute)
        return len(captured.captured_queries)

    before = queries_for_page()
    for minute in range(10, 16):
        report(where=city.inside_east, now=TUESDAY_10 + datetime.timedelta(minutes=minute))
    assert queries_for_page() == before <= 3
