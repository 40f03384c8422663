"""The demo ships a gazetteer for its territory: every street its reports, outages and executors
name is found by the search, with a house inside the community."""

import json
import re

import pytest

from demo.issues import FIXTURES_DIR, demo_load
from geo.gazetteer import normalize_name
from geo.models import AddressPoint, CommunityBoundary, Street
from geo.selectors import address_search

pytestmark = pytest.mark.django_db


STREET = re.compile(r"(?:вул|пл)\. [^,\d\n(–;]+")


def demo_street_names() -> set[str]:
    """Every street the demo's reports, executors' addresses and outages' street lists write."""
    fixtures = {
        name: json.loads((FIXTURES_DIR / name).read_text(encoding="utf-8"))
        for name in ("demo_issues.json", "reference.json", "outages.json")
    }
    texts = [
        *fixtures["demo_issues.json"]["streets"],
        *(executor["address"] for executor in fixtures["reference.json"]["executors"]),
        *(outage["affected_streets"] for outage in fixtures["outages.json"]["outages"]),
    ]
    return {match.strip() for text in texts for match in STREET.findall(text)}


def test_every_street_the_demo_names_is_in_its_gazetteer():
    demo_load(with_history=False)
    names = demo_street_names()
    assert len(names) >= 25
    assert "вул. Трильовського" in names and "вул. Данила Галицького" in names
    for name in sorted(names):
        found = address_search(text=f"{name}, 17", language="uk", limit=1)
        assert found, name
        assert found[0].kind == "address", name
        assert normalize_name(name) in normalize_name(found[0].label.rsplit(",", 1)[0]), (name, found[0].label)
        assert found[0].label.endswith(", 17")


def test_the_demo_addresses_lie_inside_the_community_and_load_once():
    demo_load(with_history=False)
    boundary = CommunityBoundary.objects.get()
    assert Street.objects.count() == 26
    assert AddressPoint.objects.count() == 3060
    assert not AddressPoint.objects.exclude(point__coveredby=boundary.geom).exists()
    assert not Street.objects.filter(district__isnull=True).exists()
    demo_load(with_history=False)
    assert AddressPoint.objects.count() == 3060
