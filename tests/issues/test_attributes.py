"""Extra questions through every channel but Open311 (tested in tests/open311/): the REST
API and the map's form (which posts to it), the categories API, the database's guards and the
admin inline."""

from __future__ import annotations

import json

import pytest
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from issues.models import CategoryAttribute, Issue, IssueEvent
from tests.factories import CENTRE_LAT, CENTRE_LON, UserFactory
from tests.open311.conftest import questions  # noqa: F401 (the pothole's questions)

pytestmark = pytest.mark.django_db

POINT = {"type": "Point", "coordinates": [CENTRE_LON - 0.01, CENTRE_LAT]}


def post(user, language="uk", **body):
    client = APIClient(headers={"accept-language": language})
    client.force_authenticate(user)
    payload = {"category": "pothole", "description": "Яма", "location": POINT, **body}
    return client.post("/api/v1/issues/", payload, format="json")


def test_answers_through_the_rest_api(world, questions):  # noqa: F811
    answer = post(world.citizen, attributes={"depth": 20, "where": "sidewalk", "hazards": ["night"]})
    assert answer.status_code == 201
    assert answer.json()["attributes"] == {"depth": 20, "where": "sidewalk", "hazards": ["night"]}
    assert Issue.objects.get().attributes == {"depth": 20, "where": "sidewalk", "hazards": ["night"]}


def test_a_missing_answer_is_refused_with_nothing_created(world, questions):  # noqa: F811
    answer = post(world.citizen, language="en", attributes={"where": "nowhere"})
    assert answer.status_code == 400
    assert answer.json() == {
        "code": "invalid",
        "detail": "The report cannot be accepted yet.",
        "fields": {
            "attributes.depth": ["Please answer: How deep is the pothole, cm?"],
            "attributes.where": ["“Where exactly is it?”: “nowhere” is not one of the options."],
        },
    }
    ukrainian = post(world.citizen)
    assert ukrainian.json()["fields"] == {"attributes.depth": ["Дайте відповідь: Яка глибина ями, см?"]}
    assert (Issue.objects.count(), IssueEvent.objects.count()) == (0, 0)


def test_answers_in_a_multipart_report(world, questions):  # noqa: F811
    client = APIClient()
    client.force_authenticate(world.citizen)
    answer = client.post(
        "/api/v1/issues/",
        {
            "category": "pothole",
            "description": "Яма",
            "location": json.dumps(POINT),
            "attributes": json.dumps({"depth": "7"}),
        },
        format="multipart",
    )
    assert answer.status_code == 201
    assert Issue.objects.get().attributes == {"depth": 7}
    bad = client.post(
        "/api/v1/issues/",
        {"category": "pothole", "description": "Яма", "location": json.dumps(POINT), "attributes": "[1, 2]"},
        format="multipart",
        headers={"accept-language": "en"},
    )
    assert bad.json()["fields"] == {"attributes": ["Answers must be an object of question codes and answers."]}


def test_categories_without_questions_need_no_answers(world, questions, report):  # noqa: F811
    assert report(category=world.manhole).attributes == {}


def test_the_categories_api_shows_the_questions(world, questions):  # noqa: F811
    data = APIClient(headers={"accept-language": "en"}).get("/api/v1/categories/").json()
    pothole = next(c for c in data if c["code"] == "pothole")
    assert pothole["attributes"][1] == {
        "code": "where",
        "datatype": "singlevaluelist",
        "required": False,
        "variable": True,
        "order": 2,
        "description": "Where exactly is it?",
        "datatype_description": "",
        "values": [{"key": "roadway", "name": "Roadway"}, {"key": "sidewalk", "name": "Pavement"}],
    }
    assert [a["code"] for a in pothole["attributes"]] == ["depth", "where", "hazards", "warning"]


def test_the_map_form_asks_the_chosen_categorys_questions(world, questions, client):  # noqa: F811
    page = client.get("/").content.decode()
    assert 'data-questions-for="pothole"' in page
    assert 'data-questions-for="playground"' not in page
    assert 'data-attribute="depth" data-datatype="number"' in page
    assert 'data-errors-for="attributes.depth"' in page
    assert '<option value="sidewalk">Тротуар</option>' in page
    assert 'type="checkbox" value="night"' in page
    assert "Якщо яма глибша за 20 см, позначте її чимось помітним." in page


@pytest.mark.parametrize(
    "fields",
    [
        {"datatype": "singlevaluelist", "values": []},
        {"datatype": "string", "values": [{"key": "a", "name_uk": "А"}]},
        {"datatype": "string", "variable": False, "required": True},
        {"datatype": "colour"},
        {"datatype": "string", "order": 0},
    ],
)
def test_the_database_guards_the_definitions(world, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        CategoryAttribute.objects.create(category=world.pothole, code="q", description_uk="Питання?", **fields)


def test_codes_are_unique_per_category(world, questions):  # noqa: F811
    with pytest.raises(IntegrityError), transaction.atomic():
        CategoryAttribute.objects.create(category=world.pothole, code="depth", datatype="string", description_uk="?")
    CategoryAttribute.objects.create(category=world.manhole, code="depth", datatype="string", description_uk="?")


def test_questions_are_edited_inline_in_the_category_admin(world, client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    url = f"/admin/issues/category/{world.playground.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = {
        "code": "playground",
        "group": world.playground.group_id,
        "name_uk": "Майданчик",
        "name_en": "Playground",
        "description_uk": "",
        "description_en": "",
        "sla_policy": world.standard.pk,
        "duplicate_radius_m": "50",
        "outage_kind": "",
        "urgent_notice_uk": "",
        "urgent_notice_en": "",
        "is_active": "on",
        "order": "0",
        "attributes-TOTAL_FORMS": "1",
        "attributes-INITIAL_FORMS": "0",
        "attributes-MIN_NUM_FORMS": "0",
        "attributes-MAX_NUM_FORMS": "1000",
        "attributes-0-order": "1",
        "attributes-0-code": "broken",
        "attributes-0-datatype": "multivaluelist",
        "attributes-0-variable": "on",
        "attributes-0-required": "on",
        "attributes-0-description_uk": "Що зламано?",
        "attributes-0-description_en": "What is broken?",
        "attributes-0-datatype_description_uk": "",
        "attributes-0-datatype_description_en": "",
        "attributes-0-values": "swing | Гойдалка | Swing\nslide | Гірка\n",
    }
    bad = client.post(url, {**form, "attributes-0-values": "swing Гойдалка"})
    assert bad.status_code == 200
    assert "Запишіть кожен варіант як «ключ | українською | англійською»." in bad.content.decode()
    empty = client.post(url, {**form, "attributes-0-values": ""})
    assert "Питанню зі списком потрібен хоча б один варіант." in empty.content.decode()
    assert not CategoryAttribute.objects.exists()
    saved = client.post(url, form)
    assert saved.status_code == 302
    question = CategoryAttribute.objects.get()
    assert (question.code, question.datatype, question.required) == ("broken", "multivaluelist", True)
    assert question.values == [
        {"key": "swing", "name_uk": "Гойдалка", "name_en": "Swing"},
        {"key": "slide", "name_uk": "Гірка", "name_en": ""},
    ]
    assert "swing | Гойдалка | Swing\nslide | Гірка" in client.get(url).content.decode()
