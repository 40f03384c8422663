"""Open311 GeoReport v2 at /open311/v2/: the open standard civic apps use to exchange problem
reports (see OPEN311.md for the contract this package implements).

- `mapping.py`    how Open City's concepts become Open311's (statuses, datetimes)
- `params.py`     query and form parameters, checked; errors as the spec's error lists
- `queries.py`    the reads (public issues only; the reporter is never selected)
- `represent.py`  objects as ordered dicts, one shape for JSON and XML
- `render.py`     the JSON and XML writers (XML element names exactly as the spec's)
- `services.py`   POST requests: an issue created through the reporting service
- `views.py`, `urls.py`  the endpoints; `schemas/` JSON Schemas of every answer
"""
