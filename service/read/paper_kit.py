"""Nødpakken (API.md Part 2, "Paper"): what a unit prints before and during an outage.

The plan: "Ved borgere der er tilknyttet botilbud, skal der findes en opdateret udprintet
medicinliste på botilbuddet", and "Medicinudlevering registreres manuelt". The kit is the
contact schedule and the action cards; the unit's emergency list by time of day, vital items
marked, with a box to tick and, during an outage, a QR code per occurrence that opens the
dashboard's form for recording it; and blank registration sheets for medication and care, as
Danish municipalities keep paper records: the citizen's name and CPR number on every page, the
unit, the outage, "Side x af y", and date, time and initials for every entry.

Names and CPR numbers are printed only when the caller gave a purpose (`KitCitizen` carries them
then); otherwise each citizen is their reference, with blank name and CPR fields to write in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.plan import DAY_NAMES_DA, DAYS, Plan
from service.read.paper_plan import write_cards, write_schedule
from service.read.pdf import MARGIN, Paper

ROW = 27.0
QR_SIDE = 26.0
SHEET_ROWS = 19
MEDICATION_COLUMNS = (
    ("Dato", 20.0),
    ("Kl.", 15.0),
    ("Præparat", 42.0),
    ("Dosis", 22.0),
    ("Givet / ikke givet - årsag", 62.0),
    ("Initialer", 25.0),
)
CARE_COLUMNS = (
    ("Dato", 20.0),
    ("Kl.", 15.0),
    ("Ydelse", 42.0),
    ("Leveret / ikke leveret", 46.0),
    ("Bemærkning", 38.0),
    ("Initialer", 25.0),
)
RULES = (
    "Hver registrering: dato, klokkeslæt og initialer. Ret aldrig ved at overstrege, så det ikke",
    "kan læses. Skrives i systemet, når det fungerer igen.",
)


@dataclass(frozen=True)
class KitCitizen:
    """A citizen on the unit's list; name, CPR and vital needs only when a purpose was given."""

    citizen_ref: str
    name: str | None
    cpr: str | None
    vital_needs: str | None
    has_medication: bool
    has_care: bool


@dataclass(frozen=True)
class KitLine:
    """An occurrence on paper: when (local), for whom, what, and the dashboard's URL for it."""

    occurrence_id: UUID
    citizen_ref: str
    due_at: datetime
    due_from: datetime
    due_until: datetime
    what: str
    vital: bool
    url: str | None


@dataclass(frozen=True)
class Kit:
    unit: str
    unit_name: str
    incident_id: UUID | None
    incident_title: str | None
    list_version: int
    list_as_of: datetime
    citizens: tuple[KitCitizen, ...]
    lines: tuple[KitLine, ...]

    @property
    def outage(self) -> str:
        if self.incident_id is None:
            return "intet nedbrud valgt (printet til beredskab)"
        return f"{self.incident_title or ''} ({self.incident_id})".strip()


def paper_kit_pdf(plan: Plan, kit: Kit, printed_at: datetime) -> bytes:
    doc = Paper(f"Nødpakke - {kit.unit_name}", printed_at)
    write_schedule(doc, plan)
    write_cards(doc, plan)
    doc.head = f"Nødpakke · {kit.unit_name} · Nedbrud: {kit.outage}"
    _write_list(doc, kit, plan)
    for citizen in kit.citizens:
        if citizen.has_medication:
            _write_sheet(doc, kit, citizen, "Medicinudlevering på papir", MEDICATION_COLUMNS)
        if citizen.has_care:
            _write_sheet(doc, kit, citizen, "Pleje og omsorg på papir", CARE_COLUMNS)
    for title, columns in (
        ("Medicinudlevering på papir", MEDICATION_COLUMNS),
        ("Pleje og omsorg på papir", CARE_COLUMNS),
    ):
        _write_sheet(doc, kit, None, title, columns)
    return doc.output_bytes()


def _who(citizen: KitCitizen | None) -> str:
    if citizen is None:
        return "Navn: ____________________   CPR: ______-____"
    if citizen.name or citizen.cpr:
        return f"{citizen.name or ''}   CPR {_cpr(citizen.cpr)}"
    return f"Borger {citizen.citizen_ref}   Navn/CPR: ______________"


def _cpr(cpr: str | None) -> str:
    return f"{cpr[:6]}-{cpr[6:]}" if cpr and len(cpr) == 10 else cpr or "______-____"


def _when(at: datetime, plan: Plan) -> str:
    local = at.astimezone(plan.tz)
    return f"{DAY_NAMES_DA[DAYS[local.weekday()]].capitalize()} {local:%d.%m.%Y kl. %H.%M}"


def _write_list(doc: Paper, kit: Kit, plan: Plan) -> None:
    doc.add_page()
    doc.section("Nødliste efter tidspunkt")
    doc.para(
        f"{kit.unit_name}. Listens version {kit.list_version}, opdateret "
        f"{kit.list_as_of.astimezone(plan.tz):%d.%m.%Y kl. %H.%M}. LIVSVIGTIG: gives "
        "først. Sæt kryds, når det er givet eller gjort, og skriv klokkeslæt og initialer.",
        size=9.5,
    )
    if kit.incident_id is None:
        doc.para(
            "QR-koder til registrering kommer med, når nødpakken printes til et nedbrud.",
            size=9.5,
            bold=True,
        )
    citizens = {c.citizen_ref: c for c in kit.citizens}
    group = None
    for line in kit.lines:
        height = ROW if line.url else 16.0
        if doc.get_y() + height + (8 if line.due_at != group else 0) > doc.h - 16:
            doc.add_page()
            group = None
        if line.due_at != group:
            group = line.due_at
            doc.ln(1)
            doc.set_fill_color(225, 225, 225)
            doc.use(11, bold=True)
            doc.cell(0, 7, _when(line.due_at, plan), fill=True, new_x="LMARGIN", new_y="NEXT")
        _write_line(doc, line, citizens.get(line.citizen_ref), plan, height)


def _write_line(
    doc: Paper, line: KitLine, citizen: KitCitizen | None, plan: Plan, height: float
) -> None:
    y = doc.get_y()
    doc.tick_box(MARGIN + 1, y + 3, 7)
    text_x, text_w = MARGIN + 12, doc.w - 2 * MARGIN - 12 - (QR_SIDE + 3 if line.url else 0)
    doc.set_xy(text_x, y + 1.5)
    doc.use(10.5, bold=True)
    doc.cell(text_w, 5, doc.fitted(_who(citizen), text_w), new_x="LEFT", new_y="NEXT")
    doc.use(10.5, bold=line.vital)
    what = f"LIVSVIGTIG · {line.what}" if line.vital else line.what
    doc.cell(text_w, 5, doc.fitted(what, text_w), new_x="LEFT", new_y="NEXT")
    doc.use(9, grey=True)
    window = (
        f"Vindue {line.due_from.astimezone(plan.tz):%H.%M}\N{EN DASH}"
        f"{line.due_until.astimezone(plan.tz):%H.%M}"
    )
    doc.cell(
        text_w,
        4.5,
        f"{window}    Givet/gjort kl. ______   Initialer ______",
        new_x="LEFT",
        new_y="NEXT",
    )
    if line.url:
        doc.qr(line.url, doc.w - MARGIN - QR_SIDE, y + 1, QR_SIDE)
    doc.set_draw_color(190, 190, 190)
    doc.line(MARGIN, y + height, doc.w - MARGIN, y + height)
    doc.set_draw_color(0, 0, 0)
    doc.set_xy(MARGIN, y + height)


def _write_sheet(
    doc: Paper,
    kit: Kit,
    citizen: KitCitizen | None,
    title: str,
    columns: tuple[tuple[str, float], ...],
) -> None:
    doc.add_page()
    doc.section(title)
    width = doc.w - 2 * MARGIN
    doc.labelled_line("Navn:", citizen.name if citizen else None, width * 0.6)
    doc.labelled_line("CPR:", _cpr(citizen.cpr) if citizen and citizen.cpr else None, width * 0.4)
    doc.ln(8)
    # One line each (cell, not multi_cell: a kit has a sheet per citizen, and wrapping is slow).
    if citizen is not None and not (citizen.name or citizen.cpr):
        doc.line_of(f"Borger {citizen.citizen_ref} (navn og CPR skrives på)", 9, grey=True)
    doc.line_of(f"Enhed: {kit.unit_name}    Nedbrud: {kit.outage}", 9.5)
    if citizen is not None and citizen.vital_needs:
        doc.line_of(f"Livsvigtige behov: {citizen.vital_needs}", 9.5, bold=True)
    for rule in RULES:
        doc.line_of(rule, 8.5, grey=True)
    doc.ln(2)
    doc.use(9.5, bold=True)
    doc.set_fill_color(225, 225, 225)
    for name, w in columns:
        doc.cell(w, 7, doc.text_of(name), border=1, fill=True)
    doc.ln(7)
    _grid(doc, columns, SHEET_ROWS, 10.0)


def _grid(doc: Paper, columns: tuple[tuple[str, float], ...], rows: int, height: float) -> None:
    """Empty rows to write in: the lines only."""
    x, y = MARGIN, doc.get_y()
    right, bottom = x + sum(w for _, w in columns), y + rows * height
    for r in range(rows + 1):
        doc.line(x, y + r * height, right, y + r * height)
    for _, w in ((None, 0.0), *columns):
        x += w
        doc.line(x, y, x, bottom)
    doc.set_y(bottom)
