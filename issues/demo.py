"""The Drohobych demo: reference data and accounts from `fixtures/drohobych/`.

Loading is idempotent and conservative: rows are matched by their stable code and created when
missing, never overwritten, so a second `make run` keeps whatever an administrator changed.
"""

from __future__ import annotations

import datetime
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.db import transaction
from django.utils import timezone

from accounts.models import Executor, ExecutorMembership, User
from accounts.roles import DISPATCHERS_GROUP, LEADERSHIP_GROUP
from geo.demo import demo_layers_load
from geo.models import CommunityBoundary, District
from issues.models import CalendarDate, Category, CategoryGroup, RoutingRule, SlaPolicy, WorkingCalendar

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


def _load_territory(report: DemoLoadReport) -> None:
    collection = json.loads((FIXTURES_DIR / "territory.geojson").read_text(encoding="utf-8"))
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


def demo_load() -> DemoLoadReport:
    """Load the Drohobych territory, reference data and demo accounts (create-if-missing)."""
    report = DemoLoadReport()
    data = json.loads((FIXTURES_DIR / "reference.json").read_text(encoding="utf-8"))
    password = demo_password()
    with transaction.atomic():
        _load_territory(report)
        _load_reference(data, report)
        dispatchers, _ = Group.objects.get_or_create(name=DISPATCHERS_GROUP)
        leadership, _ = Group.objects.get_or_create(name=LEADERSHIP_GROUP)
        for item in data["accounts"]:
            fields = {k: v for k, v in item.items() if k not in {"username", "role"}}
            user = _ensure_account(
                username=item["username"], role=item["role"], password=password, report=report, **fields
            )
            if item["role"] == "dispatcher":
                user.groups.add(dispatchers)
            elif item["role"] == "leadership":
                user.groups.add(leadership)
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
        demo_layers_load(count=report.count)  # budget projects, outages, duty contacts (geo/demo.py)
    return report
