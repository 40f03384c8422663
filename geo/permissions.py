"""Who may change the outage layer. Pages, the API and the services all ask these functions.

Dispatchers (the city's duty officers) manage every outage; a provider's own staff manage their
organisation's outages only (the water utility's staff publish water outages, not the grid's).
Leadership reads and changes nothing; citizens and anonymous visitors only read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.roles import user_executor, user_is_dispatcher
from geo.models import OutageKindGrant

if TYPE_CHECKING:
    from accounts.models import Executor, User


def user_can_manage_outages(user: User) -> bool:
    """Whether the user may open the outage desk at all: dispatchers and any executor's staff."""
    return user_is_dispatcher(user) or user_executor(user) is not None


def provider_may_publish_kind(*, provider: Executor, kind: str) -> bool:
    """Whether the reference data grants this provider outages of this kind (geo.OutageKindGrant)."""
    return OutageKindGrant.objects.filter(executor=provider, kind=kind).exists()


def user_can_manage_outages_of(user: User, *, provider: Executor, kind: str | None = None) -> bool:
    """Whether the user may publish, extend, edit or close an outage of this provider (and, given a
    kind, of that kind: a provider's staff only for the kinds their organisation is granted)."""
    if user_is_dispatcher(user):
        return True
    executor = user_executor(user)
    if executor is None or executor.pk != provider.pk:
        return False
    return kind is None or provider_may_publish_kind(provider=provider, kind=kind)
