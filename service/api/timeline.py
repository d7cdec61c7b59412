"""Tidslinjen: an incident's timeline as its reader may see it, and as a spreadsheet."""

from __future__ import annotations

import csv
import io
from datetime import UTC

import msgspec

from domain.manual_record import STREAM_TYPE as MANUAL_RECORD
from service.access.disclosure import Disclosure, record_heads, record_of
from service.api.schemas import PersonView, TimelineEntry
from service.api.views import record_kind, summary
from service.log.events import RecordedEvent


def timeline_entries(
    disclosure: Disclosure, events: list[RecordedEvent], history: list[RecordedEvent]
) -> list[TimelineEntry]:
    """The events as the disclosure policy lets its reader see them; whose record each is, is
    read from the whole `history` (a record's first event may lie outside the time asked for)."""
    heads = record_heads(history)
    streams = {e.event_id: e.stream_id for e in history}
    entries = []
    for event in events:
        record = record_of(event, heads, streams)
        data = disclosure.event(event, record)
        if data is None:
            continue
        line = None
        if event.stream_type == MANUAL_RECORD and event.version == 1:
            line = summary(record_kind(event.type), disclosure.codec.data(event))
        entries.append(
            TimelineEntry(
                event_id=event.event_id,
                type=event.type,
                occurred_at=event.occurred_at,
                recorded_at=event.recorded_at,
                position=event.position,
                version=event.version,
                stream_id=event.stream_id,
                by=msgspec.convert(data["by"], PersonView) if data.get("by") else None,
                data=data,
                summary=line,
            )
        )
    return entries


# A cell a spreadsheet would run as a formula (=HYPERLINK(…) could send the other cells away).
FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """A cell as text, with a leading apostrophe where a spreadsheet would see a formula."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA) else text


def timeline_csv(entries: list[TimelineEntry]) -> str:
    """One row per event; `data` as JSON, so nothing is lost in the spreadsheet; no cell runs
    as a formula."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["occurred_at", "recorded_at", "position", "type", "by", "event_id", "stream_id", "data"]
    )
    for e in entries:
        writer.writerow(
            cell(value)
            for value in [
                e.occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
                e.recorded_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
                e.position,
                e.type,
                e.by.id if e.by else "",
                e.event_id,
                e.stream_id,
                msgspec.json.encode(e.data, order="sorted").decode(),
            ]
        )
    return out.getvalue()
