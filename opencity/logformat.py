"""Log formatting and the current request's id: loaded by the LOGGING setting while Django starts,
before the apps are ready, so it imports nothing of Django's or the project's that needs them
(opencity.observability, which does, sets the id per request)."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's id is accepted when it is short and plain; anything else is replaced (log injection).
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{8,128}$")

_current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("opencity_request_id", default="-")


def current_request_id() -> str:
    """The id of the request this thread is serving ("-" outside a request)."""
    return _current_request_id.get()


def set_request_id(value: str) -> contextvars.Token:
    """Make `value` the current request's id; returns the token that resets it."""
    return _current_request_id.set(value)


def reset_request_id(token: contextvars.Token) -> None:
    _current_request_id.reset(token)


def request_id_from(header: str | None) -> str:
    """The client's or proxy's id if it is valid, else a new random one."""
    if header and _VALID_REQUEST_ID.match(header):
        return header
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every log record (for formats and for the JSON formatter)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


# LogRecord attributes that are not "extra" fields.
_STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, and any `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", current_request_id()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_"):
                entry[key] = value if isinstance(value, str | int | float | bool | None) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
