"""GET /api/v1/issues/<ref>/ in one statement (issue 13, item 4).

IssueDetailOutput took five statements (the issue, its public events, the names those events refer
to, its pictures, and the duplicate's, outage's or project's row when it has one) and about as long
again to serialize them field by field. Here one prepared statement writes the answer whole, in the
serializer's shape and formats (tests/api/test_small_answers.py holds the two equal), and Python
fills in only what its single home is in Python: the status label, the deadlines in words, the
timeline's sentences (issues.presentation, with the names the statement found), the addresses
(reverse()) and the outage's and budget project's references (the serializer's own functions).

What Python needs for that travels in the body's private member PRIVATE (the events' data, the
names, the reporter's id, whether the issue is hidden, ...), which is taken out before it leaves.
A hidden issue, or one waiting for its reporter's confirmation, is refused here to anyone anonymous;
for a signed-in viewer it takes the serializer's path, which works out their roles.
"""

from __future__ import annotations

import datetime
import functools
import json

from accounts.localized import localized_sql
from accounts.models import Executor
from geo.models import BudgetProject, Outage
from issues.api.serializers import budget_project_reference, outage_notice_for, outage_reference, picture_url
from issues.models import Category, Issue
from issues.presentation import EventNames, deadline_in_words, event_sentence
from issues.selectors import issue_held_for_confirmation
from media_store.models import MediaAsset
from opencity.dbrouter import reading_connection
from opencity.prepared import PreparedStatement
from opencity.sqljson import drf_datetime_sql, float_sql, round_sql

PRIVATE = "_private"

# Placeholders (null) are the members Python writes. The names an event's sentence may use are
# found without knowing which member holds them: every code among the strings of the public events'
# data is looked up among the executors and categories, every whole number among the projects.
DETAIL_SQL = """
WITH issue AS (
    SELECT i.* FROM issues_issue i WHERE i.ref = %(ref)s
),
events AS (
    SELECT e.id, e.at, e.kind, e.to_status, e.note, e.data
    FROM issues_issueevent e JOIN issue i ON e.issue_id = i.id
    WHERE e.is_public
),
words AS (
    SELECT DISTINCT w.value
    FROM events e, jsonb_path_query(e.data, 'strict $.**') AS w(value)
    WHERE jsonb_typeof(w.value) IN ('string', 'number')
),
media AS (
    SELECT m.id, m.role, m.position, a.public_id, a.kind, a.status, a.width, a.height, a.duration_seconds,
           a.file, a.web_file, a.thumbnail_file, a.poster_file
    FROM issues_issuemedia m
    JOIN issue i ON m.issue_id = i.id
    JOIN media_store_mediaasset a ON a.id = m.asset_id
)
SELECT json_build_object(
    'ref', i.ref,
    'status', i.status,
    'status_label', NULL,
    'category', c.code,
    'category_name', {category_name},
    'description', i.description,
    'address', i.address,
    'location', json_build_object('type', 'Point', 'coordinates', json_build_array({lon}, {lat})),
    'district', CASE WHEN d.id IS NULL THEN NULL ELSE {district_name} END,
    'executor', CASE WHEN x.id IS NULL THEN NULL ELSE json_build_object('code', x.code, 'name', {executor_name}) END,
    'response_due_at', {response_due_at},
    'resolve_due_at', {resolve_due_at},
    'response_due_text', NULL,
    'resolve_due_text', NULL,
    'promised_date', i.promised_date,
    'support_count', i.support_count,
    'duplicate_of', dup.ref,
    'created_at', {created_at},
    'updated_at', {updated_at},
    'url', NULL,
    'attributes', i.attributes,
    'timeline', COALESCE((
        SELECT json_agg(json_build_object(
            'at', {event_at}, 'kind', e.kind, 'status', e.to_status, 'summary', NULL, 'note', e.note
        ) ORDER BY e.at, e.id)
        FROM events e
    ), '[]'::json),
    'media', COALESCE((
        SELECT json_agg(json_build_object(
            'id', m.public_id, 'role', m.role, 'kind', m.kind, 'status', m.status,
            'url', NULL, 'thumbnail_url', NULL, 'poster_url', NULL,
            'width', m.width, 'height', m.height, 'duration_seconds', {duration}
        ) ORDER BY m.role, m.position, m.id)
        FROM media m
    ), '[]'::json),
    'held_for_confirmation', false,
    'outage', NULL,
    'outage_notice', NULL,
    'budget_project', NULL,
    '{private}', json_build_object(
        'hidden', i.is_hidden OR i.awaiting_confirmation,
        'reporter_id', i.reporter_id,
        'events', (SELECT json_agg(json_build_array(e.kind, e.data) ORDER BY e.at, e.id) FROM events e),
        'media', (
            SELECT json_agg(json_build_array(m.public_id, m.kind, m.file, m.web_file, m.thumbnail_file, m.poster_file)
                            ORDER BY m.role, m.position, m.id)
            FROM media m
        ),
        'outage', CASE WHEN o.id IS NULL THEN NULL
                       ELSE json_build_array(o.id, o.kind, o.nature, o.expected_end_at, o.ended_at) END,
        'budget_project', CASE WHEN bp.id IS NULL THEN NULL ELSE json_build_array(bp.id, bp.title_uk, bp.title_en) END,
        'executors', (
            SELECT json_agg(json_build_array(n.code, n.name_uk, n.name_en))
            FROM accounts_executor n
            WHERE n.code IN (SELECT w.value #>> '{{}}' FROM words w WHERE jsonb_typeof(w.value) = 'string')
        ),
        'categories', (
            SELECT json_agg(json_build_array(n.code, n.name_uk, n.name_en))
            FROM issues_category n
            WHERE n.code IN (SELECT w.value #>> '{{}}' FROM words w WHERE jsonb_typeof(w.value) = 'string')
        ),
        'budget_projects', (
            SELECT json_agg(json_build_array(n.id, n.title_uk, n.title_en))
            FROM geo_budgetproject n
            WHERE n.id IN (
                SELECT (w.value #>> '{{}}')::bigint FROM words w
                WHERE jsonb_typeof(w.value) = 'number' AND w.value::text ~ '^[0-9]{{1,18}}$'
            )
        )
    )
)::text
FROM issue i
JOIN issues_category c ON c.id = i.category_id
LEFT JOIN geo_district d ON d.id = i.district_id
LEFT JOIN accounts_executor x ON x.id = i.executor_id
LEFT JOIN issues_issue dup ON dup.id = i.duplicate_of_id
LEFT JOIN geo_outage o ON o.id = i.outage_id
LEFT JOIN geo_budgetproject bp ON bp.id = i.budget_project_id
"""


@functools.cache
def _statement() -> PreparedStatement:
    sql = DETAIL_SQL.format(
        private=PRIVATE,
        category_name=localized_sql("c"),
        district_name=localized_sql("d"),
        executor_name=localized_sql("x"),
        lon=round_sql("ST_X(i.point)", 7),
        lat=round_sql("ST_Y(i.point)", 7),
        response_due_at=drf_datetime_sql("i.response_due_at"),
        resolve_due_at=drf_datetime_sql("i.resolve_due_at"),
        created_at=drf_datetime_sql("i.created_at"),
        updated_at=drf_datetime_sql("i.updated_at"),
        event_at=drf_datetime_sql("e.at"),
        duration=float_sql("m.duration_seconds"),
    )
    return PreparedStatement("issue_detail", sql)


# What issue_detail_json answers for an issue that only some signed-in people may see.
FOR_THE_SERIALIZER = object()


def issue_detail_json(*, ref: str, viewer, language: str, time_zone: str) -> str | None | object:
    """The detail answer's JSON text for the issue with this reference as `viewer` sees it; None
    when there is none for them (unknown, or hidden from an anonymous viewer); FOR_THE_SERIALIZER
    for a hidden issue asked by someone signed in (their roles decide: issue_for_viewer)."""
    with reading_connection().cursor() as cursor:
        _statement().execute(cursor, {"ref": ref, "en": language.startswith("en"), "time_zone": time_zone})
        row = cursor.fetchone()
    if row is None:
        return None
    body = json.loads(row[0])
    private = body.pop(PRIVATE)
    if private["hidden"]:
        return FOR_THE_SERIALIZER if viewer.is_authenticated else None
    _complete(body, private, viewer)
    return json.dumps(body, ensure_ascii=False)


def _moment(text: str | None) -> datetime.datetime | None:
    return None if text is None else datetime.datetime.fromisoformat(text)


def _complete(body: dict, private: dict, viewer) -> None:
    """Write the members whose rules live in Python, with those rules."""
    issue = Issue(ref=body["ref"], status=body["status"], reporter_id=private["reporter_id"])
    body["status_label"] = issue.get_status_display()
    body["response_due_text"] = deadline_in_words(_moment(body["response_due_at"]))
    body["resolve_due_text"] = deadline_in_words(_moment(body["resolve_due_at"]))
    body["url"] = issue.get_absolute_url()
    names = EventNames(
        executors={code: Executor(code=code, name_uk=uk, name_en=en) for code, uk, en in private["executors"] or []},
        categories={code: Category(code=code, name_uk=uk, name_en=en) for code, uk, en in private["categories"] or []},
        budget_projects={
            pk: BudgetProject(pk=pk, title_uk=uk, title_en=en) for pk, uk, en in private["budget_projects"] or []
        },
    )
    for item, (kind, data) in zip(body["timeline"], private["events"] or [], strict=True):
        item["summary"] = event_sentence(kind=kind, data=data, names=names)
    for item, (public_id, kind, file, web, thumbnail, poster) in zip(
        body["media"], private["media"] or [], strict=True
    ):
        asset = MediaAsset(
            public_id=public_id, kind=kind, file=file, web_file=web, thumbnail_file=thumbnail, poster_file=poster
        )
        item["url"] = picture_url(asset, "web")
        item["thumbnail_url"] = picture_url(asset, "thumbnail")
        item["poster_url"] = picture_url(asset, "poster")
    if viewer.is_authenticated and issue.reporter_id == viewer.pk:
        body["held_for_confirmation"] = issue_held_for_confirmation(issue=issue, viewer=viewer)
    if private["outage"] is not None:
        pk, kind, nature, expected_end_at, ended_at = private["outage"]
        outage = Outage(
            pk=pk, kind=kind, nature=nature, expected_end_at=_moment(expected_end_at), ended_at=_moment(ended_at)
        )
        body["outage"] = outage_reference(outage)
        body["outage_notice"] = outage_notice_for(outage)
    if private["budget_project"] is not None:
        pk, uk, en = private["budget_project"]
        body["budget_project"] = budget_project_reference(BudgetProject(pk=pk, title_uk=uk, title_en=en))
