"""The routing resolver: which executor gets an issue, and why.

The database narrows the rules to those of the issue's category whose area covers the point (a
spatial question PostGIS answers); this module decides among them: active on the day, then the
highest priority, then the smallest area (a district beats the whole community), then the oldest
rule, so the same inputs always give the same answer.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass


@dataclass(frozen=True)
class RuleCandidate:
    rule_id: int
    executor_id: int
    executor_code: str
    priority: int
    area_m2: float | None  # None: the rule has no area and covers the whole community
    scope: str  # "community", "district:<code>" or "area"
    is_active: bool = True
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None


@dataclass(frozen=True)
class RoutingDecision:
    rule_id: int
    executor_id: int
    executor_code: str
    reason: dict  # stored in the `routed` event: "why did this go to them?"


def rule_in_force(candidate: RuleCandidate, on: datetime.date) -> bool:
    """Whether the rule is active and within its validity dates on the given day."""
    if not candidate.is_active:
        return False
    if candidate.valid_from is not None and on < candidate.valid_from:
        return False
    return not (candidate.valid_until is not None and on > candidate.valid_until)


def _rank(candidate: RuleCandidate) -> tuple:
    area = candidate.area_m2 if candidate.area_m2 is not None else math.inf
    return (-candidate.priority, area, candidate.rule_id)


def resolve_route(candidates: list[RuleCandidate], *, on: datetime.date) -> RoutingDecision | None:
    """Pick the winning rule among those covering the point, or None (the dispatcher decides)."""
    in_force = sorted((c for c in candidates if rule_in_force(c, on)), key=_rank)
    if not in_force:
        return None
    winner = in_force[0]
    reason = {
        "rule_id": winner.rule_id,
        "scope": winner.scope,
        "priority": winner.priority,
        "area_m2": None if winner.area_m2 is None else round(winner.area_m2),
        "candidates": len(candidates),
        "in_force": len(in_force),
        "outranked": [c.rule_id for c in in_force[1:]],
    }
    return RoutingDecision(winner.rule_id, winner.executor_id, winner.executor_code, reason)
