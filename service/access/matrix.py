"""Who may do what: the role matrix, declared once. Handlers name their operation; the guard looks
it up here, and an operation missing from the matrix is refused to everyone but admin.

- reporter: another system or a monitoring tool: it declares outages and records alarm steps.
- staff and leader: care staff and their leaders: every step of the plan, the paper records and
  the back-entry worklist; only a leader's waiver closes with paper still pending.
- it: the IT department and the Service Desk: outages, steps, restoration, and the global feed.
- auditor: reads everything, writes nothing.
- admin: everything.
"""

from __future__ import annotations

from service.access.auth import Role

REPORTER, STAFF, LEADER, IT, AUDITOR = (
    Role.REPORTER,
    Role.STAFF,
    Role.LEADER,
    Role.IT,
    Role.AUDITOR,
)
EVERYONE = frozenset(Role)

MATRIX: dict[str, frozenset[Role]] = {
    "declareIncident": frozenset({REPORTER, STAFF, LEADER, IT}),
    "recordIncidentStep": frozenset({REPORTER, STAFF, LEADER, IT}),
    "listIncidents": frozenset({STAFF, LEADER, IT, AUDITOR}),
    "getIncident": frozenset({STAFF, LEADER, IT, AUDITOR}),
    "getIncidentTimeline": frozenset({STAFF, LEADER, IT, AUDITOR}),
    "recordMedicationDispensing": frozenset({STAFF, LEADER}),
    "recordCareDelivery": frozenset({STAFF, LEADER}),
    "markEnteredInJournal": frozenset({STAFF, LEADER}),
    "markManyEnteredInJournal": frozenset({STAFF, LEADER}),
    "voidManualRecord": frozenset({STAFF, LEADER}),
    "getManualRecord": frozenset({STAFF, LEADER, AUDITOR}),
    "listBackEntry": frozenset({STAFF, LEADER, AUDITOR}),
    "getBackEntryFhir": frozenset({STAFF, LEADER}),
    "recordMedicationListPrint": frozenset({STAFF, LEADER}),
    "getReadiness": frozenset({STAFF, LEADER, IT, AUDITOR}),
    "putEmergencyList": frozenset({STAFF, LEADER}),
    "getEmergencyList": frozenset({STAFF, LEADER, AUDITOR}),
    "getRounds": frozenset({STAFF, LEADER, AUDITOR}),
    "getSituation": frozenset({STAFF, LEADER, IT, AUDITOR}),
    # Reports: counts and times from plain payloads (a unit key: its units' paper and rounds).
    "getIncidentReport": frozenset({STAFF, LEADER, IT, AUDITOR}),
    "getReportSummary": frozenset({STAFF, LEADER, IT, AUDITOR}),
    "getSituationReport": frozenset({STAFF, LEADER, IT, AUDITOR}),
    "streamSituation": frozenset({STAFF, LEADER, IT, AUDITOR}),
    "getContactNow": EVERYONE,
    "getPlan": EVERYONE,
    # Paper: the action cards hold no personal data; the kit is a unit's, like its list.
    "getActionCards": EVERYONE,
    "getPaperKit": frozenset({STAFF, LEADER}),
    "getOwnKey": EVERYONE,
    "listEvents": frozenset({IT, AUDITOR}),
    # Each event in it is then checked as the operation it names.
    "postCloudEvents": frozenset({REPORTER, STAFF, LEADER, IT}),
    "listAccessLog": frozenset({AUDITOR}),
    "verifyLog": frozenset({AUDITOR}),
    # Webhooks out: admin only (no other role is named).
    "registerWebhook": frozenset(),
    "listWebhooks": frozenset(),
    "listWebhookDeliveries": frozenset(),
    "replayWebhook": frozenset(),
    "removeWebhook": frozenset(),
    # Keys: admin only (admin may do everything; no other role is named).
    "createKey": frozenset(),
    "listKeys": frozenset(),
    "revokeKey": frozenset(),
}

# Who may see a citizen's name and CPR number, for which purposes (sundhedsloven § 42 a: a
# look-up must serve the purpose it names; every one is written to the access log).
PURPOSES: dict[Role, frozenset[str]] = {
    STAFF: frozenset({"treatment", "back-entry"}),
    LEADER: frozenset({"treatment", "back-entry"}),
    AUDITOR: frozenset({"audit"}),
    Role.ADMIN: frozenset({"treatment", "back-entry", "audit"}),
}

# Who may see paper records at all (each for its units): never a reporter; IT sees counts only.
RECORD_READERS = frozenset({STAFF, LEADER, AUDITOR, Role.ADMIN})

# Keys and webhooks reach every unit (a new key, a subscriber to the whole log): only a key for
# every unit manages them, or a key scoped to one unit could make itself a wider one.
EVERY_UNIT_ONLY = frozenset(
    {
        "createKey",
        "listKeys",
        "revokeKey",
        "registerWebhook",
        "listWebhooks",
        "listWebhookDeliveries",
        "replayWebhook",
        "removeWebhook",
    }
)

# Closing with paper records still pending needs a leader's waiver.
WAIVERS = frozenset({Role.LEADER, Role.ADMIN})


def allowed(operation: str | None, role: Role) -> bool:
    return role is Role.ADMIN or (operation is not None and role in MATRIX.get(operation, ()))


class NotYoursToCorrect(Exception):
    """A correction of a paper record by a key that could not have written it."""

    def __init__(self, role: Role, unit: str | None) -> None:
        writes = allowed("recordMedicationDispensing", role)
        super().__init__(
            f"this key may not act for unit {unit!r}"
            if writes
            else f"the role {role} may not correct paper records"
        )
        self.slug = "unit-not-allowed" if writes else "role-not-allowed"


def may_write_records(role: Role, units: tuple[str, ...] | None, unit: str | None) -> bool:
    """A key writes (and so corrects) paper records of its units, if its role writes them."""
    return allowed("recordMedicationDispensing", role) and (units is None or unit in units)
