"""The Open311 GeoReport v2 endpoints. Plain Django views (the spec's errors, formats and form
bodies are not DRF's): check the parameters, call one query or service, write JSON or XML."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.conf import settings
from django.contrib.gis.geos import Point
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from accounts.api_keys import api_key_authenticate
from geo.gazetteer import parse_address_query
from geo.selectors import address_by_id, address_search
from issues.rules.media import MAX_PHOTOS
from issues.services.media import media_intake_for_request
from open311 import queries, represent
from open311.params import (
    NewRequest,
    Open311Error,
    check_jurisdiction,
    cursor_token,
    parse_extensions,
    parse_new_request,
    parse_request_filters,
    parse_update_filters,
    value,
)
from open311.render import FORMATS, respond
from open311.services import open311_request_create
from opencity.errors import DomainError, RateLimited

# The date this server's Open311 interface (its resources, fields and parameters) last changed:
# 2026-12-04, keyset paging (`cursor`, the `Link` header) and the shallower `page`.
CHANGESET = "2026-12-04T00:00:00+02:00"

# Where the reporting service's field names point in an Open311 form.
PARAMETER_NAMES = {
    "category": "service_code",
    "location": "lat, long",
    "address": "address_string",
    "description": "description",
    "media": "media",
    "file": "media",
}


def _language(request: HttpRequest) -> str:
    """`?locale=` (uk, en, en_US, uk-UA…) first, else what LocaleMiddleware read from
    Accept-Language; Ukrainian by default."""
    locale = (request.GET.get("locale") or "").strip().lower().replace("_", "-")
    if locale.split("-")[0] in ("uk", "en"):
        return locale.split("-")[0]
    return (getattr(request, "LANGUAGE_CODE", None) or "uk")[:2]


def open311_endpoint(*, methods: tuple[str, ...], root: str) -> Callable:
    """Wrap an endpoint: the format suffix, the method, the language, the jurisdiction, and every
    refusal as the spec's error list (in the asked format when it is a known one, else JSON)."""

    def decorator(view: Callable) -> Callable:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, fmt: str | None = None, **kwargs) -> HttpResponse:
            with translation.override(_language(request)):
                answer_format = fmt if fmt in FORMATS else "json"
                try:
                    if fmt is None:
                        raise Open311Error(400, [_("Add the format to the resource: .json or .xml.")])
                    if fmt not in FORMATS:
                        raise Open311Error(
                            400, [_("Unknown format “.%(format)s”: use .json or .xml.") % {"format": fmt[:20]}]
                        )
                    allowed = (*methods, "HEAD") if "GET" in methods else methods
                    if request.method not in allowed:
                        response = respond(
                            answer_format,
                            "errors",
                            Open311Error(
                                405,
                                [
                                    _("Method %(method)s is not allowed here; use %(allowed)s.")
                                    % {"method": request.method[:10], "allowed": ", ".join(methods)}
                                ],
                            ).as_list(),
                            status=405,
                        )
                        response["Allow"] = ", ".join(allowed)
                        return response
                    check_jurisdiction(request.GET if request.method != "POST" else _form(request))
                    status, data, *headers = view(request, **kwargs)
                    response = respond(fmt, root, data, status=status)
                    for name, header in (headers[0] if headers else {}).items():
                        response[name] = header
                    return response
                except Open311Error as error:
                    return respond(answer_format, "errors", error.as_list(), status=error.status)

        return wrapper

    return decorator


def _form(request: HttpRequest):
    """A POST's fields; parameters in the query string count too (some clients send api_key there)."""
    merged = request.GET.copy()
    for name in request.POST:
        merged.setlist(name, request.POST.getlist(name))
    return merged


def _absolute(request: HttpRequest) -> Callable[[str], str]:
    return request.build_absolute_uri


def _next_page(request: HttpRequest, listing: str, last: tuple | None, *, more: bool) -> dict[str, str]:
    """`Link: <…>; rel="next"` (RFC 8288) when another page follows: the same address and filters
    with `page` replaced by a `cursor` after the last row given, so a client that follows it pages
    by keyset however deep it goes. The JSON and XML bodies stay the spec's bare lists."""
    if not more or last is None:
        return {}
    params = request.GET.copy()
    params.pop("page", None)
    at, pk = last  # the (time, id) of the last row given
    params["cursor"] = cursor_token(listing, at=at, pk=pk)
    url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
    return {"Link": f'<{url}>; rel="next"'}


def root(request: HttpRequest) -> HttpResponse:
    """/open311/v2/ itself: the discovery document."""
    return HttpResponseRedirect(reverse("open311:discovery", kwargs={"fmt": "json"}))


@open311_endpoint(methods=("GET",), root="discovery")
def discovery(request: HttpRequest):
    return 200, represent.discovery(absolute=_absolute(request), changeset=CHANGESET)


@open311_endpoint(methods=("GET",), root="services")
def services(request: HttpRequest):
    return 200, [represent.service(category) for category in queries.open311_services()]


@open311_endpoint(methods=("GET",), root="service_definition")
def service_definition(request: HttpRequest, code: str):
    category = queries.open311_service(code=code)
    if category is None:
        raise Open311Error(404, [_("service_code: no service “%(code)s”.") % {"code": code[:60]}])
    return 200, represent.service_definition(category)


@open311_endpoint(methods=("GET", "POST"), root="service_requests")
def requests(request: HttpRequest):
    if request.method == "POST":
        return 201, [represent.created_request(_create(request))]
    filters = parse_request_filters(request.GET, now=timezone.now())
    absolute = _absolute(request)
    if not filters.extensions:
        # The common listing, from plain values (queries.open311_request_rows): no model objects.
        rows, more = queries.open311_request_rows(filters=filters)
        last = rows[-1] if rows else None
        return (
            200,
            represent.service_requests_from_rows(rows, absolute=absolute),
            _next_page(request, "requests", last and (last["created_at"], last["pk"]), more=more),
        )
    issues, more = queries.open311_requests(filters=filters)
    last = issues[-1] if issues else None
    return (
        200,
        [represent.service_request(issue, absolute=absolute, extensions=True) for issue in issues],
        _next_page(request, "requests", last and (last.created_at, last.pk), more=more),
    )


@open311_endpoint(methods=("GET",), root="service_requests")
def request_detail(request: HttpRequest, ref: str):
    problems: list[str] = []
    extensions = parse_extensions(request.GET, problems)
    if problems:
        raise Open311Error(400, problems)
    issue = queries.open311_request(ref=ref, extensions=extensions)
    if issue is None:
        raise Open311Error(404, [_("service_request_id: no request “%(id)s”.") % {"id": ref[:60]}])
    return 200, [represent.service_request(issue, absolute=_absolute(request), extensions=extensions)]


@open311_endpoint(methods=("GET",), root="service_requests")
def token(request: HttpRequest, token: str):
    # Requests are created at once, so a request's token is its id.
    issue = queries.open311_request(ref=token, extensions=False)
    if issue is None:
        raise Open311Error(404, [_("token: no request with the token “%(token)s”.") % {"token": token[:60]}])
    return 200, [represent.token(issue)]


@open311_endpoint(methods=("GET",), root="service_request_updates")
def updates(request: HttpRequest):
    filters = parse_update_filters(request.GET, now=timezone.now())
    events, more = queries.open311_updates(filters=filters)
    absolute = _absolute(request)
    return (
        200,
        [represent.request_update(event, absolute=absolute) for event in events],
        _next_page(request, "updates", (events[-1].at, events[-1].pk) if events else None, more=more),
    )


def _create(request: HttpRequest):
    """POST requests: the key, the form, then the reporting service."""
    form = _form(request)
    raw_key = value(form, "api_key")
    if raw_key is None:
        raise Open311Error(403, [_("api_key: required to create requests.")])
    api_key = api_key_authenticate(raw_key=raw_key)
    if api_key is None:
        raise Open311Error(403, [_("api_key: not a valid key.")])
    new = parse_new_request(form)
    category = queries.open311_service(code=new.service_code)
    if category is None:
        raise Open311Error(400, [_("service_code: no service “%(code)s”.") % {"code": new.service_code[:60]}])
    point, address = _place(new)
    files = request.FILES.getlist("media")
    if len(files) > MAX_PHOTOS:
        raise Open311Error(400, [_("media: up to %(n)d files.") % {"n": MAX_PHOTOS}])
    try:
        with media_intake_for_request(files=files, uploaded_by=api_key.user) as intake:
            result = open311_request_create(
                api_key=api_key,
                category=category,
                point=point,
                description=new.description,
                address=address,
                attributes=new.attributes,
                contact=new.contact,
                media=intake.assets,
            )
    except DomainError as error:
        raise _as_open311(error) from None
    return result.issue


def _place(new: NewRequest) -> tuple[Point, str]:
    """Where a POSTed request is: its lat/long, or else its address looked up in the gazetteer —
    `address_id` (an id from GET /api/v1/addresses/) or `address_string` ("вул. Стрийська, 9"; a
    house number that the street lacks is refused rather than guessed). The address text kept is
    the client's, or the gazetteer's when the client sent none."""
    if new.lat is not None and new.lon is not None:
        return Point(new.lon, new.lat, srid=4326), new.address
    address_id = new.contact.get("address_id", "")
    if address_id:
        match = address_by_id(address_id=address_id, language=settings.LANGUAGE_CODE)
        if match is None:
            raise Open311Error(
                400, [_("address_id: no address “%(id)s” in the community's gazetteer.") % {"id": address_id[:60]}]
            )
    else:
        query = parse_address_query(new.address)
        matches = address_search(text=new.address, language=settings.LANGUAGE_CODE, limit=1)
        match = matches[0] if matches else None
        if match is None or (query.house and match.kind != "address"):
            raise Open311Error(
                400,
                [
                    _(
                        "address_string: “%(address)s” was not found in the community's gazetteer; "
                        "send lat and long instead."
                    )
                    % {"address": new.address[:100]}
                ],
            )
    return Point(match.lon, match.lat, srid=4326), new.address or match.label


def _as_open311(error: DomainError) -> Open311Error:
    """A refusal of the reporting service, per field, with Open311's parameter names."""
    if isinstance(error, RateLimited):
        return Open311Error(429, [str(error.message)])
    descriptions = []
    for field, messages in error.fields.items():
        if field.startswith("attributes."):
            name = f"attribute[{field.removeprefix('attributes.')}]"
        else:
            name = PARAMETER_NAMES.get(field, field)
        for message in messages if isinstance(messages, list | tuple) else [messages]:
            descriptions.append(f"{name}: {message}")
    return Open311Error(error.status if error.status in (400, 403, 404) else 400, descriptions or [str(error.message)])


def not_found(request: HttpRequest) -> HttpResponse:
    """An address under /open311/ that is no resource: the spec's error list (XML when it asked for .xml)."""
    with translation.override(_language(request)):
        fmt = "xml" if request.path.endswith(".xml") else "json"
        error = Open311Error(404, [_("No such resource. Start from %(url)s.") % {"url": "/open311/v2/discovery.json"}])
        return respond(fmt, "errors", error.as_list(), status=404)
