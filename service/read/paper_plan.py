"""Kontaktoplysninger and action cards on paper (API.md Part 2, "Paper"): the plan's whole contact
schedule and one card per role, made from the plan's lines; no personal data, so anyone may print
them. The same pages open the unit's paper kit.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from domain.paper import ActionCard, ContactSchedule, action_cards, contact_schedule
from domain.plan import Plan
from service.read.pdf import MARGIN, Paper

SCHEDULE_TITLE = "Kontaktoplysninger - hele ugen"
COLUMNS = (("Dag", 28.0), ("Tidsrum", 34.0), ("Ring til", 80.0), ("Telefon", 44.0))


def plan_head(plan: Plan) -> str:
    f = plan.file
    return f"{f.title}, version {f.version} · godkendt {f.approved_on:%d.%m.%Y} af {f.approved_by}"


def write_schedule(doc: Paper, plan: Plan) -> None:
    """One page: each day's hours per channel from 00.00 to 24.00, the numbers, the holidays."""
    schedule = contact_schedule(plan)
    doc.head = plan_head(plan)
    doc.add_page()
    doc.section(SCHEDULE_TITLE)
    doc.para(
        "Hvem der tager telefonen, døgnet rundt. Alle alarmer går via Service Desken i "
        "normal arbejdstid; uden for den IT-vagten, og ellers beredskabet.",
        grey=True,
    )
    doc.ln(3)
    doc.use(10, bold=True)
    for name, width in COLUMNS:
        doc.cell(width, 7, name, border="B")
    doc.ln(7)
    for day, slots in schedule.days:
        for i, slot in enumerate(slots):
            doc.use(10, bold=i == 0)
            doc.cell(COLUMNS[0][1], 5.4, day if i == 0 else "")
            doc.use(10, bold=not slot.fallback)
            doc.cell(COLUMNS[1][1], 5.4, slot.text)
            doc.cell(COLUMNS[2][1], 5.4, doc.text_of(slot.label))
            doc.cell(COLUMNS[3][1], 5.4, slot.phone)
            doc.ln(5.4)
        doc.line(MARGIN, doc.get_y(), doc.w - MARGIN, doc.get_y())
    doc.ln(4)
    _numbers(doc, schedule)


def _numbers(doc: Paper, schedule: ContactSchedule) -> None:
    doc.use(12, bold=True)
    doc.cell(0, 7, "Numrene, og hvad planen siger om dem", new_x="LMARGIN", new_y="NEXT")
    for c in (*schedule.contacts, schedule.fallback):
        doc.para(f"{c.label}: {c.phone}", size=11, bold=True)
        if c.note:
            doc.para(c.note, size=9.5)
        doc.ln(1.5)
    doc.para("Helligdage", size=11, bold=True)
    doc.para(schedule.holiday_rule, size=9.5)


def write_cards(doc: Paper, plan: Plan) -> None:
    """One page per role: the situation, the role's lines of the plan with a box to tick, and
    the numbers to call."""
    doc.head = plan_head(plan)
    schedule = contact_schedule(plan)
    for card in action_cards(plan):
        doc.add_page()
        _card(doc, card, schedule)


def _card(doc: Paper, card: ActionCard, schedule: ContactSchedule) -> None:
    doc.use(10, grey=True)
    doc.cell(0, 5, "ACTION CARD", new_x="LMARGIN", new_y="NEXT")
    doc.section(card.title, size=20)
    doc.set_fill_color(238, 238, 238)
    doc.use(9.5)
    situation = " ".join(card.situation)
    doc.multi_cell(
        0,
        5,
        doc.text_of(f"Situation: {situation}"),
        fill=True,
        padding=2,
        align="L",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    doc.ln(3)
    for section, texts in card.sections:
        doc.use(12, bold=True)
        doc.cell(0, 7, doc.text_of(section), new_x="LMARGIN", new_y="NEXT")
        for text in texts:
            y = doc.get_y()
            doc.tick_box(MARGIN, y + 0.5, 4.5)
            doc.set_x(MARGIN + 7)
            doc.use(10.5)
            doc.multi_cell(0, 5.2, doc.text_of(text), align="L", new_x="LMARGIN", new_y="NEXT")
            doc.ln(1.2)
        doc.ln(1.5)
    doc.ln(2)
    doc.use(11, bold=True)
    doc.cell(0, 6, "Ring til", new_x="LMARGIN", new_y="NEXT")
    doc.use(10)
    for c in (*schedule.contacts, schedule.fallback):
        doc.cell(0, 5.5, doc.text_of(f"{c.label}: {c.phone}"), new_x="LMARGIN", new_y="NEXT")
    doc.para(f"Hvornår hvem svarer: se «{SCHEDULE_TITLE}».", size=9, grey=True)


def action_cards_pdf(plan: Plan, printed_at: datetime) -> bytes:
    doc = Paper(f"Action cards - {plan.file.title}", printed_at)
    write_schedule(doc, plan)
    write_cards(doc, plan)
    return doc.output_bytes()


def action_cards_html(plan: Plan) -> str:
    """The same, as a plain HTML page (no scripts, no styles: the API's pages carry neither)."""
    schedule = contact_schedule(plan)
    e = escape
    out = [
        '<!doctype html><html lang="da"><head><meta charset="utf-8">',
        f"<title>Action cards - {e(plan.file.title)}</title></head><body>",
        f"<p>{e(plan_head(plan))}</p>",
        f'<section id="kontaktskema"><h1>{e(SCHEDULE_TITLE)}</h1><table>',
        "<tr><th>Dag</th><th>Tidsrum</th><th>Ring til</th><th>Telefon</th></tr>",
    ]
    for day, slots in schedule.days:
        for slot in slots:
            out.append(
                f"<tr><th>{e(day)}</th><td>{e(slot.text)}</td><td>{e(slot.label)}</td>"
                f"<td>{e(slot.phone)}</td></tr>"
            )
    out.append("</table>")
    for c in (*schedule.contacts, schedule.fallback):
        out.append(f"<p><strong>{e(c.label)}: {e(c.phone)}</strong> {e(c.note)}</p>")
    out.append(f"<p><strong>Helligdage</strong> {e(schedule.holiday_rule)}</p></section>")
    for card in action_cards(plan):
        out.append(f'<section class="action-card" id="{e(card.role)}">')
        out.append(f"<h1>Action card: {e(card.title)}</h1>")
        out.append(f"<p>Situation: {e(' '.join(card.situation))}</p>")
        for section, texts in card.sections:
            items = "".join(f"<li>{e(t)}</li>" for t in texts)
            out.append(f"<h2>{e(section)}</h2><ul>{items}</ul>")
        out.append("</section>")
    out.append("</body></html>")
    return "\n".join(out)
