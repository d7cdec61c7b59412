"""One builder per operation of `openapi/openapi.json`: what to send, and what comes back.

A builder does no I/O: it checks the body against the wire types (so a record the server would
refuse is refused here, offline), encodes it, and returns a `Call` that `Client.send`,
`AsyncClient.send` or the outbox can send, now or later, as often as needed. Every write carries
an Idempotency-Key made when the call is built: sending the same `Call` twice stores it once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar
from uuid import UUID

import msgspec

from nedbrud_client import types as t

T = TypeVar("T")

JSON = "application/json"
STRUCTURED = "application/cloudevents+json"
BATCH = "application/cloudevents-batch+json"


@dataclass(frozen=True)
class Call(Generic[T]):
    """An HTTP request of the API and the type its 2xx answer decodes to (str: text)."""

    operation: str
    method: str
    path: str
    answer: type[T]
    body: bytes | None = None
    content_type: str = JSON
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("Idempotency-Key")


def new_key() -> str:
    """A fresh Idempotency-Key."""
    return f"nbc-{uuid.uuid4()}"


def _checked(body: msgspec.Struct) -> bytes:
    """The body as JSON, after checking it against its own type's limits (msgspec checks
    constraints when decoding, so the body goes through one round trip here) and that each of
    its times has an offset, as the server requires (the generated types say `datetime`)."""
    _aware(body, "$")
    encoded = msgspec.json.encode(body)
    msgspec.json.decode(encoded, type=type(body))
    return encoded


def _aware(value: object, at: str) -> None:
    """Refuse a time without an offset anywhere in `value`, naming where, as msgspec would."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise msgspec.ValidationError(
                f"Expected `datetime` with a timezone component - at `{at}`"
            )
    elif isinstance(value, msgspec.Struct):
        for name in value.__struct_fields__:
            _aware(getattr(value, name), f"{at}.{name}")
    elif isinstance(value, list | tuple):
        for n, item in enumerate(value):
            _aware(item, f"{at}[{n}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            _aware(item, f"{at}.{key}")


def _write(
    operation: str, path: str, answer: type[T], body: msgspec.Struct, key: str | None
) -> Call[T]:
    return Call(
        operation,
        "POST",
        path,
        answer,
        body=_checked(body),
        headers={"Idempotency-Key": key or new_key()},
    )


def _params(**values: Any) -> dict[str, str]:
    out = {}
    for name, value in values.items():
        if value is None:
            continue
        out[name] = value.isoformat() if isinstance(value, datetime) else str(value)
    return out


def _read(operation: str, path: str, answer: type[T], **params: Any) -> Call[T]:
    return Call(operation, "GET", path, answer, params=_params(**params))


# Writes


def declare_incident(
    body: t.DeclareIncident, *, idempotency_key: str | None = None
) -> Call[t.IncidentDeclared]:
    """Declare an outage (IT-nedbrud): the first event of its stream."""
    return _write("declareIncident", "/v1/incidents", t.IncidentDeclared, body, idempotency_key)


def record_incident_step(
    incident_id: UUID,
    body: t.IncidentStep,
    *,
    idempotency_key: str | None = None,
    if_match: int | None = None,
) -> Call[t.Receipt]:
    """Record one step of the plan on the incident (its `type` names the step)."""
    call = _write(
        "recordIncidentStep",
        f"/v1/incidents/{incident_id}/events",
        t.Receipt,
        body,
        idempotency_key,
    )
    if if_match is not None:
        call.headers["If-Match"] = f'"{if_match}"'
    return call


def record_medication_dispensing(
    incident_id: UUID, body: t.RecordMedicationDispensing, *, idempotency_key: str | None = None
) -> Call[t.RecordCreated]:
    """A dispensing recorded on paper during the outage (medicinudlevering)."""
    path = f"/v1/incidents/{incident_id}/medication-dispensings"
    return _write("recordMedicationDispensing", path, t.RecordCreated, body, idempotency_key)


def record_care_delivery(
    incident_id: UUID, body: t.RecordCareDelivery, *, idempotency_key: str | None = None
) -> Call[t.RecordCreated]:
    """Assessed help (visiteret hjælp) delivered, partly delivered or missed."""
    path = f"/v1/incidents/{incident_id}/care-deliveries"
    return _write("recordCareDelivery", path, t.RecordCreated, body, idempotency_key)


def mark_entered_in_journal(
    record_id: UUID, body: t.JournalEntryIn, *, idempotency_key: str | None = None
) -> Call[t.Receipt]:
    """The paper record has been entered into the journal."""
    path = f"/v1/manual-records/{record_id}/journal-entry"
    return _write("markEnteredInJournal", path, t.Receipt, body, idempotency_key)


def mark_many_entered_in_journal(
    body: t.JournalEntriesIn, *, idempotency_key: str | None = None
) -> Call[t.JournalEntriesAnswer]:
    """Up to 500 paper records entered into the journal at once: each answered on its own."""
    path = "/v1/manual-records/journal-entries"
    return _write("markManyEnteredInJournal", path, t.JournalEntriesAnswer, body, idempotency_key)


def void_manual_record(
    record_id: UUID, body: t.VoidIn, *, idempotency_key: str | None = None
) -> Call[t.Receipt]:
    """A paper record made in error, voided with a reason."""
    path = f"/v1/manual-records/{record_id}/void"
    return _write("voidManualRecord", path, t.Receipt, body, idempotency_key)


def record_medication_list_print(
    unit: str, body: t.MedicationListPrintIn, *, idempotency_key: str | None = None
) -> Call[t.Receipt]:
    """A botilbud's medication list was printed, ready for the next outage."""
    path = f"/v1/units/{unit}/medication-list-prints"
    return _write("recordMedicationListPrint", path, t.Receipt, body, idempotency_key)


def post_cloud_event(event: t.CloudEvent) -> Call[t.Receipt]:
    """One CloudEvent (structured mode); its `source` and `id` make it idempotent."""
    return Call(
        "postCloudEvents",
        "POST",
        "/v1/cloudevents",
        t.Receipt,
        body=_checked(event),
        content_type=STRUCTURED,
    )


def post_cloud_events(events: list[t.CloudEvent]) -> Call[t.BatchAnswer]:
    """Up to 100 CloudEvents in one request: one answer each, in order."""
    for event in events:
        _checked(event)
    return Call(
        "postCloudEvents",
        "POST",
        "/v1/cloudevents",
        t.BatchAnswer,
        body=msgspec.json.encode(events),
        content_type=BATCH,
    )


# Reads


def list_incidents(
    *,
    status: Literal["open", "closed", "all"] | None = None,
    mode: t.Mode | None = None,
    after_position: int | None = None,
) -> Call[list[t.IncidentView]]:
    return _read(
        "listIncidents",
        "/v1/incidents",
        list[t.IncidentView],
        status=status,
        mode=mode,
        after_position=after_position,
    )


def get_incident(incident_id: UUID) -> Call[t.IncidentView]:
    return _read("getIncident", f"/v1/incidents/{incident_id}", t.IncidentView)


def get_incident_timeline(
    incident_id: UUID,
    *,
    occurred_before: datetime | None = None,
    known_at: datetime | None = None,
    purpose: t.Purpose | None = None,
) -> Call[list[t.TimelineEntry]]:
    """The incident's events in the order they happened; `known_at`: as the log stood then.
    Names, free text and the paper records' details only with a purpose (access log)."""
    return _read(
        "getIncidentTimeline",
        f"/v1/incidents/{incident_id}/timeline",
        list[t.TimelineEntry],
        occurred_before=occurred_before,
        known_at=known_at,
        purpose=purpose,
    )


def get_incident_timeline_csv(
    incident_id: UUID,
    *,
    occurred_before: datetime | None = None,
    known_at: datetime | None = None,
    purpose: t.Purpose | None = None,
) -> Call[str]:
    """The same timeline as CSV (for a spreadsheet or the incident report)."""
    return _read(
        "getIncidentTimeline",
        f"/v1/incidents/{incident_id}/timeline",
        str,
        occurred_before=occurred_before,
        known_at=known_at,
        format="csv",
        purpose=purpose,
    )


def get_manual_record(
    record_id: UUID, *, purpose: t.Purpose | None = None
) -> Call[t.ManualRecordView]:
    """A paper record; the citizen's name and CPR only with a purpose (written to the access
    log)."""
    return _read(
        "getManualRecord", f"/v1/manual-records/{record_id}", t.ManualRecordView, purpose=purpose
    )


def put_emergency_list(
    unit: str, body: t.EmergencyListIn, *, idempotency_key: str | None = None
) -> Call[t.EmergencyListKept]:
    """A whole new version of the unit's emergency list (nødliste)."""
    call = _write(
        "putEmergencyList",
        f"/v1/units/{unit}/emergency-list",
        t.EmergencyListKept,
        body,
        idempotency_key,
    )
    return Call(call.operation, "PUT", call.path, call.answer, call.body, headers=call.headers)


def put_emergency_list_csv(
    unit: str,
    csv: bytes,
    *,
    by: str,
    list_as_of: datetime | None = None,
    idempotency_key: str | None = None,
) -> Call[t.EmergencyListKept]:
    """The same list as CSV (UTF-8, `;` or `,`, one row per item; columns in the README)."""
    return Call(
        "putEmergencyList",
        "PUT",
        f"/v1/units/{unit}/emergency-list",
        t.EmergencyListKept,
        body=csv,
        content_type="text/csv",
        params=_params(by=by, list_as_of=list_as_of),
        headers={"Idempotency-Key": idempotency_key or new_key()},
    )


def get_emergency_list(unit: str, *, purpose: t.Purpose | None = None) -> Call[t.EmergencyListView]:
    """The unit's current emergency list; names, CPR and needs only with a purpose."""
    return _read(
        "getEmergencyList", f"/v1/units/{unit}/emergency-list", t.EmergencyListView, purpose=purpose
    )


def get_rounds(
    incident_id: UUID,
    *,
    unit: str,
    at: datetime | None = None,
    purpose: t.Purpose | None = None,
) -> Call[t.RoundsView]:
    """The unit's rounds during the incident: vital overdue first."""
    return _read(
        "getRounds",
        f"/v1/incidents/{incident_id}/rounds",
        t.RoundsView,
        unit=unit,
        at=at,
        purpose=purpose,
    )


def get_readiness(
    *, mode: t.Mode | None = None, after_position: int | None = None
) -> Call[list[t.ReadinessView]]:
    return _read(
        "getReadiness",
        "/v1/readiness",
        list[t.ReadinessView],
        mode=mode,
        after_position=after_position,
    )


def get_contact_now(*, at: datetime | None = None) -> Call[t.ContactNow]:
    """Whom to call right now (or at `at`), by the plan's contact table."""
    return _read("getContactNow", "/v1/contacts/now", t.ContactNow, at=at)


def get_plan() -> Call[t.PlanView]:
    return _read("getPlan", "/v1/plan", t.PlanView)


def get_situation(
    *,
    include: Literal["closed"] | None = None,
    mode: t.Mode | None = None,
    after_position: int | None = None,
) -> Call[t.SituationPicture]:
    """Situationsbilledet: whom to call and every open incident."""
    return _read(
        "getSituation",
        "/v1/situation",
        t.SituationPicture,
        include=include,
        mode=mode,
        after_position=after_position,
    )


def get_incident_report(incident_id: UUID) -> Call[t.IncidentReport]:
    """The outage's evaluation (as JSON; the service gives the PDF to `Accept: application/pdf`)."""
    return _read("getIncidentReport", f"/v1/incidents/{incident_id}/report", t.IncidentReport)


def get_report_summary(
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    mode: t.Mode | None = None,
) -> Call[t.ReportSummary]:
    """The figures across the outages detected in [since, until) (`from`, `to`), of one mode."""
    return _read(
        "getReportSummary",
        "/v1/reports/summary",
        t.ReportSummary,
        **{"from": since, "to": until, "mode": mode},
    )


def get_situation_report(
    *, since_position: int = 0, mode: t.Mode | None = None, after_position: int | None = None
) -> Call[t.SituationReport]:
    """Situationsrapporten: the picture and the changes after `since_position`."""
    return _read(
        "getSituationReport",
        "/v1/situation/report",
        t.SituationReport,
        since_position=since_position,
        mode=mode,
        after_position=after_position,
    )


def list_access_log(citizen_ref: str) -> Call[list[t.AccessView]]:
    return _read("listAccessLog", "/v1/access-log", list[t.AccessView], citizen_ref=citizen_ref)


def list_back_entry(
    *,
    incident: UUID | None = None,
    unit: str | None = None,
    status: t.RecordStatus | None = None,
    citizen_ref: str | None = None,
    mode: t.Mode | None = None,
    limit: int | None = None,
    offset: int | None = None,
    after_position: int | None = None,
    purpose: t.Purpose | None = None,
) -> Call[list[t.BackEntryItemView]]:
    """Efterregistrering: the paper records and where each is on its way into the journal."""
    return _read(
        "listBackEntry",
        "/v1/back-entry",
        list[t.BackEntryItemView],
        incident=incident,
        unit=unit,
        status=status,
        citizen_ref=citizen_ref,
        mode=mode,
        limit=limit,
        offset=offset,
        after_position=after_position,
        purpose=purpose,
    )


def get_action_cards(*, format: Literal["pdf", "html"] | None = None) -> Call[bytes]:
    """The plan's action cards and whole contact schedule: a PDF (or HTML) to print."""
    return _read("getActionCards", "/v1/plan/action-cards", bytes, format=format)


def get_paper_kit(
    unit: str,
    *,
    incident: UUID | None = None,
    purpose: t.Purpose | None = None,
    by: str | None = None,
) -> Call[bytes]:
    """The unit's paper kit as a PDF; names and CPR only with a purpose (access log), and
    printed with one it records that the medication list was printed."""
    return _read(
        "getPaperKit",
        f"/v1/units/{unit}/paper-kit",
        bytes,
        incident=incident,
        purpose=purpose,
        by=by,
    )


def get_back_entry_fhir(
    *,
    incident: UUID | None = None,
    unit: str | None = None,
    status: t.RecordStatus | None = None,
    mode: t.Mode | None = None,
    limit: int | None = None,
    offset: int | None = None,
    after_position: int | None = None,
) -> Call[dict[str, Any]]:
    """The paper records as a FHIR R4 Bundle (for back-entry, which it names as its purpose)."""
    return _read(
        "getBackEntryFhir",
        "/v1/back-entry/fhir",
        dict[str, Any],
        purpose="back-entry",
        incident=incident,
        unit=unit,
        status=status,
        mode=mode,
        limit=limit,
        offset=offset,
        after_position=after_position,
    )


def list_events(
    *, after_position: int | None = None, limit: int | None = None
) -> Call[list[t.EventView]]:
    return _read(
        "listEvents",
        "/v1/events",
        list[t.EventView],
        after_position=after_position,
        limit=limit,
    )


def verify_log() -> Call[t.ChainCheck]:
    return _read("verifyLog", "/v1/audit/verify", t.ChainCheck)


def create_key(body: t.KeyIn) -> Call[t.KeyCreated]:
    """Make an API key (admin); the key is in the answer only. Not for the outbox: a retry
    would make a second key."""
    return Call("createKey", "POST", "/v1/keys", t.KeyCreated, body=_checked(body))


def get_own_key() -> Call[t.OwnKey]:
    """The key in use: its role and the units it may act for."""
    return _read("getOwnKey", "/v1/keys/me", t.OwnKey)


def list_keys() -> Call[list[t.KeyView]]:
    """Every API key, active and revoked, without its secret (admin)."""
    return _read("listKeys", "/v1/keys", list[t.KeyView])


def revoke_key(key_id: UUID) -> Call[str]:
    """Revoke an API key at once (admin): 204, nothing in the answer."""
    return Call("revokeKey", "DELETE", f"/v1/keys/{key_id}", str)


def register_webhook(body: t.WebhookIn) -> Call[t.WebhookCreated]:
    """Subscribe a URL to the log (admin); the signing secret is in the answer only. Not for the
    outbox: a retry would register a second webhook."""
    return Call("registerWebhook", "POST", "/v1/webhooks", t.WebhookCreated, body=_checked(body))


def list_webhooks() -> Call[list[t.WebhookView]]:
    """Every webhook, without secrets (admin)."""
    return _read("listWebhooks", "/v1/webhooks", list[t.WebhookView])


def list_webhook_deliveries(
    webhook_id: UUID, *, after: int = 0, limit: int = 100
) -> Call[list[t.DeliveryView]]:
    """What was sent to a webhook, in order, with each answer (admin)."""
    path = f"/v1/webhooks/{webhook_id}/deliveries"
    return _read("listWebhookDeliveries", path, list[t.DeliveryView], after=after, limit=limit)


def replay_webhook(webhook_id: UUID, from_position: int) -> Call[t.ReplayStarted]:
    """Send a webhook every event it wants again, from a position on (admin)."""
    return Call(
        "replayWebhook",
        "POST",
        f"/v1/webhooks/{webhook_id}/replay",
        t.ReplayStarted,
        params=_params(from_position=from_position),
    )


def remove_webhook(webhook_id: UUID) -> Call[str]:
    """Send nothing more to a webhook (admin): 204."""
    return Call("removeWebhook", "DELETE", f"/v1/webhooks/{webhook_id}", str)


def live() -> Call[t.Health]:
    return _read("live", "/health/live", t.Health)


def ready() -> Call[t.Health]:
    return _read("ready", "/health/ready", t.Health)


def metrics() -> Call[str]:
    return _read("metrics", "/metrics", str)
