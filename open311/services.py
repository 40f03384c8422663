"""Writes through Open311: a POSTed request becomes an issue exactly like a report from the map.

The reporting service does the work (validation, the extra questions, routing, deadlines, rate
limits, notifications); this only adds the record of how it came in, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.gis.geos import Point
from django.db import transaction

from accounts.models import ApiKey
from issues.models import Category, IssueSource
from issues.services import ReportResult, issue_create
from media_store.models import MediaAsset
from open311.models import Open311Submission

CONTACT_FIELDS = ("email", "first_name", "last_name", "phone", "device_id", "account_id", "address_id", "media_url")


def open311_request_create(
    *,
    api_key: ApiKey,
    category: Category | None,
    point: Point,
    description: str,
    address: str = "",
    attributes: dict | None = None,
    contact: dict | None = None,
    media: Sequence[MediaAsset] = (),
) -> ReportResult:
    """Create an issue as the key's account, and keep the key and the contact details the client
    sent (privately) with it. One transaction: a refused report leaves nothing."""
    contact = {name: (contact or {}).get(name, "") for name in CONTACT_FIELDS}
    with transaction.atomic():
        result = issue_create(
            reporter=api_key.user,
            category=category,
            description=description,
            point=point,
            address=address,
            source=IssueSource.OPEN311,
            attributes=attributes,
            media=media,
        )
        Open311Submission.objects.create(issue=result.issue, api_key=api_key, **contact)
    return result


def open311_submission_erase_contact(*, submission: Open311Submission) -> Open311Submission:
    """Forget the person behind a submission (a data-protection request); the key stays recorded."""
    for name in CONTACT_FIELDS:
        setattr(submission, name, "")
    submission.save(update_fields=list(CONTACT_FIELDS))
    return submission
