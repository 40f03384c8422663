"""Reporting: a citizen's report becomes an issue, routed to whoever fixes it, in one transaction."""

from __future__ import annotations

import datetime
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import IntegrityError, connection
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Executor, User
from geo.models import District
from geo.selectors import Place, address_at, addresses_at, place_at, point_in_community
from issues.events import Created, DuplicateFlagged
from issues.models import (
    Category,
    CategoryAttribute,
    FollowReason,
    Issue,
    IssueEvent,
    IssueEventKind,
    IssueFollower,
    IssueMedia,
    IssueSource,
    IssueStatus,
    MediaRole,
    RoutingRule,
    SlaPolicy,
    WorkingCalendar,
)
from issues.notifications import announce_event
from issues.rules.attributes import AttributeSpec, attributes_clean
from issues.rules.confirmation import report_waiting_for_confirmation
from issues.rules.media import media_check_set
from issues.rules.routing import RoutingDecision, RuleCandidate, resolve_route
from issues.rules.transitions import Action
from issues.selectors import calendar_with_dates
from issues.services.lifecycle import TransitionInput, issue_transition
from issues.services.media import issue_attach_media
from issues.services.outages import issue_link_outage
from issues.services.support import issues_recount_support
from issues.sql import issues_nearby
from media_store.models import MediaAsset, MediaKind
from opencity.db import insert_together, model_columns, model_from_row, service_transaction, service_work_now
from opencity.errors import InvalidInput, RateLimited

MAX_DESCRIPTION_LENGTH = 4000
MAX_ADDRESS_LENGTH = 300


NEXT_NUMBER_SQL = """
INSERT INTO issues_issuerefcounter (prefix, year, last_number) VALUES (%s, %s, 1)
ON CONFLICT (prefix, year) DO UPDATE SET last_number = issues_issuerefcounter.last_number + 1
RETURNING last_number
"""


# NEXT_NUMBER_SQL and the issue's reference in one round trip, formatted as issue_next_ref formats
# it: "{prefix}-{year}-{number:06d}" (six digits at least, more once a year needs them).
TAKE_REF_SQL = """
WITH counter AS (
    INSERT INTO issues_issuerefcounter (prefix, year, last_number) VALUES (%s, %s, 1)
    ON CONFLICT (prefix, year) DO UPDATE SET last_number = issues_issuerefcounter.last_number + 1
    RETURNING last_number
)
UPDATE issues_issue
SET ref = %s || '-' || %s || '-' || lpad(n.number, greatest(6, length(n.number)), '0')
FROM (SELECT last_number::text AS number FROM counter) n
WHERE issues_issue.id = %s
RETURNING issues_issue.ref
"""


def issue_next_ref(*, at: datetime.datetime) -> str:
    """The next public reference, e.g. DRH-2026-000123 (per community and local year, no gaps:
    the counter row is locked until the report's transaction ends, and rolled back with it)."""
    prefix = settings.OPENCITY_COMMUNITY_CODE
    year = timezone.localtime(at).year
    with connection.cursor() as cursor:
        cursor.execute(NEXT_NUMBER_SQL, [prefix, year])
        number = cursor.fetchone()[0]
    return f"{prefix}-{year}-{number:06d}"


def _issue_take_ref(*, issue: Issue, at: datetime.datetime) -> str:
    """Give a new issue the next public reference (issue_next_ref) in the same statement that takes it."""
    prefix = settings.OPENCITY_COMMUNITY_CODE
    year = timezone.localtime(at).year
    with connection.cursor() as cursor:
        cursor.execute(TAKE_REF_SQL, [prefix, year, prefix, str(year), issue.pk])
        return cursor.fetchone()[0]


def routing_candidates(*, category: Category, point: Point) -> list[RuleCandidate]:
    """The category's rules whose area covers the point (PostGIS answers the spatial part)."""
    return _rule_candidates(_routing_rules(category=category, point=point))


_RULE = model_columns(RoutingRule, "r", exclude=("area",))
_EXECUTOR = model_columns(Executor, "e")
_CATEGORY = model_columns(Category, "c")
_POLICY = model_columns(SlaPolicy, "s")
_CALENDAR = model_columns(WorkingCalendar, "w")
_DISTRICT = model_columns(District, "d", exclude=("geom",))

# The category's rules whose area (own polygon or district) covers the point, plus those with no
# area (RoutingRule.objects.for_category(…).covering(…)), with what routing needs of each: its
# executor, the category's SLA policy and calendar (with its dates), the size of its area and
# whether it has one.
# The areas themselves stay in the database. Raw: the ORM built and compiled this on every report.
ROUTING_RULES_SQL = f"""
SELECT {_RULE[1]}, {_EXECUTOR[1]}, {_CATEGORY[1]}, {_POLICY[1]}, {_CALENDAR[1]}, {_DISTRICT[1]},
       r.area IS NOT NULL AS has_area,
       COALESCE(ST_Area(r.area::geography), ST_Area(d.geom::geography)) AS area_m2,
       ARRAY(SELECT cd.date FROM issues_calendardate cd WHERE cd.calendar_id = w.id ORDER BY cd.date),
       ARRAY(SELECT cd.is_working FROM issues_calendardate cd WHERE cd.calendar_id = w.id ORDER BY cd.date)
FROM issues_routingrule r
JOIN accounts_executor e ON e.id = r.executor_id
JOIN issues_category c ON c.id = r.category_id
JOIN issues_slapolicy s ON s.id = c.sla_policy_id
JOIN issues_workingcalendar w ON w.id = s.calendar_id
LEFT JOIN geo_district d ON d.id = r.district_id
CROSS JOIN (SELECT ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326) AS geom) here
WHERE r.category_id = %(category)s
  AND (ST_Covers(r.area, here.geom) OR ST_Covers(d.geom, here.geom) OR (r.area IS NULL AND r.district_id IS NULL))
ORDER BY r.priority DESC, r.id
"""  # noqa: S608 — the column lists come from the models, not from input


def _routing_rules(*, category: Category, point: Point) -> list[RoutingRule]:
    """The rules covering the point, each with its executor, district (without its polygon) and
    category (with the SLA policy and calendar and its dates: routing sets the deadlines from
    them), annotated with `has_area` and `area_m2`."""
    if point.srid != 4326:
        point = point.transform(4326, clone=True)
    with connection.cursor() as cursor:
        cursor.execute(ROUTING_RULES_SQL, {"lon": point.x, "lat": point.y, "category": category.pk})
        rows = cursor.fetchall()
    rules = []
    for row in rows:
        values = iter(row)
        parts = {}
        for name, (model, (fields, _columns)) in _ROW_PARTS.items():
            parts[name] = model_from_row(model, fields, [next(values) for _ in fields])
        rule = parts["rule"]
        rule.has_area, rule.area_m2 = next(values), next(values)
        dates, working = next(values), next(values)
        rule.executor = parts["executor"]
        parts["policy"].calendar = calendar_with_dates(parts["calendar"], zip(dates, working, strict=True))
        parts["category"].sla_policy = parts["policy"]
        rule.category = parts["category"]
        rule.district = parts["district"] if rule.district_id else None
        rules.append(rule)
    return rules


_ROW_PARTS = {
    "rule": (RoutingRule, _RULE),
    "executor": (Executor, _EXECUTOR),
    "category": (Category, _CATEGORY),
    "policy": (SlaPolicy, _POLICY),
    "calendar": (WorkingCalendar, _CALENDAR),
    "district": (District, _DISTRICT),
}


def _rule_candidates(rules: list[RoutingRule]) -> list[RuleCandidate]:
    candidates = []
    for rule in rules:
        if rule.district_id:
            scope = f"district:{rule.district.code}"
        else:
            scope = "area" if rule.has_area else "community"
        candidates.append(
            RuleCandidate(
                rule_id=rule.pk,
                executor_id=rule.executor_id,
                executor_code=rule.executor.code,
                priority=rule.priority,
                area_m2=rule.area_m2,
                scope=scope,
                is_active=rule.is_active and rule.executor.is_active,
                valid_from=rule.valid_from,
                valid_until=rule.valid_until,
            )
        )
    return candidates


def issue_route_decision(*, category: Category, point: Point, on: datetime.date) -> RoutingDecision | None:
    """Who should get an issue of this category at this point on this day, and why."""
    return resolve_route(routing_candidates(category=category, point=point), on=on)


def issue_route(*, issue: Issue, now: datetime.datetime | None = None, just_inserted: bool = False) -> Issue:
    """Route a new issue by the rules; with no rule it stays `new` for the dispatcher.
    `just_inserted`: see issue_transition (a report routed in the transaction that stores it)."""
    now = now or timezone.now()
    rules = _routing_rules(category=issue.category, point=issue.point)
    decision = resolve_route(_rule_candidates(rules), on=timezone.localdate(now))
    if decision is None:
        return issue
    # The chosen rule's executor came with the rules: no second query for it.
    rule = next(rule for rule in rules if rule.pk == decision.rule_id)
    if just_inserted:
        # The rule's category is the issue's, read with its SLA policy and calendar: the deadlines
        # need no query of their own.
        issue.category = rule.category
    return issue_transition(
        issue=issue,
        actor=None,
        action=Action.ROUTE,
        data=TransitionInput(
            executor=rule.executor,
            routing_rule_id=decision.rule_id,
            routing_reason=decision.reason,
        ),
        now=now,
        just_inserted=just_inserted,
    )


@dataclass(frozen=True)
class ReportResult:
    issue: Issue
    created: bool  # False when an idempotency key matched an earlier submission
    # A new issue's public timeline as written (oldest first) and its pictures, when known without
    # reading them back (the answer to the report shows them); None: read them (a retry's issue).
    timeline: list[IssueEvent] | None = None
    media: list[IssueMedia] | None = None


# The events written while a report is stored, in order (post_save of IssueEvent, whoever writes
# them: the report, its pictures, its outage, its route): a new issue's whole log.
_recording = threading.local()


@receiver(post_save, sender=IssueEvent, dispatch_uid="issues.reporting.record_report_events")
def _record_event(sender, instance: IssueEvent, created: bool, raw: bool = False, **kwargs) -> None:
    events = getattr(_recording, "events", None)
    if events is not None and created and not raw:
        events.append(instance)


@contextmanager
def _events_recorded() -> Iterator[list[IssueEvent]]:
    outer = getattr(_recording, "events", None)
    _recording.events = events = []
    try:
        yield events
    finally:
        _recording.events = outer
        if outer is not None:
            outer.extend(events)


def _clean_report(
    *,
    category: Category | None,
    description: str,
    point: Point | None,
    address: str,
    attributes: Mapping[str, object] | None = None,
    place: Place | None = None,
    specs: list[AttributeSpec] | None = None,
) -> dict:
    errors: dict[str, list] = {}
    description = (description or "").strip()
    address = (address or "").strip()
    if category is None or not category.is_active:
        errors["category"] = [_("Please choose a category from the list.")]
    errors.update(report_text_errors(description=description, address=address))
    in_community = place.in_community if place is not None else None
    if location_errors := report_location_errors(point=point, in_community=in_community):
        errors["location"] = location_errors
    answers: dict[str, object] = {}
    if category is not None:
        if specs is None:
            specs = category_attribute_specs(category=category)
        answers, problems = attributes_clean(specs=specs, answers=attributes, time_zone=settings.TIME_ZONE)
        errors.update({f"attributes.{code}": messages for code, messages in problems.items()})
    if errors:
        code = "outside_community" if list(errors) == ["location"] and point is not None else "invalid"
        raise InvalidInput(_("The report cannot be accepted yet."), code=code, fields=errors)
    return {"description": description, "address": address, "attributes": answers}


def issue_address_for(*, point: Point) -> str:
    """The address an issue at this point gets when none was typed, in the community's language:
    the nearest address, or "біля <street>, <district>" (geo.selectors.address_at); never empty."""
    return address_at(point=point, language=settings.LANGUAGE_CODE).label[:MAX_ADDRESS_LENGTH]


def issues_fill_addresses(*, batch_size: int = 1000) -> int:
    """Give every issue without an address one from the gazetteer (run after importing it), a
    batch at a time: one query names a whole batch, one UPDATE stores it. Returns how many."""
    filled = 0
    last_id = 0
    while True:
        batch = list(
            Issue.objects.filter(address="", pk__gt=last_id).order_by("pk").values_list("pk", "point")[:batch_size]
        )
        if not batch:
            return filled
        names = addresses_at(points={pk: (point.x, point.y) for pk, point in batch}, language=settings.LANGUAGE_CODE)
        issues = [Issue(pk=pk, address=names[pk].label[:MAX_ADDRESS_LENGTH]) for pk, _ in batch]
        Issue.objects.bulk_update(issues, ["address"])
        filled += len(issues)
        last_id = batch[-1][0]


def report_text_errors(*, description: str | None = None, address: str | None = None) -> dict[str, list]:
    """What is wrong with a description and an address (already stripped), by field; a field
    given as None is not checked. Shared by reports and staff corrections."""
    errors: dict[str, list] = {}
    if description is not None and not description:
        errors["description"] = [_("Please describe the problem.")]
    elif description is not None and len(description) > MAX_DESCRIPTION_LENGTH:
        errors["description"] = [
            _("The description is too long (at most %(n)d characters).") % {"n": MAX_DESCRIPTION_LENGTH}
        ]
    if address is not None and len(address) > MAX_ADDRESS_LENGTH:
        errors["address"] = [_("The address is too long (at most %(n)d characters).") % {"n": MAX_ADDRESS_LENGTH}]
    return errors


def report_location_errors(*, point: Point | None, in_community: bool | None = None) -> list:
    """What is wrong with an issue's location: none given, or outside the community boundary
    (`in_community`: when the caller looked it up already). Shared by reports and staff corrections."""
    if point is None:
        return [_("Please put the pin on the map.")]
    if in_community is None:
        in_community = point_in_community(point=point)
    if not in_community:
        return [_("This place is outside the community. We can only take reports from inside its boundary.")]
    return []


def report_held_for_confirmation(*, reporter: User | None) -> bool:
    """Whether a new report by this reporter waits unrouted in the dispatcher's queue: they have not
    confirmed their e-mail address yet (issues_release_after_confirmation routes it once they do)."""
    if reporter is None:
        return False
    confirmed = reporter.email_confirmed_at is not None
    return report_waiting_for_confirmation(status=IssueStatus.NEW, reporter_confirmed=confirmed)


def category_attribute_specs(*, category: Category) -> list[AttributeSpec]:
    """The category's extra questions as plain data for the answer rules, in order."""
    return [
        _attribute_spec(attribute)
        for attribute in CategoryAttribute.objects.filter(category=category).order_by("order", "pk")
    ]


def _attribute_spec(attribute: CategoryAttribute) -> AttributeSpec:
    return AttributeSpec(
        code=attribute.code,
        datatype=attribute.datatype,
        question=attribute.description,
        required=attribute.required,
        variable=attribute.variable,
        keys=tuple(item["key"] for item in attribute.values),
    )


_ATTRIBUTE = model_columns(CategoryAttribute, "a")
# What a report asks before anything else, in one round trip: how many reports the reporter made
# since a moment (counted up to a limit: enough to know whether the hourly limit is reached), and
# the category's extra questions in order (category_attribute_specs).
REPORT_LOOKUPS_SQL = f"""
SELECT (
           SELECT count(*) FROM (
               SELECT 1 FROM issues_issue
               WHERE reporter_id = %(reporter)s AND created_at > %(since)s
               LIMIT %(limit)s
           ) recent
       ),
       {_ATTRIBUTE[1]}
FROM (SELECT 1) one
LEFT JOIN issues_categoryattribute a ON a.category_id = %(category)s
ORDER BY a."order", a.id
"""  # noqa: S608 — the column list comes from the model, not from input


def _reporter_recent_and_questions(
    *, reporter: User | None, since: datetime.datetime, category: Category | None
) -> tuple[int, list[AttributeSpec]]:
    """The reporter's reports since `since` (up to the hourly limit; 0 for none) and the
    category's extra questions (none for no category)."""
    with connection.cursor() as cursor:
        cursor.execute(
            REPORT_LOOKUPS_SQL,
            {
                "reporter": reporter.pk if reporter is not None else None,
                "since": since,
                "limit": settings.OPENCITY_REPORTS_PER_HOUR,
                "category": category.pk if category is not None else None,
            },
        )
        rows = cursor.fetchall()
    fields = _ATTRIBUTE[0]
    specs = [_attribute_spec(model_from_row(CategoryAttribute, fields, row[1:])) for row in rows if row[1] is not None]
    return rows[0][0], specs


def issue_create(
    *,
    reporter: User | None,
    category: Category | None,
    description: str,
    point: Point | None,
    address: str = "",
    source: str = IssueSource.WEB,
    idempotency_key: str = "",
    media: Sequence[MediaAsset] = (),
    attributes: Mapping[str, object] | None = None,
    now: datetime.datetime | None = None,
) -> ReportResult:
    """Turn a report into an issue: check it, find its district, store it, route it.

    One transaction: either the issue with its `created` (and `routed`) events exists, or nothing
    does. A retried submission with the same idempotency key returns the first issue. Reports by
    people who have not confirmed their e-mail address wait in the dispatcher's queue unrouted.
    `media` are already-checked uploads (media_store); they are attached in the same transaction.
    `attributes` answer the category's extra questions (code → value, a list for several options);
    they are checked against the category's definition, whatever the channel.
    """
    now = now or timezone.now()
    if timezone.is_aware(now):
        # In UTC, as the database gives times back: the issue returned is the one written, not read again.
        now = now.astimezone(datetime.UTC)
    idempotency_key = (idempotency_key or "").strip()[:64]
    if reporter is not None and idempotency_key:
        earlier = Issue.objects.filter(reporter=reporter, idempotency_key=idempotency_key).first()
        if earlier is not None:
            return ReportResult(earlier, created=False)
    limited = reporter is not None and source != IssueSource.DEMO
    recent, specs = _reporter_recent_and_questions(
        reporter=reporter if limited else None, since=now - datetime.timedelta(hours=1), category=category
    )
    if limited and recent >= settings.OPENCITY_REPORTS_PER_HOUR:
        raise RateLimited(
            _("You have sent many reports in the last hour. Please try again a little later."),
            code="rate_limited",
        )
    # The boundary and the district in one query; the district is stored with the issue.
    place = place_at(point=point) if point is not None else None
    cleaned = _clean_report(
        category=category,
        description=description,
        point=point,
        address=address,
        attributes=attributes,
        place=place,
        specs=specs,
    )
    media_check_set(kinds=[asset.kind for asset in media])
    if category.photo_required and not any(asset.kind == MediaKind.PHOTO for asset in media):
        message = _("This kind of problem needs a photo.")
        raise InvalidInput(message, code="photo_required", fields={"media": [message]})
    if point.srid != 4326:
        point = point.transform(4326, clone=True)
    if not cleaned["address"]:
        # Every issue has a human-readable location: the gazetteer names the pin when nobody did.
        cleaned["address"] = issue_address_for(point=point)
    try:
        with _events_recorded() as written:
            issue, links = _issue_store(
                reporter=reporter,
                category=category,
                cleaned=cleaned,
                point=point,
                district=place.district,
                source=source,
                idempotency_key=idempotency_key,
                media=media,
                now=now,
            )
    except IntegrityError:
        # Two retries with one key raced past the lookup above; the unique index let one win.
        # The loser answers with the winner's issue, as a sequential retry would.
        if reporter is None or not idempotency_key:
            raise
        earlier = Issue.objects.filter(reporter=reporter, idempotency_key=idempotency_key).first()
        if earlier is None:
            raise
        return ReportResult(earlier, created=False)
    # The issue is new: every event it has was written just now.
    timeline = sorted(
        (event for event in written if event.issue_id == issue.pk and event.is_public), key=lambda e: (e.at, e.pk)
    )
    return ReportResult(issue, created=True, timeline=timeline, media=None if links else [])


def _issue_store(
    *,
    reporter: User | None,
    category: Category,
    cleaned: dict,
    point: Point,
    district: District | None,
    source: str,
    idempotency_key: str,
    media: Sequence[MediaAsset],
    now: datetime.datetime,
) -> tuple[Issue, list[IssueMedia]]:
    """Store a checked report with its events, media, outage link and route, in one transaction.
    Returns the issue and its pictures' links."""
    confirmed = not report_held_for_confirmation(reporter=reporter)
    with service_transaction():
        issue = Issue(
            # Unique and never seen outside this transaction: the public reference is taken last.
            ref=f"~{uuid.uuid4().hex[:20]}",
            awaiting_confirmation=not confirmed,
            category=category,
            description=cleaned["description"],
            address=cleaned["address"],
            attributes=cleaned["attributes"],
            point=point,
            district=district,
            status=IssueStatus.NEW,
            reporter=reporter,
            source=source,
            idempotency_key=idempotency_key if reporter is not None else "",
            created_at=now,
            updated_at=now,
        )
        created = IssueEvent(
            issue=issue,
            kind=IssueEventKind.CREATED,
            at=now,
            actor=reporter,
            to_status=IssueStatus.NEW,
            data=Created(source=source, held_for_email_confirmation=not confirmed).as_json(),
        )
        follower = IssueFollower(issue=issue, user=reporter, reason=FollowReason.REPORTER, created_at=now)
        # The issue, its reporter as follower and its `created` event: one statement.
        insert_together(issue, *([follower] if reporter is not None else []), created)
        if confirmed:
            announce_event(created)  # a public report: the area alerts hear of it
        links = issue_attach_media(issue=issue, assets=media, role=MediaRole.REPORT, actor=reporter, now=now)
        issue_link_outage(issue=issue, now=now)
        _flag_possible_duplicates(issue=issue, now=now)
        if confirmed:
            issue = issue_route(issue=issue, now=now, just_inserted=True)
        # The dashboard's refresh of the issue (once, for the `created` and `routed` events) before
        # the counter: its row stays locked until the commit (references without gaps). Taken
        # first, it made every concurrent report wait for this whole transaction; taken last, for
        # its end.
        service_work_now()
        issue.ref = _issue_take_ref(issue=issue, at=now)
    return issue, links


def _flag_possible_duplicates(*, issue: Issue, now: datetime.datetime) -> None:
    """Tell the dispatcher (an internal event) about open issues of the same category nearby."""
    nearby = issues_nearby(
        lon=issue.point.x,
        lat=issue.point.y,
        category_id=issue.category_id,
        radius_m=issue.category.duplicate_radius_m,
        limit=5,
        exclude_id=issue.pk,
    )
    if nearby:
        IssueEvent.objects.create(
            issue=issue,
            kind=IssueEventKind.DUPLICATE_FLAGGED,
            at=now,
            is_public=False,
            data=DuplicateFlagged(
                refs=[row["ref"] for row in nearby], distances_m=[round(row["distance_m"], 1) for row in nearby]
            ).as_json(),
        )


def issues_release_after_confirmation(*, user: User, now: datetime.datetime | None = None) -> list[Issue]:
    """Publish the reports a person made before confirming their e-mail address, route those still
    waiting, and count the person's "me too"s (idempotent: the link may be opened twice)."""
    waiting = Issue.objects.filter(reporter=user, awaiting_confirmation=True)
    published = list(waiting.values_list("pk", flat=True))
    waiting.update(awaiting_confirmation=False)
    issues_recount_support(user=user)
    held = IssueEvent.objects.filter(
        kind=IssueEventKind.CREATED, actor=user, data__held_for_email_confirmation=True
    ).values("issue_id")
    # The reports are public from now on: announced as new, like a confirmed reporter's at once.
    for created in IssueEvent.objects.filter(kind=IssueEventKind.CREATED, issue_id__in=published):
        announce_event(created)
    released = []
    for issue in Issue.objects.filter(pk__in=held, status=IssueStatus.NEW, executor__isnull=True):
        released.append(issue_route(issue=issue, now=now))
    return released
