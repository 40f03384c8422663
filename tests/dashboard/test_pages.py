"""The dashboard's pages, exports and API: who may see them, what bad filters get, and that the
exports and the API carry the same figures as the page."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PERIOD = "from=2026-11-30&to=2026-12-13"
ENDPOINTS = [
    "/dashboard/",
    "/dashboard/print/",
    "/dashboard/overdue/roads/",
    "/dashboard/export/executors.csv",
    "/dashboard/export/backlog.xlsx",
    "/dashboard/export/all.xlsx",
]


@pytest.fixture
def people(world):
    return {
        "citizen": world.citizen,
        "executor": world.roads_staff,
        "dispatcher": world.dispatcher,
        "leadership": world.mayor,
    }


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    ("who", "expected"), [("citizen", 403), ("executor", 403), ("dispatcher", 200), ("leadership", 200)]
)
def test_pages_and_exports_are_for_leadership_and_dispatchers(client, people, path, who, expected):
    client.force_login(people[who])
    assert client.get(f"{path}?{PERIOD}").status_code == expected


@pytest.mark.parametrize("path", ENDPOINTS)
def test_anonymous_visitors_are_sent_to_sign_in(client, world, path):
    response = client.get(f"{path}?{PERIOD}")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("who", "expected"), [(None, 401), ("citizen", 403), ("executor", 403), ("dispatcher", 200), ("leadership", 200)]
)
def test_the_api_is_for_leadership_and_dispatchers(client, people, who, expected):
    if who:
        client.force_login(people[who])
    response = client.get(f"/api/v1/dashboard/?{PERIOD}")
    assert response.status_code == expected
    if expected == 403:
        assert response.json()["code"] == "not_leadership"


def test_a_staff_member_who_is_not_active_is_refused(client, world):
    mayor = UserFactory(username="former-mayor", is_active=False)
    mayor.groups.set(world.mayor.groups.all())
    client.force_login(mayor)
    assert client.get("/dashboard/").status_code in (302, 403)


def test_the_menu_shows_the_dashboard_to_whom_may_see_it(client, people):
    client.force_login(people["leadership"])
    assert 'href="/dashboard/"' in client.get("/contacts/").content.decode()
    client.force_login(people["executor"])
    assert 'href="/dashboard/"' not in client.get("/contacts/").content.decode()


BAD_FILTERS = [
    ("from=2026-13-01", "from", "Введіть дату на кшталт 2026-12-31."),
    ("from=2026-12-10&to=2026-12-01", "to", "Кінець періоду раніше за його початок."),
    ("from=2024-01-01&to=2026-12-01", "to", "Період задовгий: щонайбільше два роки (731 днів)."),
    ("district=atlantis", "district", "Немає округу «atlantis»."),
    ("from=1999-12-31&to=2000-01-05", "from", "Період не може починатися раніше 2000 року."),
]


@pytest.mark.parametrize(("query", "field", "message"), BAD_FILTERS)
def test_bad_filters_are_a_form_error_on_the_page(client, world, query, field, message):
    client.force_login(world.mayor)
    response = client.get(f"/dashboard/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.parametrize(("query", "field", "message"), BAD_FILTERS)
def test_bad_filters_are_a_400_with_field_messages_in_the_api(client, world, query, field, message):
    client.force_login(world.mayor)
    response = client.get(f"/api/v1/dashboard/?{query}", HTTP_ACCEPT_LANGUAGE="uk")
    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "detail": "У запиті є помилки в полях.", "fields": {field: [message]}}


def test_the_api_speaks_english_when_asked(client, world):
    client.force_login(world.mayor)
    response = client.get("/api/v1/dashboard/?district=atlantis", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["fields"] == {"district": ["There is no district “atlantis”."]}


@pytest.mark.parametrize("path", ["/dashboard/export/executors.csv", "/dashboard/export/all.xlsx"])
def test_bad_filters_in_an_export_are_a_400(client, world, path):
    client.force_login(world.mayor)
    response = client.get(f"{path}?from=2026-12-10&to=2026-12-01")
    assert response.status_code == 400
    assert "Кінець періоду раніше за його початок." in response.content.decode()


def test_unknown_tables_and_formats_are_not_found(client, world):
    client.force_login(world.mayor)
    for path in ("/dashboard/export/salaries.csv", "/dashboard/export/executors.pdf", "/dashboard/export/all.csv"):
        assert client.get(path).status_code == 404
    assert client.get("/dashboard/overdue/nobody/").status_code == 404


@pytest.fixture
def frozen(city, monkeypatch):
    """The city's history, seen on Wednesday 16 December 2026 at noon."""
    from django.utils import timezone

    from tests.dashboard.city import NOW

    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return city


def test_the_page_shows_the_figures(client, world, frozen):
    client.force_login(world.mayor)
    response = client.get(f"/dashboard/?{PERIOD}&sort=name&dir=asc")
    assert response.status_code == 200
    page = response.content.decode()
    sla = response.context["dashboard"].sla
    assert [row.code for row in sla.rows] == ["water", "roads", "housing"]
    assert '<tr data-executor="roads">' in page
    assert "57.1 %" in page and "4/7" in page and "66.7 %" in page
    assert 'href="/dashboard/overdue/roads/?from=2026-11-30&amp;to=2026-12-13"' in page
    assert 'aria-sort="ascending"' in page
    assert page.count('<svg class="chart"') == 5  # on time, received, fixed, satisfaction, budget


def test_the_overdue_list_of_an_executor(client, world, frozen):
    client.force_login(world.mayor)
    page = client.get(f"/dashboard/overdue/roads/?{PERIOD}").content.decode()
    refs = [frozen.issues[key].ref for key in ("H", "F", "I")]
    assert [page.index(f'data-ref="{ref}"') for ref in refs] == sorted(page.index(f'data-ref="{ref}"') for ref in refs)
    east = client.get(f"/dashboard/overdue/roads/?{PERIOD}&district=east").content.decode()
    assert f'data-ref="{refs[2]}"' in east and f'data-ref="{refs[0]}"' not in east


def test_csv_export_has_a_bom_the_filters_in_its_name_and_the_figures(client, world, frozen):
    client.force_login(world.mayor)
    response = client.get(f"/dashboard/export/executors.csv?{PERIOD}&district=east")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="opencity-executors-2026-11-30_2026-12-13_east.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Виконавець", "Код", "Періоди призначення"]
    assert rows[1:] == [
        ["Дорожня служба", "roads", "2", "2", "1", "50.0", "4.0", "1", "1", "100.0", "124.0", "1"],
        ["Водоканал", "water", "1", "1", "1", "100.0", "3.0", "1", "1", "100.0", "48.0", "0"],
        ["Управління ЖКГ", "housing", "1", "1", "1", "100.0", "2.0", "0", "0", "", "", "0"],
        ["Усі виконавці", "", "4", "4", "3", "75.0", "3.0", "2", "2", "100.0", "86.0", "1"],
    ]


def test_every_table_exports_to_csv(client, world, frozen):
    client.force_login(world.mayor)
    expected_rows = {"backlog": 5, "executors": 4, "trends": 4, "spots": 0, "satisfaction": 5, "budget": 3}
    for name, count in expected_rows.items():
        response = client.get(f"/dashboard/export/{name}.csv?{PERIOD}")
        assert response.status_code == 200, name
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert len(rows) == count + 1, name
    trends = client.get(f"/dashboard/export/trends.csv?{PERIOD}").content.decode("utf-8-sig").splitlines()
    assert trends[1:] == [
        "2026-11-30,Дороги,5,2",
        "2026-11-30,Вода,1,0",
        "2026-12-07,Дороги,2,3",
        "2026-12-07,Вода,0,0",
    ]


def test_the_workbook_has_every_table_with_numbers(client, world, frozen):
    client.force_login(world.mayor)
    response = client.get(f"/dashboard/export/all.xlsx?{PERIOD}")
    assert response["Content-Disposition"] == 'attachment; filename="opencity-all-2026-11-30_2026-12-13.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["backlog", "executors", "trends", "spots", "satisfaction", "budget"]
    backlog = [[cell.value for cell in row] for row in workbook["backlog"].iter_rows()]
    assert backlog[0] == ["Статус", "0–2 дні", "3–7 днів", "8–30 днів", "31–90 днів", "понад 90 днів", "Усього"]
    assert backlog[-1] == ["Усього", 0, 1, 3, 0, 0, 4]
    budget = [[cell.value for cell in row] for row in workbook["budget"].iter_rows(min_row=2)]
    assert budget[-1] == ["Усього", 2, 1200000, 450000, 37.5]


def test_the_api_has_the_same_figures(client, world, frozen):
    client.force_login(world.dispatcher)
    data = client.get(f"/api/v1/dashboard/?{PERIOD}").json()
    assert data["period"] == {"from": "2026-11-30", "to": "2026-12-13", "district": None}
    assert data["backlog"]["total"] == 4 and data["backlog"]["by_age"] == [0, 1, 3, 0, 0]
    roads = next(row for row in data["executors"] if row["code"] == "roads")
    assert roads == {
        "code": "roads",
        "name": "Дорожня служба",
        "assignment_periods": 7,
        "answer_judged": 7,
        "answered_on_time": 4,
        "answered_on_time_pct": 57.1,
        "median_answer_hours": 4.0,
        "fix_judged": 6,
        "fixed_on_time": 4,
        "fixed_on_time_pct": 66.7,
        "median_fix_hours": 48.0,
        "overdue_now": 3,
    }
    assert data["executors_total"]["answered_on_time_pct"] == 70.0
    assert data["trends"]["weeks"] == ["2026-11-30", "2026-12-07"]
    assert (data["trends"]["received"], data["trends"]["resolved"]) == ([6, 2], [2, 3])
    assert [cell["issues"] for cell in data["heat_grid"]["cells"]] == [5, 3]
    assert data["satisfaction"] == {
        "fixes": 5,
        "confirmed": 2,
        "disputed": 1,
        "no_answer": 1,
        "awaiting": 1,
        "confirmed_pct": 66.7,
    }
    assert (data["budget"]["planned"], data["budget"]["spent"], data["budget"]["spent_pct"]) == (
        "1200000.00",
        "450000.00",
        37.5,
    )


def test_the_printable_summary(client, world, frozen):
    client.force_login(world.mayor)
    page = client.get(f"/dashboard/print/?{PERIOD}").content.decode()
    assert "@page" not in page  # the A4 rules live in the stylesheet
    assert "css/dashboard-print.css" in page
    assert page.count('<svg class="chart') == 6  # the five charts and the map
    assert "Зведення для сесії ради" in page
