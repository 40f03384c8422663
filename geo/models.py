"""The territory: the community boundary and its districts.

Geometries are stored in WGS84 (EPSG:4326), the SRID every client speaks; distances are measured on
the geography type (metres on the spheroid), never by converting degrees by hand.

A *community* (територіальна громада) is the unit of local self-government since the 2020 reform:
the city of Drohobych plus the villages around it. Its *districts* here are the city's own parts and
the starosta districts (старостинські округи) that group the villages.
"""

from __future__ import annotations

import datetime

from django.contrib.gis.db import models
from django.contrib.gis.geos import Point
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import LocalizedNameMixin

WGS84 = 4326


class BoundaryQuerySet(models.QuerySet):
    def current(self, on: datetime.date | None = None) -> BoundaryQuerySet:
        """Versions in force on a date (today by default)."""
        on = on or timezone.localdate()
        return self.filter(Q(valid_from__lte=on) | Q(valid_from__isnull=True)).filter(
            Q(valid_until__gte=on) | Q(valid_until__isnull=True)
        )

    def covering(self, point: Point) -> BoundaryQuerySet:
        """Boundaries that contain the point, the boundary line itself included (ST_Covers)."""
        return self.filter(geom__covers=point)


class CommunityBoundary(models.Model):
    """The territory served. Versioned over time rather than edited in place (as MapIt does):
    a new boundary gets a new row with `valid_from`, the old one gets `valid_until`."""

    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    geom = models.MultiPolygonField(_("area"), srid=WGS84)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    source = models.CharField(_("source of the geometry"), max_length=300, blank=True)

    objects = BoundaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("community boundary")
        verbose_name_plural = _("community boundaries")
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="boundary_code_version_unique"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="boundary_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DistrictKind(models.TextChoices):
    CITY_DISTRICT = "city_district", _("city district")
    STAROSTA_DISTRICT = "starosta_district", _("starosta district")


class DistrictQuerySet(models.QuerySet):
    def covering(self, point: Point) -> DistrictQuerySet:
        """Districts containing the point. A point on a shared border is covered by both; callers
        that need one take `.first()`, which is deterministic because of the ordering by code."""
        return self.filter(geom__covers=point).order_by("code")


class District(LocalizedNameMixin, models.Model):
    """A named part of the community: a city district or a starosta district."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=DistrictKind, default=DistrictKind.CITY_DISTRICT)
    geom = models.MultiPolygonField(_("area"), srid=WGS84)

    objects = DistrictQuerySet.as_manager()

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DistrictKind.values), name="district_kind_valid"),
        ]


class OutageKind(models.TextChoices):
    """What a shutoff cuts off. Issue categories name the kind they correspond to."""

    WATER = "water", _("water")
    ELECTRICITY = "electricity", _("electricity")
    GAS = "gas", _("gas")
    HEATING = "heating", _("heating")
