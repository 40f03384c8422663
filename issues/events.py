"""The declared shape of each event kind's `data`: the contract between the code that writes events
(the services) and the code that reads them back (pages and e-mails through issues.presentation,
the dashboard's SQL, Open311's updates).

Events are append-only and kept for years, so a shape only grows: a new field is optional, a field
is never renamed, and readers ignore keys they do not know. A shape with a fixed set of keys stores
them all (None as null); one whose keys depend on the action leaves out the Nones (OMIT_NONE).
Writers build a payload class and store `payload.as_json()`; readers call `event_payload(event)`.
The dashboard's SQL reads keys by name; tests/issues/test_event_payloads.py checks that every key
it reads is a key declared here.

Plain Python: no ORM, no request. Kinds are the values of issues.models.IssueEventKind.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar, Self


@dataclass(frozen=True)
class EventPayload:
    """Base of the payloads. `KINDS` are the event kinds that carry this shape."""

    KINDS: ClassVar[tuple[str, ...]] = ()
    # Stored JSON keys that differ from the Python field name (a key that is a Python keyword).
    KEYS: ClassVar[dict[str, str]] = {}
    # Leave the fields that are None out of the stored JSON.
    OMIT_NONE: ClassVar[bool] = False

    def as_json(self) -> dict[str, Any]:
        """The payload as the event's JSON (without the fields that are None, where OMIT_NONE)."""
        stored = {}
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if value is None and self.OMIT_NONE:
                continue
            if isinstance(value, EventPayload):
                value = value.as_json()
            stored[self.KEYS.get(item.name, item.name)] = value
        return stored

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Self:
        """The payload read back from an event's JSON. Unknown keys (from a newer writer) are ignored;
        a missing key reads as None, so a page never fails on an old or hand-written event."""
        data = data or {}
        values = {}
        for item in dataclasses.fields(cls):
            key = cls.KEYS.get(item.name, item.name)
            if key not in data:
                if item.default is dataclasses.MISSING and item.default_factory is dataclasses.MISSING:
                    values[item.name] = None
                continue
            value = data[key]
            nested = NESTED.get((cls, item.name))
            values[item.name] = nested.from_json(value) if nested and value is not None else value
        return cls(**values)

    # The names an event refers to by code or id, which its summary shows in words (loaded in one
    # query per kind of name for a whole timeline: issues.presentation.EventNames).
    def executor_codes(self) -> tuple[str, ...]:
        return ()

    def category_codes(self) -> tuple[str, ...]:
        return ()

    def budget_project_ids(self) -> tuple[int, ...]:
        return ()

    @classmethod
    def json_keys(cls) -> frozenset[str]:
        """Every key this shape may store."""
        return frozenset(cls.KEYS.get(item.name, item.name) for item in dataclasses.fields(cls))


@dataclass(frozen=True)
class Deadlines(EventPayload):
    """The stored deadlines an action set, as UTC ISO 8601 (None where there is none)."""

    response_due_at: str | None = None
    resolve_due_at: str | None = None


@dataclass(frozen=True)
class Created(EventPayload):
    KINDS = ("created",)

    source: str | None = None
    # Reported from an account whose e-mail is not confirmed yet: routed once it is.
    held_for_email_confirmation: bool | None = None


@dataclass(frozen=True)
class StatusChanged(EventPayload):
    """A status change by issues.services.lifecycle.issue_transition."""

    KINDS = ("routed", "reassigned", "status_changed", "merged")
    OMIT_NONE = True

    action: str  # issues.rules.transitions.Action
    executor: str | None = None  # the executor's code given the issue (route, reassign)
    from_executor: str | None = None  # the executor's code that had it (reassign, hand back)
    routing: dict | None = None  # why the rule chose the executor (issues.rules.routing)
    promised_date: str | None = None  # ISO date (accept, plan)
    budget_project_id: int | None = None  # plan
    duplicate_of: str | None = None  # the original's reference (merge)
    followers_moved: int | None = None  # merge
    deadlines: Deadlines | None = None  # the actions that set deadlines (lifecycle.DEADLINE_SETTING_ACTIONS)
    # The platform's own steps say why, as a code that pages turn into words:
    # "outage_closed", "confirmation_timeout", "converted_to_appeal" (a dispatcher's rejection: the
    # report became a written appeal, appeals.conversion; the appeal's number is not public)
    reason: str | None = None
    outage_id: int | None = None  # outage_closed
    kind: str | None = None  # outage_closed: the outage's kind
    days: int | None = None  # confirmation_timeout: the confirmation window

    def executor_codes(self) -> tuple[str, ...]:
        return (self.executor,) if self.executor else ()

    def budget_project_ids(self) -> tuple[int, ...]:
        return (self.budget_project_id,) if self.budget_project_id else ()


@dataclass(frozen=True)
class CategoryChanged(EventPayload):
    KINDS = ("category_changed",)
    KEYS = {"from_code": "from", "to_code": "to"}
    OMIT_NONE = True  # the dashboard asks `data ? 'deadlines'`: the key exists only when they changed

    from_code: str
    to_code: str
    deadlines: Deadlines | None = None  # when the new policy changed running deadlines

    def category_codes(self) -> tuple[str, ...]:
        return (self.from_code, self.to_code)


@dataclass(frozen=True)
class SlaBreached(EventPayload):
    KINDS = ("sla_breached",)

    deadline: str  # issues.rules.clocks.DeadlineKind
    due_at: str  # UTC ISO 8601
    executor: str


@dataclass(frozen=True)
class Escalated(EventPayload):
    KINDS = ("escalated",)

    deadline: str
    executor: str
    supervisor: str | None = None
    dispatchers: bool = True

    def executor_codes(self) -> tuple[str, ...]:
        return (self.supervisor,) if self.supervisor else ()


@dataclass(frozen=True)
class DuplicateFlagged(EventPayload):
    KINDS = ("duplicate_flagged",)

    refs: list[str] = dataclasses.field(default_factory=list)
    distances_m: list[float] = dataclasses.field(default_factory=list)


@dataclass(frozen=True)
class MediaAdded(EventPayload):
    KINDS = ("media_added",)

    role: str
    media: list[str] = dataclasses.field(default_factory=list)  # the assets' public ids


@dataclass(frozen=True)
class OutageLinked(EventPayload):
    KINDS = ("outage_linked",)

    outage_id: int
    kind: str
    provider: str
    expected_end_at: str | None = None


@dataclass(frozen=True)
class Corrected(EventPayload):
    """A staff correction: each changed field as {"old": …, "new": …} (points as [lon, lat], the
    district by code, the outage by id). Built by issues.rules.corrections.CorrectionRecord."""

    KINDS = ("corrected",)
    OMIT_NONE = True

    point: dict | None = None
    description: dict | None = None
    address: dict | None = None
    district: dict | None = None
    outage: dict | None = None


@dataclass(frozen=True)
class NoData(EventPayload):
    """Kinds whose whole story is the event's own columns (actor, note)."""

    KINDS = ("comment", "hidden", "shown", "supported")


PAYLOADS: tuple[type[EventPayload], ...] = (
    Created,
    StatusChanged,
    CategoryChanged,
    SlaBreached,
    Escalated,
    DuplicateFlagged,
    MediaAdded,
    OutageLinked,
    Corrected,
    NoData,
)
PAYLOAD_FOR_KIND: dict[str, type[EventPayload]] = {kind: payload for payload in PAYLOADS for kind in payload.KINDS}
# Fields holding a nested shape: (payload class, field name) → the nested class.
NESTED: dict[tuple[type[EventPayload], str], type[EventPayload]] = {
    (StatusChanged, "deadlines"): Deadlines,
    (CategoryChanged, "deadlines"): Deadlines,
}


def payload_for(*, kind: str, data: dict[str, Any] | None) -> EventPayload:
    """An event's data as its declared shape."""
    return PAYLOAD_FOR_KIND[kind].from_json(data)
