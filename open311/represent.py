"""Open311 objects as ordered dicts: one shape, written out as JSON or XML by render.py.

Every field is always present, with None for what is unknown (never "" for a datetime or URL).
Texts are in the active language. Nothing here reads the reporter or a hidden issue.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from types import SimpleNamespace

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.localized import localized
from issues.models import Category, CategoryAttribute, Issue, IssueEvent, IssueStatus, MediaRole
from issues.presentation import EventNames, event_summary, outage_notice
from open311.mapping import SPECIFICATION_URL, open311_datetime, open311_status, update_status

Absolute = Callable[[str], str]  # makes a path absolute (request.build_absolute_uri)


def discovery(*, absolute: Absolute, changeset: str | None) -> dict:
    formats = ["application/json", "text/xml"]
    return {
        "changeset": changeset,
        "contact": settings.OPENCITY_OPEN311_CONTACT,
        "key_service": _(
            "API keys are issued by the city's administrators to integrators: write to %(contact)s, "
            "naming your application and the account it will report as."
        )
        % {"contact": settings.OPENCITY_OPEN311_CONTACT},
        "endpoints": [
            {
                "specification": SPECIFICATION_URL,
                "url": absolute(reverse("open311:root")).rstrip("/"),
                "changeset": changeset,
                "type": settings.OPENCITY_OPEN311_ENDPOINT_TYPE,
                "formats": formats,
            }
        ],
    }


def service(category: Category) -> dict:
    group = category.group
    keywords = [category.name_uk, category.name_en, localized(group.name_uk, group.name_en)]
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": localized(category.description_uk, category.description_en) or None,
        "metadata": bool(category.attributes.all()),
        "type": "realtime",
        "keywords": ", ".join(dict.fromkeys(word for word in keywords if word)),
        "group": localized(group.name_uk, group.name_en),
    }


def attribute(question: CategoryAttribute) -> dict:
    return {
        "variable": question.variable,
        "code": question.code,
        "datatype": question.datatype,
        "required": question.required,
        "datatype_description": question.datatype_description or None,
        "order": question.order,
        "description": question.description,
        "values": [{"key": item["key"], "name": question.value_name(item["key"])} for item in question.values],
    }


def service_definition(category: Category) -> dict:
    questions = sorted(category.attributes.all(), key=lambda question: (question.order, question.pk))
    return {"service_code": category.code, "attributes": [attribute(question) for question in questions]}


def _picture_url(public_id, absolute: Absolute) -> str:
    # The stable public address of an issue's picture: it redirects to wherever the storage keeps
    # the file (signed S3 URLs expire; this does not) and stops working if the issue is hidden.
    return absolute(reverse("issues:picture", args=[public_id, "web"]))


ROLE_ORDER = {MediaRole.REPORT: 0, MediaRole.BEFORE: 1, MediaRole.AFTER: 2}


def _media(issue: Issue) -> list:
    return sorted(issue.open311_media, key=lambda link: (ROLE_ORDER.get(link.role, 9), link.position, link.pk))


def _status_label(status: str) -> str:
    """The status's name as the start of status_notes ("In progress")."""
    label = str(IssueStatus(status).label)
    return label[:1].upper() + label[1:]


def _status_notes(issue: Issue) -> str:
    """The fine state in words: "In progress: Accepted; promised to be fixed by …", and the
    executor's or dispatcher's public note when the change had one."""
    notes = _status_label(issue.status)
    event = issue.open311_status_event
    if event is not None:
        notes = f"{notes}: {event_summary(event, names=issue.open311_event_names)}"
        if event.note:
            notes = f"{notes}. {event.note}"
    return notes


def _service_notice(issue: Issue) -> str | None:
    if issue.outage_id is None or issue.outage.ended_at is not None:
        return None
    return outage_notice(kind=issue.outage.kind, expected_end=issue.outage.expected_end_at)


def _answer(question: CategoryAttribute | None, code: str, answer: object) -> dict:
    datatype = question.datatype if question else "string"
    is_list = datatype in ("singlevaluelist", "multivaluelist")
    keys = (answer if isinstance(answer, list) else [answer]) if is_list else []
    return {
        "code": code,
        "datatype": datatype,
        "description": question.description if question else code,
        "value": None if is_list else str(answer),
        "values": [{"key": key, "name": question.value_name(key) if question else key} for key in keys],
    }


def _note(event: IssueEvent, names: EventNames) -> dict:
    description = event_summary(event, names=names)
    if event.note:
        description = f"{description}. {event.note}"
    return {"datetime": open311_datetime(event.at), "description": description, "type": event.kind}


def service_request(issue: Issue, *, absolute: Absolute, extensions: bool = False) -> dict:
    """A request object; with `extensions`, its answers, extended attributes and public notes."""
    media = _media(issue)
    first_photo = next((link for link in media if link.role == MediaRole.REPORT and link.asset.kind == "photo"), None)
    data = {
        "service_request_id": issue.ref,
        "status": open311_status(issue.status),
        "status_notes": _status_notes(issue),
        "service_name": issue.category.name,
        "service_code": issue.category.code,
        "description": issue.description,
        "agency_responsible": issue.executor.name if issue.executor_id else None,
        "service_notice": _service_notice(issue),
        "requested_datetime": open311_datetime(issue.created_at),
        "updated_datetime": open311_datetime(issue.updated_at),
        "expected_datetime": open311_datetime(issue.resolve_due_at),
        # Text in the spec, so never null (strict clients' typed models refuse it); every issue
        # has one since the gazetteer names pins (issues.services.reporting.issue_address_for).
        "address": issue.address or "",
        "address_id": None,
        "zipcode": None,
        "lat": round(issue.point.y, 6),
        "long": round(issue.point.x, 6),
        "media_url": _picture_url(first_photo.asset.public_id, absolute) if first_photo else None,
    }
    if extensions:
        questions = {question.code: question for question in issue.category.attributes.all()}
        answers = issue.attributes or {}
        ordered = sorted(answers, key=lambda code: (questions[code].order if code in questions else 1000, code))
        data["attributes"] = [_answer(questions.get(code), code, answers[code]) for code in ordered]
        data["extended_attributes"] = {
            "detailed_status": issue.status,
            "district": issue.district.name if issue.district_id else None,
            "media_urls": [_picture_url(link.asset.public_id, absolute) for link in media],
        }
        data["notes"] = [_note(event, issue.open311_event_names) for event in issue.open311_notes]
    return data


def service_requests_from_rows(rows: list[dict], *, absolute: Absolute) -> list[dict]:
    """Request objects without extensions from queries.open311_request_rows: the same fields and
    values as service_request, built from plain values. What repeats across a page is worked out
    once: the status labels, the names the status events mention, and each distinct event summary."""
    zone = timezone.get_current_timezone()
    language = get_language()
    labels: dict[str, str] = {}
    # Distinct status events (their JSON text is the key): parsed, named and summed up once each.
    events = {text: SimpleNamespace(**json.loads(text)) for text in {row["status_event"] for row in rows} if text}
    names = EventNames.for_events(events.values())
    status_notes: dict[str, str] = {}
    for text, event in events.items():
        summary = event_summary(event, names=names)
        status_notes[text] = f"{summary}. {event.note}" if event.note else summary
    requests = []
    for row in rows:
        status = row["status"]
        notes = labels.get(status) or labels.setdefault(status, _status_label(status))
        if row["status_event"]:
            notes = f"{notes}: {status_notes[row['status_event']]}"
        notice = None
        if row["outage_id"] is not None and row["outage__ended_at"] is None:
            notice = outage_notice(kind=row["outage__kind"], expected_end=row["outage__expected_end_at"])
        requests.append(
            {
                "service_request_id": row["ref"],
                "status": open311_status(status),
                "status_notes": notes,
                "service_name": localized(row["category__name_uk"], row["category__name_en"], language=language),
                "service_code": row["category__code"],
                "description": row["description"],
                "agency_responsible": (
                    localized(row["executor__name_uk"], row["executor__name_en"], language=language)
                    if row["executor_id"]
                    else None
                ),
                "service_notice": notice,
                "requested_datetime": open311_datetime(row["created_at"], zone=zone),
                "updated_datetime": open311_datetime(row["updated_at"], zone=zone),
                "expected_datetime": open311_datetime(row["resolve_due_at"], zone=zone),
                "address": row["address"] or "",
                "address_id": None,
                "zipcode": None,
                "lat": round(row["lat"], 6),
                "long": round(row["lon"], 6),
                "media_url": _picture_url(row["photo_id"], absolute) if row["photo_id"] else None,
            }
        )
    return requests


def created_request(issue: Issue) -> dict:
    """The answer to a POST: the id (we create synchronously, so no token is needed)."""
    return {"service_request_id": issue.ref, "service_notice": _service_notice(issue), "account_id": None}


def token(issue: Issue) -> dict:
    return {"service_request_id": issue.ref, "token": issue.ref}


def request_update(event: IssueEvent, *, absolute: Absolute) -> dict:
    media_ids = (event.data or {}).get("media") if event.kind == "media_added" else None
    return {
        "update_id": str(event.pk),
        "service_request_id": event.issue.ref,
        "status": update_status(event.status_then or IssueStatus.NEW),
        "updated_datetime": open311_datetime(event.at),
        "description": _note(event, event.open311_event_names)["description"],
        "media_url": _picture_url(media_ids[0], absolute) if media_ids else None,
    }
