"""An administrator corrects the gazetteer in the admin: the search forms and the house number's
normal form follow what was typed."""

import pytest

from geo.models import AddressPoint, Street
from tests.factories import CommunityBoundaryFactory, UserFactory
from tests.gazetteer import gazetteer_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_renaming_a_street_renews_its_search_forms(admin_client):
    CommunityBoundaryFactory()
    gazetteer_make()
    street = Street.objects.get(name_uk="Трускавецька")
    response = admin_client.post(
        f"/admin/geo/street/{street.pk}/change/",
        {"name_uk": "Знамʼянська", "name_en": "", "kind": "lane", "district": "", "geom": ""},
    )
    assert response.status_code == 302, response.content[:2000]
    street.refresh_from_db()
    assert (street.name_en, street.search_uk, street.search_en, street.kind) == (
        "Znamianska",
        "знамянська",
        "znamianska",
        "lane",
    )


def test_a_house_number_is_checked_and_normalised(admin_client):
    CommunityBoundaryFactory()
    gazetteer_make()
    address = AddressPoint.objects.get(street__name_uk="Трускавецька", house_key="9")
    data = {"street": address.street_id, "point": address.point.geojson, "postcode": ""}
    response = admin_client.post(f"/admin/geo/addresspoint/{address.pk}/change/", {**data, "house_number": "корпус"})
    assert response.status_code == 200
    assert "Це не номер будинку (наприклад, 9, 9А, 12/3)." in response.content.decode()
    assert AddressPoint.objects.get(pk=address.pk).house_number == "9"
    response = admin_client.post(f"/admin/geo/addresspoint/{address.pk}/change/", {**data, "house_number": "9-б"})
    assert response.status_code == 302
    address.refresh_from_db()
    assert (address.house_number, address.house_key) == ("9-б", "9б")
