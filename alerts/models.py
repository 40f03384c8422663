"""Area alerts: a person follows what happens in a district, in an area drawn on the map, or within
some metres of a point — new reports, status changes or both, optionally of some category groups —
by e-mail (at once or in a daily digest) and by an Atom feed with an unguessable address.

Which issue events an alert matches is decided in one place, alerts/sql.py; what may be saved
(limits, sizes) in alerts/services.py.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from geo.models import WGS84, District
from issues.models import CategoryGroup


class AlertKind(models.TextChoices):
    DISTRICT = "district", _("a district")
    AREA = "area", _("an area drawn on the map")
    RADIUS = "radius", _("around a point")


class AlertFrequency(models.TextChoices):
    IMMEDIATE = "immediate", _("at once, one e-mail per event")
    DAILY = "daily", _("a daily digest")


def new_feed_token() -> str:
    """256 random bits, URL-safe: the saved area's feed address cannot be guessed."""
    return secrets.token_urlsafe(32)


class Alert(models.Model):
    """One person's subscription to events in one place."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("subscriber"), on_delete=models.CASCADE, related_name="alerts"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    kind = models.CharField(_("where"), max_length=16, choices=AlertKind)
    district = models.ForeignKey(
        District, verbose_name=_("district"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    area = models.MultiPolygonField(_("area"), srid=WGS84, null=True, blank=True)
    center = models.PointField(_("point"), srid=WGS84, null=True, blank=True)
    radius_m = models.PositiveIntegerField(_("distance, metres"), null=True, blank=True)
    category_groups = models.ManyToManyField(
        CategoryGroup, verbose_name=_("kinds of problems"), blank=True, related_name="+"
    )
    new_reports = models.BooleanField(_("new reports"), default=True)
    status_changes = models.BooleanField(_("status changes"), default=False)
    frequency = models.CharField(_("how often"), max_length=16, choices=AlertFrequency, default=AlertFrequency.DAILY)
    feed_token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    # Set by the unsubscribe link in an e-mail: no more e-mails (the feed keeps working).
    unsubscribed_at = models.DateTimeField(_("e-mails stopped at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("area alert")
        verbose_name_plural = _("area alerts")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=AlertKind.values), name="alert_kind_valid"),
            models.CheckConstraint(condition=Q(frequency__in=AlertFrequency.values), name="alert_frequency_valid"),
            models.CheckConstraint(
                condition=Q(new_reports=True) | Q(status_changes=True), name="alert_wants_something"
            ),
            # Each kind carries exactly its own place.
            models.CheckConstraint(
                condition=(
                    Q(kind=AlertKind.DISTRICT, district__isnull=False, area__isnull=True, center__isnull=True)
                    | Q(kind=AlertKind.AREA, district__isnull=True, area__isnull=False, center__isnull=True)
                    | Q(
                        kind=AlertKind.RADIUS,
                        district__isnull=True,
                        area__isnull=True,
                        center__isnull=False,
                        radius_m__gt=0,
                    )
                ),
                name="alert_place_matches_kind",
            ),
        ]
        indexes = [models.Index(fields=["frequency"], name="alert_frequency_idx", condition=Q(unsubscribed_at=None))]

    def __str__(self) -> str:
        return self.name or f"{self.get_kind_display()} #{self.pk}"

    @property
    def emails_on(self) -> bool:
        return self.unsubscribed_at is None
