"""Writes about issues. Views and the API call these; nothing else changes issues."""

from issues.services.lifecycle import TransitionInput, issue_recompute_deadlines, issue_transition
from issues.services.reporting import ReportResult, issue_create, issue_next_ref, issue_route, issue_route_decision

__all__ = [
    "ReportResult",
    "TransitionInput",
    "issue_create",
    "issue_next_ref",
    "issue_recompute_deadlines",
    "issue_route",
    "issue_route_decision",
    "issue_transition",
]
