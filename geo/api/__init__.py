"""The map layers' REST API (version 1): GeoJSON built by PostGIS, filters validated here."""
