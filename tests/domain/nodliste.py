"""Botilbud Solsikken's emergency list: eight synthetic citizens, fixed times, named moments.

Thursday 5 March 2026 (CET). Aase and Carla have vital needs (insulin; epilepsy medication);
morning help and the bath are assessed for weekdays only.
"""

from __future__ import annotations

from datetime import date, datetime, time
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo

from domain.emergency_list import EmergencyList, ItemKind, ListCitizen, ListItem, ListVersion
from domain.list_items import Day
from domain.manual_record import CareStatus, Citizen, Medication
from domain.matching import Outcome, RoundRecord
from domain.occurrences import occurrence_id
from tests.domain.people import ANNE, INCIDENT_ID

CPH = ZoneInfo("Europe/Copenhagen")
UNIT = "botilbud-solsikken"
LIST_ID = uuid5(INCIDENT_ID, "emergency-list")
THU = date(2026, 3, 5)
WEEKDAYS: tuple[Day, ...] = ("mon", "tue", "wed", "thu", "fri")


def local(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=CPH)


def medicine(
    item_id: str, name: str, dose: str, *times: str, vital: bool = False, window: int = 60
) -> ListItem:
    return ListItem(
        item_id=item_id,
        kind=ItemKind.MEDICATION,
        medication=Medication(name=name, dose=dose, strength=None, route="oral"),
        times=times,
        window_minutes=window,
        vital=vital,
    )


def care(
    item_id: str, service: str, *times: str, days: tuple[Day, ...] | None = None, window: int = 60
) -> ListItem:
    if days is None:
        return ListItem(item_id=item_id, kind=ItemKind.CARE, service=service, times=times,
                        window_minutes=window)  # fmt: skip
    return ListItem(item_id=item_id, kind=ItemKind.CARE, service=service, times=times,
                    window_minutes=window, days=days)  # fmt: skip


def citizen(ref: str, name: str, *items: ListItem, vital_needs: str | None = None) -> ListCitizen:
    return ListCitizen(
        citizen_ref=ref,
        citizen=Citizen(cpr="0101700000", name=name),
        vital_needs=vital_needs,
        items=items,
    )


AASE, BENT, CARLA, DORIT = "cit_aase", "cit_bent", "cit_carla", "cit_dorit"
EJNAR, FRIDA, GUNNAR, HELLE = "cit_ejnar", "cit_frida", "cit_gunnar", "cit_helle"
INSULIN = "NovoRapid"

CITIZENS = (
    citizen(
        AASE,
        "Aase Testesen",
        medicine("insulin-morgen", INSULIN, "8 IE", "08:00", vital=True),
        medicine("insulin-middag", INSULIN, "6 IE", "12:00", vital=True),
        medicine("insulin-aften", INSULIN, "8 IE", "18:00", vital=True),
        vital_needs="Insulinkrævende diabetes",
    ),
    citizen(
        BENT,
        "Bent Prøvesen",
        medicine("smertestillende", "Paracetamol", "2 tabl.", "08:00", "14:00", "20:00"),
        care("morgenhjaelp", "Morgenhjælp", "07:30", days=WEEKDAYS, window=90),
    ),
    citizen(
        CARLA,
        "Carla Eksempel",
        medicine("epilepsi", "Keppra", "500 mg", "08:00", "20:00", vital=True, window=30),
        care("bad", "Bad", "10:00", days=WEEKDAYS),
        vital_needs="Epilepsi",
    ),
    citizen(DORIT, "Dorit Dummy", medicine("metformin", "Metformin", "1 tabl.", "08:00", "18:00")),
    citizen(
        EJNAR,
        "Ejnar Fiktiv",
        care("morgenhjaelp", "Morgenhjælp", "07:30", days=WEEKDAYS, window=90),
        care("aftenhjaelp", "Aftenhjælp", "21:00"),
    ),
    citizen(FRIDA, "Frida Opdigt", medicine("vitamin", "D-vitamin", "1 tabl.", "09:00")),
    citizen(GUNNAR, "Gunnar Syntetisk", care("tilsyn", "Tilsyn", "13:00", days=WEEKDAYS)),
    citizen(HELLE, "Helle Prøve", medicine("sovemedicin", "Zopiclon", "7,5 mg", "22:00")),
)


def published(citizens: tuple[ListCitizen, ...] = CITIZENS) -> EmergencyList:
    return EmergencyList.publish(
        id=LIST_ID,
        unit=UNIT,
        list_as_of=local(date(2026, 3, 1), 6),
        citizens=citizens,
        by=ANNE,
        occurred_at=local(date(2026, 3, 2), 9),
    )


SOLSIKKEN: ListVersion = published().current


def occ(ref: str, item_id: str, day: date, at: str) -> UUID:
    return occurrence_id(UNIT, ref, item_id, day, at)


def given(n: int, ref: str, name: str, at: datetime, occurrence: UUID | None = None) -> RoundRecord:
    return RoundRecord.dispensing(uuid5(INCIDENT_ID, f"rec-{n}"), ref, name, at,
                                  occurrence_id=occurrence)  # fmt: skip


def refused(
    n: int, ref: str, name: str, at: datetime, outcome: Outcome = Outcome.REFUSED
) -> RoundRecord:
    return RoundRecord.dispensing(uuid5(INCIDENT_ID, f"rec-{n}"), ref, name, at, outcome)


def visit(
    n: int, ref: str, service: str, at: datetime, status: CareStatus = CareStatus.DELIVERED
) -> RoundRecord:
    return RoundRecord.care(uuid5(INCIDENT_ID, f"rec-{n}"), ref, service, status, at)
