"""SQL that PostGIS does better than the ORM: GeoJSON assembled in the database.

Serializing features one by one in Python was measured ~20x slower than letting PostGIS build the
FeatureCollection (PLATFORM.md), so map layers are produced here and passed through as text.
"""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

TERRITORY_SQL = """
WITH features AS (
    SELECT json_build_object(
        'type', 'Feature',
        'geometry', ST_AsGeoJSON(b.geom, 6)::json,
        'properties', json_build_object('layer', 'boundary', 'code', b.code, 'name', b.name)
    ) AS feature, 0 AS sort_key, b.code AS code
    FROM geo_communityboundary b
    WHERE (b.valid_from IS NULL OR b.valid_from <= %(today)s)
      AND (b.valid_until IS NULL OR b.valid_until >= %(today)s)
    UNION ALL
    SELECT json_build_object(
        'type', 'Feature',
        'geometry', ST_AsGeoJSON(d.geom, 6)::json,
        'properties', json_build_object(
            'layer', 'district', 'code', d.code, 'kind', d.kind,
            'name', CASE WHEN %(lang)s = 'en' AND d.name_en <> '' THEN d.name_en ELSE d.name_uk END
        )
    ), 1, d.code
    FROM geo_district d
)
SELECT json_build_object(
    'type', 'FeatureCollection',
    'features', COALESCE(json_agg(feature ORDER BY sort_key, code), '[]'::json)
)::text
FROM features
"""


def territory_feature_collection(*, language: str) -> str:
    """The current community boundary and every district as one GeoJSON FeatureCollection text."""
    with connection.cursor() as cursor:
        cursor.execute(TERRITORY_SQL, {"today": timezone.localdate(), "lang": language[:2]})
        return cursor.fetchone()[0]
