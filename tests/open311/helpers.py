"""Checks every Open311 answer in the tests goes through.

- JSON answers are validated against the project's own JSON Schemas of the GeoReport v2 objects
  (open311/schemas/, written from the spec).
- XML answers are read back into plain data (containers as lists, by the spec's element names) and
  must equal their JSON twin with every value as text: XML is the mechanical mapping of the JSON.
"""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
from django.conf import settings
from referencing import Registry, Resource

from open311.render import ITEM_NAMES

SCHEMA_DIR = Path(settings.BASE_DIR) / "open311" / "schemas"
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'


def _load_schemas() -> tuple[dict[str, dict], Registry]:
    schemas = {path.name: json.loads(path.read_text(encoding="utf-8")) for path in SCHEMA_DIR.glob("*.json")}
    assert schemas, f"no Open311 schemas found in {SCHEMA_DIR}"
    registry = Registry().with_resources((schema["$id"], Resource.from_contents(schema)) for schema in schemas.values())
    return schemas, registry


SCHEMAS, REGISTRY = _load_schemas()


def validate(schema_name: str, data) -> None:
    """Raise if `data` breaks the named schema (the schema itself is checked first)."""
    schema = SCHEMAS[schema_name]
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(
        schema, registry=REGISTRY, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(data)


def as_text(data):
    """The JSON value as XML carries it: null as "", booleans as true/false, numbers as text."""
    if isinstance(data, dict):
        return {key: as_text(value) for key, value in data.items()}
    if isinstance(data, list):
        return [as_text(item) for item in data]
    if data is None:
        return ""
    if isinstance(data, bool):
        return "true" if data else "false"
    return str(data)


def _read(element: ElementTree.Element):
    if element.tag in ITEM_NAMES:
        item = ITEM_NAMES[element.tag]
        assert all(child.tag == item for child in element), f"<{element.tag}> holds only <{item}>"
        return [_read(child) for child in element]
    if len(element):
        keys = [child.tag for child in element]
        assert len(keys) == len(set(keys)), f"repeated elements in <{element.tag}>"
        return {child.tag: _read(child) for child in element}
    return element.text or ""


def xml_data(body: str, *, root: str):
    """Parse an XML answer: its declaration, its root element, and its content as plain data."""
    assert body.startswith(XML_DECLARATION)
    element = ElementTree.fromstring(body.encode("utf-8"))
    assert element.tag == root
    if element.tag in ITEM_NAMES:
        return _read(element)
    return {child.tag: _read(child) for child in element}
