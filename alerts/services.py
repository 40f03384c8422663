"""Writing alerts: create, change, delete, and stop or restart their e-mails by the signed link.

What may be saved is checked here, whatever the form: a confirmed e-mail address, at most
OPENCITY_ALERTS_PER_USER alerts, a place of the kind chosen that lies in the community, a drawn area
of at most OPENCITY_ALERT_MAX_AREA_KM2 and a radius between OPENCITY_ALERT_MIN_RADIUS_M and
OPENCITY_ALERT_MAX_RADIUS_M. Refusals are InvalidInput with a message per field.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point, Polygon
from django.core import signing
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from alerts.models import Alert, AlertFrequency, AlertKind
from geo.models import WGS84, CommunityBoundary, District
from geo.selectors import point_in_community
from issues.models import CategoryGroup
from opencity.errors import Forbidden, InvalidInput, NotFound

UNSUBSCRIBE_SALT = "opencity.alerts.unsubscribe"
# A drawn area is a handful of clicks; thousands of vertices are a paste gone wrong (and slow).
MAX_AREA_VERTICES = 500


@dataclass(frozen=True)
class AlertInput:
    """What a person asks for (the form's cleaned data)."""

    kind: str
    name: str = ""
    district: District | None = None
    area: GEOSGeometry | None = None
    center: Point | None = None
    radius_m: int | None = None
    category_groups: Sequence[CategoryGroup] = field(default_factory=tuple)
    new_reports: bool = True
    status_changes: bool = False
    frequency: str = AlertFrequency.DAILY
    emails_on: bool = True


def alert_may_subscribe(*, user: User) -> bool:
    """Alerts are e-mail: only an active account with a confirmed address may keep them."""
    return user.is_active and bool(user.email) and user.email_confirmed_at is not None


def _area_m2_and_in_community(area: MultiPolygon) -> tuple[float, bool]:
    """The area in square metres on the spheroid, and whether it touches the community."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_Area(ST_GeomFromEWKB(%s)::geography)", [bytes(area.ewkb)])
        area_m2 = cursor.fetchone()[0]
    inside = CommunityBoundary.objects.current().filter(geom__intersects=area).exists()
    return float(area_m2 or 0), inside


def _as_multipolygon(area: GEOSGeometry) -> MultiPolygon | None:
    if area.srid and area.srid != WGS84:
        area = area.transform(WGS84, clone=True)
    if isinstance(area, Polygon):
        return MultiPolygon(area, srid=WGS84)
    if isinstance(area, MultiPolygon):
        area.srid = WGS84
        return area
    return None


def _place_errors(data: AlertInput) -> tuple[dict[str, list], dict]:
    """Field messages for the place, and the place's fields to store."""
    errors: dict[str, list] = {}
    place: dict = {"district": None, "area": None, "center": None, "radius_m": None}
    if data.kind == AlertKind.DISTRICT:
        if data.district is None:
            errors["district"] = [_("Choose a district.")]
        place["district"] = data.district
    elif data.kind == AlertKind.AREA:
        area = _as_multipolygon(data.area) if data.area is not None else None
        if data.area is None:
            errors["area"] = [_("Draw the area on the map.")]
        elif area is None or area.empty:
            errors["area"] = [_("The area must be one or more polygons.")]
        elif not area.valid:
            errors["area"] = [_("The area's edges cross each other; draw it again.")]
        elif area.num_coords > MAX_AREA_VERTICES:
            errors["area"] = [_("The area has too many corners (at most %(max)d).") % {"max": MAX_AREA_VERTICES}]
        else:
            area_m2, inside = _area_m2_and_in_community(area)
            limit = settings.OPENCITY_ALERT_MAX_AREA_KM2
            if area_m2 > limit * 1_000_000:
                errors["area"] = [
                    _("The area is %(size).1f km²; an alert may cover at most %(max)d km².")
                    % {"size": area_m2 / 1_000_000, "max": limit}
                ]
            elif not inside:
                errors["area"] = [_("The area lies outside the community.")]
        place["area"] = area
    elif data.kind == AlertKind.RADIUS:
        low, high = settings.OPENCITY_ALERT_MIN_RADIUS_M, settings.OPENCITY_ALERT_MAX_RADIUS_M
        if data.center is None:
            errors["center"] = [_("Put the point on the map.")]
        elif not point_in_community(point=data.center):
            errors["center"] = [_("The point lies outside the community.")]
        if data.radius_m is None:
            errors["radius_m"] = [_("Say how many metres around the point.")]
        elif not low <= data.radius_m <= high:
            errors["radius_m"] = [
                _("The distance must be from %(low)d to %(high)d metres.") % {"low": low, "high": high}
            ]
        place["center"], place["radius_m"] = data.center, data.radius_m
    else:
        errors["kind"] = [_("Choose a district, an area or a point.")]
    return errors, place


def _check(*, user: User, data: AlertInput) -> dict:
    if not alert_may_subscribe(user=user):
        raise Forbidden(_("Confirm your e-mail address first: alerts are sent by e-mail."), code="email_not_confirmed")
    errors, place = _place_errors(data)
    if not (data.new_reports or data.status_changes):
        errors["new_reports"] = [_("Choose new reports, status changes or both.")]
    if data.frequency not in AlertFrequency.values:
        errors["frequency"] = [_("Choose how often to send e-mails.")]
    if len(data.name) > 100:
        errors["name"] = [_("At most 100 characters.")]
    if errors:
        raise InvalidInput(_("Please correct the alert."), fields=errors)
    return place


def _save(alert: Alert, *, data: AlertInput, place: dict, now: datetime.datetime) -> Alert:
    alert.name = data.name.strip()
    alert.kind = data.kind
    alert.district, alert.area, alert.center, alert.radius_m = (
        place["district"],
        place["area"],
        place["center"],
        place["radius_m"],
    )
    alert.new_reports, alert.status_changes = data.new_reports, data.status_changes
    alert.frequency = data.frequency
    if data.emails_on:
        alert.unsubscribed_at = None
    elif alert.unsubscribed_at is None:
        alert.unsubscribed_at = now
    alert.save()
    alert.category_groups.set(data.category_groups)
    return alert


def alert_create(*, user: User, data: AlertInput, now: datetime.datetime | None = None) -> Alert:
    """Save a new alert for the user, within the limits."""
    place = _check(user=user, data=data)
    with transaction.atomic():
        # Serialise one person's creations so two at once cannot pass the limit together.
        User.objects.select_for_update().filter(pk=user.pk).first()
        limit = settings.OPENCITY_ALERTS_PER_USER
        if Alert.objects.filter(user=user).count() >= limit:
            message = _("You already have %(max)d alerts, the most one person may keep. Delete one first.") % {
                "max": limit
            }
            raise InvalidInput(message, code="too_many_alerts", fields={"__all__": [message]})
        return _save(Alert(user=user), data=data, place=place, now=now or timezone.now())


def alert_of_user(*, user: User, alert_id: int) -> Alert:
    """The user's own alert; another person's is as good as missing."""
    alert = Alert.objects.filter(pk=alert_id, user=user).first()
    if alert is None:
        raise NotFound(_("No such alert."))
    return alert


def alert_update(*, user: User, alert_id: int, data: AlertInput, now: datetime.datetime | None = None) -> Alert:
    """Change one of the user's alerts."""
    alert = alert_of_user(user=user, alert_id=alert_id)
    place = _check(user=user, data=data)
    with transaction.atomic():
        return _save(alert, data=data, place=place, now=now or timezone.now())


def alert_delete(*, user: User, alert_id: int) -> None:
    """Delete one of the user's alerts."""
    alert_of_user(user=user, alert_id=alert_id).delete()


def alert_unsubscribe_token(*, alert: Alert) -> str:
    """The signed token of the e-mails' unsubscribe link (it works without signing in, for ever)."""
    return signing.dumps({"alert": alert.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def alert_by_unsubscribe_token(*, token: str) -> Alert:
    """The alert a token names; NotFound for a forged token or a deleted alert."""
    try:
        alert_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)["alert"]
    except (signing.BadSignature, KeyError, TypeError):
        raise NotFound(_("This link is not valid.")) from None
    alert = Alert.objects.filter(pk=alert_id).select_related("district").first()
    if alert is None:
        raise NotFound(_("This alert has been deleted: nothing more will be sent."))
    return alert


def alert_set_emails(*, token: str, on: bool, now: datetime.datetime | None = None) -> Alert:
    """Stop (or restart) an alert's e-mails by the link in one of them; the alert itself stays."""
    alert = alert_by_unsubscribe_token(token=token)
    if on:
        alert.unsubscribed_at = None
    elif alert.unsubscribed_at is None:
        alert.unsubscribed_at = now or timezone.now()
    alert.save(update_fields=["unsubscribed_at", "updated_at"])
    return alert
