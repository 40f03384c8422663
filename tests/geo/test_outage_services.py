"""Publishing, extending, updating and closing outages: who may, what is checked, what is written."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.utils import timezone, translation

from geo.models import Outage, OutageEvent, OutageKindGrant
from geo.services import outage_close, outage_extend, outage_publish, outage_update
from opencity.errors import Conflict, Forbidden, InvalidInput
from tests.factories import (
    CENTRE_LAT,
    CENTRE_LON,
    CommunityBoundaryFactory,
    DispatcherFactory,
    ExecutorFactory,
    LeadershipFactory,
    OutageFactory,
    StaffFactory,
    UserFactory,
    box,
    square,
)

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English here; the Ukrainian catalogue is checked elsewhere."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def community():
    return CommunityBoundaryFactory()


@pytest.fixture
def water():
    utility = ExecutorFactory(code="water", name_uk="Водоканал", name_en="Water utility")
    OutageKindGrant.objects.create(executor=utility, kind="water")
    return utility


@pytest.fixture
def actors(water):
    grid = ExecutorFactory(code="electricity")
    OutageKindGrant.objects.create(executor=grid, kind="electricity")
    return {
        "anonymous": AnonymousUser(),
        "citizen": UserFactory(username="citizen"),
        "provider_staff": StaffFactory(username="water-staff", executor=water),
        "other_executor_staff": StaffFactory(username="grid-staff", executor=grid),
        "dispatcher": DispatcherFactory(username="duty"),
        "leadership": LeadershipFactory(username="mayor"),
    }


ALLOWED = {"provider_staff", "dispatcher"}
ACTORS = ["anonymous", "citizen", "provider_staff", "other_executor_staff", "dispatcher", "leadership"]


def publish(actor, provider, **overrides):
    now = timezone.now()
    values = {
        "kind": "water",
        "nature": "planned",
        "area": square(half=0.004),
        "starts_at": now + 2 * HOUR,
        "expected_end_at": now + 6 * HOUR,
        "affected_streets": "вул. Стрийська, 1–57",
        "public_notes": "Заміна засувки.",
    }
    return outage_publish(actor=actor, provider=provider, **{**values, **overrides})


def snapshot(outage: Outage) -> tuple:
    outage.refresh_from_db()
    return (outage.expected_end_at, outage.ended_at, outage.affected_streets, outage.updated_at, outage.events.count())


# --- the permission matrix ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ACTORS)
def test_publish_permissions(who, actors, water):
    actor = actors[who]
    if who in ALLOWED:
        outage = publish(actor, water)
        assert outage.published_by == actor
        assert [e.kind for e in outage.events.all()] == ["published"]
    else:
        with pytest.raises(Forbidden) as refused:
            publish(actor, water)
        assert refused.value.code == "forbidden"
        assert Outage.objects.count() == 0
        assert OutageEvent.objects.count() == 0


@pytest.mark.parametrize("who", ACTORS)
def test_extend_permissions(who, actors, water):
    outage = OutageFactory(provider=water)
    before = snapshot(outage)
    new_end = outage.expected_end_at + 3 * HOUR
    if who in ALLOWED:
        extended = outage_extend(actor=actors[who], outage=outage, expected_end_at=new_end, note="Складний ремонт.")
        assert extended.expected_end_at == new_end
        assert [e.kind for e in outage.events.order_by("pk")] == ["published", "extended"]
    else:
        with pytest.raises(Forbidden):
            outage_extend(actor=actors[who], outage=outage, expected_end_at=new_end)
        assert snapshot(outage) == before


@pytest.mark.parametrize("who", ACTORS)
def test_close_permissions(who, actors, water):
    outage = OutageFactory(provider=water)
    before = snapshot(outage)
    if who in ALLOWED:
        closed = outage_close(actor=actors[who], outage=outage)
        assert closed.ended_at is not None
        assert [e.kind for e in outage.events.order_by("pk")] == ["published", "closed"]
    else:
        with pytest.raises(Forbidden):
            outage_close(actor=actors[who], outage=outage)
        assert snapshot(outage) == before


@pytest.mark.parametrize("who", ACTORS)
def test_update_permissions(who, actors, water):
    outage = OutageFactory(provider=water)
    before = snapshot(outage)
    args = {"area": outage.area, "affected_streets": "вул. Стрийська, 1–99", "public_notes": ""}
    if who in ALLOWED:
        outage_update(actor=actors[who], outage=outage, **args)
        outage.refresh_from_db()
        assert outage.affected_streets == "вул. Стрийська, 1–99"
    else:
        with pytest.raises(Forbidden):
            outage_update(actor=actors[who], outage=outage, **args)
        assert snapshot(outage) == before


def test_an_inactive_staff_account_cannot_act_for_its_organisation_as_dispatcher(actors, water):
    dispatcher = actors["dispatcher"]
    dispatcher.is_active = False
    dispatcher.save()
    with pytest.raises(Forbidden):
        publish(dispatcher, water)


# --- what publishing writes and checks --------------------------------------------------------------


def test_publish_writes_exact_values_and_an_event(actors, water):
    now = timezone.now()
    staff = actors["provider_staff"]
    outage = publish(
        staff,
        water,
        starts_at=now + HOUR,
        expected_end_at=now + 5 * HOUR,
        reference="  VK-2026-117 ",
        affected_streets="  вул. Стрийська, 1–57 ",
    )
    outage.refresh_from_db()
    assert (outage.kind, outage.nature, outage.provider, outage.reference) == ("water", "planned", water, "VK-2026-117")
    assert outage.affected_streets == "вул. Стрийська, 1–57"
    assert (outage.starts_at, outage.expected_end_at, outage.ended_at) == (now + HOUR, now + 5 * HOUR, None)
    assert outage.area.equals_exact(square(half=0.004), tolerance=1e-9)
    event = outage.events.get()
    assert (event.kind, event.actor, event.note) == ("published", staff, "Заміна засувки.")
    assert event.data == {"starts_at": (now + HOUR).isoformat(), "expected_end_at": (now + 5 * HOUR).isoformat()}


def test_a_polygon_is_stored_as_a_multipolygon(actors, water):
    outage = publish(actors["dispatcher"], water, area=square(half=0.004)[0])
    assert outage.area.geom_type == "MultiPolygon"


def test_an_emergency_may_have_no_expected_end_but_a_planned_outage_must(actors, water):
    emergency = publish(actors["dispatcher"], water, nature="emergency", expected_end_at=None)
    assert emergency.expected_end_at is None
    with pytest.raises(InvalidInput) as refused:
        publish(actors["dispatcher"], water, nature="planned", expected_end_at=None)
    assert refused.value.fields == {"expected_end_at": ["A planned outage needs its expected end."]}
    assert Outage.objects.count() == 1


def test_publish_reports_every_bad_field_at_once_and_writes_nothing(actors, water):
    now = timezone.now()
    with pytest.raises(InvalidInput) as refused:
        publish(
            actors["dispatcher"],
            water,
            kind="steam",
            nature="sometimes",
            area=None,
            starts_at=now,
            expected_end_at=now - HOUR,
        )
    assert set(refused.value.fields) == {"kind", "nature", "area", "expected_end_at"}
    assert refused.value.fields["expected_end_at"] == ["The expected end must be after the start."]
    assert Outage.objects.count() == 0
    assert OutageEvent.objects.count() == 0


def test_an_area_outside_the_community_or_self_crossing_is_refused(actors, water):
    lviv = box(24.0, 49.8, 24.05, 49.85)
    with pytest.raises(InvalidInput) as outside:
        publish(actors["dispatcher"], water, area=lviv)
    assert outside.value.fields == {"area": ["The area is outside the community's territory."]}
    bow_tie = MultiPolygon(
        Polygon(
            (
                (CENTRE_LON, CENTRE_LAT),
                (CENTRE_LON + 0.01, CENTRE_LAT + 0.01),
                (CENTRE_LON + 0.01, CENTRE_LAT),
                (CENTRE_LON, CENTRE_LAT + 0.01),
                (CENTRE_LON, CENTRE_LAT),
            )
        ),
        srid=4326,
    )
    with pytest.raises(InvalidInput) as crossing:
        publish(actors["dispatcher"], water, area=bow_tie)
    assert crossing.value.fields == {"area": ["The area's outline crosses itself; redraw it."]}
    assert Outage.objects.count() == 0


def test_a_reference_is_unique_per_provider(actors, water):
    publish(actors["dispatcher"], water, reference="VK-1")
    with pytest.raises(InvalidInput) as refused:
        publish(actors["dispatcher"], water, reference="VK-1")
    assert list(refused.value.fields) == ["reference"]
    grid = ExecutorFactory(code="grid")
    OutageKindGrant.objects.create(executor=grid, kind="water")
    publish(actors["dispatcher"], grid, reference="VK-1")  # another provider's numbering
    assert Outage.objects.count() == 2


# --- extend, update, close ------------------------------------------------------------------------------


def test_extend_must_move_the_end_later(actors, water):
    outage = OutageFactory(provider=water)
    before = snapshot(outage)
    with pytest.raises(InvalidInput) as refused:
        outage_extend(actor=actors["dispatcher"], outage=outage, expected_end_at=outage.expected_end_at)
    assert refused.value.fields == {"expected_end_at": ["The new expected end must be later than the current one."]}
    assert snapshot(outage) == before


def test_extend_gives_an_emergency_its_first_estimate_and_records_both_ends(actors, water):
    outage = OutageFactory(provider=water, expected_end_at=None)
    new_end = timezone.now() + 4 * HOUR
    outage_extend(actor=actors["provider_staff"], outage=outage, expected_end_at=new_end, note="Бригада на місці.")
    event = outage.events.order_by("pk").last()
    assert (event.kind, event.note) == ("extended", "Бригада на місці.")
    assert event.data == {"previous_expected_end_at": None, "expected_end_at": new_end.isoformat()}


def test_close_sets_the_actual_end_and_returns_the_outage(actors, water):
    outage = OutageFactory(provider=water)
    restored = timezone.now() - datetime.timedelta(minutes=20)
    closed = outage_close(actor=actors["provider_staff"], outage=outage, ended_at=restored, note="Воду подано.")
    assert isinstance(closed, Outage) and closed.pk == outage.pk
    assert closed.ended_at == restored
    assert list(Outage.objects.active_at(timezone.now())) == []
    event = closed.events.order_by("pk").last()
    assert (event.kind, event.note, event.data) == ("closed", "Воду подано.", {"ended_at": restored.isoformat()})


def test_close_refuses_a_future_end_or_one_before_the_start(actors, water):
    outage = OutageFactory(provider=water)
    before = snapshot(outage)
    with pytest.raises(InvalidInput) as future:
        outage_close(actor=actors["dispatcher"], outage=outage, ended_at=timezone.now() + HOUR)
    assert future.value.fields == {"ended_at": ["The actual end cannot be in the future."]}
    with pytest.raises(InvalidInput) as early:
        outage_close(actor=actors["dispatcher"], outage=outage, ended_at=outage.starts_at - HOUR)
    assert early.value.fields == {"ended_at": ["The actual end must be after the start."]}
    assert snapshot(outage) == before


def test_closing_an_outage_that_has_not_started_cancels_it(actors, water):
    outage = OutageFactory(provider=water, nature="planned", starts_at=timezone.now() + 5 * HOUR)
    closed = outage_close(actor=actors["dispatcher"], outage=outage)
    assert closed.state_at(timezone.now()) == "cancelled"
    assert closed.events.order_by("pk").last().kind == "cancelled"
    assert list(Outage.objects.active_or_upcoming(timezone.now())) == []


def test_a_closed_outage_cannot_be_closed_extended_or_edited_again(actors, water):
    outage = outage_close(actor=actors["dispatcher"], outage=OutageFactory(provider=water))
    before = snapshot(outage)
    with pytest.raises(Conflict):
        outage_close(actor=actors["dispatcher"], outage=outage)
    with pytest.raises(Conflict):
        outage_extend(actor=actors["dispatcher"], outage=outage, expected_end_at=timezone.now() + HOUR)
    with pytest.raises(Conflict):
        outage_update(actor=actors["dispatcher"], outage=outage, area=outage.area, affected_streets="", public_notes="")
    assert snapshot(outage) == before


def test_update_without_changes_writes_no_event(actors, water):
    outage = OutageFactory(provider=water, public_notes="")
    outage_update(
        actor=actors["dispatcher"],
        outage=outage,
        area=outage.area,
        affected_streets=outage.affected_streets,
        public_notes="",
    )
    assert [e.kind for e in outage.events.all()] == ["published"]
    outage_update(
        actor=actors["dispatcher"], outage=outage, area=square(half=0.006), affected_streets="x", public_notes=""
    )
    event = outage.events.order_by("pk").last()
    assert (event.kind, event.data) == ("updated", {"fields": ["area", "affected_streets"]})


def test_refusals_speak_ukrainian_by_default(actors, water):
    with translation.override("uk"):
        with pytest.raises(InvalidInput) as refused:
            publish(actors["dispatcher"], water, nature="planned", expected_end_at=None)
        message = str(refused.value.fields["expected_end_at"][0])
    assert message == "Для планового відключення потрібне орієнтовне завершення."
