"""Parameters of the Open311 endpoints, checked before anything is read or written.

Every problem becomes an entry of the spec's error list (`{code, description}`, the description
in the request's language), all of them at once where they are independent. An empty parameter
behaves exactly like an absent one.
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

MAX_RANGE_DAYS = 90
DEFAULT_PAGE_SIZE = 1000
MAX_PAGE_SIZE = 1000
DEFAULT_RADIUS_M = 500
MAX_RADIUS_M = 50_000
MAX_IDS = 1000
# How deep `page` may reach (rows skipped): an OFFSET scan costs every row before it, so `page` is
# kept for spec clients only where that is cheap. Deeper, clients follow the `cursor` of the
# `Link: rel="next"` header (keyset paging: any depth costs what the first page costs).
MAX_PAGE_DEPTH = 10_000
ATTRIBUTE_FIELD = re.compile(r"^attribute\[([^\[\]]{1,60})\](\[\])?$")


class Open311Error(Exception):
    """A refused Open311 call: an HTTP status and the spec's list of errors."""

    def __init__(self, status: int, descriptions: list[str]) -> None:
        super().__init__("; ".join(descriptions))
        self.status = status
        self.descriptions = descriptions

    def as_list(self) -> list[dict]:
        return [{"code": self.status, "description": description} for description in self.descriptions]


def value(params: QueryDict, name: str) -> str | None:
    """A parameter's value, or None when it is absent or empty (the spec treats them alike)."""
    raw = params.get(name)
    if raw is None:
        return None
    raw = raw.strip()
    return raw or None


def check_jurisdiction(params: QueryDict) -> None:
    """A single-jurisdiction server: our own id is accepted, another one does not exist here."""
    jurisdiction = value(params, "jurisdiction_id")
    if jurisdiction is not None and jurisdiction != settings.OPENCITY_OPEN311_JURISDICTION:
        raise Open311Error(
            404,
            [
                _("jurisdiction_id: unknown jurisdiction “%(given)s”; this server serves “%(ours)s”.")
                % {"given": jurisdiction[:60], "ours": settings.OPENCITY_OPEN311_JURISDICTION}
            ],
        )


# A "+03:00" offset sent without URL-encoding arrives as " 03:00".
_UNENCODED_OFFSET = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$")


def parse_moment(name: str, raw: str, problems: list[str]) -> datetime.datetime | None:
    """An ISO 8601 datetime (a date alone means its midnight; no offset means the city's time)."""
    text = _UNENCODED_OFFSET.sub(r"\1+\2", raw.strip())
    try:
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text)
            moment = datetime.datetime.combine(day, datetime.time()) if day else None
        if moment is not None and timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        if moment is not None:
            moment.astimezone(datetime.UTC)  # out-of-range offsets at the ends of the calendar
    except (ValueError, OverflowError):
        moment = None
    if moment is None:
        problems.append(
            _("%(name)s: “%(value)s” is not a date. Use ISO 8601, e.g. 2026-05-01T10:00:00+03:00.")
            % {"name": name, "value": raw[:40]}
        )
    return moment


def _positive_int(name: str, raw: str | None, *, default: int, maximum: int, problems: list[str]) -> int:
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        problems.append(_("%(name)s: give a whole number from 1 to %(max)d.") % {"name": name, "max": maximum})
        return default
    return int(raw)


def _number(name: str, raw: str, low: float, high: float, problems: list[str]) -> float | None:
    try:
        number = float(raw)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or not low <= number <= high:
        problems.append(
            _("%(name)s: give a number from %(low)s to %(high)s.") % {"name": name, "low": low, "high": high}
        )
        return None
    return number


def parse_extensions(params: QueryDict, problems: list[str]) -> bool:
    raw = value(params, "extensions")
    if raw is None:
        return False
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0"):
        return False
    problems.append(_("extensions: give true or false."))
    return False


@dataclass(frozen=True)
class Cursor:
    """Where the previous page ended: the last row's ordering key (its time and primary key)."""

    at: datetime.datetime
    pk: int


# A cursor is the last row's (time, pk) of one listing, signed with SECRET_KEY so that a client can
# only hand back what this server gave it: an altered or truncated one is refused with a 400, and a
# cursor of one listing is refused by the other (each has its own letter and ordering).
_CURSOR_SALT = "open311.cursor"
_CURSOR_VALUE = re.compile(r"^([ru])(-?\d{1,20})\.(\d{1,19})$")
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def cursor_token(listing: str, *, at: datetime.datetime, pk: int) -> str:
    """The opaque `cursor` that continues `listing` ("requests" or "updates") after this row."""
    micros = (at - _EPOCH) // datetime.timedelta(microseconds=1)
    return signing.Signer(salt=_CURSOR_SALT, algorithm="sha256").sign(f"{listing[0]}{micros}.{pk}")


def parse_cursor(listing: str, raw: str | None, problems: list[str]) -> Cursor | None:
    if raw is None:
        return None
    try:
        unsigned = signing.Signer(salt=_CURSOR_SALT, algorithm="sha256").unsign(raw)
    except signing.BadSignature:
        unsigned = ""
    match = _CURSOR_VALUE.match(unsigned)
    try:
        if match is None or match.group(1) != listing[0]:
            raise ValueError(raw)
        return Cursor(at=_EPOCH + datetime.timedelta(microseconds=int(match.group(2))), pk=int(match.group(3)))
    except (ValueError, OverflowError):
        problems.append(
            _(
                "cursor: not a cursor this server gave for this list (altered or cut off?). Take the "
                "next page's address from the Link header, or start again without cursor."
            )
        )
        return None


def parse_page(params: QueryDict, problems: list[str], *, listing: str) -> tuple[int, int, Cursor | None]:
    """`page` (offset paging, shallow only), `page_size`, and `cursor` (keyset paging, any depth)."""
    raw_page = value(params, "page")
    page = _positive_int("page", raw_page, default=1, maximum=1_000_000, problems=problems)
    size = _positive_int(
        "page_size", value(params, "page_size"), default=DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE, problems=problems
    )
    cursor = parse_cursor(listing, value(params, "cursor"), problems)
    if cursor is not None and raw_page is not None:
        problems.append(_("page: give either page or cursor, not both."))
    elif (page - 1) * size >= MAX_PAGE_DEPTH:
        problems.append(
            _(
                'page: at most %(rows)d results deep. Follow the cursor of the Link: rel="next" header '
                "instead (any depth), or narrow start_date/end_date or updated_after/updated_before."
            )
            % {"rows": MAX_PAGE_DEPTH}
        )
    return page, size, cursor


def parse_window(
    params: QueryDict, problems: list[str], *, now: datetime.datetime, default_window: bool = True
) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """`start_date`/`end_date`: at most 90 days apart. Without either, the last 90 days (unless
    the caller filters otherwise and asks for no default window)."""
    start_raw, end_raw = value(params, "start_date"), value(params, "end_date")
    start = parse_moment("start_date", start_raw, problems) if start_raw else None
    end = parse_moment("end_date", end_raw, problems) if end_raw else None
    if (start_raw and start is None) or (end_raw and end is None):
        return None, None
    span = datetime.timedelta(days=MAX_RANGE_DAYS)
    if start is None and end is None:
        return (now - span, None) if default_window else (None, None)
    if start is not None and end is not None:
        if end < start:
            problems.append(_("end_date is before start_date."))
        elif end - start > span:
            problems.append(_("start_date and end_date may be at most %(days)d days apart.") % {"days": MAX_RANGE_DAYS})
        return start, end
    if start is not None:
        return start, start + span
    return end - span, end


@dataclass
class RequestFilters:
    """What GET requests asks for, checked."""

    ids: list[str] = field(default_factory=list)  # service_request_id: overrides every other filter
    service_codes: list[str] = field(default_factory=list)
    start: datetime.datetime | None = None
    end: datetime.datetime | None = None
    statuses: list[str] = field(default_factory=list)  # Open311's: open, closed
    updated_after: datetime.datetime | None = None
    updated_before: datetime.datetime | None = None
    near: tuple[float, float, float] | None = None  # lon, lat, radius in metres
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    cursor: Cursor | None = None  # continue after this row (keyset); page is then 1
    extensions: bool = False


def _list(raw: str | None) -> list[str]:
    return list(dict.fromkeys(item.strip() for item in (raw or "").split(",") if item.strip()))


def parse_request_filters(params: QueryDict, *, now: datetime.datetime) -> RequestFilters:
    """Check the filters of GET requests; a 400 with every problem found."""
    problems: list[str] = []
    filters = RequestFilters()
    filters.extensions = parse_extensions(params, problems)
    filters.page, filters.page_size, filters.cursor = parse_page(params, problems, listing="requests")
    filters.ids = _list(value(params, "service_request_id"))
    if len(filters.ids) > MAX_IDS:
        problems.append(_("service_request_id: at most %(n)d ids at once.") % {"n": MAX_IDS})
    filters.service_codes = _list(value(params, "service_code"))
    filters.statuses = _list(value(params, "status"))
    unknown = [status for status in filters.statuses if status not in ("open", "closed")]
    if unknown:
        problems.append(_("status: give open, closed, or both (“open,closed”)."))
    for name in ("updated_after", "updated_before"):
        raw = value(params, name)
        if raw:
            setattr(filters, name, parse_moment(name, raw, problems))
    span = datetime.timedelta(days=MAX_RANGE_DAYS)
    if filters.updated_after and filters.updated_before:
        if filters.updated_before < filters.updated_after:
            problems.append(_("updated_before is before updated_after."))
        elif filters.updated_before - filters.updated_after > span:
            problems.append(
                _("updated_after and updated_before may be at most %(days)d days apart.") % {"days": MAX_RANGE_DAYS}
            )
    elif filters.updated_after:  # a sync reads at most one window of changes per request
        filters.updated_before = filters.updated_after + span
    elif filters.updated_before:
        filters.updated_after = filters.updated_before - span
    syncing = filters.updated_after is not None or filters.updated_before is not None
    filters.start, filters.end = parse_window(params, problems, now=now, default_window=not syncing)
    lat_raw, lon_raw, radius_raw = value(params, "lat"), value(params, "long"), value(params, "radius")
    if lat_raw or lon_raw or radius_raw:
        if not (lat_raw and lon_raw):
            problems.append(_("lat and long go together (and radius, in metres, with them)."))
        else:
            lat = _number("lat", lat_raw, -90, 90, problems)
            lon = _number("long", lon_raw, -180, 180, problems)
            radius = _number("radius", radius_raw, 1, MAX_RADIUS_M, problems) if radius_raw else DEFAULT_RADIUS_M
            if lat is not None and lon is not None and radius is not None:
                filters.near = (lon, lat, radius)
    if problems:
        raise Open311Error(400, problems)
    return filters


@dataclass
class UpdateFilters:
    start: datetime.datetime | None = None
    end: datetime.datetime | None = None
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    cursor: Cursor | None = None


def parse_update_filters(params: QueryDict, *, now: datetime.datetime) -> UpdateFilters:
    """`start_date`/`end_date` on the update time (at most 90 days apart; default the last 90 days)."""
    problems: list[str] = []
    filters = UpdateFilters()
    filters.page, filters.page_size, filters.cursor = parse_page(params, problems, listing="updates")
    filters.start, filters.end = parse_window(params, problems, now=now)
    if problems:
        raise Open311Error(400, problems)
    return filters


@dataclass
class NewRequest:
    """A POST requests form, checked for shape (the reporting service checks the rest)."""

    service_code: str
    lat: float | None  # None when the request is placed by its address (address_string or address_id)
    lon: float | None
    address: str
    description: str
    attributes: dict[str, object]
    contact: dict[str, str]


CONTACT_LIMITS = {
    "email": 254,
    "first_name": 150,
    "last_name": 150,
    "phone": 32,
    "device_id": 200,
    "account_id": 200,
    "address_id": 200,
    "media_url": 1000,
}


def parse_attributes(params: QueryDict) -> dict[str, object]:
    """`attribute[CODE]=v` and `attribute[CODE][]=v1&attribute[CODE][]=v2` as {code: value or list}."""
    singles: dict[str, str] = {}
    lists: dict[str, list[str]] = {}
    for name in params:
        match = ATTRIBUTE_FIELD.match(name)
        if not match:
            continue
        code, many = match.group(1), bool(match.group(2))
        values = [item for item in params.getlist(name) if item.strip()]
        if not values:
            continue
        if many:
            lists.setdefault(code, []).extend(values)
        else:
            singles[code] = values[-1]
    answers: dict[str, object] = dict(singles)
    for code, values in lists.items():
        answers[code] = [singles[code], *values] if code in singles else values
    return answers


def parse_new_request(params: QueryDict) -> NewRequest:
    """Check the shape of a POST: service, location, lengths, contact details."""

    problems: list[str] = []
    service_code = value(params, "service_code")
    if service_code is None:
        problems.append(_("service_code: required."))
    lat_raw, lon_raw = value(params, "lat"), value(params, "long")
    lat = lon = None
    if lat_raw or lon_raw:
        if not (lat_raw and lon_raw):
            problems.append(_("lat and long go together."))
        else:
            lat = _number("lat", lat_raw, -90, 90, problems)
            lon = _number("long", lon_raw, -180, 180, problems)
    elif value(params, "address_string") or value(params, "address_id"):
        pass  # placed through the gazetteer (open311.views._place)
    else:
        problems.append(_("lat, long: a location is required."))
    contact: dict[str, str] = {}
    for name, limit in CONTACT_LIMITS.items():
        raw = value(params, name) or ""
        if len(raw) > limit:
            problems.append(_("%(name)s: at most %(n)d characters.") % {"name": name, "n": limit})
            continue
        contact[name] = raw
    if contact.get("email"):
        try:
            validate_email(contact["email"])
        except ValidationError:
            problems.append(_("email: not a valid e-mail address."))
    if contact.get("media_url"):
        try:
            URLValidator(schemes=["http", "https"])(contact["media_url"])
        except ValidationError:
            problems.append(_("media_url: not a valid http(s) URL."))
    if problems:
        raise Open311Error(400, problems)
    return NewRequest(
        service_code=service_code,
        lat=lat,
        lon=lon,
        address=value(params, "address_string") or "",
        description=params.get("description", "") or "",
        attributes=parse_attributes(params),
        contact=contact,
    )
