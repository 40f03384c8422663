"""Who may see the dashboard: the mayor's office (leadership) and the dispatchers."""

from __future__ import annotations

from accounts.roles import user_is_dispatcher, user_is_leadership


def user_may_see_dashboard(user) -> bool:
    """Leadership and dispatchers read the dashboard, its exports and its API; nobody else."""
    return user_is_leadership(user) or user_is_dispatcher(user)
