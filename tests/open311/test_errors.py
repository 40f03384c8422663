"""Open311's refusals: the spec's status and error list, in the request's language (Ukrainian by
default), as JSON and as XML. A refused POST creates nothing."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from issues.models import Issue, IssueEvent
from tests.factories import CENTRE_LAT, CENTRE_LON
from tests.open311.helpers import validate, xml_data

pytestmark = pytest.mark.django_db

POINT = {"lat": str(CENTRE_LAT), "long": str(CENTRE_LON - 0.01)}

# case → (method, resource, parameters, status, Ukrainian description, English description)
CASES = {
    "no key": (
        "post",
        "requests",
        {"service_code": "pothole", **POINT, "description": "Яма"},
        403,
        "api_key: потрібен, щоб створювати звернення.",
        "api_key: required to create requests.",
    ),
    "wrong key": (
        "post",
        "requests",
        {"api_key": "not-a-key", "service_code": "pothole", **POINT, "description": "Яма"},
        403,
        "api_key: недійсний ключ.",
        "api_key: not a valid key.",
    ),
    "unknown service": (
        "get",
        "services/no-such-service",
        {},
        404,
        "service_code: немає послуги «no-such-service».",
        "service_code: no service “no-such-service”.",
    ),
    "unknown service in a POST": (
        "post",
        "requests",
        {"api_key": "KEY", "service_code": "no-such-service", **POINT, "description": "Яма"},
        400,
        "service_code: немає послуги «no-such-service».",
        "service_code: no service “no-such-service”.",
    ),
    "a 91-day range": (
        "get",
        "requests",
        {"start_date": "2026-01-01T00:00:00+02:00", "end_date": "2026-04-02T00:00:00+03:00"},
        400,
        "start_date і end_date можуть бути щонайбільше за 90 днів одна від одної.",
        "start_date and end_date may be at most 90 days apart.",
    ),
    "a malformed date": (
        "get",
        "requests",
        {"start_date": "yesterday"},
        400,
        "start_date: «yesterday» — не дата. Використовуйте ISO 8601, наприклад 2026-05-01T10:00:00+03:00.",
        "start_date: “yesterday” is not a date. Use ISO 8601, e.g. 2026-05-01T10:00:00+03:00.",
    ),
    "a missing required attribute": (
        "post",
        "requests",
        {"api_key": "KEY", "service_code": "pothole", **POINT, "description": "Яма", "attribute[where]": "roadway"},
        400,
        "attribute[depth]: Дайте відповідь: Яка глибина ями, см?",
        "attribute[depth]: Please answer: How deep is the pothole, cm?",
    ),
    "a wrong method": (
        "delete",
        "requests",
        {},
        405,
        "Метод DELETE тут не дозволений; використовуйте GET, POST.",
        "Method DELETE is not allowed here; use GET, POST.",
    ),
    "a jurisdiction of another city": (
        "get",
        "services",
        {"jurisdiction_id": "lviv.gov.ua"},
        404,
        "jurisdiction_id: невідома юрисдикція «lviv.gov.ua»; цей сервер обслуговує «drohobych.gov.ua».",
        "jurisdiction_id: unknown jurisdiction “lviv.gov.ua”; this server serves “drohobych.gov.ua”.",
    ),
    "an unknown request": (
        "get",
        "requests/DRH-2026-999999",
        {},
        404,
        "service_request_id: немає звернення «DRH-2026-999999».",
        "service_request_id: no request “DRH-2026-999999”.",
    ),
}


def ask(client: Client, method: str, resource: str, fmt: str, params: dict, language: str):
    url = f"/open311/v2/{resource}.{fmt}"
    headers = {"accept-language": language}
    if method == "get":
        return client.get(url, params, headers=headers)
    if method == "post":
        return client.post(url, params, headers=headers)
    return client.generic(method.upper(), url, headers=headers)


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("language", ["uk", "en"])
@pytest.mark.parametrize("case", list(CASES))
def test_refusals(case, language, fmt, world, questions, api_key, client):
    method, resource, params, status, uk, en = CASES[case]
    params = {key: (api_key if value == "KEY" else value) for key, value in params.items()}
    answer = ask(client, method, resource, fmt, params, language)
    assert answer.status_code == status
    expected = [{"code": status, "description": uk if language == "uk" else en}]
    if fmt == "json":
        assert answer["Content-Type"] == "application/json; charset=utf-8"
        data = json.loads(answer.content)
        validate("errors.json", data)
        assert data == expected
    else:
        assert answer["Content-Type"] == "text/xml; charset=utf-8"
        assert xml_data(answer.content.decode(), root="errors") == [
            {"code": str(status), "description": expected[0]["description"]}
        ]
    if status == 405:
        assert answer["Allow"] == "GET, POST, HEAD"
    assert (Issue.objects.count(), IssueEvent.objects.count()) == (0, 0)


@pytest.mark.parametrize("language", ["uk", "en"])
def test_an_unknown_format_suffix(language, world, client):
    answer = client.get("/open311/v2/services.html", headers={"accept-language": language})
    assert (answer.status_code, answer["Content-Type"]) == (400, "application/json; charset=utf-8")
    description = {
        "uk": "Невідомий формат «.html»: використовуйте .json або .xml.",
        "en": "Unknown format “.html”: use .json or .xml.",
    }[language]
    assert json.loads(answer.content) == [{"code": 400, "description": description}]
    missing = client.get("/open311/v2/services", headers={"accept-language": language})
    assert missing.status_code == 400
    assert (
        json.loads(missing.content)[0]["description"]
        == {
            "uk": "Додайте формат до ресурсу: .json або .xml.",
            "en": "Add the format to the resource: .json or .xml.",
        }[language]
    )


def test_the_locale_parameter_wins_over_accept_language(world, client):
    answer = client.get("/open311/v2/services/nope.json", {"locale": "en_US"}, headers={"accept-language": "uk"})
    assert json.loads(answer.content) == [{"code": 404, "description": "service_code: no service “nope”."}]
    answer = client.get("/open311/v2/services/nope.json", {"locale": "uk"}, headers={"accept-language": "en"})
    assert json.loads(answer.content) == [{"code": 404, "description": "service_code: немає послуги «nope»."}]


def test_ukrainian_is_the_default(world, client):
    answer = client.get("/open311/v2/services/nope.json")
    assert json.loads(answer.content) == [{"code": 404, "description": "service_code: немає послуги «nope»."}]


def test_every_problem_of_a_query_at_once(world, client):
    answer = client.get(
        "/open311/v2/requests.json",
        {"status": "pending", "page_size": "5000", "lat": "91", "long": "23.5", "extensions": "maybe"},
        headers={"accept-language": "en"},
    )
    assert answer.status_code == 400
    assert json.loads(answer.content) == [
        {"code": 400, "description": "extensions: give true or false."},
        {"code": 400, "description": "page_size: give a whole number from 1 to 1000."},
        {"code": 400, "description": "status: give open, closed, or both (“open,closed”)."},
        {"code": 400, "description": "lat: give a number from -90 to 90."},
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "2026-13-45"},
        {"end_date": "9999-12-31T23:59:59-23:59"},
        {"updated_after": "2026-05-01T25:00:00"},
        {"start_date": "2026-05-02", "end_date": "2026-05-01"},
        {"radius": "100"},
        {"lat": "49.3", "long": "23.5", "radius": "nan"},
        {"page": "0"},
        {"page": "-1"},
        {"service_request_id": ",".join(f"DRH-2026-{n:06d}" for n in range(1001))},
    ],
)
def test_bad_queries_are_400_never_500(params, world, client):
    answer = client.get("/open311/v2/requests.json", params)
    assert answer.status_code == 400
    validate("errors.json", json.loads(answer.content))


def test_unknown_addresses_under_open311_get_an_error_list(world, client):
    answer = client.get("/open311/v2/no/such/thing.xml", headers={"accept-language": "en"})
    assert (answer.status_code, answer["Content-Type"]) == (404, "text/xml; charset=utf-8")
    assert xml_data(answer.content.decode(), root="errors") == [
        {"code": "404", "description": "No such resource. Start from /open311/v2/discovery.json."}
    ]
