"""Writes of the outage layer: publish, update, extend, close.

Each service checks who is acting (geo/permissions.py), validates its input, changes the outage and
appends an OutageEvent in one transaction, and returns the outage. A refused call raises
`opencity.errors.Forbidden`, bad input `InvalidInput` with messages per field, acting on a closed
outage `Conflict`; a refused call changes nothing.

The issues app builds on these: it calls `outage_close(...)` inside its own transaction and then
resolves the issues linked to the returned outage, so both commit or neither does.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.contrib.gis.geos import GEOSGeometry, MultiLineString, MultiPolygon, Polygon
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from geo.gazetteer import normalize_name, transliterate_uk
from geo.models import (
    WGS84,
    CommunityBoundary,
    District,
    Outage,
    OutageEvent,
    OutageEventKind,
    OutageKind,
    OutageNature,
    Street,
)
from geo.permissions import provider_may_publish_kind, user_can_manage_outages_of
from opencity.errors import Conflict, Forbidden, InvalidInput

if TYPE_CHECKING:
    from accounts.models import Executor, User

MAX_TEXT = 5000


def _require_permission(actor: User, provider: Executor, kind: str | None = None) -> None:
    if not user_can_manage_outages_of(actor, provider=provider, kind=kind):
        raise Forbidden(_("Only dispatchers and the provider's own staff may manage its outages."))


def _aware(value: datetime.datetime) -> datetime.datetime:
    """Datetimes without a zone are read in the community's time zone (Europe/Kyiv)."""
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _clean_area(area: GEOSGeometry | None, errors: dict[str, list]) -> MultiPolygon | None:
    """The drawn area as a valid WGS84 MultiPolygon that touches the community, or None with an
    error recorded under "area"."""
    if area is None or area.empty:
        errors["area"] = [_("Draw the area of the outage on the map.")]
        return None
    if isinstance(area, Polygon):
        area = MultiPolygon(area, srid=area.srid)
    if not isinstance(area, MultiPolygon):
        errors["area"] = [_("The area must be one or more polygons.")]
        return None
    if area.srid is None:
        area.srid = WGS84
    elif area.srid != WGS84:
        area = area.transform(WGS84, clone=True)
    if not area.valid:
        errors["area"] = [_("The area's outline crosses itself; redraw it.")]
        return None
    if not CommunityBoundary.objects.current().filter(geom__intersects=area).exists():
        errors["area"] = [_("The area is outside the community's territory.")]
        return None
    return area


def _clean_text(name: str, value: str, errors: dict[str, list]) -> str:
    value = (value or "").strip()
    if len(value) > MAX_TEXT:
        errors[name] = [_("Keep this under %(limit)d characters.") % {"limit": MAX_TEXT}]
    return value


def outage_publish(
    *,
    actor: User,
    provider: Executor,
    kind: str,
    nature: str,
    area: GEOSGeometry | None,
    starts_at: datetime.datetime | None,
    expected_end_at: datetime.datetime | None = None,
    affected_streets: str = "",
    public_notes: str = "",
    reference: str = "",
) -> Outage:
    """Publish an outage of `provider` over `area`. Dispatchers and the provider's staff only.
    A planned outage needs its expected end; an emergency may leave it unknown."""
    _require_permission(actor, provider, kind if kind in OutageKind.values else None)
    errors: dict[str, list] = {}
    if kind not in OutageKind.values:
        errors["kind"] = [_("Choose what is cut off: water, electricity, gas or heating.")]
    elif not provider_may_publish_kind(provider=provider, kind=kind):
        # Dispatchers too: the outage's kind decides which reports it links and resolves.
        errors["kind"] = [_("This organisation does not supply what you chose; an administrator grants outage kinds.")]
    if nature not in OutageNature.values:
        errors["nature"] = [_("Choose whether the outage is planned or an emergency.")]
    if not provider.is_active:
        errors["provider"] = [_("This organisation is no longer active.")]
    clean_area = _clean_area(area, errors)
    if starts_at is None:
        errors["starts_at"] = [_("Give the time the outage starts.")]
    else:
        starts_at = _aware(starts_at)
    if expected_end_at is not None:
        expected_end_at = _aware(expected_end_at)
        if starts_at is not None and expected_end_at <= starts_at:
            errors["expected_end_at"] = [_("The expected end must be after the start.")]
    elif nature == OutageNature.PLANNED:
        errors["expected_end_at"] = [_("A planned outage needs its expected end.")]
    affected_streets = _clean_text("affected_streets", affected_streets, errors)
    public_notes = _clean_text("public_notes", public_notes, errors)
    reference = (reference or "").strip()
    if len(reference) > 64:
        errors["reference"] = [_("Keep this under %(limit)d characters.") % {"limit": 64}]
    elif reference and Outage.objects.filter(provider=provider, reference=reference).exists():
        errors["reference"] = [_("This provider already published an outage with this reference.")]
    if errors:
        raise InvalidInput(_("The outage could not be published."), fields=errors)

    with transaction.atomic():
        outage = Outage.objects.create(
            kind=kind,
            nature=nature,
            area=clean_area,
            starts_at=starts_at,
            expected_end_at=expected_end_at,
            affected_streets=affected_streets,
            public_notes=public_notes,
            reference=reference,
            provider=provider,
            published_by=actor,
        )
        OutageEvent.objects.create(
            outage=outage,
            kind=OutageEventKind.PUBLISHED,
            actor=actor,
            at=outage.created_at,
            note=public_notes,
            data={
                "starts_at": starts_at.isoformat(),
                "expected_end_at": expected_end_at.isoformat() if expected_end_at else None,
            },
        )
    return outage


def _locked(outage: Outage) -> Outage:
    return Outage.objects.select_for_update().select_related("provider").get(pk=outage.pk)


def outage_update(
    *,
    actor: User,
    outage: Outage,
    area: GEOSGeometry | None,
    affected_streets: str,
    public_notes: str,
) -> Outage:
    """Correct an open outage's area, streets and notes (times change through extend and close)."""
    _require_permission(actor, outage.provider, outage.kind)
    with transaction.atomic():
        outage = _locked(outage)
        if outage.ended_at is not None:
            raise Conflict(_("This outage is closed; it can no longer be changed."), code="outage_closed")
        errors: dict[str, list] = {}
        clean_area = _clean_area(area, errors)
        affected_streets = _clean_text("affected_streets", affected_streets, errors)
        public_notes = _clean_text("public_notes", public_notes, errors)
        if errors:
            raise InvalidInput(_("The outage could not be saved."), fields=errors)
        changed = [] if outage.area.equals_exact(clean_area, tolerance=1e-9) else ["area"]
        changed += [
            name
            for name, new in (("affected_streets", affected_streets), ("public_notes", public_notes))
            if getattr(outage, name) != new
        ]
        if not changed:
            return outage
        outage.area, outage.affected_streets, outage.public_notes = clean_area, affected_streets, public_notes
        outage.save(update_fields=[*changed, "updated_at"])
        OutageEvent.objects.create(
            outage=outage, kind=OutageEventKind.UPDATED, actor=actor, note=public_notes, data={"fields": changed}
        )
    return outage


def outage_extend(*, actor: User, outage: Outage, expected_end_at: datetime.datetime | None, note: str = "") -> Outage:
    """Move an open outage's expected end later (or give one to an emergency that had none)."""
    _require_permission(actor, outage.provider, outage.kind)
    with transaction.atomic():
        outage = _locked(outage)
        if outage.ended_at is not None:
            raise Conflict(_("This outage is closed; it can no longer be extended."), code="outage_closed")
        errors: dict[str, list] = {}
        now = timezone.now()
        if expected_end_at is None:
            errors["expected_end_at"] = [_("Give the new expected end.")]
        else:
            expected_end_at = _aware(expected_end_at)
            if outage.expected_end_at is not None and expected_end_at <= outage.expected_end_at:
                errors["expected_end_at"] = [_("The new expected end must be later than the current one.")]
            elif expected_end_at <= max(outage.starts_at, now):
                errors["expected_end_at"] = [_("The new expected end must be in the future and after the start.")]
        note = _clean_text("note", note, errors)
        if errors:
            raise InvalidInput(_("The outage could not be extended."), fields=errors)
        previous = outage.expected_end_at
        outage.expected_end_at = expected_end_at
        outage.save(update_fields=["expected_end_at", "updated_at"])
        OutageEvent.objects.create(
            outage=outage,
            kind=OutageEventKind.EXTENDED,
            actor=actor,
            at=now,
            note=note,
            data={
                "previous_expected_end_at": previous.isoformat() if previous else None,
                "expected_end_at": expected_end_at.isoformat(),
            },
        )
    return outage


def outage_close(*, actor: User, outage: Outage, ended_at: datetime.datetime | None = None, note: str = "") -> Outage:
    """Close an outage: the supply is back at `ended_at` (now by default, never in the future).
    Closing one that has not started cancels it. Returns the closed outage for callers to build on."""
    _require_permission(actor, outage.provider, outage.kind)
    with transaction.atomic():
        outage = _locked(outage)
        if outage.ended_at is not None:
            raise Conflict(_("This outage is already closed."), code="outage_closed")
        errors: dict[str, list] = {}
        now = timezone.now()
        if outage.starts_at > now:
            ended_at, kind = now, OutageEventKind.CANCELLED
        else:
            ended_at, kind = (_aware(ended_at) if ended_at else now), OutageEventKind.CLOSED
            if ended_at > now:
                errors["ended_at"] = [_("The actual end cannot be in the future.")]
            elif ended_at <= outage.starts_at:
                errors["ended_at"] = [_("The actual end must be after the start.")]
        note = _clean_text("note", note, errors)
        if errors:
            raise InvalidInput(_("The outage could not be closed."), fields=errors)
        outage.ended_at = ended_at
        outage.save(update_fields=["ended_at", "updated_at"])
        OutageEvent.objects.create(
            outage=outage, kind=kind, actor=actor, at=now, note=note, data={"ended_at": ended_at.isoformat()}
        )
    return outage


# --- The gazetteer ------------------------------------------------------------------------------


def street_create(
    *, name_uk: str, kind: str, district: District | None, name_en: str = "", geom: MultiLineString | None = None
) -> Street:
    """A new street with its search forms; the English name is transliterated (KMU 2010) unless given."""
    english = name_en or transliterate_uk(name_uk)
    return Street.objects.create(
        name_uk=name_uk,
        name_en=english,
        kind=kind,
        district=district,
        geom=geom,
        search_uk=normalize_name(name_uk),
        search_en=normalize_name(english),
    )
