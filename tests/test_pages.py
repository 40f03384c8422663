"""The base pages: Ukrainian by default, English with the switch, the admin's login page."""

import json

import pytest

from demo.issues import demo_load

pytestmark = pytest.mark.django_db


def test_map_page_is_ukrainian_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="uk">' in html
    assert "Відкрите місто" in html
    assert 'id="map"' in html


def test_language_switch_turns_the_page_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Open City" in html and "Відкрите місто" not in html


def test_browser_language_is_honoured(client):
    html = client.get("/", headers={"accept-language": "en"}).content.decode()
    assert '<html lang="en">' in html


def test_admin_shows_a_ukrainian_login_page(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/admin/login/")
    assert "Увійти" in response.content.decode()


def test_no_page_loads_assets_from_a_third_party_host(client):
    html = client.get("/").content.decode()
    for host in ("unpkg.com", "cdnjs", "jsdelivr", "googleapis", "openstreetmap"):
        assert host not in html


def test_territory_geojson_is_built_by_postgis_with_exact_keys(client):
    demo_load(with_history=False)
    response = client.get("/geo/territory.geojson")
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    boundary, *districts = data["features"]
    assert boundary["properties"] == {
        "layer": "boundary",
        "code": "drohobych",
        "name": "Дрогобицька міська територіальна громада",
    }
    assert boundary["geometry"]["type"] == "MultiPolygon"
    assert len(districts) == 9
    assert set(districts[0]["properties"]) == {"layer", "code", "kind", "name"}
    assert {d["properties"]["code"] for d in districts} >= {"centre", "stebnyk"}
    english = client.get("/geo/territory.geojson", headers={"accept-language": "en"})
    names = {f["properties"]["code"]: f["properties"]["name"] for f in json.loads(english.content)["features"]}
    assert names["stebnyk"] == "Stebnyk starosta district"


def test_admin_pages_open_with_map_widgets(client, django_user_model):
    demo_load(with_history=False)
    admin = django_user_model.objects.get(username="admin")
    client.force_login(admin)
    from geo.models import District

    district = District.objects.first()
    page = client.get(f"/admin/geo/district/{district.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "leaflet" in html.lower() and "Зберегти" in html
    for url in (
        "/admin/issues/issue/",
        "/admin/issues/routingrule/add/",
        "/admin/accounts/executor/",
        "/admin/issues/workingcalendar/",
    ):
        assert client.get(url).status_code == 200, url
