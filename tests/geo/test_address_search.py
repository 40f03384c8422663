"""The address search and reverse geocoding: selectors and GET /api/v1/addresses/ (+ reverse/)."""

import pytest
from django.test import override_settings
from django.utils import translation

from geo.selectors import address_at, address_search, addresses_at
from tests.factories import CommunityBoundaryFactory, DistrictFactory, box, point
from tests.gazetteer import NEAR_STRYISKA_9, NEAR_STRYISKA_LINE, gazetteer_make

pytestmark = pytest.mark.django_db

URL = "/api/v1/addresses/"
REVERSE_URL = "/api/v1/addresses/reverse/"


@pytest.fixture(autouse=True)
def gazetteer():
    CommunityBoundaryFactory()
    DistrictFactory(code="centre", name_uk="Центральний", name_en="Centre", geom=box(23.49, 49.34, 23.53, 49.36))
    gazetteer_make()


def labels(text, language="uk", limit=10):
    return [match.label for match in address_search(text=text, language=language, limit=limit)]


@pytest.mark.parametrize(
    "text",
    [
        "Стрийська 9",
        "стрийська 9",
        "вул. Стрийська, 9",
        "вулиця Стрийська 9",
        "Стрийська вулиця, буд. 9",
        "stryiska 9",
        "Stryiska St., 9",
        "9 Stryiska Street",
        "Стриська 9",  # a letter missing
        "Стрийcька 9",  # a Latin "c" inside
        "Стрийскa 9",  # a Russian-keyboard spelling with a Latin "a"
        "striyska 9",  # another romanisation
    ],
)
def test_typed_addresses_find_the_house_first(text):
    found = labels(text)
    assert found[0] == "вул. Стрийська, 9"
    assert found[1] == "вул. Стрийська, 9А"  # its sub-number next; 90 is another house
    assert "вул. Стрийська, 90" not in found


def test_apostrophes_count_as_the_same_or_none():
    for text in ("Знамʼянська 3", "Знам'янська 3", "Знам’янська 3", "Знамянська 3", "znamianska 3"):
        assert labels(text)[:1] == ["вул. Знамʼянська, 3"], text


def test_the_same_number_on_another_street_ranks_by_the_street():
    assert labels("Трускавецька 9") == ["вул. Трускавецька, 9"]
    assert labels("Шевченка 9") == ["просп. Шевченка, 9"]


def test_without_a_house_or_with_an_unknown_one_the_streets_answer():
    results = address_search(text="Стрийська", language="uk")
    assert [(match.kind, match.label) for match in results] == [("street", "вул. Стрийська")]
    # The middle of its line.
    assert 23.509 < results[0].lon < 23.525 and 49.3465 < results[0].lat < 49.3482
    assert [(m.kind, m.label) for m in address_search(text="Стрийська 999", language="uk")] == [
        ("street", "вул. Стрийська")
    ]
    # A street without a line: the middle of its addresses.
    rynok = address_search(text="пл. Ринок", language="uk")
    assert [(m.kind, m.label, m.lon, m.lat) for m in rynok] == [("street", "пл. Ринок", 23.5056, 49.3489)]


def test_nothing_like_it_finds_nothing():
    assert labels("Хрещатик 1") == []
    assert labels("9") == []
    assert labels("") == []


def test_english_labels():
    assert labels("Стрийська 9", language="en")[0] == "Stryiska St., 9"


def test_reverse_geocoding_names_the_nearest_address_within_the_distance():
    match = address_at(point=point(*NEAR_STRYISKA_9))
    assert (match.kind, match.label, match.house_number, match.postcode) == (
        "address",
        "вул. Стрийська, 9",
        "9",
        "82100",
    )
    assert 5 < match.distance_m < 15


def test_reverse_geocoding_beyond_the_distance_says_near_the_street_and_district():
    match = address_at(point=point(*NEAR_STRYISKA_LINE))
    assert (match.kind, match.label) == ("near", "біля вул. Стрийська, Центральний")
    assert address_at(point=point(*NEAR_STRYISKA_LINE), language="en").label == "near Stryiska St., Centre"
    with override_settings(OPENCITY_ADDRESS_NEAR_METRES=500):
        assert address_at(point=point(*NEAR_STRYISKA_LINE)).kind == "address"


def test_reverse_geocoding_far_from_streets_names_the_district_or_the_coordinates():
    assert address_at(point=point(23.495, 49.358)).label == "біля Центральний"
    assert address_at(point=point(23.60, 49.40)).label == "49.40000, 23.60000"


def test_many_points_are_named_in_one_query(django_assert_num_queries):
    points = {1: NEAR_STRYISKA_9, 2: NEAR_STRYISKA_LINE, 3: (23.60, 49.40)}
    with django_assert_num_queries(1):
        answers = addresses_at(points=points)
    assert [answers[key].kind for key in (1, 2, 3)] == ["address", "near", "coordinates"]


# --- The API ------------------------------------------------------------------------------------


def test_api_search_answers_ranked_results(client):
    response = client.get(URL, {"q": "stryiska 9", "limit": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert body["results"][0] == {
        "kind": "address",
        "label": "вул. Стрийська, 9",
        "lat": 49.348,
        "lon": 23.51,
        "street_id": body["results"][0]["street_id"],
        "address_id": body["results"][0]["address_id"],
        "house_number": "9",
        "postcode": "82100",
        "district": "Центральний",
        "distance_m": None,
    }
    assert body["results"][1]["label"] == "вул. Стрийська, 9А"


def test_api_search_in_english(client):
    response = client.get(URL, {"q": "Стрийська 9"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["results"][0]["label"] == "Stryiska St., 9"


@pytest.mark.parametrize(
    ("params", "field"),
    [({}, "q"), ({"q": ""}, "q"), ({"q": "x" * 201}, "q"), ({"q": "Стрийська", "limit": 0}, "limit"),
     ({"q": "Стрийська", "limit": 21}, "limit"), ({"q": "Стрийська", "limit": "many"}, "limit")],
)  # fmt: skip
def test_api_search_refuses_bad_input_per_field(client, params, field):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]


def test_api_search_messages_are_ukrainian_first(client):
    with translation.override("uk"):
        response = client.get(URL, {"q": ""})
    assert response.json()["fields"]["q"] == ["Це поле не може бути порожнім."]


def test_api_reverse(client):
    lon, lat = NEAR_STRYISKA_9
    body = client.get(REVERSE_URL, {"lat": lat, "lon": lon}).json()
    assert (body["kind"], body["label"], body["house_number"]) == ("address", "вул. Стрийська, 9", "9")
    lon, lat = NEAR_STRYISKA_LINE
    body = client.get(REVERSE_URL, {"lat": lat, "lon": lon}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert (body["kind"], body["label"]) == ("near", "near Stryiska St., Centre")


@pytest.mark.parametrize(
    ("params", "fields"),
    [({}, ["lat", "lon"]), ({"lat": "x", "lon": 23.5}, ["lat"]), ({"lat": 95, "lon": 23.5}, ["lat"]),
     ({"lat": "nan", "lon": 23.5}, ["lat"]), ({"lat": 50.45, "lon": 30.52}, ["lon", "lat"])],
)  # fmt: skip
def test_api_reverse_refuses_bad_points(client, params, fields):
    response = client.get(REVERSE_URL, params)
    assert response.status_code == 400
    assert sorted(response.json()["fields"]) == sorted(fields)
