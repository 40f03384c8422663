"""JSON and XML writers for Open311 answers.

JSON is the mechanical mapping of the XML (OPEN311.md): drop the root element and turn each plural
container into an array. So both are written from the same ordered dicts: in XML a list becomes
its container with one element per item, named as the spec names them.
"""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree

from django.http import HttpResponse

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
FORMATS = ("json", "xml")

# Container → element of each item, as the GeoReport v2 XML names them.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "notes": "note",
    "media_urls": "media_url",
    "service_request_updates": "request_update",
}

# Characters XML 1.0 cannot carry at all (a report's text could hold them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return _NOT_XML.sub("", str(value))


def _append(parent: ElementTree.Element, name: str, value) -> None:
    element = ElementTree.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, list):
        item_name = ITEM_NAMES[name]
        for item in value:
            _append(element, item_name, item)
    else:
        element.text = _text(value)


def to_xml(root: str, data) -> str:
    """The XML document: `root` holds the object's fields, or one element per item of a list."""
    element = ElementTree.Element(root)
    if isinstance(data, list):
        for item in data:
            _append(element, ITEM_NAMES[root], item)
    else:
        for key, value in data.items():
            _append(element, key, value)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(element, encoding="unicode")


def to_json(data) -> str:
    return json.dumps(data, ensure_ascii=False)


def respond(fmt: str, root: str, data, *, status: int = 200) -> HttpResponse:
    """An answer in the asked format (`json` or `xml`)."""
    if fmt == "xml":
        return HttpResponse(to_xml(root, data), content_type=XML_TYPE, status=status)
    return HttpResponse(to_json(data), content_type=JSON_TYPE, status=status)
