"""The budget, outage and contacts pages and the outage desk, rendered by the server."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from geo.models import Outage, OutageEvent, OutageKindGrant
from tests.factories import (
    BudgetProjectFactory,
    CommunityBoundaryFactory,
    DispatcherFactory,
    DutyContactFactory,
    ExecutorFactory,
    LeadershipFactory,
    OutageFactory,
    StaffFactory,
    UserFactory,
    square,
)

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)
NBSP = "\xa0"


def text(response) -> str:
    """The page's visible text, roughly: tags dropped, whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    collapsed = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(NBSP, " ")
    return re.sub(r" ([,.:;])", r"\1", collapsed)


# --- budget ------------------------------------------------------------------------------------------


@pytest.fixture
def budget():
    BudgetProjectFactory(
        code="r1",
        sector="roads",
        status="in_progress",
        planned_amount=Decimal("1250000.50"),
        spent_amount=Decimal("100000.00"),
    )
    BudgetProjectFactory(
        code="r2", sector="roads", status="done", planned_amount=Decimal("400000.00"), spent_amount=Decimal("399000.00")
    )
    BudgetProjectFactory(code="l1", sector="lighting", status="planned", planned_amount=Decimal("300000.00"))
    BudgetProjectFactory(code="old", budget_year=2025, planned_amount=Decimal("999.00"))
    # fmt: skip


def test_budget_page_shows_the_years_totals_by_sector_and_status(client, budget):
    response = client.get("/budget/?year=2026")
    assert response.status_code == 200
    page = text(response)
    assert "3 проєкти: заплановано 1 950 000,50 грн, витрачено 499 000,00 грн" in page
    totals = response.context["totals"]
    assert [(line.key, line.count, line.planned, line.spent) for line in totals.by_sector] == [
        ("roads", 2, Decimal("1650000.50"), Decimal("499000.00")),
        ("lighting", 1, Decimal("300000.00"), Decimal("0.00")),
    ]
    assert [(line.key, line.count) for line in totals.by_status] == [("planned", 1), ("in_progress", 1), ("done", 1)]
    assert "Дороги і тротуари 2 1 650 000,50 499 000,00" in page
    assert "Виконано 1 400 000,00 399 000,00" in page
    assert [p.code for p in response.context["projects"]] == ["l1", "r1", "r2"]


def test_budget_page_filters_and_bad_values(client, budget):
    response = client.get("/budget/?year=2026&sector=lighting")
    assert [p.code for p in response.context["projects"]] == ["l1"]
    assert response.context["totals"].total.planned == Decimal("300000.00")
    config = json.loads(re.search(r'id="layers-config" type="application/json">(.*?)</script>',
                                  response.content.decode()).group(1))  # fmt: skip
    assert (config["page"], config["filters"]) == ("budget", {"year": 2026, "sector": ["lighting"], "status": None})
    bad = client.get("/budget/?year=2026&sector=moon")
    assert bad.status_code == 200
    assert [p.code for p in bad.context["projects"]] == ["l1", "r1", "r2"]  # the bad filter is ignored…
    assert "moon" in text(bad)  # …and reported next to the field


def test_budget_project_page_has_money_tender_and_the_issues_hook(client):
    project = BudgetProjectFactory(
        title_uk="Ремонт вул. Стрийської",
        planned_amount=Decimal("18400000.00"),
        spent_amount=Decimal("6250000.00"),
        prozorro_tender_id="UA-2026-02-10-004512-a",
        contractor="ТОВ «Шляхбуд» <b>",
    )
    response = client.get(f"/budget/{project.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "18 400 000,00 грн" in text(response) and "6 250 000,00 грн" in text(response)
    assert 'href="https://prozorro.gov.ua/tender/UA-2026-02-10-004512-a"' in html
    assert f'<section id="project-issues" class="card" data-project-id="{project.pk}"' in html
    assert "ТОВ «Шляхбуд» &lt;b&gt;" in html
    assert client.get("/budget/999999/").status_code == 404


# --- outages -----------------------------------------------------------------------------------------


def test_outages_page_lists_active_and_upcoming_with_subscriptions(client):
    now = timezone.now()
    active = OutageFactory(affected_streets="вул. Стрийська, 1–57")
    soon = OutageFactory(kind="electricity", nature="planned", starts_at=now + 5 * HOUR, expected_end_at=now + 9 * HOUR)
    OutageFactory(starts_at=now - 9 * HOUR, expected_end_at=now - 6 * HOUR, ended_at=now - 7 * HOUR)
    response = client.get("/outages/")
    assert response.status_code == 200
    assert response.context["active"] == [active]
    assert response.context["upcoming"] == [soon]
    html = response.content.decode()
    assert 'href="/outages/planned.ics"' in html and 'href="/outages/feed.atom"' in html
    assert 'id="outage-check-result"' in html
    assert "Аварійне відключення води" in html and "Планове відключення електроенергії" in html


def test_outage_page_escapes_what_people_typed(client):
    outage = OutageFactory(affected_streets="<script>alert(1)</script>", public_notes='<img src=x onerror="x">')
    for url in ("/outages/", f"/outages/{outage.pk}/"):
        html = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert '<img src=x onerror="x">' not in html


def test_outage_detail_shows_history_and_desk_links_only_to_managers(client):
    outage = OutageFactory()
    anonymous = client.get(f"/outages/{outage.pk}/").content.decode()
    assert f'id="event-{outage.events.get().pk}"' in anonymous
    assert "/edit/" not in anonymous
    client.force_login(DispatcherFactory())
    assert f"/outages/manage/{outage.pk}/edit/" in client.get(f"/outages/{outage.pk}/").content.decode()


def test_contacts_page_has_click_to_call_links(client):
    DutyContactFactory(code="gas-104", name_uk="Аварійна газова служба", phones=["104"], is_emergency=True)
    DutyContactFactory(code="duty", name_uk="Черговий міської ради", phones=["+380 3244 2-11-01"], order=1)
    DutyContactFactory(code="hidden", name_uk="Прихований", phones=["1"], is_active=False)
    response = client.get("/contacts/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="tel:104"' in html
    assert 'href="tel:+380324421101"' in html
    assert ">+380 3244 2-11-01</a>" in html
    assert "Прихований" not in html
    assert html.index("Аварійна газова служба") < html.index("Черговий міської ради")


def test_nav_links_to_the_new_pages(client):
    html = client.get("/contacts/").content.decode()
    for href, label in (("/budget/", "Бюджет"), ("/outages/", "Відключення"), ("/contacts/", "Контакти")):
        assert f'href="{href}"' in html and label in html
    assert 'href="/contacts/" aria-current="page"' in html


def test_main_map_carries_the_layers_config(client):
    html = client.get("/").content.decode()
    assert 'id="layers-config"' in html
    assert "js/layers.js" in html
    config = json.loads(re.search(r'id="layers-config" type="application/json">(.*?)</script>', html).group(1))
    assert config["outagesUrl"] == "/api/v1/outages/"
    assert config["budgetUrl"] == "/api/v1/budget-projects/"
    assert config["text"]["outagesLayer"] == "Відключення"


# --- the outage desk ---------------------------------------------------------------------------------


@pytest.fixture
def desk():
    CommunityBoundaryFactory()
    water = ExecutorFactory(code="water", name_uk="Водоканал", name_en="Water utility")
    grid = ExecutorFactory(code="electricity", name_uk="Обленерго", name_en="Grid")
    OutageKindGrant.objects.create(executor=water, kind="water")
    OutageKindGrant.objects.create(executor=grid, kind="electricity")
    return {
        "water": water,
        "grid": grid,
        "outage": OutageFactory(provider=water),
        "users": {
            "citizen": UserFactory(username="citizen"),
            "provider_staff": StaffFactory(username="water-staff", executor=water),
            "other_executor_staff": StaffFactory(username="grid-staff", executor=grid),
            "dispatcher": DispatcherFactory(username="duty"),
            "leadership": LeadershipFactory(username="mayor"),
        },
    }


DESK_PAGES = ["/outages/manage/", "/outages/manage/new/", "/outages/manage/{pk}/edit/", "/outages/manage/{pk}/close/"]


@pytest.mark.parametrize("page", DESK_PAGES)
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("citizen", 403),
        ("leadership", 403),
        ("other_executor_staff", None),  # the desk and "new" yes; another organisation's outage no
        ("provider_staff", 200),
        ("dispatcher", 200),
    ],
)
def test_desk_pages_permission_matrix(client, desk, page, who, status):
    if who != "anonymous":
        client.force_login(desk["users"][who])
    url = page.format(pk=desk["outage"].pk)
    response = client.get(url)
    if status is None:
        status = 403 if "{pk}" in page else 200
    assert response.status_code == status
    if who == "anonymous":
        assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("who", ["citizen", "leadership", "other_executor_staff"])
def test_refused_posts_change_nothing(client, desk, who):
    client.force_login(desk["users"][who])
    outage = desk["outage"]
    end = timezone.localtime(outage.expected_end_at + 5 * HOUR).strftime("%Y-%m-%dT%H:%M")
    for url, data in (
        (f"/outages/manage/{outage.pk}/close/", {}),
        (f"/outages/manage/{outage.pk}/extend/", {"expected_end_at": end}),
        (f"/outages/manage/{outage.pk}/edit/", {"area": outage.area.geojson, "affected_streets": "x"}),
    ):
        assert client.post(url, data).status_code == 403
    outage.refresh_from_db()
    assert (outage.ended_at, outage.affected_streets) == (None, "вул. Стрийська, 1–57")
    assert OutageEvent.objects.filter(outage=outage).count() == 1


def publish_form(provider, **overrides) -> dict:
    now = timezone.localtime()
    data = {
        "kind": "water",
        "nature": "planned",
        "provider": str(provider.pk),
        "starts_at": (now + 2 * HOUR).strftime("%Y-%m-%dT%H:%M"),
        "expected_end_at": (now + 6 * HOUR).strftime("%Y-%m-%dT%H:%M"),
        "area": square(half=0.004).geojson,
        "affected_streets": "вул. Стрийська, 1–57",
        "public_notes": "Заміна засувки.",
        "reference": "",
    }
    return {**data, **overrides}


def test_staff_publish_through_the_form_with_csrf(desk):
    client = Client(enforce_csrf_checks=True)
    staff = desk["users"]["provider_staff"]
    client.force_login(staff)
    page = client.get("/outages/manage/new/")
    token = page.cookies["csrftoken"].value
    assert client.post("/outages/manage/new/", publish_form(desk["water"])).status_code == 403  # no token
    response = client.post("/outages/manage/new/", {**publish_form(desk["water"]), "csrfmiddlewaretoken": token})
    outage = Outage.objects.exclude(pk=desk["outage"].pk).get()
    assert response.status_code == 302 and response["Location"] == f"/outages/{outage.pk}/"
    assert (outage.provider, outage.published_by, outage.nature) == (desk["water"], staff, "planned")
    assert outage.area.geom_type == "MultiPolygon"


def test_staff_cannot_publish_for_another_provider(client, desk):
    client.force_login(desk["users"]["provider_staff"])
    response = client.post("/outages/manage/new/", publish_form(desk["grid"]))
    assert response.status_code == 200  # the grid is not among this user's choices
    assert "provider" in response.context["form"].errors
    assert Outage.objects.count() == 1


def test_form_errors_are_shown_in_ukrainian(client, desk):
    client.force_login(desk["users"]["dispatcher"])
    response = client.post(
        "/outages/manage/new/", publish_form(desk["water"], expected_end_at="", area="", starts_at="")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["area"] == ["Накресліть зону відключення на мапі."]
    assert errors["starts_at"] == ["Це поле обов'язкове."]
    lviv = '{"type": "MultiPolygon", "coordinates": [[[[24.0, 49.8], [24.05, 49.8], [24.05, 49.85], [24.0, 49.8]]]]}'
    response = client.post("/outages/manage/new/", publish_form(desk["water"], nature="planned", expected_end_at="",
                                                                area=lviv))  # fmt: skip
    errors = response.context["form"].errors
    assert errors["expected_end_at"] == ["Для планового відключення потрібне орієнтовне завершення."]
    assert errors["area"] == ["Зона поза територією громади."]
    assert Outage.objects.count() == 1


def test_extend_and_close_through_the_desk(client, desk):
    outage = desk["outage"]
    client.force_login(desk["users"]["provider_staff"])
    new_end = timezone.localtime(outage.expected_end_at + 3 * HOUR).replace(second=0, microsecond=0)
    response = client.post(
        f"/outages/manage/{outage.pk}/extend/",
        {"expected_end_at": new_end.strftime("%Y-%m-%dT%H:%M"), "note": "Ще 3 год."},
    )
    assert response.status_code == 302
    outage.refresh_from_db()
    assert outage.expected_end_at == new_end
    too_early = client.post(
        f"/outages/manage/{outage.pk}/extend/", {"expected_end_at": new_end.strftime("%Y-%m-%dT%H:%M")}
    )
    assert too_early.status_code == 400
    assert too_early.context["extend_form"].errors["expected_end_at"] == [
        "Нове орієнтовне завершення має бути пізніше за поточне."
    ]
    response = client.post(f"/outages/manage/{outage.pk}/close/", {"ended_at": "", "note": "Воду подано."})
    assert response.status_code == 302
    outage.refresh_from_db()
    assert outage.ended_at is not None
    assert [e.kind for e in outage.events.order_by("pk")] == ["published", "extended", "closed"]
    assert client.get(f"/outages/manage/{outage.pk}/close/").status_code == 404


def test_the_desk_lists_only_the_organisations_outages(client, desk):
    OutageFactory(provider=desk["grid"], kind="electricity")
    client.force_login(desk["users"]["provider_staff"])
    listed = [o.pk for o, _, _ in client.get("/outages/manage/").context["outages"]]
    assert listed == [desk["outage"].pk]
    client.force_login(desk["users"]["dispatcher"])
    assert len(client.get("/outages/manage/").context["outages"]) == 2


def test_the_publish_page_draws_on_a_local_leaflet(client, desk):
    client.force_login(desk["users"]["dispatcher"])
    html = client.get("/outages/manage/new/").content.decode()
    assert "/static/leaflet/draw/leaflet.draw.js" in html
    assert "/static/js/outage-form.js" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "proj4js" not in html
    for host in ("unpkg.com", "cdnjs", "jsdelivr", "openstreetmap"):
        assert host not in html
