"""Event data has a declared shape (issues.events) that the writers use and the readers rely on:
every kind has one, what the services write fits it, and every key the dashboard's SQL reads is a
key some shape declares."""

import datetime
import re
from pathlib import Path

import pytest

from issues.events import (
    PAYLOAD_FOR_KIND,
    PAYLOADS,
    CategoryChanged,
    Corrected,
    Deadlines,
    StatusChanged,
    payload_for,
)
from issues.models import IssueEvent, IssueEventKind
from issues.rules.corrections import CORRECTABLE_FIELDS, DERIVED_FIELDS, CorrectionRecord, FieldChange
from issues.services import TransitionInput, issue_transition
from issues.services.moderation import issue_change_category, issue_comment, issue_set_hidden
from issues.services.sla import sla_sweep
from tests.world import kyiv

ROOT = Path(__file__).resolve().parents[2]


def test_every_event_kind_has_exactly_one_shape():
    assert set(PAYLOAD_FOR_KIND) == set(IssueEventKind.values)
    assert sum(len(payload.KINDS) for payload in PAYLOADS) == len(IssueEventKind.values)


def test_a_payload_survives_the_round_trip():
    due = "2026-12-02T08:00:00+00:00"
    change = StatusChanged(action="route", executor="roads", deadlines=Deadlines(response_due_at=due))
    stored = change.as_json()
    assert stored == {
        "action": "route",
        "executor": "roads",
        "deadlines": {"response_due_at": due, "resolve_due_at": None},
    }
    assert StatusChanged.from_json(stored) == change
    moved = CategoryChanged(from_code="pothole", to_code="manhole")
    assert moved.as_json() == {"from": "pothole", "to": "manhole"}
    assert CategoryChanged.from_json({"from": "pothole", "to": "manhole", "added_later": 1}) == moved


def test_a_writer_cannot_store_a_key_the_shape_does_not_declare():
    with pytest.raises(TypeError):
        StatusChanged(action="resolve", undeclared="x")


def _keys_read_by(sql_text: str) -> set[str]:
    """Keys read from JSON in SQL: data->>'k', data->'k', data ? 'k', and ->>'k' on a nested object."""
    return set(re.findall(r"->>?\s*'([a-z_]+)'", sql_text)) | set(re.findall(r"data \? '([a-z_]+)'", sql_text))


def test_every_key_the_dashboard_sql_reads_is_declared():
    declared = set().union(*(payload.json_keys() for payload in PAYLOADS), Deadlines.json_keys())
    read = _keys_read_by((ROOT / "dashboard" / "sql.py").read_text(encoding="utf-8"))
    # Keys read from other JSON than event data (the labels given as a parameter) are not events'.
    read -= {"sector", "status"}
    assert read, "the dashboard reads event data by key"
    assert read <= declared, f"read but never declared: {sorted(read - declared)}"
    # And the ones it reads are in the shapes of the kinds it reads them from.
    assert {"action", "executor", "deadlines"} <= StatusChanged.json_keys()
    assert {"response_due_at", "resolve_due_at"} == Deadlines.json_keys()


@pytest.mark.django_db
@pytest.mark.usefixtures("immediate_tasks")
def test_what_the_services_write_fits_the_declared_shapes(world, report, django_capture_on_commit_callbacks):
    """A whole life through the real services; every stored event must parse with no stray key."""
    day = datetime.date(2026, 12, 4)
    first = report()
    second = report(where=world.inside_east)
    act = lambda issue, actor, action, at, **data: issue_transition(  # noqa: E731
        issue=issue, actor=actor, action=action, data=TransitionInput(**data), now=at
    )
    act(first, world.roads_staff, "plan", kyiv(2026, 12, 1, 11, 0), promised_date=day)
    act(first, world.roads_staff, "resume", kyiv(2026, 12, 1, 12, 0))
    act(first, world.roads_staff, "resolve", kyiv(2026, 12, 1, 13, 0), note="Готово")
    act(first, world.citizen, "dispute", kyiv(2026, 12, 1, 14, 0), note="Ні")
    act(first, world.dispatcher, "reassign", kyiv(2026, 12, 1, 15, 0), executor=world.housing)
    issue_comment(issue=first, actor=world.dispatcher, note="Перевірте", is_public=False)
    issue_change_category(issue=first, actor=world.dispatcher, category=world.manhole)
    issue_set_hidden(issue=second, actor=world.dispatcher, hidden=True, note="Особисті дані")
    act(second, world.dispatcher, "merge", kyiv(2026, 12, 1, 16, 0), duplicate_of=first)
    with django_capture_on_commit_callbacks(execute=True):
        sla_sweep(now=kyiv(2026, 12, 20, 10, 0))
    events = list(IssueEvent.objects.all())
    kinds = {event.kind for event in events}
    assert {
        "created",
        "routed",
        "status_changed",
        "reassigned",
        "comment",
        "category_changed",
        "hidden",
        "merged",
        "sla_breached",
        "escalated",
    } <= kinds
    for event in events:
        payload = payload_for(kind=event.kind, data=event.data)
        assert set(event.data) <= type(payload).json_keys(), (event.kind, event.data)
        assert payload.as_json() == event.data, (event.kind, event.data)


def test_the_correction_record_writes_the_declared_shape():
    assert set(CORRECTABLE_FIELDS + DERIVED_FIELDS) == Corrected.json_keys()
    record = CorrectionRecord({"address": FieldChange(old="вул. Стрийська, 10", new="вул. Стрийська, 12")})
    assert record.to_data() == {"address": {"old": "вул. Стрийська, 10", "new": "вул. Стрийська, 12"}}
    assert CorrectionRecord.from_data(record.to_data()) == record


def test_a_reader_gets_none_for_a_key_an_old_event_lacks():
    assert StatusChanged.from_json({"executor": "roads"}) == StatusChanged(action=None, executor="roads")
