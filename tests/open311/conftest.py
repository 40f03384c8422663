"""Fixtures for the Open311 tests: extra questions on the pothole category, an integrator with an
API key, and a client that checks every answer against the schemas and its XML twin."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from accounts.api_keys import api_key_issue
from issues.models import CategoryAttribute
from tests.factories import UserFactory
from tests.open311.helpers import as_text, validate, xml_data

ROOTS = {
    "discovery.json": "discovery",
    "services.json": "services",
    "service_definition.json": "service_definition",
    "service_requests.json": "service_requests",
    "service_requests_extended.json": "service_requests",
    "tokens.json": "service_requests",
    "post_response.json": "service_requests",
    "service_request_updates.json": "service_request_updates",
    "errors.json": "errors",
}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads of these tests go to a directory of their own."""
    settings.MEDIA_ROOT = str(tmp_path / "media-root")
    return tmp_path / "media-root"


@pytest.fixture
def questions(world):
    """The pothole's extra questions: a required number, a list, a multi-list, an explanation."""
    depth = CategoryAttribute.objects.create(
        category=world.pothole,
        code="depth",
        datatype="number",
        required=True,
        order=1,
        description_uk="Яка глибина ями, см?",
        description_en="How deep is the pothole, cm?",
        datatype_description_uk="у сантиметрах",
        datatype_description_en="in centimetres",
    )
    where = CategoryAttribute.objects.create(
        category=world.pothole,
        code="where",
        datatype="singlevaluelist",
        order=2,
        description_uk="Де саме яма?",
        description_en="Where exactly is it?",
        values=[
            {"key": "roadway", "name_uk": "Проїжджа частина", "name_en": "Roadway"},
            {"key": "sidewalk", "name_uk": "Тротуар", "name_en": "Pavement"},
        ],
    )
    hazards = CategoryAttribute.objects.create(
        category=world.pothole,
        code="hazards",
        datatype="multivaluelist",
        order=3,
        description_uk="Що ще небезпечно?",
        description_en="What else is dangerous?",
        values=[
            {"key": "water", "name_uk": "Вода в ямі", "name_en": "Water in it"},
            {"key": "edge", "name_uk": "Гострий край", "name_en": "Sharp edge"},
            {"key": "night", "name_uk": "Не видно вночі", "name_en": "Invisible at night"},
        ],
    )
    warning = CategoryAttribute.objects.create(
        category=world.pothole,
        code="warning",
        datatype="string",
        variable=False,
        order=4,
        description_uk="Якщо яма глибша за 20 см, позначте її чимось помітним.",
        description_en="If it is deeper than 20 cm, mark it with something visible.",
    )
    return {"depth": depth, "where": where, "hazards": hazards, "warning": warning}


@pytest.fixture
def integrator(world):
    return UserFactory(username="civic-app", email="dev@civic-app.example", first_name="Civic", last_name="App")


@pytest.fixture
def api_key(integrator, world):
    """The raw key of an active key for the integrator's account."""
    _key, raw = api_key_issue(user=integrator, name="Civic App", created_by=world.dispatcher)
    return raw


class Open311Client:
    """GETs an Open311 resource as JSON and as XML: the JSON is validated against its schema,
    the XML must be the same data. POSTs are checked the same way (JSON or XML, one of them)."""

    def __init__(self, language: str = "uk") -> None:
        self.client = Client(headers={"accept-language": language})

    def get(self, resource: str, schema: str, *, expect: int = 200, headers=None, **params):
        answer = self.client.get(f"/open311/v2/{resource}.json", params, headers=headers)
        assert answer.status_code == expect, answer.content.decode()
        assert answer["Content-Type"] == "application/json; charset=utf-8"
        data = json.loads(answer.content.decode("utf-8"))
        validate("errors.json" if expect >= 400 else schema, data)
        twin = self.client.get(f"/open311/v2/{resource}.xml", params, headers=headers)
        assert twin.status_code == expect
        assert twin["Content-Type"] == "text/xml; charset=utf-8"
        root = "errors" if expect >= 400 else ROOTS[schema]
        assert xml_data(twin.content.decode("utf-8"), root=root) == as_text(data)
        return data

    def post(self, form: dict, *, status: int = 201, fmt: str = "json", **kwargs):
        answer = self.client.post(f"/open311/v2/requests.{fmt}", form, **kwargs)
        assert answer.status_code == status, answer.content.decode()
        if fmt == "xml":
            assert answer["Content-Type"] == "text/xml; charset=utf-8"
            return xml_data(answer.content.decode("utf-8"), root="errors" if status >= 400 else "service_requests")
        assert answer["Content-Type"] == "application/json; charset=utf-8"
        data = json.loads(answer.content.decode("utf-8"))
        validate("errors.json" if status >= 400 else "post_response.json", data)
        return data


@pytest.fixture
def open311():
    return Open311Client("uk")


@pytest.fixture
def open311_en():
    return Open311Client("en")
