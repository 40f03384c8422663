"""The Drohobych demo of the map layers: budget projects, outages and duty contacts from
`fixtures/drohobych/`. Called once by `demo.issues.demo_load()` (manage.py opencity_load_demo),
after the executors and the demo accounts exist.

Like the rest of the demo it is idempotent and conservative: rows are matched by their code (or the
outage's reference) and created when missing, never overwritten.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.utils import timezone

from accounts.models import Executor, User
from geo.budget_import import budget_import, budget_rows_from_geojson
from geo.models import DutyContact, Outage, OutageEvent, OutageEventKind

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures" / "drohobych"


class DemoDataError(Exception):
    """The demo fixtures themselves are wrong (a bug in the files, not in anyone's input)."""


def _load_budget(count: Callable[[str, bool], None]) -> None:
    rows = budget_rows_from_geojson((FIXTURES_DIR / "budget.geojson").read_text(encoding="utf-8"))
    report = budget_import(rows=rows, update_existing=False)
    if report.rejected:
        raise DemoDataError(f"fixtures/drohobych/budget.geojson has bad features: {report.rejected}")
    for _ in range(report.created):
        count("budget projects", True)
    for _ in range(report.kept):
        count("budget projects", False)


def _load_outages(count: Callable[[str, bool], None], now: datetime.datetime) -> None:
    data = json.loads((FIXTURES_DIR / "outages.json").read_text(encoding="utf-8"))
    # Times are relative to the load, on the hour, so the demo always has something on now and soon.
    base = now.replace(minute=0, second=0, microsecond=0)
    for item in data["outages"]:
        provider = Executor.objects.get(code=item["provider"])
        if Outage.objects.filter(provider=provider, reference=item["reference"]).exists():
            count("outages", False)
            continue
        area = GEOSGeometry(json.dumps(item["area"]), srid=4326)
        expected = item["expected_end_in_hours"]
        # Created directly rather than through outage_publish: the demo speaks for the provider's
        # staff, and publishing rules (who may act) are not what a fixture should exercise.
        outage = Outage.objects.create(
            reference=item["reference"],
            kind=item["kind"],
            nature=item["nature"],
            provider=provider,
            area=area if isinstance(area, MultiPolygon) else MultiPolygon(area, srid=4326),
            starts_at=base + datetime.timedelta(hours=item["starts_in_hours"]),
            expected_end_at=base + datetime.timedelta(hours=expected) if expected is not None else None,
            affected_streets=item["affected_streets"],
            public_notes=item["public_notes"],
            published_by=User.objects.get(username=item["published_by"]),
        )
        OutageEvent.objects.create(
            outage=outage, kind=OutageEventKind.PUBLISHED, actor=outage.published_by, at=now, note=outage.public_notes
        )
        count("outages", True)


def _load_contacts(count: Callable[[str, bool], None]) -> None:
    data = json.loads((FIXTURES_DIR / "contacts.json").read_text(encoding="utf-8"))
    for item in data["contacts"]:
        _, created = DutyContact.objects.get_or_create(
            code=item["code"], defaults={key: value for key, value in item.items() if key != "code"}
        )
        count("duty contacts", created)


def demo_layers_load(*, count: Callable[[str, bool], None], now: datetime.datetime | None = None) -> None:
    """Load the demo budget projects, outages and duty contacts (create-if-missing). `count(kind,
    created)` is told about every row, as demo.issues's report expects."""
    _load_budget(count)
    _load_outages(count, now or timezone.now())
    _load_contacts(count)
