"""Back-entry for journal systems that speak FHIR: the paper records as a FHIR R4 Bundle.

Instead of re-typing each paper record, a journal system reads them as resources: a
`MedicationAdministration` for each medication dispensed on paper and a `Procedure` for each visit
(care delivered, partly or missed), the citizen named by CPR number (identifier system
`urn:oid:1.2.208.176.1.2`, the Danish CPR register), the record's id as the resource's identifier
(`urn:uuid:<record_id>`), so a journal entry can name the record it came from. The mapping is a
pure function of what the worklist read already allows the reader to see; the citizen's identity
is there only with a purpose (and then in the access log), and an erased citizen stays erased.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.manual_record import RecordStatus
from domain.worklist import BackEntryItem
from service.log.chain import utc_text

CPR_SYSTEM = "urn:oid:1.2.208.176.1.2"
ID_SYSTEM = "urn:ietf:rfc:3986"
FHIR_JSON = "application/fhir+json"
# A visit's status as a FHIR Procedure's: partly done is a procedure stopped before its end.
PROCEDURE_STATUS = {"delivered": "completed", "partly": "stopped", "missed": "not-done"}


def _patient(citizen: dict[str, Any], erased: bool) -> dict[str, Any]:
    if erased:
        return {"display": "slettet"}
    reference: dict[str, Any] = {}
    if citizen.get("cpr"):
        reference["identifier"] = {"system": CPR_SYSTEM, "value": citizen["cpr"]}
    if citizen.get("name"):
        reference["display"] = citizen["name"]
    return reference or {"display": "borger uden CPR-nummer"}


def _performer(by: Any) -> list[dict[str, Any]]:
    person = by if isinstance(by, dict) else {"id": str(by)}
    actor: dict[str, Any] = {"identifier": {"value": person["id"]}}
    if person.get("name"):
        actor["display"] = person["name"]
    return [{"actor": actor}]


def _notes(data: dict[str, Any]) -> list[dict[str, str]]:
    notes = [{"text": data["note"]}] if data.get("note") else []
    doctor = data.get("doctor_consulted")
    if doctor:
        notes.append({"text": f"Læge kontaktet: {doctor['doctor']}: {doctor['outcome']}"})
    return notes


def _time(value: Any) -> str:
    return utc_text(value) if isinstance(value, datetime) else str(value)


def resource(item: BackEntryItem, data: dict[str, Any], citizen: dict[str, Any]) -> dict[str, Any]:
    """The record as a FHIR resource (R4), with what this reader may see of it."""
    base: dict[str, Any] = {
        "id": str(item.record_id),
        "identifier": [{"system": ID_SYSTEM, "value": f"urn:uuid:{item.record_id}"}],
        "subject": _patient(citizen, bool(data.get("erased"))),
        "performer": _performer(data.get("by", item.by)),
    }
    if notes := _notes(data):
        base["note"] = notes
    voided = item.status is RecordStatus.VOIDED
    if item.kind == "medication-dispensing":
        medication = data.get("medication") or {}
        text = " ".join(p for p in (medication.get("name"), medication.get("strength")) if p)
        dosage: dict[str, Any] = {}
        if medication.get("dose"):
            dosage["text"] = medication["dose"]
        if medication.get("route"):
            dosage["route"] = {"text": medication["route"]}
        given = data.get("outcome", "given") == "given"
        out = base | {
            "resourceType": "MedicationAdministration",
            "status": "entered-in-error" if voided else "completed" if given else "not-done",
            "medicationCodeableConcept": {"text": text or "medicin (ikke vist)"},
            "effectiveDateTime": _time(data.get("occurred_at", item.occurred_at)),
        }
        if dosage:
            out["dosage"] = dosage
        if not given and data.get("reason"):
            out["statusReason"] = [{"text": data["reason"]}]
        return out
    status = (
        "entered-in-error" if voided else PROCEDURE_STATUS.get(data.get("status", ""), "unknown")
    )
    return base | {
        "resourceType": "Procedure",
        "status": status,
        "code": {"text": data.get("service") or "hjælp (ikke vist)"},
        "performedDateTime": _time(data.get("occurred_at", item.occurred_at)),
    }


def bundle(entries: list[dict[str, Any]], at: datetime) -> dict[str, Any]:
    """A FHIR R4 Bundle of type collection."""
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": utc_text(at),
        "entry": [{"fullUrl": f"urn:uuid:{e['id']}", "resource": e} for e in entries],
    }
