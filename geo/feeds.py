"""Subscriptions for citizens and local media: an iCalendar of planned outages and an Atom feed of
outage notices (published, extended, closed, cancelled). Both take `?kind=water,gas` to narrow."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe
from icalendar import Calendar, Event

from geo.models import Outage, OutageEvent, OutageEventKind, OutageKind, OutageNature

# Calendar clients keep what they once showed; a month of the past lets them show recent outages
# and learn about cancellations, without the file growing for ever.
CALENDAR_PAST_DAYS = 30
FEED_ITEMS = 50


def _kinds(request: HttpRequest) -> list[str]:
    """The `kind` filter: known kinds only (anything else is ignored rather than failing a feed
    reader that cannot show errors)."""
    wanted = [part.strip() for part in request.GET.get("kind", "").split(",") if part.strip()]
    return [kind for kind in wanted if kind in OutageKind.values]


def _outage_text(outage: Outage) -> str:
    lines = []
    if outage.affected_streets:
        lines.append(_("Streets: %(streets)s") % {"streets": outage.affected_streets})
    if outage.public_notes:
        lines.append(outage.public_notes)
    provider = outage.provider
    lines.append(
        _("Provider: %(name)s %(phone)s") % {"name": provider.name, "phone": provider.phone}
        if provider.phone
        else _("Provider: %(name)s") % {"name": provider.name}
    )
    return "\n".join(lines)


@require_safe
def planned_outages_ics(request: HttpRequest) -> HttpResponse:
    """GET /outages/planned.ics — planned outages, upcoming, in force and of the last month, as an
    iCalendar (RFC 5545) that phones and calendar programs subscribe to."""
    now = timezone.now()
    since = now - datetime.timedelta(days=CALENDAR_PAST_DAYS)
    outages = Outage.objects.filter(nature=OutageNature.PLANNED).select_related("provider").order_by("starts_at", "pk")
    outages = outages.exclude(ended_at__lt=since).exclude(ended_at__isnull=True, expected_end_at__lt=since)
    if kinds := _kinds(request):
        outages = outages.filter(kind__in=kinds)

    calendar = Calendar()
    calendar.add("prodid", "-//Open City//Outages//UK")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("Planned outages — %(city)s") % {"city": _("Drohobych")})
    calendar.add("x-wr-timezone", settings.OPENCITY_TIME_ZONE)
    host = request.get_host().split(":")[0]
    for outage in outages.prefetch_related("events"):
        event = Event()
        event.add("uid", f"outage-{outage.pk}@{host}")
        event.add("dtstamp", now)
        event.add("created", outage.created_at)
        event.add("last-modified", outage.updated_at)
        # Each change is a new revision, so subscribed calendars replace their copy.
        event.add("sequence", max(len(outage.events.all()) - 1, 0))
        event.add("dtstart", outage.starts_at)
        event.add("dtend", outage.ended_at if outage.state_at(now) == "ended" else outage.expected_end_at)
        streets = outage.affected_streets.splitlines()[0][:120] if outage.affected_streets else ""
        event.add("summary", f"{outage.title}: {streets}" if streets else outage.title)
        event.add("description", _outage_text(outage))
        if outage.affected_streets:
            event.add("location", outage.affected_streets[:250])
        centre = outage.area.point_on_surface
        event.add("geo", (round(centre.y, 6), round(centre.x, 6)))
        event.add("categories", [outage.get_kind_display()])
        event.add("url", request.build_absolute_uri(reverse("geo:outage-detail", args=[outage.pk])))
        event.add("status", "CANCELLED" if outage.state_at(now) == "cancelled" else "CONFIRMED")
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)

    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="planned-outages.ics"'
    response["Cache-Control"] = "public, max-age=300"
    return response


EVENT_TITLES = {
    OutageEventKind.PUBLISHED: gettext_lazy("%(title)s: published"),
    OutageEventKind.UPDATED: gettext_lazy("%(title)s: details updated"),
    OutageEventKind.EXTENDED: gettext_lazy("%(title)s: extended"),
    OutageEventKind.CLOSED: gettext_lazy("%(title)s: supply restored"),
    OutageEventKind.CANCELLED: gettext_lazy("%(title)s: cancelled"),
}


class OutageNoticesFeed(Feed):
    """GET /outages/feed.atom — the latest outage notices, newest first, as Atom."""

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, *args, **kwargs) -> dict:
        return {"kinds": _kinds(request), "now": timezone.now()}

    def title(self) -> str:
        return _("Outages — %(city)s") % {"city": _("Drohobych")}

    def subtitle(self) -> str:
        return _("Planned and emergency water, electricity, gas and heating outages in the community.")

    def link(self) -> str:
        return reverse("geo:outages")

    def items(self, obj: dict):
        events = OutageEvent.objects.select_related("outage", "outage__provider").order_by("-at", "-pk")
        if obj["kinds"]:
            events = events.filter(outage__kind__in=obj["kinds"])
        return events[:FEED_ITEMS]

    def item_title(self, item: OutageEvent) -> str:
        streets = item.outage.affected_streets.splitlines()[0][:80] if item.outage.affected_streets else ""
        title = str(EVENT_TITLES[item.kind]) % {"title": item.outage.title}
        return f"{title} — {streets}" if streets else title

    def item_description(self, item: OutageEvent) -> str:
        outage = item.outage
        times = [_("Starts: %(at)s") % {"at": _local(outage.starts_at)}]
        if outage.ended_at and item.kind in (OutageEventKind.CLOSED, OutageEventKind.CANCELLED):
            times.append(_("Ended: %(at)s") % {"at": _local(outage.ended_at)})
        elif item.data.get("expected_end_at"):
            times.append(
                _("Expected end: %(at)s")
                % {"at": _local(datetime.datetime.fromisoformat(item.data["expected_end_at"]))}
            )
        text = "\n".join([*times, item.note or "", _outage_text(outage)]).replace("\n\n", "\n")
        # Atom's summary is HTML: escape what people typed, so it is shown, never interpreted.
        return linebreaks(escape(text))

    def item_link(self, item: OutageEvent) -> str:
        return reverse("geo:outage-detail", args=[item.outage_id]) + f"#event-{item.pk}"

    def item_pubdate(self, item: OutageEvent) -> datetime.datetime:
        return item.at

    def item_updateddate(self, item: OutageEvent) -> datetime.datetime:
        return item.at

    def item_categories(self, item: OutageEvent) -> list[str]:
        return [item.outage.get_kind_display(), item.outage.get_nature_display()]


def _local(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")
