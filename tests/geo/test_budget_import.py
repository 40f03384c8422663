"""Importing budget projects from CSV and GeoJSON: good rows kept, bad rows reported and skipped,
nothing half-written, dry runs write nothing, re-imports change nothing."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from geo.budget_import import BudgetFileError, budget_import, budget_rows_from_csv, budget_rows_from_geojson
from geo.models import BudgetProject, BudgetSector
from tests.factories import CommunityBoundaryFactory, ExecutorFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "code;title_uk;title_en;sector;status;budget_year;planned_amount;spent_amount;executor;contractor;"
    "start_date;end_date;prozorro_tender_id;wkt;lon;lat"
)
GOOD_LINE = (
    "2026-roads-01;Ремонт вул. Стрийської;Stryiska St. repair;roads;in_progress;2026;1 250 000,50;100000;roads;"
    "ТОВ «Шляхбуд»;2026-04-01;30.09.2026;UA-2026-03-15-001234-a;"
    "LINESTRING(23.5082 49.3479, 23.5305 49.3446);;"
)
GOOD_POINT = "2026-light-01;Нові ліхтарі;;lighting;;2026;300000;;;;;;;;23.5031;49.3494"
BAD_LINES = [
    # row 4: three problems at once
    "2026-bad-01;Погана сума;;roads;planned;2026;багато;-5;;;;;;POINT(23.5 49.35);;",
    # row 5: an unknown sector and executor
    "2026-bad-02;Невідомий сектор;;spaceport;planned;2026;1000;;nobody;;;;;POINT(23.5 49.35);;",
    # row 6: latitude and longitude swapped (lands far outside Drohobych)
    "2026-bad-03;Переплутані координати;;roads;planned;2026;1000;;;;;;;;49.35;23.5",
    # row 7: a malformed tender ID and dates in the wrong order
    "2026-bad-04;Поганий тендер;;roads;planned;2026;1000;;;;2026-05-01;2026-04-01;UA-26-1;POINT(23.5 49.35);;",
    # row 8: unreadable WKT
    "2026-bad-05;Погана геометрія;;roads;planned;2026;1000;;;;;;;POINT(23.5);;",
    # row 9: the same code as row 2
    "2026-roads-01;Дубль;;roads;planned;2026;1000;;;;;;;POINT(23.5 49.35);;",
]


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English here; the Ukrainian catalogue is checked elsewhere."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def reference():
    CommunityBoundaryFactory()
    ExecutorFactory(code="roads")


def csv_text(*lines: str) -> str:
    return "\n".join([HEADER, *lines]) + "\n"


def rejected(report) -> list[tuple[int, str, str]]:
    return [(item.row, item.field, item.message) for item in report.rejected]


def test_good_rows_are_imported_with_exact_values():
    report = budget_import(rows=budget_rows_from_csv(csv_text(GOOD_LINE, GOOD_POINT)))
    assert (report.created, report.updated, report.unchanged, report.rejected) == (2, 0, 0, [])
    roads = BudgetProject.objects.get(code="2026-roads-01")
    assert roads.title_uk == "Ремонт вул. Стрийської"
    assert (roads.sector, roads.status, roads.budget_year) == ("roads", "in_progress", 2026)
    assert (roads.planned_amount, roads.spent_amount) == (Decimal("1250000.50"), Decimal("100000.00"))
    assert roads.executor.code == "roads"
    assert roads.contractor == "ТОВ «Шляхбуд»"
    assert (str(roads.start_date), str(roads.end_date)) == ("2026-04-01", "2026-09-30")
    assert roads.prozorro_url == "https://prozorro.gov.ua/tender/UA-2026-03-15-001234-a"
    assert roads.geom.geom_type == "LineString" and roads.geom.coords == ((23.5082, 49.3479), (23.5305, 49.3446))
    light = BudgetProject.objects.get(code="2026-light-01")
    assert (light.status, light.spent_amount, light.executor) == ("planned", Decimal(0), None)
    assert light.geom.coords == (23.5031, 49.3494)


def test_bad_rows_are_reported_and_skipped_and_good_rows_kept():
    report = budget_import(rows=budget_rows_from_csv(csv_text(GOOD_LINE, GOOD_POINT, *BAD_LINES)))
    assert (report.created, report.rejected_rows) == (2, 6)
    sectors = ", ".join(BudgetSector.values)
    assert rejected(report) == [
        (4, "planned_amount", "Give the amount in hryvnias as a number, e.g. 1250000.50."),
        (4, "spent_amount", "The amount cannot be negative."),
        (5, "sector", f"Unknown sector; use one of: {sectors}."),
        (5, "executor", "No executor has the code “nobody”."),
        (6, "lon", "The geometry is outside the community's territory (are longitude and latitude swapped?)."),
        (7, "prozorro_tender_id", "A Prozorro tender ID looks like UA-2026-03-15-001234-a."),
        (7, "", "The end date must not be before the start date."),
        (8, "wkt", "The geometry could not be read."),
        (9, "code", "The code is repeated; row 2 has it too."),
    ]
    # Only the good rows exist, and the duplicate did not overwrite the first one.
    assert sorted(BudgetProject.objects.values_list("code", flat=True)) == ["2026-light-01", "2026-roads-01"]
    assert BudgetProject.objects.get(code="2026-roads-01").title_uk == "Ремонт вул. Стрийської"


def test_a_row_refused_by_the_database_leaves_nothing_behind(monkeypatch):
    """Even a constraint only the database knows about fails one row, not the import."""
    from django.db import IntegrityError

    from geo import budget_import as module

    original = BudgetProject.save

    def failing_save(self, *args, **kwargs):
        original(self, *args, **kwargs)  # the row is written…
        if self.code == "2026-light-01":
            raise IntegrityError("simulated failure after the write")  # …then the savepoint rolls it back

    monkeypatch.setattr(BudgetProject, "save", failing_save)
    report = module.budget_import(rows=budget_rows_from_csv(csv_text(GOOD_LINE, GOOD_POINT)))
    assert report.created == 1
    assert rejected(report) == [(3, "", "The database refused the row: simulated failure after the write")]
    assert list(BudgetProject.objects.values_list("code", flat=True)) == ["2026-roads-01"]


def test_dry_run_checks_everything_and_writes_nothing():
    report = budget_import(rows=budget_rows_from_csv(csv_text(GOOD_LINE, GOOD_POINT, *BAD_LINES)), dry_run=True)
    assert (report.dry_run, report.created, report.rejected_rows) == (True, 2, 6)
    assert BudgetProject.objects.count() == 0


def test_reimporting_the_same_file_changes_nothing_and_an_updated_file_updates():
    text = csv_text(GOOD_LINE, GOOD_POINT)
    budget_import(rows=budget_rows_from_csv(text))
    stamps = dict(BudgetProject.objects.values_list("code", "updated_at"))
    again = budget_import(rows=budget_rows_from_csv(text))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert dict(BudgetProject.objects.values_list("code", "updated_at")) == stamps
    changed = budget_import(rows=budget_rows_from_csv(csv_text(GOOD_LINE.replace("in_progress", "done"), GOOD_POINT)))
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    assert BudgetProject.objects.get(code="2026-roads-01").status == "done"
    assert BudgetProject.objects.count() == 2


def test_missing_columns_stop_the_import_before_any_row():
    with pytest.raises(BudgetFileError) as error:
        budget_rows_from_csv("code,title_uk,sector\n2026-x,Назва,roads\n")
    assert str(error.value) == "The file has no column: budget_year, planned_amount, wkt (or lon and lat)."


def test_geojson_features_are_imported_by_the_same_rules():
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [23.5031, 49.3494]},
                "properties": {
                    "code": "2026-g-1",
                    "title_uk": "Перехід",
                    "sector": "roads",
                    "budget_year": 2026,
                    "planned_amount": 640000,
                    "status": "done",
                    "spent_amount": "629950.00",
                },
            },
            {
                "type": "Feature",
                "geometry": None,
                "properties": {
                    "code": "2026-g-2",
                    "title_uk": "Без геометрії",
                    "sector": "roads",
                    "budget_year": 2026,
                    "planned_amount": 1,
                },
            },
            {
                "type": "Feature",
                "geometry": {
                    "type": "GeometryCollection",
                    "geometries": [{"type": "Point", "coordinates": [23.5, 49.35]}],
                },
                "properties": {
                    "code": "2026-g-3",
                    "title_uk": "Колекція",
                    "sector": "roads",
                    "budget_year": 2026,
                    "planned_amount": 1,
                },
            },
        ],
    }
    report = budget_import(rows=budget_rows_from_geojson(json.dumps(collection)))
    assert report.created == 1
    assert rejected(report) == [
        (2, "geometry", "The feature has no geometry."),
        (3, "geometry", "The geometry must be a point, a line or an area."),
    ]
    project = BudgetProject.objects.get()
    assert (project.planned_amount, project.spent_amount, project.status) == (
        Decimal(640000),
        Decimal("629950"),
        "done",
    )


def test_the_command_prints_a_report_writes_the_rejects_and_exits_non_zero(tmp_path):
    source = tmp_path / "budget-2026.csv"
    source.write_text("\ufeff" + csv_text(GOOD_LINE, BAD_LINES[0]), encoding="utf-8")  # Excel's BOM
    rejects = tmp_path / "rejected.csv"
    out = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("opencity_import_budget", str(source), "--report", str(rejects), "--no-progress", stdout=out)
    assert str(error.value) == "1 row(s) rejected; the others were imported."
    lines = out.getvalue().splitlines()
    assert lines[0] == "2 rows: 1 created, 0 updated, 0 unchanged, 1 rejected."
    assert lines[1] == (
        "  row 3 (2026-bad-01), planned_amount: Give the amount in hryvnias as a number, e.g. 1250000.50."
    )
    assert lines[2] == "  row 3 (2026-bad-01), spent_amount: The amount cannot be negative."
    assert rejects.read_text(encoding="utf-8").splitlines()[0] == "row,code,field,message"
    assert BudgetProject.objects.count() == 1


def test_the_command_dry_run_writes_nothing_and_a_clean_file_exits_zero(tmp_path):
    source = tmp_path / "budget.csv"
    source.write_text(csv_text(GOOD_LINE, GOOD_POINT), encoding="utf-8")
    out = StringIO()
    call_command("opencity_import_budget", str(source), "--dry-run", "--no-progress", stdout=out)
    assert out.getvalue() == "Dry run, nothing written: 2 rows: 2 created, 0 updated, 0 unchanged, 0 rejected.\n"
    assert BudgetProject.objects.count() == 0
    call_command("opencity_import_budget", str(source), "--no-progress", stdout=StringIO())
    assert BudgetProject.objects.count() == 2


def test_the_command_refuses_an_unknown_format(tmp_path):
    source = tmp_path / "budget.xlsx"
    source.write_bytes(b"PK\x03\x04")
    with pytest.raises(CommandError) as error:
        call_command("opencity_import_budget", str(source), stdout=StringIO())
    assert str(error.value) == "Give a .csv, .geojson or .json file."
