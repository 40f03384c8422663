"""The Drohobych demo: reference data and accounts from `fixtures/drohobych/`.

Loading is idempotent and conservative: rows are matched by their stable code and created when
missing, never overwritten, so a second `make run` keeps whatever an administrator changed.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import random
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import Executor, ExecutorMembership, User
from accounts.roles import APPEAL_CLERKS_GROUP, DISPATCHERS_GROUP, LEADERSHIP_GROUP
from appeals.models import AppealPolicy
from demo.appeals import demo_appeals_load
from demo.gazetteer import demo_gazetteer_load
from demo.layers import demo_layers_load
from geo.models import CommunityBoundary, District, Outage, OutageKindGrant
from issues.models import (
    CalendarDate,
    Category,
    CategoryAttribute,
    CategoryGroup,
    Issue,
    IssueSource,
    RoutingRule,
    SlaPolicy,
    WorkingCalendar,
)
from issues.notifications import notifications_suppressed
from issues.rules.transitions import Action
from issues.services import TransitionInput, issue_create, issue_transition
from issues.services.sla import sla_sweep
from media_store.services import media_intake

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures" / "drohobych"
DEFAULT_DEMO_PASSWORD = "opencity-demo"


def demo_password() -> str:
    """The demo accounts' password: OPENCITY_DEMO_PASSWORD, or the documented default."""
    return os.environ.get("OPENCITY_DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


@dataclass
class DemoLoadReport:
    created: dict[str, int] = field(default_factory=dict)
    accounts: list[tuple[str, str]] = field(default_factory=list)  # (username, role)

    def count(self, kind: str, created: bool) -> None:
        self.created[kind] = self.created.get(kind, 0) + int(created)


def _multipolygon(geometry: dict) -> MultiPolygon:
    geom = GEOSGeometry(json.dumps(geometry), srid=4326)
    return geom if isinstance(geom, MultiPolygon) else MultiPolygon(geom, srid=4326)


def _load_territory(report: DemoLoadReport, directory: Path = FIXTURES_DIR) -> None:
    collection = json.loads((directory / "territory.geojson").read_text(encoding="utf-8"))
    for feature in collection["features"]:
        props, geom = feature["properties"], _multipolygon(feature["geometry"])
        if props["layer"] == "boundary":
            _, created = CommunityBoundary.objects.get_or_create(
                code=props["code"],
                valid_from=None,
                defaults={"name": props["name"], "geom": geom, "source": props.get("source", "")},
            )
            report.count("community boundaries", created)
        else:
            _, created = District.objects.get_or_create(
                code=props["code"],
                defaults={
                    "name_uk": props["name_uk"],
                    "name_en": props["name_en"],
                    "kind": props["kind"],
                    "geom": geom,
                },
            )
            report.count("districts", created)


def _load_reference(data: dict, report: DemoLoadReport) -> None:
    for item in data["calendars"]:
        calendar, created = WorkingCalendar.objects.get_or_create(
            code=item["code"],
            defaults={
                "name": item["name"],
                "time_zone": item["time_zone"],
                "day_start": datetime.time.fromisoformat(item["day_start"]),
                "day_end": datetime.time.fromisoformat(item["day_end"]),
                "working_weekdays": item["working_weekdays"],
            },
        )
        report.count("working calendars", created)
        for day in item["dates"]:
            _, created = CalendarDate.objects.get_or_create(
                calendar=calendar,
                date=datetime.date.fromisoformat(day["date"]),
                defaults={"is_working": day["is_working"], "note": day["note"]},
            )
            report.count("calendar dates", created)

    calendars = {c.code: c for c in WorkingCalendar.objects.all()}
    for item in data["sla_policies"]:
        _, created = SlaPolicy.objects.get_or_create(
            code=item["code"],
            defaults={
                "name_uk": item["name_uk"],
                "name_en": item["name_en"],
                "clock": item["clock"],
                "response_hours": item["response_hours"],
                "resolution_hours": item["resolution_hours"],
                "calendar": calendars[item["calendar"]],
            },
        )
        report.count("SLA policies", created)

    for item in data.get("appeal_policies", []):
        terms = {key: value for key, value in item.items() if key not in ("kind", "calendar")}
        _, created = AppealPolicy.objects.get_or_create(
            kind=item["kind"], defaults={**terms, "calendar": calendars[item["calendar"]]}
        )
        report.count("appeal term policies", created)

    for item in data["executors"]:  # supervisors first in the file, so lookups below succeed
        supervisor = Executor.objects.get(code=item["supervisor"]) if item.get("supervisor") else None
        _, created = Executor.objects.get_or_create(
            code=item["code"],
            defaults={
                "name_uk": item["name_uk"],
                "name_en": item["name_en"],
                "phone": item["phone"],
                "email": item["email"],
                "address": item["address"],
                "supervisor": supervisor,
            },
        )
        report.count("executors", created)

    for item in data["outage_kind_grants"]:
        _, created = OutageKindGrant.objects.get_or_create(
            executor=Executor.objects.get(code=item["executor"]), kind=item["kind"]
        )
        report.count("outage kind grants", created)

    for item in data["category_groups"]:
        _, created = CategoryGroup.objects.get_or_create(
            code=item["code"], defaults={"name_uk": item["name_uk"], "name_en": item["name_en"], "order": item["order"]}
        )
        report.count("category groups", created)

    groups = {g.code: g for g in CategoryGroup.objects.all()}
    policies = {p.code: p for p in SlaPolicy.objects.all()}
    for order, item in enumerate(data["categories"]):
        _, created = Category.objects.get_or_create(
            code=item["code"],
            defaults={
                "group": groups[item["group"]],
                "name_uk": item["name_uk"],
                "name_en": item["name_en"],
                "sla_policy": policies[item["sla"]],
                "photo_required": item.get("photo_required", False),
                "duplicate_radius_m": item["duplicate_radius_m"],
                "outage_kind": item.get("outage_kind", ""),
                "urgent_notice_uk": item.get("urgent_notice_uk", ""),
                "urgent_notice_en": item.get("urgent_notice_en", ""),
                "order": order,
            },
        )
        report.count("categories", created)

    for item in data.get("category_attributes", []):
        category = Category.objects.get(code=item["category"])
        fields = {key: value for key, value in item.items() if key not in ("category", "code")}
        question = CategoryAttribute(category=category, code=item["code"], **fields)
        if not CategoryAttribute.objects.filter(category=category, code=item["code"]).exists():
            question.full_clean()
            question.save()
            report.count("extra questions", True)

    for item in data["routing_rules"]:
        district = District.objects.get(code=item["district"]) if item.get("district") else None
        _, created = RoutingRule.objects.get_or_create(
            category=Category.objects.get(code=item["category"]),
            executor=Executor.objects.get(code=item["executor"]),
            district=district,
            area=None,
            defaults={"note": item.get("note", "")},
        )
        report.count("routing rules", created)


def _ensure_account(*, username: str, role: str, password: str, report: DemoLoadReport, **fields) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={**fields, "email_confirmed_at": timezone.now(), "language": "uk"}
    )
    if created:
        user.set_password(password)
        if role == "administrator":
            user.is_staff = user.is_superuser = True
        user.save()
    report.count("accounts", created)
    report.accounts.append((username, role))
    return user


def demo_require_allowed() -> None:
    """Refuse to run where demo data must never go (production settings: OPENCITY_DEMO_DATA_ALLOWED
    is off there), since the demo creates an administrator with a known password."""
    if not settings.OPENCITY_DEMO_DATA_ALLOWED:
        raise ImproperlyConfigured(
            "Demo data cannot be loaded with these settings (OPENCITY_DEMO_DATA_ALLOWED is off, as in production)."
        )


def reference_load(*, directory: Path = FIXTURES_DIR) -> DemoLoadReport:
    """A community's territory (territory.geojson: boundary and districts) and reference data
    (reference.json: calendar, SLA policies, executors, categories, routing rules) from a directory
    laid out like fixtures/drohobych/. No accounts, no demo layers, no issues: allowed in production,
    where it is how a city first loads its own data. Create-if-missing, like the demo."""
    report = DemoLoadReport()
    data = json.loads((directory / "reference.json").read_text(encoding="utf-8"))
    with transaction.atomic():
        _load_territory(report, directory)
        _load_reference(data, report)
    return report


def demo_load(*, with_history: bool = True) -> DemoLoadReport:
    """Load the Drohobych territory, reference data and demo accounts (create-if-missing), and,
    when there are no issues yet, a generated history of reports."""
    demo_require_allowed()
    report = DemoLoadReport()
    data = json.loads((FIXTURES_DIR / "reference.json").read_text(encoding="utf-8"))
    password = demo_password()
    with transaction.atomic():
        _load_territory(report)
        _load_reference(data, report)
        dispatchers, _ = Group.objects.get_or_create(name=DISPATCHERS_GROUP)
        leadership, _ = Group.objects.get_or_create(name=LEADERSHIP_GROUP)
        clerks, _ = Group.objects.get_or_create(name=APPEAL_CLERKS_GROUP)
        for item in data["accounts"]:
            fields = {k: v for k, v in item.items() if k not in {"username", "role"}}
            user = _ensure_account(
                username=item["username"], role=item["role"], password=password, report=report, **fields
            )
            if item["role"] == "dispatcher":
                user.groups.add(dispatchers)
            elif item["role"] == "leadership":
                user.groups.add(leadership)
            elif item["role"] == "appeal_clerk":
                user.groups.add(clerks)
        for executor in Executor.objects.filter(code__in=[e["code"] for e in data["executors"]]):
            user = _ensure_account(
                username=executor.code,
                role="executor",
                password=password,
                report=report,
                first_name=executor.name_uk[:150],
                email=executor.email,
            )
            ExecutorMembership.objects.get_or_create(user=user, defaults={"executor": executor})
        demo_layers_load(count=report.count)  # budget projects, outages, duty contacts (demo/layers.py)
        demo_gazetteer_load(count=report.count)  # streets and addresses (demo/gazetteer.py)
    if with_history:
        report.created["issues"] = demo_issues_load()
        report.created["appeals"] = demo_appeals_load()
        # The dashboard's pre-aggregated tables, recomputed from whatever the database now holds.
        call_command("opencity_rebuild_dashboard", stdout=io.StringIO())
    return report


# --- Demo history of reports ---------------------------------------------------------------------

DEMO_HISTORY_DAYS = 45
DEMO_ISSUE_COUNT = 160
DEMO_SEED = 2026
# How often each kind of problem is reported, roughly as city portals see it.
CATEGORY_WEIGHTS = {
    "pothole": 14,
    "streetlight-out": 12,
    "overflowing-bins": 10,
    "damaged-pavement": 7,
    "illegal-dump": 6,
    "sewer-blockage": 5,
    "no-water": 5,
    "fallen-tree": 4,
    "roof-leak": 4,
    "no-heating": 4,
    "snow-ice": 3,
    "open-manhole": 3,
    "road-sign": 3,
    "grass-cutting": 3,
    "bus-stop": 3,
    "playground": 4,
    "no-ramp": 3,
    "power-outage": 2,
    "water-main-break": 2,
    "lighting-pole-danger": 1,
    "gas-smell": 1,
}
# Share of each executor's work that is late: some services are quicker than others.
LATENESS = {
    "water": 0.2,
    "roads": 0.45,
    "lighting": 0.35,
    "waste": 0.25,
    "parks": 0.4,
    "housing": 0.5,
    "heating": 0.3,
    "electricity": 0.3,
    "gas": 0.1,
    "transport": 0.5,
}


def _point_in(geom, rng) -> Point:
    min_x, min_y, max_x, max_y = geom.extent
    while True:
        candidate = Point(rng.uniform(min_x, max_x), rng.uniform(min_y, max_y), srid=4326)
        if geom.contains(candidate):
            return candidate


GROUP_COLOURS = {
    "roads": (96, 96, 104),
    "lighting": (40, 44, 70),
    "water": (60, 110, 150),
    "heating": (150, 80, 60),
    "energy": (70, 70, 90),
    "waste": (90, 120, 70),
    "green": (60, 130, 60),
    "housing": (140, 120, 100),
    "transport": (120, 110, 140),
    "accessibility": (110, 110, 110),
}


def _demo_photo(rng, *, group: str, label: str, after: bool = False) -> bytes:
    """A small synthetic JPEG standing in for a citizen's photo (ground, sky, the problem's colour,
    and a caption saying it is demo data)."""

    base = GROUP_COLOURS.get(group, (100, 100, 100))
    image = Image.new("RGB", (640, 480), (176, 204, 226))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 250, 640, 480), fill=(118, 118, 112))
    for _ in range(6):
        x, y = rng.randint(0, 600), rng.randint(260, 440)
        shade = tuple(max(0, min(255, c + rng.randint(-30, 30))) for c in base)
        draw.ellipse((x, y, x + rng.randint(40, 160), y + rng.randint(20, 60)), fill=(60, 170, 80) if after else shade)
    draw.rectangle((0, 0, 640, 40), fill=(11, 83, 148))
    draw.text((12, 12), f"{'ПІСЛЯ' if after else 'ДЕМО'}: {label}"[:70], fill=(255, 213, 0))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _demo_media(rng, *, category: Category, user: User, after: bool = False) -> list:

    content = _demo_photo(rng, group=category.group.code, label=category.name_uk, after=after)
    upload = SimpleUploadedFile("demo.jpg", content, content_type="image/jpeg")
    return [media_intake(uploaded_file=upload, uploaded_by=user).asset]


def _demo_reporters(password_unusable_count: int = 12) -> list[User]:
    reporters = [User.objects.get(username="citizen")]
    for number in range(1, password_unusable_count + 1):
        user, created = User.objects.get_or_create(
            username=f"resident{number:02d}",
            defaults={"email": f"resident{number:02d}@example.org", "email_confirmed_at": timezone.now()},
        )
        if created:
            user.set_unusable_password()
            user.save()
        reporters.append(user)
    return reporters


def _demo_answers(rng, category: Category, moment: datetime.datetime) -> dict:
    """Plausible answers to the category's extra questions: always the required ones, sometimes the rest."""
    answers: dict = {}
    for question in category.attributes.all():
        if not question.variable or (not question.required and rng.random() < 0.5):
            continue
        keys = [item["key"] for item in question.values]
        if question.datatype == "singlevaluelist":
            answers[question.code] = rng.choice(keys)
        elif question.datatype == "multivaluelist":
            answers[question.code] = rng.sample(keys, rng.randint(1, min(2, len(keys))))
        elif question.datatype == "number":
            answers[question.code] = rng.randint(1, 9) if question.code == "floor" else rng.randint(5, 25)
        elif question.datatype == "datetime":
            answers[question.code] = (moment - datetime.timedelta(hours=rng.randint(1, 12))).isoformat()
        elif question.datatype == "string" and question.code == "pole_number":
            answers[question.code] = f"{rng.randint(1, 40)}/{rng.randint(1, 9)}"
    return answers


def demo_issues_load(
    *, now: datetime.datetime | None = None, count: int = DEMO_ISSUE_COUNT, seed: int = DEMO_SEED
) -> int:
    """Generate a plausible history of reports over the last weeks, through the real services (so
    routing, deadlines, events and breaches are exactly what production would produce). Runs only
    when there are no issues yet; notifications are not sent for this history."""

    if Issue.objects.exists():
        return 0
    now = now or timezone.now()
    rng = random.Random(seed)  # noqa: S311 (reproducible demo data, not security)
    answers_rng = random.Random(seed + 1)  # noqa: S311 (its own stream: adding questions changes no other choice)
    texts = json.loads((FIXTURES_DIR / "demo_issues.json").read_text(encoding="utf-8"))
    categories = {c.code: c for c in Category.objects.filter(code__in=CATEGORY_WEIGHTS)}
    codes = [code for code in CATEGORY_WEIGHTS if code in categories]
    weights = [CATEGORY_WEIGHTS[code] for code in codes]
    districts = list(District.objects.all())
    district_weights = [5 if d.kind == "city_district" else 2 for d in districts]
    reporters = _demo_reporters()
    dispatcher = User.objects.filter(username="dispatcher").first()
    staff = {m.executor_id: m.user for m in ExecutorMembership.objects.select_related("user")}
    housing = Executor.objects.filter(code="housing").first()

    def hours(a: float, b: float) -> datetime.timedelta:
        return datetime.timedelta(hours=rng.uniform(a, b))

    created_count = 0
    with notifications_suppressed():
        for _ in range(count):
            code = rng.choices(codes, weights)[0]
            district = rng.choices(districts, district_weights)[0]
            moment = now - datetime.timedelta(days=rng.uniform(0, DEMO_HISTORY_DAYS))
            moment = moment.replace(hour=rng.randint(7, 21), minute=rng.randint(0, 59))
            if moment >= now:
                moment = now - hours(1, 6)
            reporter = rng.choice(reporters)
            # Most people attach a photo; some kinds of problem require one.
            wants_photo = categories[code].photo_required or rng.random() < 0.6
            media = _demo_media(rng, category=categories[code], user=reporter) if wants_photo else []
            issue = issue_create(
                reporter=reporter,
                media=media,
                category=categories[code],
                description=rng.choice(texts["texts"][code]),
                point=_point_in(district.geom, rng),
                address=f"{rng.choice(texts['streets'])}, {rng.randint(1, 120)}",
                source=IssueSource.DEMO,
                attributes=_demo_answers(answers_rng, categories[code], moment),
                now=moment,
            ).issue
            created_count += 1

            def step(action, after, actor, **data):
                nonlocal issue, moment
                if moment + after >= now:
                    return False
                moment = moment + after
                issue = issue_transition(
                    issue=issue, actor=actor, action=action, data=TransitionInput(**data), now=moment
                )
                return True

            if issue.executor_id is None:
                # The dispatcher hands most unrouted reports to the housing department after a while.
                if dispatcher and housing and rng.random() < 0.5:
                    step(Action.REASSIGN, hours(2, 30), dispatcher, executor=housing)
                if issue.executor_id is None:
                    continue
            worker = staff.get(issue.executor_id)
            if worker is None:
                continue
            late = rng.random() < LATENESS.get(issue.executor.code, 0.3)
            roll = rng.random()
            if roll < 0.07:
                step(Action.HAND_BACK, hours(1, 8), worker, note=rng.choice(texts["notes"]["hand_back"]))
                continue
            if roll < 0.11:
                step(Action.REJECT, hours(1, 20), worker, note=rng.choice(texts["notes"]["reject"]))
                continue
            answer_after = hours(30, 120) if late else hours(0.5, 6)
            promised = (moment + answer_after + datetime.timedelta(days=rng.randint(2, 12))).date()
            if roll < 0.18:
                plan_date = (moment + datetime.timedelta(days=rng.randint(60, 200))).date()
                step(Action.PLAN, answer_after, worker, promised_date=plan_date)
                continue
            if not step(
                Action.ACCEPT, answer_after, worker, promised_date=promised, note=rng.choice(texts["notes"]["accept"])
            ):
                continue
            fix_after = hours(24 * 12, 24 * 30) if late else hours(3, 24 * 6)
            fix_happens = moment + fix_after < now
            after = (
                _demo_media(rng, category=issue.category, user=worker, after=True)
                if issue.category.photo_required and fix_happens
                else ()
            )
            if not step(
                Action.RESOLVE, fix_after, worker, note=rng.choice(texts["notes"]["resolve"]), media=tuple(after)
            ):
                continue
            reporter_roll = rng.random()
            if reporter_roll < 0.55:
                step(Action.CONFIRM, hours(2, 72), issue.reporter)
            elif reporter_roll < 0.65:
                step(Action.DISPUTE, hours(2, 72), issue.reporter, note=rng.choice(texts["notes"]["dispute"]))
        created_count += _demo_reports_in_outages(rng, now=now, reporters=reporters, texts=texts)
        sla_sweep(now=now)
    return created_count


def _demo_reports_in_outages(rng, *, now: datetime.datetime, reporters: list, texts: dict) -> int:
    """A few fresh reports inside the active outages ("no water" in the water outage…), so the demo
    shows them linked to the outage and resolved when the outage desk closes it."""

    created = 0
    for outage in Outage.objects.active_at(now).order_by("pk"):
        category = Category.objects.filter(outage_kind=outage.kind, is_active=True).order_by("order", "code").first()
        if category is None or category.code not in texts["texts"]:
            continue
        for _ in range(2):
            moment = max(outage.starts_at, now - datetime.timedelta(hours=3)) + datetime.timedelta(
                minutes=rng.randint(5, 60)
            )
            if moment >= now:
                continue
            issue_create(
                reporter=rng.choice(reporters),
                category=category,
                description=rng.choice(texts["texts"][category.code]),
                point=_point_in(outage.area, rng),
                address=f"{rng.choice(texts['streets'])}, {rng.randint(1, 120)}",
                source=IssueSource.DEMO,
                now=moment,
            )
            created += 1
    return created
