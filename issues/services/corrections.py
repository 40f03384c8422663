"""Staff corrections of an issue's location, text and category.

The admin, like any other client, corrects an issue through issue_correct and never writes the row
itself. A moved point is treated the way the report would have been had it been put there: its
district is found again, a `new` issue is routed again by the rules, and its outage link is
checked again. Who is already responsible for an issue stays so: the dispatcher reassigns it.
"""

from __future__ import annotations

import datetime

from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from geo.models import Outage
from geo.selectors import district_at
from issues.models import Category, Issue, IssueEvent, IssueEventKind, IssueStatus
from issues.rules.corrections import CorrectionRecord, FieldChange, correction_changes
from issues.services.moderation import issue_change_category, require_corrector
from issues.services.outages import issue_link_outage
from issues.services.reporting import (
    issue_route,
    report_held_for_confirmation,
    report_location_errors,
    report_text_errors,
)
from opencity.errors import InvalidInput


def _coordinates(point: Point) -> list[float]:
    """A WGS84 point as recorded in events: [lon, lat]."""
    return [point.x, point.y]


def _check(*, changes: dict[str, FieldChange], point: Point | None) -> None:
    """Refuse corrected values that a report would be refused for (only the changed fields)."""
    errors = report_text_errors(
        description=changes["description"].new if "description" in changes else None,
        address=changes["address"].new if "address" in changes else None,
    )
    if "point" in changes and (problems := report_location_errors(point=point)):
        errors["point"] = problems
    if errors:
        code = "outside_community" if list(errors) == ["point"] else "invalid"
        raise InvalidInput(_("The correction cannot be saved."), code=code, fields=errors)


def issue_correct(
    *,
    issue: Issue,
    actor: User,
    point: Point | None = None,
    description: str | None = None,
    address: str | None = None,
    category: Category | None = None,
    now: datetime.datetime | None = None,
) -> Issue:
    """Correct an issue's location, description, address or category (None: leave it as it is).

    Saves only what really changes and records it in one internal `corrected` event (old and new
    values); a new category goes through issue_change_category and its public event. Nothing to
    change: no save, no event. Raises Forbidden (not a dispatcher or administrator) or InvalidInput
    (code `outside_community` for a point outside the boundary); a refused correction changes nothing.
    """
    require_corrector(actor)
    now = now or timezone.now()
    if point is not None and point.srid != 4326:
        point = point.transform(4326, clone=True)
    proposed = {
        "point": _coordinates(point) if point is not None else None,
        "description": description.strip() if description is not None else None,
        "address": address.strip() if address is not None else None,
    }
    with transaction.atomic():
        locked = (
            Issue.objects.select_for_update(of=("self",))
            .select_related("category", "district", "reporter")
            .get(pk=issue.pk)
        )
        current = {"point": _coordinates(locked.point), "description": locked.description, "address": locked.address}
        changes = correction_changes(current=current, proposed=proposed)
        _check(changes=changes, point=point)
        recategorise = category is not None and category.pk != locked.category_id
        if not changes and not recategorise:
            return locked
        if changes:
            _record_correction(issue=locked, actor=actor, changes=changes, point=point, now=now)
        if recategorise:
            # Routes a `new` issue again itself, by the new category at the (corrected) point.
            locked = issue_change_category(issue=locked, actor=actor, category=category, now=now)
        if "point" in changes:
            held = report_held_for_confirmation(reporter=locked.reporter)
            if locked.status == IssueStatus.NEW and not recategorise and not held:
                locked = issue_route(issue=locked, now=now)
            if locked.is_open and locked.outage_id is None:
                issue_link_outage(issue=locked, now=now)
    return locked


def _record_correction(
    *, issue: Issue, actor: User, changes: dict[str, FieldChange], point: Point | None, now: datetime.datetime
) -> None:
    """Apply the changed fields and what follows from a moved point to the locked issue, save just
    those columns, and write the `corrected` event."""
    record = dict(changes)
    if "point" in changes:
        issue.point = point
        district = district_at(point=point)
        if district != issue.district:
            record["district"] = FieldChange(
                old=issue.district.code if issue.district else None, new=district.code if district else None
            )
            issue.district = district
        # Outside its outage's area the issue must not be resolved when that outage ends. A closed
        # issue keeps its link: it is the record of why it was resolved.
        if issue.is_open and issue.outage_id is not None:
            if not Outage.objects.filter(pk=issue.outage_id).covering(point).exists():
                record["outage"] = FieldChange(old=issue.outage_id, new=None)
                issue.outage = None
    if "description" in changes:
        issue.description = changes["description"].new
    if "address" in changes:
        issue.address = changes["address"].new
    issue.updated_at = now
    issue.save(update_fields=[*record, "updated_at"])
    IssueEvent.objects.create(
        issue=issue,
        kind=IssueEventKind.CORRECTED,
        at=now,
        actor=actor,
        # Internal: a corrected description often removes what must not be public (a phone
        # number, a name), and the old value is kept here.
        is_public=False,
        data=CorrectionRecord(record).to_data(),
    )
