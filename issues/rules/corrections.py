"""Staff corrections of an issue: which fields a correction really changes, and the shape of the
`corrected` event that records it.

The correction service (issues.services.corrections) writes a CorrectionRecord into the event's
data; the timeline (issues.presentation) reads it back with CorrectionRecord.from_data. Both go
through this one class, so writer and reader cannot drift apart. Plain Python: values arrive here
already in their recorded form (a point as [lon, lat], text stripped, a district as its code).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from issues.events import Corrected

# What staff may correct directly, in the order the record lists them. The category is corrected
# too, but through issues.services.moderation.issue_change_category, which writes its own public
# `category_changed` event (citizens see the category, so they see it change).
CORRECTABLE_FIELDS = ("point", "description", "address")
# What follows from a moved point: the district it falls in, and the outage link when the point
# left the outage's area.
DERIVED_FIELDS = ("district", "outage")


@dataclass(frozen=True)
class FieldChange:
    """One field's value before and after a correction, as recorded (JSON-ready)."""

    old: object
    new: object


@dataclass(frozen=True)
class CorrectionRecord:
    """What a correction changed: field name → FieldChange, correctable fields first, then the
    derived ones, each in declaration order. Stored as the `corrected` event's data:
    {"point": {"old": [lon, lat], "new": [lon, lat]}, "district": {"old": "west", "new": "east"}}."""

    changes: dict[str, FieldChange]

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(self.changes)

    def to_data(self) -> dict:
        """The event's data, in the declared shape of a `corrected` event (issues.events.Corrected)."""
        return Corrected(
            **{name: {"old": change.old, "new": change.new} for name, change in self.changes.items()}
        ).as_json()

    @classmethod
    def from_data(cls, data: Mapping) -> CorrectionRecord:
        """Read an event's data back (unknown keys are ignored, the order is the declared one)."""
        return cls(
            {
                name: FieldChange(old=data[name].get("old"), new=data[name].get("new"))
                for name in (*CORRECTABLE_FIELDS, *DERIVED_FIELDS)
                if isinstance(data.get(name), Mapping)
            }
        )


def correction_changes(*, current: Mapping[str, object], proposed: Mapping[str, object]) -> dict[str, FieldChange]:
    """The proposed values that differ from the current ones, in CORRECTABLE_FIELDS order.

    A field missing from `proposed`, or proposed as None, is not being corrected. Values compare
    exactly: callers pass them in recorded form (a point as [lon, lat], text already stripped)."""
    unknown = set(proposed) - set(CORRECTABLE_FIELDS)
    if unknown:
        raise ValueError(f"not correctable: {sorted(unknown)}")
    return {
        name: FieldChange(old=current[name], new=proposed[name])
        for name in CORRECTABLE_FIELDS
        if proposed.get(name) is not None and proposed[name] != current[name]
    }
