"""Atom feeds of new reports and status changes: one for any district (public), one for each saved
alert (its address carries the alert's unguessable token). Only public issues, as alerts/sql.py
decides for the e-mails; at most FEED_ITEMS entries; cacheable for FEED_MAX_AGE seconds. No entry
ever names the person who reported or acted."""

from __future__ import annotations

import datetime

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from alerts.delivery import Item, alert_title, items_for
from alerts.models import Alert
from alerts.sql import alert_feed_event_ids, district_feed_event_ids
from geo.models import District
from issues.models import IssueEvent

FEED_ITEMS = 50
FEED_MAX_AGE = 300


def _items(event_ids: list[int]) -> list[Item]:
    events = IssueEvent.objects.filter(pk__in=event_ids).select_related("issue__category").order_by("-at", "-pk")
    return items_for(list(events))


class IssueEventsFeed(Feed):
    """What both feeds show of an event."""

    feed_type = Atom1Feed

    def item_title(self, item: Item) -> str:
        return f"{item.ref} · {item.category}: {item.summary}"

    def item_description(self, item: Item) -> str:
        lines = [_("Status: %(status)s") % {"status": item.status}]
        if item.address:
            lines.append(item.address)
        lines.append(item.description)
        # Atom's summary is HTML: escape what people typed, so it is shown, never interpreted.
        return linebreaks(escape("\n".join(lines)))

    def item_link(self, item: Item) -> str:
        return item.event.issue.get_absolute_url() + f"#event-{item.event.pk}"

    def item_guid(self, item: Item) -> str:
        return f"issue-event-{item.event.pk}"

    def item_pubdate(self, item: Item) -> datetime.datetime:
        return item.event.at

    def item_updateddate(self, item: Item) -> datetime.datetime:
        return item.event.at

    def item_categories(self, item: Item) -> list[str]:
        return [item.category]


class DistrictFeed(IssueEventsFeed):
    """GET /alerts/districts/<code>/feed.atom — a district's new reports and status changes."""

    def get_object(self, request: HttpRequest, code: str) -> District:
        district = District.objects.filter(code=code).first()
        if district is None:
            raise Http404
        return district

    def title(self, obj: District) -> str:
        return _("New reports and changes: %(district)s — %(city)s") % {"district": obj.name, "city": _("Drohobych")}

    def subtitle(self, obj: District) -> str:
        return _("Reports of city problems in %(district)s and what happens to them.") % {"district": obj.name}

    def link(self, obj: District) -> str:
        return reverse("alerts:list")

    def items(self, obj: District) -> list[Item]:
        return _items(district_feed_event_ids(district_id=obj.pk, limit=FEED_ITEMS))


class AlertFeed(IssueEventsFeed):
    """GET /alerts/feed/<token>.atom — what a saved alert matches, whether or not it sends e-mails."""

    def get_object(self, request: HttpRequest, token: str) -> Alert:
        alert = Alert.objects.filter(feed_token=token).select_related("district").first()
        if alert is None:
            raise Http404
        return alert

    def title(self, obj: Alert) -> str:
        return _("Alert: %(title)s — %(city)s") % {"title": alert_title(obj), "city": _("Drohobych")}

    def subtitle(self, obj: Alert) -> str:
        return _("Reports of city problems in the place this alert follows.")

    def link(self, obj: Alert) -> str:
        return reverse("alerts:list")

    def items(self, obj: Alert) -> list[Item]:
        return _items(alert_feed_event_ids(alert_id=obj.pk, limit=FEED_ITEMS))
