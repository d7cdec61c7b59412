"""The reports on paper (PDF by fpdf2): an outage's evaluation with its charts, and the crisis
staff's situation report, on the paper kit's page (`service.read.pdf.Paper`: its letters, its
running head and foot); times are the plan's local time.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime, tzinfo
from uuid import UUID

from domain.plan import Plan
from domain.report import IncidentReport
from service.api.report_schemas import SituationReport
from service.read.pdf import Paper
from service.read.report_charts import charts

STATUS_DA = {
    "open": "åbent",
    "partly-restored": "delvist genoprettet",
    "restored": "genoprettet",
    "closed": "afsluttet",
}
COUNT_DA = {"made": "lavet", "entered": "indtastet", "voided": "annulleret", "pending": "venter"}


class ReportPaper(Paper):
    """The paper's A4 page (its letters, running head and "Side x af y"), with wider margins and
    times in the plan's zone."""

    def __init__(self, title: str, made_at: datetime, tz: tzinfo) -> None:
        super().__init__(title, made_at.astimezone(tz), margin=15)
        self.tz = tz
        self.add_page()

    def local(self, at: datetime | None) -> str:
        return "—" if at is None else f"{at.astimezone(self.tz):%d.%m.%Y %H:%M}"

    def heading(self, text: str) -> None:
        self.ln(3)
        self.use(12, bold=True)
        self.cell(0, 7, self.text_of(text), new_x="LMARGIN", new_y="NEXT")

    def wrapped(self, text: str, size: float = 9) -> None:
        self.use(size)
        self.multi_cell(0, 4.6, self.text_of(text), new_x="LMARGIN", new_y="NEXT")

    def rows(
        self, head: tuple[str, ...], rows: Sequence[Sequence[str]], widths: tuple[int, ...]
    ) -> None:
        self.use(8)
        with self.table(
            col_widths=widths, text_align="LEFT", line_height=4.4, first_row_as_headings=True
        ) as table:
            for row in [head, *rows]:
                cells = table.row()
                for value in row:
                    cells.cell(self.text_of(value))


def _danish(value: float) -> str:
    """A number as Danish writes it: a decimal comma."""
    return f"{value:g}".replace(".", ",")


def _minutes(value: float | None) -> str:
    return "—" if value is None else _danish(value)


def incident_pdf(report: IncidentReport, plan: Plan, made_at: datetime) -> bytes:
    """Evalueringsrapporten: the figures of `report`, its three charts, on A4."""
    tz = plan.tz
    pdf = ReportPaper(f"Evaluering: {report.title}", made_at, tz)
    pdf.use(16, bold=True)
    pdf.multi_cell(
        0, 8, pdf.text_of(f"Evaluering af nedbrud: {report.title}"), new_x="LMARGIN", new_y="NEXT"
    )
    pdf.wrapped(
        f"Opdaget {pdf.local(report.detected_at)} · afsluttet {pdf.local(report.closed_at)} · "
        f"status {STATUS_DA.get(report.status, report.status)}"
        + (" · ØVELSE" if report.mode == "exercise" else "")
        + f" · indsatsplan version {report.plan_version}"
        + f" · enheder: {', '.join(report.units) or '—'}"
    )
    for title, png in charts(report, tz):
        pdf.ln(1)
        pdf.image(io.BytesIO(png), w=pdf.epw, alt_text=title)
    pdf.heading("Systemer nede")
    pdf.rows(
        ("System", "Nede fra", "Oppe igen", "Minutter"),
        [
            (s.system, pdf.local(s.down_from), pdf.local(s.down_to), _minutes(s.minutes))
            for s in report.systems
        ],
        (40, 45, 45, 25),
    )
    pdf.heading("Indsatsplanens linjer")
    rows = []
    for line in report.lines:
        if not line.steps:
            continue
        done = (
            f"{pdf.local(line.done_at)} (+{_minutes(line.minutes)} min)"
            if line.done
            else "ikke gjort"
        )
        target = "—" if line.target_minutes is None else f"{line.target_minutes} min"
        late = "FOR SENT" if line.late else ""
        rows.append((str(line.number), line.text, done, line.by or "—", target, late))
    pdf.rows(("#", "Linje", "Gjort", "Af", "Mål", ""), rows, (7, 70, 44, 22, 14, 23))
    pdf.heading("Papirregistreringer pr. enhed")
    pdf.rows(
        ("Enhed", "Lavet", "Indtastet", "Annulleret", "Venter"),
        [
            (u.unit, str(u.made), str(u.entered), str(u.voided), str(u.pending))
            for u in report.paper.by_unit
        ],
        (60, 25, 25, 25, 25),
    )
    b = report.back_entry
    pdf.heading("Efterregistrering")
    completion = "—" if b.completion is None else f"{b.completion:.0%}"
    pdf.wrapped(
        f"Systemerne oppe igen {pdf.local(b.restored_at)}; "
        f"sidste indtastning {pdf.local(b.last_entry_at)}"
        f" ({'—' if b.hours is None else _danish(b.hours) + ' timer'}). "
        f"{b.entered} af {b.records - b.voided} "
        f"indtastet ({completion}), {b.voided} annulleret, {b.pending} venter."
    )
    pdf.heading("Runderne pr. enhed")
    if not report.rounds:
        pdf.wrapped("Ingen af enhederne har en nødliste.")
    else:
        pdf.rows(
            (
                "Enhed",
                "Antal",
                "Givet",
                "For sent",
                "Ikke givet",
                "Dispensation",
                "Livsvigtige: for sent / ikke givet / dispensation",
            ),
            [
                (
                    r.unit,
                    str(r.occurrences),
                    str(r.given),
                    str(r.given_late),
                    str(r.missed),
                    str(r.waived),
                    f"{r.vital_given_late} / {r.vital_missed} / {r.vital_waived}",
                )
                for r in report.rounds
            ],
            (44, 14, 14, 18, 20, 26, 44),
        )
    return bytes(pdf.output())


def situation_pdf(report: SituationReport, plan: Plan) -> bytes:
    """Situationsrapporten on A4: what changed since the one before, then each open outage."""
    pdf = ReportPaper("Situationsrapport", report.generated_at, plan.tz)
    pdf.use(16, bold=True)
    pdf.cell(0, 9, "Situationsrapport", new_x="LMARGIN", new_y="NEXT")
    c = report.contact_now
    pdf.wrapped(
        f"Pr. {pdf.local(report.generated_at)} (position {report.position}; ændringer siden "
        f"position {report.since_position}). Kontakt nu: {c.label}, tlf. {c.phone}."
    )
    titles = {i.incident_id: i.title for i in report.incidents}
    changed = report.changes
    for o in changed.opened:
        titles[o.incident_id] = o.title
    for cl in changed.closed:
        titles[cl.incident_id] = cl.title

    def name(incident_id: UUID) -> str:
        return titles.get(incident_id, str(incident_id))

    pdf.heading("Ændringer siden sidste situationsrapport")
    said = (
        [f"Nyt nedbrud: {o.title} (opdaget {pdf.local(o.detected_at)})" for o in changed.opened]
        + [f"Afsluttet: {x.title} ({pdf.local(x.closed_at)})" for x in changed.closed]
        + [
            f"{name(r.incident_id)}: {r.system} virker igen ({pdf.local(r.restored_at)})"
            for r in changed.systems_restored
        ]
        + [
            f"{name(e.incident_id)}: eskaleret til {plan.file.roles.get(e.to_role, e.to_role)}"
            for e in changed.escalations
        ]
        + [
            f"{name(s.incident_id)}: status {STATUS_DA.get(s.before or '', '—')}"
            f" → {STATUS_DA.get(s.after, s.after)}"
            for s in changed.statuses
            if s.before is not None
        ]
        + [
            f"{name(n.incident_id)}: papirregistreringer {COUNT_DA[n.count]} {n.before} → {n.after}"
            for n in changed.counts
        ]
    )
    for text in said or ["Ingen ændringer."]:
        pdf.wrapped(f"• {text}")
    pdf.heading("Åbne nedbrud")
    if not report.incidents:
        pdf.wrapped("Ingen åbne nedbrud.")
    for i in report.incidents:
        pdf.use(10, bold=True)
        pdf.multi_cell(
            0,
            5.5,
            pdf.text_of(f"{i.title} — {STATUS_DA.get(i.status, i.status)}"),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        m = i.manual_records
        pdf.wrapped(
            f"Opdaget {pdf.local(i.detected_at)}. Nede: {', '.join(i.systems_down) or '—'}; "
            f"oppe igen: {', '.join(i.systems_restored) or '—'}. "
            f"Enheder: {', '.join(i.affected_units)}. "
            f"Eskaleret til: {', '.join(i.escalated_to) or '—'}. Papir: {m.pending} venter, "
            f"{m.entered} indtastet, {m.voided} annulleret."
        )
        if i.steps_outstanding:
            pdf.wrapped("Mangler: " + "; ".join(s.label for s in i.steps_outstanding), size=8)
    return bytes(pdf.output())
