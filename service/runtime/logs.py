"""Structured logs: one JSON object per line, on standard error, each naming its request.

Nothing here logs a body, a query string or an exception's message: any of them may carry a
citizen's name or CPR number. A request is logged by its route template (`/v1/incidents/
{incident_id}`), method, status and duration; a fault by its type and where it happened.
"""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import msgspec

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)

# Fields a log call may add with `extra=`; anything else given there is left out.
FIELDS = ("http", "projection", "error")


class WithRequestId(logging.Filter):
    """Stamps each record with the request being answered when it was logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = REQUEST_ID.get()
        return True


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if request_id := getattr(record, "request_id", None):
            line["request_id"] = request_id
        for field in FIELDS:
            if (value := getattr(record, field, None)) is not None:
                line[field] = value
        if record.exc_info and record.exc_info[0] is not None:
            line["exception"] = record.exc_info[0].__name__  # the type only: see the docstring
        return msgspec.json.encode(line, enc_hook=str).decode()


def configure(level: int = logging.INFO) -> None:
    """Every logger, uvicorn's included, writes JSON lines to standard error."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines())
    handler.addFilter(WithRequestId())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # uvicorn's access log prints the path with its query string; requests are logged by
    # `service.api.edge` instead, by route template.
    logging.getLogger("uvicorn.access").disabled = True
