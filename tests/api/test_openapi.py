"""The OpenAPI schema of /api/v1/ and its interactive documentation."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_schema_validates_without_a_warning(tmp_path):
    """`manage.py spectacular --validate --fail-on-warn`: an error or warning fails the test."""
    target = tmp_path / "schema.json"
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", "--file", str(target))
    schema = json.loads(target.read_text())
    assert schema["openapi"].startswith("3.")
    assert sorted(schema["paths"]) == [
        "/api/v1/addresses/",
        "/api/v1/addresses/reverse/",
        "/api/v1/appeals/",
        "/api/v1/appeals/{ref}/",
        "/api/v1/appeals/{ref}/attachments/{public_id}/",
        "/api/v1/appeals/{ref}/shorter-term/",
        "/api/v1/appeals/{ref}/transitions/",
        "/api/v1/auth/token/",
        "/api/v1/budget-projects/",
        "/api/v1/categories/",
        "/api/v1/dashboard/",
        "/api/v1/dashboard/appeals/",
        "/api/v1/issues/",
        "/api/v1/issues/cells/",
        "/api/v1/issues/nearby/",
        "/api/v1/issues/{ref}/",
        "/api/v1/issues/{ref}/media/",
        "/api/v1/issues/{ref}/support/",
        "/api/v1/issues/{ref}/transition/",
        "/api/v1/media/",
        "/api/v1/media/{public_id}/",
        "/api/v1/outages/",
        "/api/v1/outages/at/",
        "/api/v1/queue/",
        "/api/v1/tiles/budget.json",
        "/api/v1/tiles/budget/{z}/{x}/{y}.mvt",
        "/api/v1/tiles/issues.json",
        "/api/v1/tiles/issues/{z}/{x}/{y}.mvt",
        "/api/v1/tiles/outages.json",
        "/api/v1/tiles/outages/{z}/{x}/{y}.mvt",
        "/healthz",
        "/readyz",
    ]


def test_the_committed_schema_is_the_generated_one(tmp_path, settings):
    """docs/openapi.yaml is the contract under review: any change to the API's schema shows up as
    a diff of it (regenerate with `make schema`, and add a line to docs/api-changes.md)."""
    target = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(target))
    committed = settings.BASE_DIR / "docs" / "openapi.yaml"
    assert committed.read_text() == target.read_text(), "docs/openapi.yaml is stale: run `make schema`"


def _schema(client) -> dict:
    answer = client.get("/api/schema/", {"format": "json"})
    assert answer.status_code == 200
    return answer.json()


def test_every_operation_documents_its_answers_and_errors(client):
    schema = _schema(client)
    error = {"$ref": "#/components/schemas/Error"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert any(code.startswith("2") for code in responses), (method, path)
            assert operation.get("summary"), (method, path)
            for code, response in responses.items():
                assert response.get("description"), (method, path, code)
                if code.startswith("4"):
                    for content in response["content"].values():
                        assert content["schema"] == error, (method, path, code)
            if operation["security"] not in ([], [{}]) and method == "post" and path != "/api/v1/auth/token/":
                assert "401" in responses, (method, path)


def test_the_documented_details(client):
    schema = _schema(client)
    issues = schema["paths"]["/api/v1/issues/"]
    listed = issues["get"]
    assert {p["name"] for p in listed["parameters"]} == {
        "bbox", "status", "category", "group", "district", "executor", "mine", "budget_project",
        "near_budget_project", "limit", "view", "overdue", "after",
    }  # fmt: skip
    assert list(listed["responses"]["200"]["content"]) == ["application/geo+json"]
    view = next(p for p in listed["parameters"] if p["name"] == "view")
    assert (view["schema"]["enum"], view["schema"]["default"]) == (["full", "pins"], "full")
    forms = listed["responses"]["200"]["content"]["application/geo+json"]["schema"]["anyOf"]
    pin = forms[1]["properties"]["features"]["items"]["properties"]["properties"]["properties"]
    assert set(pin) == {"ref", "status", "category", "category_name", "overdue", "title", "address"}
    assert "next" in forms[1]["properties"] and "next" in forms[0]["properties"]
    cells = schema["paths"]["/api/v1/issues/cells/"]["get"]
    assert {p["name"]: p.get("required", False) for p in cells["parameters"]} == {
        "bbox": True, "zoom": True, "status": False, "category": False, "group": False, "district": False,
        "executor": False, "mine": False, "budget_project": False, "near_budget_project": False, "overdue": False,
    }  # fmt: skip
    cell = cells["responses"]["200"]["content"]["application/geo+json"]["schema"]
    assert set(cell["properties"]["features"]["items"]["properties"]["properties"]["properties"]) == {
        "count", "open", "overdue",
    }  # fmt: skip
    assert {"zoom", "cell_px", "total", "open", "overdue"} <= set(cell["properties"])
    created = issues["post"]
    assert set(created["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    multipart = created["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"].split("/")[-1]
    photos = schema["components"]["schemas"][multipart]["properties"]["photos"]
    assert photos == {
        "type": "array",
        "items": {"type": "string", "format": "binary"},
        "description": "Up to 5 photos.",
    }
    assert [p["name"] for p in created["parameters"] if p["in"] == "header"] == ["Idempotency-Key"]
    assert set(created["responses"]) == {"200", "201", "400", "401", "409", "429", "503"}
    transition = schema["paths"]["/api/v1/issues/{ref}/transition/"]["post"]
    assert set(transition["responses"]) == {"200", "400", "401", "403", "404", "409", "429", "503"}
    upload = schema["paths"]["/api/v1/media/"]["post"]
    assert list(upload["requestBody"]["content"]) == ["multipart/form-data"]
    outages_at = schema["paths"]["/api/v1/outages/at/"]["get"]
    assert {p["name"]: p.get("required", False) for p in outages_at["parameters"]} == {
        "lon": True,
        "lat": True,
        "at": False,
    }
    assert schema["components"]["schemas"]["Error"]["required"] == ["code", "detail", "fields"]


def test_the_docs_are_served_from_our_own_static_files(client):
    answer = client.get("/api/docs/")
    assert answer.status_code == 200
    page = answer.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources, page
    for source in sources:
        assert source.startswith("/"), f"{source} is not ours"
        assert not source.startswith("//")
        if source.startswith("/static/"):
            assert finders.find(source.removeprefix("/static/")), f"{source} is not in the static files"
    assert any("swagger-ui-bundle.js" in source for source in sources)
    assert "cdn" not in page.lower() and "unpkg" not in page.lower()
    # The set-up script is a file of the same view (no inline script under the CSP); it loads our schema.
    set_up = next(source for source in sources if "script=" in source)
    script = client.get(set_up.replace("&amp;", "&"))
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()


def test_the_schema_is_not_in_the_schema(client):
    assert not [path for path in _schema(client)["paths"] if "schema" in path or "docs" in path]


def test_the_yaml_schema_is_the_default(client):
    answer = client.get("/api/schema/")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/vnd.oai.openapi")
    assert io.StringIO(answer.content.decode()).readline().startswith("openapi: 3.")


def test_the_contract_fixes_of_issue_16(client):
    """What integrators tripped over: nulls the schema did not allow, an executor of the wrong
    type, undocumented 409s, public operations documented as authenticated, hidden limits."""
    schema = _schema(client)
    paths, components = schema["paths"], schema["components"]["schemas"]
    detail = components["IssueDetailOutput"]["properties"]
    for name in ("duplicate_of", "promised_date", "response_due_at", "resolve_due_at", "district", "executor"):
        assert (
            detail[name].get("nullable")
            or {"nullable": True} in detail[name].get("allOf", [])
            or (detail[name].get("oneOf") and any(o.get("nullable") for o in detail[name]["oneOf"]))
        ), name
    budget = paths["/api/v1/budget-projects/"]["get"]["responses"]["200"]["content"]["application/geo+json"]
    executor = budget["schema"]["properties"]["features"]["items"]["properties"]["properties"]["properties"]
    assert executor["executor"]["type"] == "string" and executor["executor"]["nullable"] is True
    assert "409" in paths["/api/v1/issues/{ref}/support/"]["post"]["responses"]
    assert paths["/api/v1/issues/"]["get"]["security"] == [{"tokenAuth": []}, {"cookieAuth": []}, {}]
    for path in ("/api/v1/outages/", "/api/v1/outages/at/", "/api/v1/budget-projects/", "/api/v1/auth/token/"):
        for operation in paths[path].values():
            assert operation["security"] == [], path
    kind = next(p for p in paths["/api/v1/outages/"]["get"]["parameters"] if p["name"] == "kind")
    assert kind["schema"]["pattern"] == "^(water|electricity|gas|heating)(,(water|electricity|gas|heating))*$"
    limit = next(p for p in paths["/api/v1/issues/"]["get"]["parameters"] if p["name"] == "limit")
    assert (limit["schema"]["minimum"], limit["schema"]["maximum"]) == (1, 5000)
    start = next(p for p in paths["/api/v1/dashboard/"]["get"]["parameters"] if p["name"] == "from")
    assert "731 days" in start["description"]


@pytest.mark.parametrize(
    "path", ["/api/v1/issues/", "/api/v1/categories/", "/api/v1/issues/nearby/", "/api/v1/issues/DRH-2026-000001/"]
)
def test_a_wrong_token_on_a_public_operation_is_the_documented_401(client, path):
    answer = client.get(path, HTTP_AUTHORIZATION="Token not-a-token")
    assert answer.status_code == 401
    assert answer.json() == {"code": "authentication_failed", "detail": answer.json()["detail"], "fields": {}}
    operation = _schema(client)["paths"][path.replace("DRH-2026-000001", "{ref}")]["get"]
    assert "401" in operation["responses"]


def test_every_operation_lists_the_answers_any_request_can_get(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    # (The health checks are plain views outside /api/v1/, with their own documented answers.)
    operations = [op for path, item in schema["paths"].items() if path.startswith("/api/v1/") for op in item.values()]
    assert operations
    for operation in operations:
        for status_code in ("429", "503"):
            answer = operation["responses"][status_code]
            assert "Retry-After" in answer["headers"]
            assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_the_health_checks_answer_as_documented(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    live = client.get("/healthz")
    assert str(live.status_code) in schema["paths"]["/healthz"]["get"]["responses"]
    assert live.json() == {"status": "ok"}
    ready = client.get("/readyz")  # no task worker has beaten in the test database: not ready
    assert (ready.status_code, ready.json()["status"]) == (503, "unavailable")
    assert set(ready.json()["checks"]) == {"database", "migrations", "worker", "queue"}
    assert "503" in schema["paths"]["/readyz"]["get"]["responses"]
