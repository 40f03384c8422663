"""Reports held for an e-mail confirmation.

A report by someone who has not confirmed their e-mail address yet is stored but not routed: it
waits, new, in the dispatcher's queue, and goes on once the address is confirmed. The reporting
service holds reports by this rule (report_held_for_confirmation) and the issue's reader is told
by it (issues.selectors.issue_held_for_confirmation), so the two cannot disagree.
"""

from __future__ import annotations

from issues.rules.transitions import Status


def report_waiting_for_confirmation(*, status: str, reporter_confirmed: bool) -> bool:
    """Whether a report still waits for its reporter's e-mail confirmation: it is new (nobody has
    routed, rejected or merged it) and the reporter's address is not confirmed."""
    return status == Status.NEW and not reporter_confirmed
