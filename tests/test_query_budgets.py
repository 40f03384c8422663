"""Query budgets: every list endpoint and page answers in a fixed number of queries, however many
rows it shows.

Each test asks twice: first with ROWS rows, then after adding twice as many (3 × ROWS in all), each
new row bringing an executor, category, district or project of its own. Both answers must fit the
same budget and take the same number of queries, so a query per row — or per executor or category
named in the rows — fails the test. A budget is the count measured when it was set plus a little
room; it never depends on the number of rows. All the budgets live in this file.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from urllib.parse import quote

import pytest
from django.contrib.gis.geos import LineString, MultiLineString, Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from accounts.models import Executor, User
from alerts.feeds import FEED_ITEMS as ALERT_FEED_ITEMS
from alerts.models import Alert, AlertKind
from geo.feeds import FEED_ITEMS
from geo.models import AddressPoint, Street
from geo.services import outage_extend, street_create
from issues.models import Category, CategoryAttribute, CategoryGroup, Issue, IssueEvent, RoutingRule
from issues.services import TransitionInput, issue_transition
from issues.services.media import issue_attach_media
from issues.services.moderation import issue_change_category, issue_comment, issue_set_hidden
from issues.services.sla import sla_sweep
from issues.services.support import issue_support
from media_store.services import media_intake
from open311.params import cursor_token
from tests.factories import (
    CENTRE_LAT,
    CENTRE_LON,
    BudgetProjectFactory,
    DistrictFactory,
    DutyContactFactory,
    ExecutorFactory,
    OutageFactory,
    StaffFactory,
    UserFactory,
    box,
    point,
)
from tests.media_store.media import image_bytes
from tests.tiles import decode, tile_url

pytestmark = pytest.mark.django_db

ROWS = 5
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)

# The most queries each request may take, with any number of rows: the count measured when the
# budget was set, plus ROOM (a session or permission lookup more is no reason to fail; a query
# per row, with ROWS rows or more, is).
ROOM = 2
BUDGETS = {
    "queue page": 8 + ROOM,  # the page of rows and their count (the pager)
    "queue api": 6 + ROOM,  # the page of rows and their count (X-Total-Count)
    "dispatch page": 9 + ROOM,
    "me page": 5 + ROOM,
    "issue page, staff": 14 + ROOM,
    "issue page, public": 6 + ROOM,
    "issue api": 1 + ROOM,
    "issues api": 1 + ROOM,
    "issue pins": 1 + ROOM,
    "issue pins, a later page": 1 + ROOM,
    "issue cells": 1 + ROOM,
    "issue cells, filtered": 4 + ROOM,  # signed in (session, user), the district codes' check, the cells
    "nearby api": 1 + ROOM,
    "categories api": 2 + ROOM,
    "map page": 7 + ROOM,
    "offline map page": 7 + ROOM,
    "budget layer": 1 + ROOM,
    # A vector tile is one SQL statement, filters checked inside it: no room at all.
    "issue tile": 1,
    "issue tile, cells": 1,
    "budget tile": 1,
    "outage tile": 1,
    "tilejson": 1,
    "outage layer": 1 + ROOM,
    "outages at a point": 1 + ROOM,
    # The search's transaction sets pg_trgm's threshold (a savepoint in a test: three statements).
    "address search": 5 + ROOM,
    "address reverse": 2 + ROOM,
    "budget page": 6 + ROOM,
    "outages page": 1 + ROOM,
    "outage desk": 5 + ROOM,
    "contacts page": 1 + ROOM,
    "outages ics": 2 + ROOM,
    "outages atom": 1 + ROOM,
    "alerts page": 5 + ROOM,
    "district feed": 3 + ROOM,
    "alert feed": 3 + ROOM,
    "open311 requests": 4 + ROOM,
    "open311 requests, extended": 7 + ROOM,
    "open311 updates": 3 + ROOM,
    # A page after a cursor (keyset paging) costs what the first page costs.
    "open311 requests, cursor": 4 + ROOM,
    "open311 updates, cursor": 3 + ROOM,
    "open311 services": 2 + ROOM,
    # Each figure's query runs in a savepoint with its own work_mem: four statements a figure; plus
    # one for the whole dashboard's longer statement timeout (opencity.db.longer_statement_timeout).
    "dashboard page": 40 + ROOM,
    "dashboard print": 43 + ROOM,
    "dashboard overdue": 7 + ROOM,
    "dashboard api": 39 + ROOM,
    "dashboard export": 39 + ROOM,
}


@pytest.fixture
def within_budget(django_assert_max_num_queries):
    """`check(name, fetch, grow)`: grow ROWS rows and fetch, grow 2 × ROWS more and fetch again;
    both answers are 200s within BUDGETS[name] queries, and take as many queries as each other.
    Returns the second answer."""

    def check(name: str, fetch: Callable[[], HttpResponse], grow: Callable[[int], object]) -> HttpResponse:
        counts, answer = [], None
        for step, rows in enumerate((ROWS, 2 * ROWS)):
            grow(rows)
            if step == 0:
                fetch()  # once unmeasured: a fresh process loads a few things once (spatial reference systems)
            with django_assert_max_num_queries(BUDGETS[name]) as captured:
                answer = fetch()
            assert answer.status_code == 200, answer.content[:500]
            counts.append(len(captured))
        assert counts[0] == counts[1], f"{name}: {counts[0]} queries for {ROWS} rows, {counts[1]} for {3 * ROWS}"
        return answer

    return check


def signed_in(user: User | None) -> Client:
    client = Client(headers={"accept-language": "uk"})
    if user is not None:
        client.force_login(user)
    return client


class Town:
    """Rows for the budgets. Every issue is reported at an hour of its own (nobody reaches the hourly
    limit), in a district of its own, and by default in a new category routed to a new executor."""

    STRIP = 0.002  # degrees of latitude per extra district: 25 strips north and 25 south

    def __init__(self, world) -> None:
        self.world = world
        self.serial = itertools.count()
        self.strips = itertools.count()
        self.hours = itertools.count()
        self.start = timezone.now() - 12 * DAY

    def moment(self) -> datetime.datetime:
        return self.start + 2 * HOUR * next(self.hours)

    def executor(self, **fields) -> Executor:
        n = next(self.serial)
        return ExecutorFactory(code=f"budget-{n}", name_uk=f"Служба {n}", name_en=f"Service {n}", **fields)

    def category(self, *, executor: Executor | None = None, questions: int = 0) -> Category:
        """A category in a group of its own, routed to `executor` (None: no rule, the dispatcher routes)."""
        n = next(self.serial)
        group = CategoryGroup.objects.create(code=f"group-{n}", name_uk=f"Група {n}", name_en=f"Group {n}", order=n)
        category = Category.objects.create(
            code=f"category-{n}",
            group=group,
            name_uk=f"Категорія {n}",
            name_en=f"Category {n}",
            sla_policy=self.world.standard,
        )
        if executor is not None:
            RoutingRule.objects.create(category=category, executor=executor)
        for order in range(1, questions + 1):
            CategoryAttribute.objects.create(
                category=category,
                code=f"question-{order}",
                datatype="singlevaluelist",
                order=order,
                description_uk=f"Питання {order}",
                description_en=f"Question {order}",
                values=[{"key": "yes", "name_uk": "Так", "name_en": "Yes"}],
            )
        return category

    def place(self):
        """A point inside a new district: a strip north (then south) of the world's two districts."""
        n = next(self.strips)
        assert n < 50, "out of room for districts"
        south = CENTRE_LAT + 0.05 + n * self.STRIP if n < 25 else CENTRE_LAT - 0.1 + (n - 25) * self.STRIP
        DistrictFactory(code=f"strip-{n}", geom=box(CENTRE_LON - 0.05, south, CENTRE_LON + 0.05, south + self.STRIP))
        return point(CENTRE_LON, south + self.STRIP / 2)

    def issue(self, *, executor: Executor | None = None, category=None, where=None, reporter=None, **more) -> Issue:
        from issues.services import issue_create

        if category is None:
            category = self.category(executor=executor if executor is not None else self.executor())
        return issue_create(
            reporter=reporter or self.world.citizen,
            category=category,
            description="Перевірка бюджету запитів",
            point=where or self.place(),
            address="вул. Шевченка, 1",
            now=self.moment(),
            **more,
        ).issue

    def unrouted(self, **more) -> Issue:
        return self.issue(category=self.category(), **more)


def act(issue: Issue, actor: User | None, action: str, at: datetime.datetime, **data) -> Issue:
    return issue_transition(issue=issue, actor=actor, action=action, data=TransitionInput(**data), now=at)


@pytest.fixture
def town(world) -> Town:
    return Town(world)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


# --- The executor's queue, the dispatch desk, my issues -----------------------------------------------------


def queue_rows(town: Town, rows: int) -> None:
    """Open issues for the road service, each in its own category and district: assigned, accepted,
    or planned."""
    world = town.world
    for n in range(rows):
        issue = town.issue(executor=world.roads)
        if n % 3:
            issue = act(issue, world.roads_staff, "accept", town.moment(), promised_date=town.start.date() + 30 * DAY)
        if n % 3 == 2:
            act(issue, world.roads_staff, "plan", town.moment(), promised_date=town.start.date() + 60 * DAY)


def test_the_queue_page(world, town, within_budget):
    client = signed_in(world.roads_staff)
    page = within_budget("queue page", lambda: client.get("/queue/"), lambda rows: queue_rows(town, rows))
    assert page.content.decode().count('class="queue-row') == 3 * ROWS


def test_the_queue_api(world, town, within_budget):
    client = signed_in(world.roads_staff)
    answer = within_budget("queue api", lambda: client.get("/api/v1/queue/"), lambda rows: queue_rows(town, rows))
    assert [item["executor"]["code"] for item in answer.json()] == ["roads"] * 3 * ROWS


def dispatch_rows(town: Town, rows: int) -> None:
    """For each row: a report no rule routes, a pair of possible duplicates, and an overdue issue,
    each with a new category and executor."""
    for _ in range(rows):
        town.unrouted()
        category, where = town.category(executor=town.executor()), town.place()
        town.issue(category=category, where=where)
        town.issue(category=category, where=where, reporter=town.world.other_citizen)
        town.issue()  # assigned days ago and never answered: overdue


def test_the_dispatch_desk(world, town, within_budget):
    client = signed_in(world.dispatcher)
    page = within_budget("dispatch page", lambda: client.get("/dispatch/"), lambda rows: dispatch_rows(town, rows))
    html = page.content.decode()
    assert html.count('class="desk-item"') == 3 * ROWS
    assert all(issue.ref in html for issue in Issue.objects.all())


def my_rows(town: Town, rows: int) -> None:
    """Issues the citizen reported, and issues someone else reported that the citizen supports."""
    world = town.world
    for _ in range(rows):
        town.issue()
        issue_support(issue=town.issue(reporter=world.other_citizen), user=world.citizen, now=town.moment())


def test_my_issues(world, town, within_budget):
    client = signed_in(world.citizen)
    page = within_budget("me page", lambda: client.get("/me/"), lambda rows: my_rows(town, rows))
    assert page.content.decode().count('class="followed-item"') == 6 * ROWS


# --- One issue with a long history ------------------------------------------------------------------------


class History:
    """An issue whose timeline has every kind of event, again and again: each round reassigns it to
    a new executor (with a supervisor of its own), misses a deadline and escalates, changes its
    category to a new one, comments, accepts, plans it against a new budget project, resumes, adds a
    photo, hides and shows it, resolves it, and the reporter disputes the fix."""

    def __init__(self, world, town: Town) -> None:
        self.world, self.town = world, town
        town.start = timezone.now() - 200 * DAY  # room for 15 rounds of about a week
        original = town.issue(executor=world.roads, where=world.inside_west)
        self.issue = town.issue(category=original.category, where=world.inside_west)  # flagged as a duplicate
        self.first_category = original.category
        self.clock = town.moment()
        self.executors: list[Executor] = []
        self.supervisors: list[Executor] = []
        self.categories: list[Category] = []
        self.projects: list = []

    def tick(self, hours: int = 1) -> datetime.datetime:
        self.clock += hours * HOUR
        return self.clock

    def grow(self, rounds: int) -> None:
        world, town, dispatcher = self.world, self.town, self.world.dispatcher
        for _ in range(rounds):
            supervisor = town.executor()
            executor = town.executor(supervisor=supervisor)
            staff = StaffFactory(executor=executor)
            project = BudgetProjectFactory(executor=executor)
            category = town.category()
            self.executors.append(executor)
            self.supervisors.append(supervisor)
            self.categories.append(category)
            self.projects.append(project)
            issue = act(self.issue, dispatcher, "reassign", self.tick(), executor=executor)
            sla_sweep(now=self.tick(24 * 6))
            issue = issue_change_category(issue=issue, actor=dispatcher, category=category, now=self.tick())
            issue_comment(issue=issue, actor=dispatcher, note="Уточнили категорію", is_public=True, now=self.tick())
            issue_comment(issue=issue, actor=staff, note="Бригада на іншому об'єкті", is_public=False, now=self.tick())
            issue = act(issue, staff, "accept", self.tick(), promised_date=self.clock.date() + 30 * DAY)
            issue = act(issue, staff, "plan", self.tick(), budget_project_id=project.pk)
            issue = act(issue, staff, "resume", self.tick())
            photo = SimpleUploadedFile("before.jpg", image_bytes(), content_type="image/jpeg")
            asset = media_intake(uploaded_file=photo, uploaded_by=staff).asset
            issue_attach_media(issue=issue, assets=[asset], role="before", actor=staff, now=self.tick())
            issue = issue_set_hidden(issue=issue, actor=dispatcher, hidden=True, note="Фото з номером", now=self.tick())
            issue = issue_set_hidden(issue=issue, actor=dispatcher, hidden=False, now=self.tick())
            issue = act(issue, staff, "resolve", self.tick(), note="Залатали")
            self.issue = act(issue, world.citizen, "dispute", self.tick(), note="Яма знову є")
            self.tick(24)

    def expected_phrases(self, *, staff: bool) -> list[str]:
        """What the timeline must say about each round, names included (in Ukrainian)."""
        phrases = []
        previous = [self.first_category, *self.categories[:-1]]
        rounds = zip(self.executors, previous, self.categories, self.projects, strict=True)
        for executor, old_category, category, project in rounds:
            phrases.append(f"Передано виконавцю: {executor.name_uk}")
            phrases.append(f"Категорію змінено з «{old_category.name_uk}» на «{category.name_uk}»")
            phrases.append(f"Заплановано в межах бюджетного проєкту «{project.title_uk}»")
        if staff:
            phrases += [f"Передано на контроль: {supervisor.name_uk} і диспетчер" for supervisor in self.supervisors]
        return phrases


@pytest.fixture
def history(world, town) -> History:
    return History(world, town)


def test_the_history_has_every_kind_of_event(history):
    history.grow(1)
    kinds = set(IssueEvent.objects.filter(issue=history.issue).values_list("kind", flat=True))
    assert kinds == {
        "created",
        "routed",
        "duplicate_flagged",
        "reassigned",
        "sla_breached",
        "escalated",
        "category_changed",
        "comment",
        "status_changed",
        "media_added",
        "hidden",
        "shown",
    }


@pytest.mark.parametrize(("who", "budget"), [("dispatcher", "issue page, staff"), (None, "issue page, public")])
def test_the_issue_page_with_a_long_timeline(world, history, within_budget, who, budget):
    client = signed_in(getattr(world, who) if who else None)
    page = within_budget(budget, lambda: client.get(f"/issues/{history.issue.ref}/"), history.grow)
    html = page.content.decode()
    events = IssueEvent.objects.filter(issue=history.issue)
    assert html.count('class="timeline-item') == (events if who else events.filter(is_public=True)).count()
    assert [phrase for phrase in history.expected_phrases(staff=bool(who)) if phrase not in html] == []


def test_the_issue_api_with_a_long_timeline(world, history, within_budget):
    client = signed_in(None)
    answer = within_budget("issue api", lambda: client.get(f"/api/v1/issues/{history.issue.ref}/"), history.grow)
    timeline = answer.json()["timeline"]
    assert len(timeline) == IssueEvent.objects.filter(issue=history.issue, is_public=True).count()
    text = "\n".join(event["summary"] for event in timeline)
    assert [phrase for phrase in history.expected_phrases(staff=False) if phrase not in text] == []


# --- The map: issues, categories, layers ------------------------------------------------------------------------


def test_the_issue_layer(world, town, within_budget):
    client = signed_in(None)
    answer = within_budget(
        "issues api", lambda: client.get("/api/v1/issues/"), lambda rows: [town.issue() for _ in range(rows)]
    )
    assert answer.json()["count"] == 3 * ROWS


def test_the_maps_issue_pins(world, town, within_budget):
    client = signed_in(None)
    answer = within_budget(
        "issue pins", lambda: client.get("/api/v1/issues/?view=pins"), lambda rows: [town.issue() for _ in range(rows)]
    )
    assert answer.json()["count"] == 3 * ROWS


def test_the_maps_issue_pins_a_later_page(world, town, within_budget):
    client = signed_in(None)
    first = town.issue()

    newest: list[str] = []

    def grow(rows: int) -> None:
        newest.append([town.issue() for _ in range(rows)][-1].ref)

    def fetch():
        return client.get(f"/api/v1/issues/?view=pins&after={newest[-1]}")

    answer = within_budget("issue pins, a later page", fetch, grow)
    assert answer.json()["count"] == 3 * ROWS  # every one older than the newest, the first included
    assert first.ref in {feature["id"] for feature in answer.json()["features"]}


CITY_BBOX = f"{CENTRE_LON - 0.5},{CENTRE_LAT - 0.5},{CENTRE_LON + 0.5},{CENTRE_LAT + 0.5}"


def test_the_maps_issue_cells(world, town, within_budget):
    client = signed_in(None)
    answer = within_budget(
        "issue cells",
        lambda: client.get(f"/api/v1/issues/cells/?bbox={CITY_BBOX}&zoom=12"),
        lambda rows: [town.issue() for _ in range(rows)],
    )
    assert answer.json()["total"] == 3 * ROWS


def test_the_maps_issue_cells_filtered(world, town, within_budget):
    client = signed_in(world.citizen)
    districts: list[str] = []

    def grow(rows: int) -> None:
        made = [town.issue() for _ in range(rows)]
        districts.extend(Issue.objects.filter(pk__in=[i.pk for i in made]).values_list("district__code", flat=True))

    def fetch():
        query = f"bbox={CITY_BBOX}&zoom=12&status=open&overdue=false&mine=true&district={','.join(districts)}"
        return client.get(f"/api/v1/issues/cells/?{query}")

    answer = within_budget("issue cells, filtered", fetch, grow)
    assert answer.json()["total"] == Issue.objects.filter(reporter=world.citizen).count()


def test_issues_nearby(world, town, within_budget):
    def grow(rows: int) -> None:
        for _ in range(rows):
            n = next(town.serial)
            where = point(CENTRE_LON + 0.01 + n * 0.00001, CENTRE_LAT)  # a metre apart, within 30 m
            town.issue(category=world.pothole, where=where, reporter=UserFactory())

    client = signed_in(None)
    query = {"lon": CENTRE_LON + 0.01, "lat": CENTRE_LAT, "category": "pothole"}
    answer = within_budget("nearby api", lambda: client.get("/api/v1/issues/nearby/", query), grow)
    assert len(answer.json()["results"]) == 3 * ROWS


def category_rows(town: Town, rows: int) -> None:
    for _ in range(rows):
        town.category(executor=town.executor(), questions=2)


def test_the_categories_api(world, town, within_budget):
    client = signed_in(None)
    answer = within_budget(
        "categories api", lambda: client.get("/api/v1/categories/"), lambda rows: category_rows(town, rows)
    )
    assert len(answer.json()) == 3 + 3 * ROWS


def test_the_map_page(world, town, within_budget):
    client = signed_in(world.citizen)
    page = within_budget("map page", lambda: client.get("/"), lambda rows: category_rows(town, rows))
    assert "Питання 2" in page.content.decode()


def test_the_offline_map_page(world, town, within_budget):
    client = signed_in(world.citizen)  # rendered as for anyone: the service worker stores it
    page = within_budget("offline map page", lambda: client.get("/offline/"), lambda rows: category_rows(town, rows))
    assert "Питання 2" in page.content.decode()


def budget_rows(town: Town, rows: int) -> None:
    for _ in range(rows):
        BudgetProjectFactory(executor=town.executor())


def test_the_budget_layer(world, town, within_budget):
    client = signed_in(None)
    answer = within_budget(
        "budget layer", lambda: client.get("/api/v1/budget-projects/"), lambda rows: budget_rows(town, rows)
    )
    assert len(answer.json()["features"]) == 3 * ROWS


def tile(layer: str, z: int = 7, query: str = "") -> str:
    return tile_url(layer, CENTRE_LON, CENTRE_LAT, z, query)


@pytest.mark.parametrize("query", ["", "status=open,closed&category=pothole,open-manhole&district=west,east"])
def test_an_issue_tile(world, town, within_budget, query):
    client = signed_in(None)
    grow = (
        (lambda rows: [town.issue() for _ in range(rows)])
        if not query
        else (lambda rows: [town.issue(category=world.pothole, where=world.inside_west) for _ in range(rows)])
    )
    answer = within_budget("issue tile", lambda: client.get(tile("issues", query=query)), grow)
    assert set(decode(answer.content)) == {"issues"}


def test_an_issue_tile_of_cells(world, town, within_budget, settings):
    settings.OPENCITY_TILE_MAX_FEATURES = 2
    client = signed_in(None)
    answer = within_budget(
        "issue tile, cells", lambda: client.get(tile("issues")), lambda rows: [town.issue() for _ in range(rows)]
    )
    assert sum(cell["properties"]["count"] for cell in decode(answer.content)["issue_cells"]["features"]) == 3 * ROWS


def test_a_budget_tile(world, town, within_budget):
    client = signed_in(None)
    answer = within_budget("budget tile", lambda: client.get(tile("budget")), lambda rows: budget_rows(town, rows))
    assert len(decode(answer.content)["budget"]["features"]) == 3 * ROWS


@pytest.mark.parametrize("layer", ["issues", "budget", "outages"])
def test_a_tilejson(world, town, within_budget, layer):
    client = signed_in(None)
    within_budget("tilejson", lambda: client.get(f"/api/v1/tiles/{layer}.json"), lambda rows: budget_rows(town, rows))


def outage_rows(town: Town, rows: int) -> None:
    """Outages by a new provider each: in force now, to come, and planned with a later extension."""
    now = timezone.now()
    for _ in range(rows):
        OutageFactory(provider=town.executor())
        OutageFactory(provider=town.executor(), starts_at=now + DAY, expected_end_at=now + DAY + 8 * HOUR)
        planned = OutageFactory(
            provider=town.executor(), nature="planned", starts_at=now + HOUR, expected_end_at=now + 5 * HOUR
        )
        outage_extend(actor=town.world.dispatcher, outage=planned, expected_end_at=now + 9 * HOUR, note="Ще трохи")


def test_the_outage_layer(world, town, within_budget):
    client = signed_in(None)
    answer = within_budget("outage layer", lambda: client.get("/api/v1/outages/"), lambda rows: outage_rows(town, rows))
    assert len(answer.json()["features"]) == 9 * ROWS


def test_an_outage_tile(world, town, within_budget):
    client = signed_in(None)
    answer = within_budget("outage tile", lambda: client.get(tile("outages")), lambda rows: outage_rows(town, rows))
    assert len(decode(answer.content)["outages"]["features"]) == 9 * ROWS


def test_outages_at_a_point(world, town, within_budget):
    client = signed_in(None)
    query = {"lon": CENTRE_LON, "lat": CENTRE_LAT}
    answer = within_budget(
        "outages at a point", lambda: client.get("/api/v1/outages/at/", query), lambda rows: outage_rows(town, rows)
    )
    assert len(answer.json()["features"]) == 9 * ROWS


def street_rows(rows: int) -> None:
    """Streets named alike ("Стрийська 1", "Стрийська 2"…), each with a house 9 and its own line."""
    for _ in range(rows):
        number = Street.objects.count() + 1
        line = LineString(
            (CENTRE_LON, CENTRE_LAT + number * 0.0005), (CENTRE_LON + 0.002, CENTRE_LAT + number * 0.0005)
        )
        street = street_create(
            name_uk=f"Стрийська {number}", kind="street", district=None, geom=MultiLineString(line, srid=4326)
        )
        AddressPoint.objects.create(street=street, house_number="9", house_key="9", point=Point(*line[0], srid=4326))


def test_the_address_search(world, within_budget):
    client = signed_in(None)
    answer = within_budget(
        "address search", lambda: client.get("/api/v1/addresses/", {"q": "Стрийська 9", "limit": 20}), street_rows
    )
    assert answer.json()["count"] == 3 * ROWS


def test_the_address_of_a_point(world, within_budget):
    client = signed_in(None)
    query = {"lon": CENTRE_LON + 0.001, "lat": CENTRE_LAT + 0.0005}
    answer = within_budget("address reverse", lambda: client.get("/api/v1/addresses/reverse/", query), street_rows)
    assert answer.json()["kind"] in {"address", "near"}


# --- Pages and feeds of the layers -------------------------------------------------------------------------------


def test_the_budget_page(world, town, within_budget):
    client = signed_in(None)
    page = within_budget("budget page", lambda: client.get("/budget/"), lambda rows: budget_rows(town, rows))
    assert page.content.decode().count("data-project-id=") == 3 * ROWS


def test_the_outages_page(world, town, within_budget):
    client = signed_in(None)
    page = within_budget("outages page", lambda: client.get("/outages/"), lambda rows: outage_rows(town, rows))
    assert page.content.decode().count('class="item outage-item') == 9 * ROWS


def test_the_outage_desk(world, town, within_budget):
    client = signed_in(world.dispatcher)
    page = within_budget("outage desk", lambda: client.get("/outages/manage/"), lambda rows: outage_rows(town, rows))
    assert page.content.decode().count('id="desk-outage-') == 9 * ROWS


def test_the_contacts_page(world, within_budget):
    client = signed_in(None)
    page = within_budget(
        "contacts page", lambda: client.get("/contacts/"), lambda rows: DutyContactFactory.create_batch(rows)
    )
    assert page.content.decode().count("tel:104") == 3 * ROWS


def test_the_planned_outages_calendar(world, town, within_budget):
    client = signed_in(None)
    answer = within_budget(
        "outages ics", lambda: client.get("/outages/planned.ics"), lambda rows: outage_rows(town, rows)
    )
    assert answer.content.decode().count("BEGIN:VEVENT") == 3 * ROWS


def test_the_outage_notices_feed(world, town, within_budget):
    client = signed_in(None)
    answer = within_budget(
        "outages atom", lambda: client.get("/outages/feed.atom"), lambda rows: outage_rows(town, rows)
    )
    assert answer.content.decode().count("<entry>") == FEED_ITEMS < 12 * ROWS  # the newest 50 of the 60 notices


# --- Area alerts ---------------------------------------------------------------------------------------------


def test_my_alerts(world, town, within_budget):
    """Alerts of every kind, each in a district and with a category group of its own."""

    def grow(rows: int) -> None:
        for n in range(rows):
            kind = (AlertKind.DISTRICT, AlertKind.AREA, AlertKind.RADIUS)[n % 3]
            where = town.place()
            place = {
                AlertKind.DISTRICT: {"district": DistrictFactory(code=f"alert-{next(town.serial)}")},
                AlertKind.AREA: {"area": box(where.x - 0.001, where.y - 0.001, where.x + 0.001, where.y + 0.001)},
                AlertKind.RADIUS: {"center": where, "radius_m": 200},
            }[kind]
            alert = Alert.objects.create(user=world.other_citizen, kind=kind, status_changes=True, **place)
            alert.category_groups.set([town.category().group])

    client = signed_in(world.other_citizen)
    page = within_budget("alerts page", lambda: client.get("/alerts/"), grow)
    assert page.content.decode().count('data-alert="') == 3 * ROWS


def alert_feed_rows(town: Town, rows: int) -> None:
    """Issues in the west district, each of its own category and executor, accepted by the executor."""
    world = town.world
    for _ in range(rows):
        executor = town.executor()
        staff = StaffFactory(executor=executor)
        issue = town.issue(executor=executor, where=world.inside_west)
        act(issue, staff, "accept", town.moment(), promised_date=town.start.date() + 30 * DAY)


def test_the_district_feed(world, town, within_budget):
    client = signed_in(None)
    answer = within_budget(
        "district feed",
        lambda: client.get("/alerts/districts/west/feed.atom"),
        lambda rows: alert_feed_rows(town, rows),
    )
    assert answer.content.decode().count("<entry>") == 2 * 3 * ROWS  # reported, accepted (30 < ALERT_FEED_ITEMS)
    assert 2 * 3 * ROWS < ALERT_FEED_ITEMS


def test_a_saved_alerts_feed(world, town, within_budget):
    alert = Alert.objects.create(
        user=world.other_citizen, kind=AlertKind.RADIUS, center=world.inside_west, radius_m=300, status_changes=True
    )
    client = signed_in(None)
    answer = within_budget(
        "alert feed",
        lambda: client.get(f"/alerts/feed/{alert.feed_token}.atom"),
        lambda rows: alert_feed_rows(town, rows),
    )
    assert answer.content.decode().count("<entry>") == 2 * 3 * ROWS


# --- Open311 ---------------------------------------------------------------------------------------------------


class Open311Rows:
    """Public issues, each moved to a second new category and reassigned to a second new executor,
    so their status notes and notes name executors and categories of their own."""

    def __init__(self, town: Town) -> None:
        self.town = town
        self.executors: list[Executor] = []
        self.issues: list[Issue] = []

    def grow(self, rows: int) -> None:
        town, dispatcher = self.town, self.town.world.dispatcher
        for _ in range(rows):
            issue = town.issue()
            self.issues.append(issue)
            issue = issue_change_category(issue=issue, actor=dispatcher, category=town.category(), now=town.moment())
            self.executors.append(town.executor())
            act(issue, dispatcher, "reassign", town.moment(), executor=self.executors[-1])


@pytest.mark.parametrize(
    ("path", "budget"),
    [
        ("/open311/v2/requests.json", "open311 requests"),
        ("/open311/v2/requests.xml", "open311 requests"),
        ("/open311/v2/requests.json?extensions=true", "open311 requests, extended"),
        ("/open311/v2/requests.xml?extensions=true", "open311 requests, extended"),
        ("/open311/v2/servicerequestupdates.json", "open311 updates"),
        ("/open311/v2/servicerequestupdates.xml", "open311 updates"),
    ],
)
def test_open311_requests_and_updates(world, town, within_budget, path, budget):
    client, rows = signed_in(None), Open311Rows(town)
    text = within_budget(budget, lambda: client.get(path), rows.grow).content.decode()
    assert len(rows.executors) == 3 * ROWS
    assert [e.name_uk for e in rows.executors if f"Передано виконавцю: {e.name_uk}" not in text] == []


@pytest.mark.parametrize(
    ("path", "budget"),
    [
        ("requests.json", "open311 requests, cursor"),
        ("requests.xml?extensions=true", "open311 requests, extended"),
        ("servicerequestupdates.json", "open311 updates, cursor"),
    ],
)
def test_open311_pages_after_a_cursor(world, town, within_budget, path, budget):
    """The next page of the Link header (a keyset cursor after the newest issue): its query count
    does not grow with the rows before or after the cursor."""
    client, rows = signed_in(None), Open311Rows(town)

    def next_page() -> HttpResponse:
        if path.startswith("requests"):  # after the newest issue: every other one follows
            newest = rows.issues[-1]
            cursor = cursor_token("requests", at=newest.created_at, pk=newest.pk)
        else:  # after the first issue's report: the events of every other one follow
            oldest = rows.issues[0]
            cursor = cursor_token("updates", at=oldest.created_at, pk=2**62)
        separator = "&" if "?" in path else "?"
        return client.get(f"/open311/v2/{path}{separator}cursor={quote(cursor)}")

    text = within_budget(budget, next_page, rows.grow).content.decode()
    assert len(rows.issues) == 3 * ROWS
    if path.startswith("requests"):
        given, newest = rows.executors[:-1], rows.issues[-1]
        assert newest.ref not in text and all(issue.ref in text for issue in rows.issues[:-1])
    else:
        given = rows.executors
    assert [e.name_uk for e in given if f"Передано виконавцю: {e.name_uk}" not in text] == []


@pytest.mark.parametrize(("path", "opening"), [("services.json", '{"service_code"'), ("services.xml", "<service>")])
def test_open311_services(world, town, within_budget, path, opening):
    client = signed_in(None)
    answer = within_budget(
        "open311 services", lambda: client.get(f"/open311/v2/{path}"), lambda rows: category_rows(town, rows)
    )
    assert answer.content.decode().count(opening) == 3 + 3 * ROWS


# --- The leadership dashboard ---------------------------------------------------------------------------------


def dashboard_rows(town: Town, rows: int) -> None:
    """Issues of new executors, groups and districts: fixed and confirmed, accepted, or left
    unanswered; an overdue one of the road service; a budget project of each new executor."""
    world = town.world
    for n in range(rows):
        executor = town.executor()
        staff = StaffFactory(executor=executor)
        issue = town.issue(executor=executor)
        if n % 3 != 2:
            issue = act(issue, staff, "accept", town.moment(), promised_date=town.start.date() + 30 * DAY)
        if n % 3 == 0:
            issue = act(issue, staff, "resolve", town.moment(), note="Готово")
            act(issue, world.citizen, "confirm", town.moment())
        town.issue(executor=world.roads)
        BudgetProjectFactory(executor=executor, sector=["roads", "lighting", "parks"][n % 3])


DASHBOARD_PAGES = [
    # path, budget, what the answer must show of the rows: the executors' names or the overdue refs
    ("/dashboard/", "dashboard page", "executors"),
    ("/dashboard/print/", "dashboard print", "executors"),
    ("/dashboard/overdue/roads/", "dashboard overdue", "overdue"),
    ("/api/v1/dashboard/", "dashboard api", "executors"),
    ("/dashboard/export/backlog.csv", "dashboard export", None),
    ("/dashboard/export/executors.csv", "dashboard export", "executors"),
    ("/dashboard/export/trends.csv", "dashboard export", None),
    ("/dashboard/export/spots.csv", "dashboard export", None),
    ("/dashboard/export/satisfaction.csv", "dashboard export", None),
    ("/dashboard/export/budget.csv", "dashboard export", None),
    ("/dashboard/export/executors.xlsx", "dashboard export", None),
    ("/dashboard/export/all.xlsx", "dashboard export", None),
]


@pytest.mark.parametrize(("path", "budget", "shows"), DASHBOARD_PAGES)
def test_the_dashboard(world, town, within_budget, path, budget, shows):
    client = signed_in(world.mayor)
    answer = within_budget(budget, lambda: client.get(path), lambda rows: dashboard_rows(town, rows))
    if shows == "executors":
        names = Executor.objects.filter(code__startswith="budget-").values_list("name_uk", flat=True)
        assert len(names) == 3 * ROWS
        assert [name for name in names if name not in answer.content.decode()] == []
    elif shows == "overdue":
        refs = Issue.objects.filter(executor=world.roads).values_list("ref", flat=True)
        assert len(refs) == 3 * ROWS
        assert [ref for ref in refs if ref not in answer.content.decode()] == []
