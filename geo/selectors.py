"""Reads of the territory and of the map layers (budget projects, outages, duty contacts)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.gis.db.models import PointField
from django.contrib.gis.geos import Point
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection, transaction
from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from accounts.roles import user_executor, user_is_dispatcher
from geo.gazetteer import AddressQuery, address_label, house_sort_key, near_label, parse_address_query, street_label
from geo.models import (
    WGS84,
    AddressPoint,
    BudgetProject,
    BudgetSector,
    BudgetStatus,
    CommunityBoundary,
    District,
    DutyContact,
    Outage,
    Street,
)
from geo.sql import reverse_geocode_rows, word_similarity_threshold_set
from opencity.db import model_columns, model_from_row
from opencity.dbrouter import reading_alias

if TYPE_CHECKING:
    from accounts.models import User


def point_in_community(*, point: Point) -> bool:
    """Whether the point lies inside (or on) the community boundary in force today."""
    return CommunityBoundary.objects.current().covering(point).exists()


def districts_for_filters() -> list[District]:
    """Every district, without its area, for a filter's choices (ordered by code)."""
    return list(District.objects.defer("geom").order_by("code"))


def district_at(*, point: Point) -> District | None:
    """The district containing the point; on a shared border, the one with the smallest code."""
    return District.objects.covering(point).first()


@dataclass(frozen=True)
class Place:
    in_community: bool  # point_in_community
    district: District | None  # district_at, without its area (geom is deferred)


_PLACE_DISTRICT = model_columns(District, "d", exclude=("geom",))
# point_in_community and district_at in one statement (CommunityBoundary.objects.current() on
# %(today)s, District.objects.covering(…).first()). Raw: a report asks it every time.
PLACE_SQL = f"""
SELECT EXISTS (
           SELECT 1 FROM geo_communityboundary b
           WHERE (b.valid_from <= %(today)s OR b.valid_from IS NULL)
             AND (b.valid_until >= %(today)s OR b.valid_until IS NULL)
             AND ST_Covers(b.geom, here.geom)
       ),
       {_PLACE_DISTRICT[1]}
FROM (SELECT ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326) AS geom) here
LEFT JOIN LATERAL (
    SELECT * FROM geo_district WHERE ST_Covers(geo_district.geom, here.geom) ORDER BY code LIMIT 1
) d ON true
"""  # noqa: S608 — the column list comes from the model, not from input


def place_at(*, point: Point) -> Place:
    """point_in_community and district_at together, in one query (a report needs both)."""
    if point.srid != WGS84:
        point = point.transform(WGS84, clone=True)
    with connection.cursor() as cursor:
        cursor.execute(PLACE_SQL, {"today": timezone.localdate(), "lon": point.x, "lat": point.y})
        inside, *district = cursor.fetchone()
    fields = _PLACE_DISTRICT[0]
    found = district[0] is not None
    return Place(in_community=inside, district=model_from_row(District, fields, district) if found else None)


# --- Outages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutagesAtPoint:
    """The outages covering one point: those in force at the moment asked and those to come."""

    at: datetime.datetime
    active: list[Outage] = field(default_factory=list)
    upcoming: list[Outage] = field(default_factory=list)


def outages_at(*, point: Point, at: datetime.datetime | None = None) -> OutagesAtPoint:
    """Active and upcoming outages whose area covers the point (its edge included), each list in
    order of start. `at` defaults to now."""
    at = at or timezone.now()
    covering = Outage.objects.covering(point).select_related("provider").order_by("starts_at", "pk")
    return OutagesAtPoint(
        at=at,
        active=list(covering.active_at(at)),
        upcoming=list(covering.upcoming(at)),
    )


def outage_covering(*, point: Point, kind: str, at: datetime.datetime | None = None) -> Outage | None:
    """The active outage of `kind` covering the point at `at` (now by default), or None.

    This is what a new report of, say, "no water" is linked to. Where zones of one kind overlap,
    the one expected to end last wins (an unknown end counts as last), because it decides when the
    supply is back; then the latest started, then the newest row — always the same answer."""
    at = at or timezone.now()
    return (
        Outage.objects.active_at(at)
        .of_kind(kind)
        .covering(point)
        .select_related("provider")
        .order_by(F("expected_end_at").desc(nulls_first=True), "-starts_at", "-pk")
        .first()
    )


def outages_manageable_by(*, user: User) -> QuerySet[Outage]:
    """The outages a user's outage desk lists: every one for a dispatcher, the organisation's own
    for a provider's staff, none for anyone else. Open ones first, then the most recent."""
    queryset = Outage.objects.select_related("provider", "published_by")
    if not user_is_dispatcher(user):
        executor = user_executor(user)
        queryset = queryset.filter(provider=executor) if executor is not None else queryset.none()
    return queryset.order_by(F("ended_at").desc(nulls_first=True), "-starts_at", "-pk")


# --- Budget -------------------------------------------------------------------------------------


def budget_years() -> list[int]:
    """The budget years that have projects, newest first."""
    return list(BudgetProject.objects.order_by("-budget_year").values_list("budget_year", flat=True).distinct())


def budget_default_year(*, today: datetime.date | None = None) -> int:
    """The year the budget page opens on: this year if it has projects, else the latest that does."""
    today = today or timezone.localdate()
    years = budget_years()
    if not years or today.year in years:
        return today.year
    return years[0]


def budget_projects(
    *, year: int | None = None, sectors: list[str] | None = None, statuses: list[str] | None = None
) -> QuerySet[BudgetProject]:
    """Budget projects filtered by year, sectors and statuses, by sector then code."""
    queryset = BudgetProject.objects.select_related("executor")
    if year is not None:
        queryset = queryset.of_year(year)
    if sectors:
        queryset = queryset.filter(sector__in=sectors)
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    return queryset.order_by("sector", "code")


def budget_projects_unfinished_near(*, point: Point, distance_m: float, limit: int = 30) -> list[BudgetProject]:
    """Projects not done yet within `distance_m` metres of the point, the newest budget year first
    (the ones an issue there may be planned against)."""
    return list(
        BudgetProject.objects.near(point, distance_m)
        .filter(status__in=[BudgetStatus.PLANNED, BudgetStatus.PROCUREMENT, BudgetStatus.IN_PROGRESS])
        .order_by("-budget_year", "title_uk")[:limit]
    )


@dataclass(frozen=True)
class BudgetLine:
    """One row of a totals table: a sector or a status, with its project count and money."""

    key: str
    label: str
    count: int
    planned: Decimal
    spent: Decimal


@dataclass(frozen=True)
class BudgetTotals:
    by_sector: list[BudgetLine]
    by_status: list[BudgetLine]
    total: BudgetLine


def budget_totals(
    *, year: int | None = None, sectors: list[str] | None = None, statuses: list[str] | None = None
) -> BudgetTotals:
    """Planned and spent amounts summed in the database by sector and by status (in the order the
    choices are declared), and overall, for the same filters as `budget_projects`."""
    queryset = budget_projects(year=year, sectors=sectors, statuses=statuses).order_by()
    sums = {
        "count": Count("id"),
        "planned": Coalesce(Sum("planned_amount"), Decimal(0)),
        "spent": Coalesce(Sum("spent_amount"), Decimal(0)),
    }

    def lines(field_name: str, choices: type[BudgetSector] | type[BudgetStatus]) -> list[BudgetLine]:
        rows = {row[field_name]: row for row in queryset.values(field_name).annotate(**sums)}
        return [
            BudgetLine(key=value, label=str(label), **{k: rows[value][k] for k in sums})
            for value, label in choices.choices
            if value in rows
        ]

    total = queryset.aggregate(**sums)
    return BudgetTotals(
        by_sector=lines("sector", BudgetSector),
        by_status=lines("status", BudgetStatus),
        total=BudgetLine(key="total", label="", **total),
    )


# --- Duty contacts ------------------------------------------------------------------------------


def duty_contacts() -> QuerySet[DutyContact]:
    """The contacts shown to the public: emergency services first, then by the administrator's order."""
    return DutyContact.objects.filter(is_active=True).order_by("-is_emergency", "order", "code")


def outage_last_change() -> datetime.datetime | None:
    """When the outage layer last changed (for feeds' `updated`)."""
    return Outage.objects.aggregate(last=Max("updated_at"))["last"]


# --- The gazetteer: address search and reverse geocoding ------------------------------------------


# What an answer of the gazetteer is: a house, a street, a place near a street, a district, a point.
ADDRESS_MATCH_KINDS = ("address", "street", "near", "district", "coordinates")


@dataclass(frozen=True)
class AddressMatch:
    """One answer of the address search or of reverse geocoding: an address point, a street, or
    (reverse only) a place near a street or in a district. `label` is in the language asked for."""

    kind: str  # "address", "street", "near", "district" or "coordinates"
    label: str
    lon: float
    lat: float
    street_id: int | None = None
    address_id: int | None = None
    house_number: str = ""
    postcode: str = ""
    district: str = ""
    score: float = 1.0
    distance_m: float | None = None


# A street a search names must share this much of the typed words' trigrams (pg_trgm's word
# similarity, 0…1). A first pass asks for PostgreSQL's default, 0.6 (a typo or two in a longer name:
# selective, so the trigram indexes serve it); only when nothing is that close does a second pass
# accept 0.35 — two letters swapped in a short name ("striyska" for "stryiska" scores 0.38). Ukrainian
# street names share many trigrams ("-ська", "-цька"), so the loose pass alone would compare most of
# a large gazetteer (measured: 20,000 streets, 260 ms loose against a few ms strict).
SEARCH_SIMILARITY_PASSES = (0.6, 0.35)
# The middle of a street, to jump to when no house number was asked: the point of its line nearest
# its centre, or else the address point nearest the centre of its addresses.
STREET_ANCHOR_SQL = """COALESCE(
    ST_ClosestPoint(geo_street.geom, ST_Centroid(geo_street.geom)),
    (SELECT ST_ClosestPoint(ST_Collect(a.point), ST_Centroid(ST_Collect(a.point)))
     FROM geo_addresspoint a WHERE a.street_id = geo_street.id)
)"""


def streets_matching(*, words: str, limit: int) -> list[Street]:
    """Streets whose Ukrainian or English normal form contains the words (typos tolerated: trigram
    word similarity), best first; each with `score` and `anchor` (a point to show)."""
    similarity = Greatest(TrigramWordSimilarity(words, "search_uk"), TrigramWordSimilarity(words, "search_en"))
    alias = reading_alias()
    for threshold in SEARCH_SIMILARITY_PASSES:
        # The `%>` operator (which the trigram indexes serve) compares with a server setting; it is
        # set for this transaction only, so the index finds what the score below accepts.
        with transaction.atomic(using=alias):
            word_similarity_threshold_set(alias=alias, threshold=threshold)
            streets = list(
                Street.objects.using(alias)
                .annotate(
                    score=similarity,
                    anchor=RawSQL(STREET_ANCHOR_SQL, [], output_field=PointField(srid=4326)),  # noqa: S611 (fixed SQL)
                )
                .filter(Q(search_uk__trigram_word_similar=words) | Q(search_en__trigram_word_similar=words))
                .filter(score__gte=threshold)
                .select_related("district")
                .order_by("-score", "name_uk", "pk")[:limit]
            )
        if streets:
            return streets
    return []


def address_search(*, text: str, language: str, limit: int = 10) -> list[AddressMatch]:
    """Addresses and streets matching what someone typed ("вул. Стрийська, 9", "stryiska 9",
    "Стриська 9А"), best first: with a house number, that house on the best matching streets
    (then its sub-numbers, 9А, 9/1); without one, or when no street has it, the streets."""
    query: AddressQuery = parse_address_query(text)
    if len(query.street.replace(" ", "")) < 2:
        return []
    streets = streets_matching(words=query.street, limit=limit)
    if not streets:
        return []
    results: list[AddressMatch] = []
    if query.house:
        by_id = {street.pk: street for street in streets}
        rank = {street.pk: position for position, street in enumerate(streets)}
        points = AddressPoint.objects.filter(street_id__in=by_id).filter(
            Q(house_key=query.house) | Q(house_key__regex=r"^" + query.house + r"([^0-9]|$)")
        )
        ordered = sorted(
            points,
            key=lambda point: (rank[point.street_id], point.house_key != query.house, house_sort_key(point.house_key)),
        )
        for point in ordered[:limit]:
            point.street = by_id[point.street_id]
            results.append(_address_match(point, language=language, score=point.street.score))
    if not results:
        results = [_street_match(street, language=language) for street in streets if street.anchor is not None]
    return results


def address_by_id(*, address_id: str | int, language: str) -> AddressMatch | None:
    """One address point by its id (as the search answers it), or None."""
    try:
        key = int(address_id)
    except (TypeError, ValueError):
        return None
    point = AddressPoint.objects.select_related("street__district").filter(pk=key).first()
    return _address_match(point, language=language, score=1.0) if point is not None else None


def _district_name(district: District | None, language: str) -> str:
    if district is None:
        return ""
    return district.name_en if language.startswith("en") and district.name_en else district.name_uk


def _address_match(point: AddressPoint, *, language: str, score: float) -> AddressMatch:
    return AddressMatch(
        kind="address",
        label=point.label(language),
        lon=point.point.x,
        lat=point.point.y,
        street_id=point.street_id,
        address_id=point.pk,
        house_number=point.house_number,
        postcode=point.postcode,
        district=_district_name(point.street.district, language),
        score=round(float(score), 3),
    )


def _street_match(street: Street, *, language: str) -> AddressMatch:
    return AddressMatch(
        kind="street",
        label=street.label(language),
        lon=street.anchor.x,
        lat=street.anchor.y,
        street_id=street.pk,
        district=_district_name(street.district, language),
        score=round(float(street.score), 3),
    )


def addresses_at(*, points: dict[int, tuple[float, float]], language: str = "uk") -> dict[int, AddressMatch]:
    """What to call each point (key → (lon, lat)), in one query for all of them: the nearest
    address within OPENCITY_ADDRESS_NEAR_METRES ("вул. Стрийська, 9"); else "біля <street>,
    <district>" for the nearest street within OPENCITY_STREET_NEAR_METRES; else the district;
    else the coordinates. Never an empty label."""
    near_m = settings.OPENCITY_ADDRESS_NEAR_METRES
    far_m = max(settings.OPENCITY_STREET_NEAR_METRES, near_m)
    rows = reverse_geocode_rows(points=points, far_m=far_m)
    english = language.startswith("en")
    answers = {}
    for key, (lon, lat) in points.items():
        (
            address_id, house, postcode, a_lon, a_lat, a_distance,
            a_street_id, a_kind, a_name_uk, a_name_en,
            l_street_id, l_kind, l_name_uk, l_name_en, l_distance,
            district_uk, district_en,
        ) = rows.get(key) or (None,) * 17  # fmt: skip
        district = (district_en if english and district_en else district_uk) or ""
        if address_id is not None and a_distance <= near_m:
            answers[key] = AddressMatch(
                kind="address",
                label=address_label(
                    kind=a_kind, name_uk=a_name_uk, name_en=a_name_en, house_number=house, language=language
                ),
                lon=a_lon,
                lat=a_lat,
                street_id=a_street_id,
                address_id=address_id,
                house_number=house,
                postcode=postcode,
                district=district,
                distance_m=round(a_distance, 1),
            )
            continue
        # The nearer of the street of the nearest address and the nearest street line.
        street = None
        if address_id is not None and (l_street_id is None or a_distance <= l_distance):
            street = (a_street_id, a_kind, a_name_uk, a_name_en, a_distance)
        elif l_street_id is not None:
            street = (l_street_id, l_kind, l_name_uk, l_name_en, l_distance)
        if street is not None:
            name = street_label(kind=street[1], name_uk=street[2], name_en=street[3], language=language)
            answers[key] = AddressMatch(
                kind="near",
                label=near_label(street=name, district=district, language=language),
                lon=lon,
                lat=lat,
                street_id=street[0],
                district=district,
                distance_m=round(street[4], 1),
            )
        elif district:
            answers[key] = AddressMatch(
                kind="district", label=near_label(street="", district=district, language=language), lon=lon,
                lat=lat, district=district,
            )  # fmt: skip
        else:
            answers[key] = AddressMatch(kind="coordinates", label=f"{lat:.5f}, {lon:.5f}", lon=lon, lat=lat)
    return answers


def address_at(*, point: Point, language: str = "uk") -> AddressMatch:
    """What to call one point (see addresses_at)."""
    return addresses_at(points={0: (point.x, point.y)}, language=language)[0]
