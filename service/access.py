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

from service.auth import Role

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
    "voidManualRecord": frozenset({STAFF, LEADER}),
    "getManualRecord": frozenset({STAFF, LEADER, AUDITOR}),
    "listBackEntry": frozenset({STAFF, LEADER, AUDITOR}),
    "recordMedicationListPrint": frozenset({STAFF, LEADER}),
    "getReadiness": frozenset({STAFF, LEADER, IT, AUDITOR}),
    "getSituation": frozenset({STAFF, LEADER, IT, AUDITOR}),
    "streamSituation": frozenset({STAFF, LEADER, IT, AUDITOR}),
    "getContactNow": EVERYONE,
    "getPlan": EVERYONE,
    "listEvents": frozenset({IT, AUDITOR}),
    # Each event in it is then checked as the operation it names.
    "postCloudEvents": frozenset({REPORTER, STAFF, LEADER, IT}),
    "listAccessLog": frozenset({AUDITOR}),
    "verifyLog": frozenset({AUDITOR}),
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

# Closing with paper records still pending needs a leader's waiver.
WAIVERS = frozenset({Role.LEADER, Role.ADMIN})


def allowed(operation: str | None, role: Role) -> bool:
    return role is Role.ADMIN or (operation is not None and role in MATRIX.get(operation, ()))
