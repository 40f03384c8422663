"""Reads of the territory."""

from __future__ import annotations

from django.contrib.gis.geos import Point

from geo.models import CommunityBoundary, District


def point_in_community(*, point: Point) -> bool:
    """Whether the point lies inside (or on) the community boundary in force today."""
    return CommunityBoundary.objects.current().covering(point).exists()


def district_at(*, point: Point) -> District | None:
    """The district containing the point; on a shared border, the one with the smallest code."""
    return District.objects.covering(point).first()
