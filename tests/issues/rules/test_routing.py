"""The routing resolver: priority, then the smallest area, then the oldest rule; validity dates."""

import datetime

from issues.rules.routing import RuleCandidate, resolve_route, rule_in_force

DAY = datetime.date(2026, 12, 1)


def rule(rule_id, executor, priority=0, area=None, scope="community", **kwargs):
    return RuleCandidate(rule_id, rule_id * 10, executor, priority, area, scope, **kwargs)


def test_no_candidates_leaves_it_to_the_dispatcher():
    assert resolve_route([], on=DAY) is None


def test_a_single_rule_wins_with_its_reason():
    decision = resolve_route([rule(1, "roads")], on=DAY)
    assert (decision.rule_id, decision.executor_id, decision.executor_code) == (1, 10, "roads")
    assert decision.reason == {
        "rule_id": 1,
        "scope": "community",
        "priority": 0,
        "area_m2": None,
        "candidates": 1,
        "in_force": 1,
        "outranked": [],
    }


def test_the_smaller_area_beats_the_whole_community():
    city_wide = rule(1, "lighting")
    village = rule(2, "electricity", area=4_000_000.4, scope="district:stebnyk")
    decision = resolve_route([city_wide, village], on=DAY)
    assert decision.executor_code == "electricity"
    assert decision.reason["area_m2"] == 4_000_000
    assert decision.reason["outranked"] == [1]


def test_explicit_priority_beats_a_smaller_area():
    decision = resolve_route([rule(1, "water", priority=5), rule(2, "housing", area=100.0, scope="area")], on=DAY)
    assert decision.executor_code == "water"


def test_among_equals_the_oldest_rule_wins_whatever_the_order():
    candidates = [rule(7, "b", area=50.0), rule(3, "a", area=50.0)]
    assert resolve_route(candidates, on=DAY).rule_id == 3
    assert resolve_route(list(reversed(candidates)), on=DAY).rule_id == 3


def test_rules_out_of_force_are_ignored():
    expired = rule(1, "old", priority=9, valid_until=datetime.date(2026, 11, 30))
    future = rule(2, "new", priority=9, valid_from=datetime.date(2026, 12, 2))
    inactive = rule(3, "off", priority=9, is_active=False)
    current = rule(4, "current")
    decision = resolve_route([expired, future, inactive, current], on=DAY)
    assert decision.executor_code == "current"
    assert decision.reason["candidates"] == 4 and decision.reason["in_force"] == 1


def test_validity_bounds_are_inclusive():
    bounded = rule(1, "x", valid_from=DAY, valid_until=DAY)
    assert rule_in_force(bounded, DAY)
    assert not rule_in_force(bounded, DAY + datetime.timedelta(days=1))
    assert not rule_in_force(bounded, DAY - datetime.timedelta(days=1))


def test_only_expired_rules_leave_it_unrouted():
    assert resolve_route([rule(1, "old", valid_until=datetime.date(2020, 1, 1))], on=DAY) is None
