"""Fixed, named, synthetic people and times for the domain tests (a Thursday in March 2026)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from domain.base import DetectedVia, Person
from domain.incident import Incident

ANNE = Person(id="emp-1042", name="Anne Testesen", role="care-staff")
IT_BO = Person(id="it-7", name="Bo Testsen", role="it")
LEADER_LIS = Person(id="ldr-3", name="Lis Prøvesen", role="naermeste-leder")
DEPT_KARL = Person(id="ldr-9", name="Karl Eksempel", role="afdelingsleder")
CHEF = Person(id="ldr-1", name="Socialchef Testrup", role="socialchef")

THU_14_30 = datetime(2026, 3, 5, 13, 30, tzinfo=UTC)  # 14:30 local
THU_14_35 = datetime(2026, 3, 5, 13, 35, tzinfo=UTC)
THU_16_00 = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)
THU_16_59 = datetime(2026, 3, 5, 15, 59, 59, tzinfo=UTC)
THU_17_00 = datetime(2026, 3, 5, 16, 0, tzinfo=UTC)
THU_18_00 = datetime(2026, 3, 5, 17, 0, tzinfo=UTC)
FRI_09_00 = datetime(2026, 3, 6, 8, 0, tzinfo=UTC)
INCIDENT_ID = UUID("00000000-0000-4000-8000-000000000001")


def nexus_and_fmk_down(
    units: tuple[str, ...] = ("botilbud-solsikken",), via: DetectedVia = DetectedVia.EMPLOYEE
) -> Incident:
    return Incident(
        id=INCIDENT_ID,
        title="Nexus og FMK utilgængelige",
        description=None,
        detected_via=via,
        reported_by=ANNE,
        affected_systems=("nexus", "fmk"),
        affected_units=units,
        occurred_at=THU_14_30,
    )


def restore_all(incident: Incident) -> None:
    for system in incident.systems_down:
        incident.restore(system, IT_BO, THU_18_00)
