"""One outage over two units, every event type in it, each sealed field a unique canary: the
log the disclosure matrix reads. Each canary knows whose it is and what the rule for it is."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from domain.incident import EVENT_TYPES
from service.log.codec import sealed_paths
from service.write.citizens import CitizenRefs
from tests.api.outage import Client
from tests.api.step_examples import EXAMPLES, STEP_TYPES
from tests.apps import settings_for

# Units of their own, so that the seed registers its unit's stream even in a shared database.
UNIT_A, UNIT_B = (f"botilbud-{name}-{uuid.uuid4().hex[:6]}" for name in ("solsikken", "rosen"))
# Synthetic CPR numbers, real dates, digits that mean nothing; one more only inside a correction.
CPR_X, CPR_Y, CPR_IN_CORRECTION = "1503881357", "1604771358", "1705661359"
REFS = CitizenRefs(settings_for("").pseudonym_key or b"")


@dataclass(frozen=True)
class Canary:
    """A secret in the log: the record's unit and citizen it belongs to (None: the incident's
    own), and whether it is in the record's one-line summary (shown as the record is)."""

    text: str
    unit: str | None = None
    citizen: str | None = None
    in_summary: bool = False


@dataclass
class Seed:
    start: int
    incident: str = ""
    records: dict[str, str] = field(default_factory=dict)  # name -> record id
    citizens: dict[str, str] = field(default_factory=dict)  # X, Y -> citizen_ref
    unit_stream: str = ""
    canaries: list[Canary] = field(default_factory=list)
    # The records' ids: not secret, but they show only where the record does (as its summary).
    markers: list[Canary] = field(default_factory=list)
    # A unit's first events (it is registered once) are in the seed only if its units are new:
    # another module seeding the same database names units of its own.
    unit_a: str = UNIT_A
    unit_b: str = UNIT_B

    def of(self, citizen: str) -> list[Canary]:
        return [c for c in self.canaries if c.citizen == self.citizens[citizen]]


class Seeder:
    def __init__(self, client: Client, seed: Seed) -> None:
        self.client, self.seed = client, seed
        self.unit: str | None = None
        self.citizen: str | None = None
        self.steps: set[str] = set()

    def c(self, what: str, *, in_summary: bool = False) -> str:
        text = f"KANARIE-{what}-{uuid.uuid4().hex[:10]}"
        self.seed.canaries.append(Canary(text, self.unit, self.citizen, in_summary))
        return text

    def by(self, what: str) -> dict[str, str]:
        return {"id": "emp-1", "name": self.c(f"{what}-by-name")}

    async def post(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        made = await self.client.post(url, json=body)
        assert made.status_code == 201, made.text
        return dict(made.json())

    async def put(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        made = await self.client.put(url, json=body)
        assert made.status_code == 201, made.text
        return dict(made.json())

    async def step(self, kind: str, **fields: Any) -> dict[str, Any]:
        self.steps.add(kind)
        body = {"type": kind, "occurred_at": "2026-03-05T16:00:00+01:00", "by": self.by(kind)}
        return await self.post(f"/v1/incidents/{self.seed.incident}/events", body | fields)

    async def every_other_step(self) -> None:
        """Each step the API takes and the seed does not write itself, from its example, each
        of its sealed fields a canary: a new step type is in the seed without an edit here."""
        for kind in STEP_TYPES:
            if kind in self.steps or kind not in EXAMPLES:
                continue
            fields = {
                k: v for k, v in EXAMPLES[kind][0].items() if k not in ("type", "occurred_at", "by")
            }
            for path in sealed_paths(EVENT_TYPES[kind]):
                *parents, last = path.split(".")
                node: Any = fields
                for part in parents:
                    node = node.get(part) if isinstance(node, dict) else None
                if isinstance(node, dict) and isinstance(node.get(last), str):
                    node[last] = self.c(f"{kind}-{path}")
            await self.step(kind, **fields)

    def citizen_of(self, name: str, cpr: str, ref: str) -> None:
        self.seed.citizens[name] = ref
        self.seed.canaries.append(Canary(cpr, self.unit, ref))


async def seed_log(
    client: Client, pool: asyncpg.Pool, units: tuple[str, str] = (UNIT_A, UNIT_B)
) -> Seed:
    """The outage, written through the API with the (admin) key the client holds."""
    start = int(await pool.fetchval("SELECT coalesce(max(position), 0) FROM events"))
    seed = Seed(start=start, unit_a=units[0], unit_b=units[1])
    s = Seeder(client, seed)
    declared = await s.post(
        "/v1/incidents",
        {
            "title": "Nexus nede",
            "description": s.c("description"),
            "detected_via": "employee",
            "reported_by": s.by("reported"),
            "affected_systems": ["nexus"],
            "affected_units": [s.seed.unit_a, s.seed.unit_b],
            "occurred_at": "2026-03-05T14:30:00+01:00",
        },
    )
    seed.incident = declared["incident_id"]
    person = {"id": "ldr-1", "name": s.c("leader-name")}
    await s.step("colleagues-informed")
    await s.step("leader-informed", leader=person)
    await s.step("it-contacted", method="phone")
    await s.step("vendor-contacted", vendor="Systematic")
    await s.step("alarm-received", source="overvaagning", summary=s.c("alarm-summary"))
    await s.step(
        "scope-assessed",
        affected_systems=["nexus"],
        affected_units=[s.seed.unit_a],
        isolated_to_single_unit=True,
    )
    await s.step("units-notified", units=[s.seed.unit_a, s.seed.unit_b])
    await s.step(
        "escalation-assessed",
        inform_nearest_leader=True,
        inform_socialchef=False,
        reason=s.c("escalation-reason"),
    )
    await s.step("escalated", to_role="naermeste-leder", to={"id": "l", "name": s.c("to-name")})
    await s.step("communications-decided", involve_communications=False, reason=s.c("com"))
    await s.step(
        "workaround-agreed",
        unit=s.seed.unit_a,
        department_leader={"id": "d", "name": s.c("department-leader")},
        nearest_leader={"id": "n", "name": s.c("nearest-leader")},
        arrangement=s.c("arrangement"),
    )
    await s.step(
        "scope-assessed",
        affected_systems=["nexus"],
        affected_units=[s.seed.unit_a, s.seed.unit_b],
        isolated_to_single_unit=False,
    )
    asked = await s.step(
        "staffing-requested", unit=s.seed.unit_a, extra_staff=1, reason=s.c("staff")
    )
    await s.step("staffing-decided", request_event_id=asked["event_id"], granted_staff=1)
    await s.step("communication-sent", audience="staff", channel="sms", summary=s.c("sent"))
    note = await s.step("note-added", text=s.c("note-text"))
    await s.step(
        "event-corrected",
        corrects_event_id=note["event_id"],
        reason=s.c("incident-correction-reason"),
        correction={"text": s.c("incident-correction")},
    )
    incident = f"/v1/incidents/{seed.incident}"

    s.unit, s.citizen = s.seed.unit_a, REFS.ref_for(CPR_X)  # citizen X at unit A: medicine, a visit
    s.citizen_of("X", CPR_X, s.citizen)
    a = await s.post(
        f"{incident}/medication-dispensings",
        {
            "citizen": {"cpr": CPR_X, "name": s.c("x-name")},
            "unit": s.seed.unit_a,
            "medication": {
                "name": s.c("medicine", in_summary=True),
                "strength": s.c("strength", in_summary=True),
                "dose": s.c("dose", in_summary=True),
                "route": s.c("route", in_summary=True),
            },
            "doctor_consulted": {"doctor": s.c("doctor"), "outcome": s.c("doctor-outcome")},
            "note": s.c("x-note"),
            "dispensed_at": "2026-03-05T16:00:00+01:00",
            "by": s.by("dispensed"),
        },
    )
    seed.records["A"] = a["record_id"]
    seed.markers.append(Canary(a["record_id"], s.seed.unit_a, None, in_summary=True))
    visit = await s.post(
        f"{incident}/care-deliveries",
        {
            "citizen": {"cpr": CPR_X},
            "unit": s.seed.unit_a,
            "service": s.c("x-service", in_summary=True),
            "status": "delivered",
            "note": s.c("x-visit-note"),
            "occurred_at": "2026-03-05T17:00:00+01:00",
            "by": s.by("visit"),
        },
    )
    seed.records["A2"] = visit["record_id"]
    seed.markers.append(Canary(visit["record_id"], s.seed.unit_a, None, in_summary=True))
    await s.post(
        f"/v1/manual-records/{visit['record_id']}/journal-entry",
        {"by": s.by("journal"), "entered_at": "2026-03-06T09:00:00+01:00"},
    )
    corrected = await s.step(
        "event-corrected",
        corrects_event_id=a["event_id"],
        reason=s.c("record-correction-reason"),
        correction={"citizen": {"cpr": CPR_IN_CORRECTION, "name": s.c("corrected-name")}},
    )
    seed.canaries.append(Canary(CPR_IN_CORRECTION, s.seed.unit_a, s.citizen))
    await s.step(
        "event-corrected",
        corrects_event_id=corrected["event_id"],
        reason=s.c("correction-of-correction-reason"),
        correction={"citizen": {"name": s.c("corrected-again")}},
    )

    s.unit, s.citizen = s.seed.unit_b, REFS.ref_for(CPR_Y)  # citizen Y at unit B: a visit, voided
    s.citizen_of("Y", CPR_Y, s.citizen)
    b = await s.post(
        f"{incident}/care-deliveries",
        {
            "citizen": {"cpr": CPR_Y, "name": s.c("y-name")},
            "unit": s.seed.unit_b,
            "service": s.c("y-service", in_summary=True),
            "status": "missed",
            "note": s.c("y-note"),
            "occurred_at": "2026-03-05T18:00:00+01:00",
            "by": s.by("y-visit"),
        },
    )
    seed.records["B"] = b["record_id"]
    seed.markers.append(Canary(b["record_id"], s.seed.unit_b, None, in_summary=True))
    await s.post(
        f"/v1/manual-records/{b['record_id']}/void",
        {
            "by": s.by("void"),
            "reason": s.c("void-reason"),
            "occurred_at": "2026-03-05T18:05:00+01:00",
        },
    )

    await seed_lists(s)
    s.unit, s.citizen = None, None
    printed = await s.post(
        f"/v1/units/{s.seed.unit_a}/medication-list-prints",
        {
            "printed_at": "2026-03-05T08:00:00+01:00",
            "by": s.by("printed"),
            "list_as_of": "2026-03-05T07:00:00+01:00",
        },
    )
    seed.unit_stream = printed["stream_id"]
    await s.step("system-restored", system="nexus")
    await s.step("restoration-verified", unit=s.seed.unit_a, system="nexus")
    await s.every_other_step()
    await s.step("incident-closed", waiver_reason=s.c("waiver"))
    return seed


async def seed_lists(s: Seeder) -> None:
    """Each unit's emergency list: X at unit A (two versions: a medication and a visit), Y at
    unit B (a visit); the help is shown like a record's summary, the rest only for a purpose."""
    s.unit, s.citizen = s.seed.unit_a, s.seed.citizens["X"]
    x = {
        "citizen": {"cpr": CPR_X, "name": s.c("x-list-name")},
        "vital_needs": s.c("x-vital-needs"),
        "items": [
            {
                "item_id": "medicin-1500",
                "kind": "medication",
                "medication": {
                    "name": s.c("x-list-medicine"),
                    "dose": s.c("x-list-dose"),
                    "strength": s.c("x-list-strength"),
                    "route": s.c("x-list-route"),
                },
                "times": ["15:00"],
                "vital": True,
            },
            {
                "item_id": "pleje-1530",
                "kind": "care",
                "service": s.c("x-list-service", in_summary=True),
                "times": ["15:30"],
            },
        ],
    }
    # The same citizen in both versions (the first is never shown again once replaced).
    for as_of in ("2026-03-01T06:00:00+01:00", "2026-03-02T06:00:00+01:00"):
        list_a = {"list_as_of": as_of, "by": {"id": "emp-1"}, "citizens": [x]}
        await s.put(f"/v1/units/{s.seed.unit_a}/emergency-list", list_a)
    s.unit, s.citizen = s.seed.unit_b, s.seed.citizens["Y"]
    y = {
        "citizen": {"cpr": CPR_Y, "name": s.c("y-list-name")},
        "items": [
            {
                "item_id": "tilsyn",
                "kind": "care",
                "service": s.c("y-list-service", in_summary=True),
                "times": ["15:00"],
            }
        ],
    }
    list_b = {"list_as_of": "2026-03-01T06:00:00+01:00", "by": {"id": "emp-1"}, "citizens": [y]}
    await s.put(f"/v1/units/{s.seed.unit_b}/emergency-list", list_b)
