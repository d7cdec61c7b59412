"""The codec keeps personal data out of the plain payload and reads old shapes through upcasters."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec

from domain.base import Person
from domain.incident import DetectedVia, Incident
from service.log.codec import Codec
from service.log.events import NewEvent, RecordedEvent

AT = datetime(2026, 3, 5, 13, 30, tzinfo=UTC)
ANNE = Person(id="emp-1042", name="Anne Testesen", role="care-staff")
INCIDENT_ID = UUID("00000000-0000-4000-8000-000000000002")


def stored(new: NewEvent, version: int) -> RecordedEvent:
    return RecordedEvent(
        position=version,
        event_id=new.event_id,
        stream_id=INCIDENT_ID,
        stream_type="incident",
        version=version,
        type=new.type,
        payload=msgspec.json.decode(msgspec.json.encode(new.payload)),
        sealed=new.sealed,
        occurred_at=new.occurred_at,
        recorded_at=AT,
        actor=new.actor,
        source=new.source,
        correlation_id=None,
        causation_id=None,
        mode=new.mode,
        content_digest=b"",
        hash=b"",
    )


def detected_and_noted(codec: Codec) -> list[NewEvent]:
    incident = Incident(
        id=INCIDENT_ID,
        title="Nexus nede",
        description="Beboer på stue 3",
        detected_via=DetectedVia.EMPLOYEE,
        reported_by=ANNE,
        affected_systems=("nexus",),
        affected_units=(),
        occurred_at=AT,
    )
    incident.add_note("Anne ringede til Service Desk", ANNE, AT)
    return [
        codec.encode(e, event_id=UUID(int=i + 1), source="test")
        for i, e in enumerate(incident.collect_events())
    ]


def test_names_and_free_text_are_sealed_apart_from_the_plain_payload() -> None:
    detected, noted = detected_and_noted(Codec())
    plain = msgspec.json.encode([detected.payload, noted.payload]).decode()
    assert "Anne" not in plain
    assert "stue 3" not in plain
    assert detected.actor == noted.actor == "emp-1042"
    assert detected.sealed is not None
    assert b"stue 3" in detected.sealed


def test_an_incident_read_back_is_the_incident_that_was_written() -> None:
    codec = Codec()
    rows = [stored(e, n) for n, e in enumerate(detected_and_noted(codec), 1)]
    incident = codec.replay(rows)
    assert isinstance(incident, Incident)
    assert (incident.id, incident.version, incident.title) == (INCIDENT_ID, 2, "Nexus nede")
    assert codec.data(rows[1])["text"] == "Anne ringede til Service Desk"
    assert "text" not in codec.data(rows[1], unseal=False)


def test_an_old_event_shape_is_upcast_when_read() -> None:
    def title_was_called_headline(data: dict[str, Any]) -> dict[str, Any]:
        if "headline" in data:
            data["title"] = data.pop("headline")
        return data

    codec = Codec(upcasters={"incident-detected": title_was_called_headline})
    detected, _ = detected_and_noted(codec)
    old = stored(detected, 1)
    old.payload["headline"] = old.payload.pop("title")
    incident = codec.replay([old])
    assert isinstance(incident, Incident)
    assert incident.title == "Nexus nede"


def test_a_dispensing_stored_before_the_rounds_still_decodes_as_a_dose_given() -> None:
    """Payload evolution: `occurrence_id`, `outcome`, `reason` and `confirm_repeat` were added
    with defaults; a row written before them reads as a dose given for no named occurrence."""
    import dataclasses

    from domain.manual_record import ManualRecord, Outcome

    old = NewEvent(
        event_id=UUID(int=9),
        type="medication-dispensed",
        payload={
            "incident_id": str(INCIDENT_ID),
            "unit": "botilbud-solsikken",
            "citizen_ref": "cit_old",
            "source_list_printed_at": None,
            "by": {"id": "emp-1042", "role": None},
        },
        occurred_at=AT,
        sealed=msgspec.json.encode({"medication": {"name": "Paracetamol", "dose": "2 tabl."}}),
    )
    row = dataclasses.replace(stored(old, 1), stream_type="manual-record")
    event = Codec().decode(row)
    assert isinstance(event, ManualRecord.MedicationDispensed)
    assert event.outcome is Outcome.GIVEN
    assert event.occurrence_id is None
    assert event.reason is None
    assert event.confirm_repeat is False
