// Rapporter: the crisis staff's situation report (what changed since the one this browser sent
// last; the position is kept in localStorage) and the evaluation of a closed outage, with its
// charts drawn on screen as SVG from the report's own figures (each chart has its table too).

import { danish, get, Offline, request } from "./api.js";
import { feedback, field, h, roleName, systemName, time, unitName } from "./ui.js";

const SENT = "nedbrud-situationsrapport-sendt";
const STATUS = {
  open: "Åbent", "partly-restored": "Delvist genetableret", restored: "Genetableret",
  closed: "Afsluttet",
};
const COUNT = { made: "lavet", entered: "indtastet", voided: "annulleret", pending: "venter" };
const OUTCOME = { "given-late": "givet for sent", missed: "ikke givet", waived: "dispensation ved afslutning", overdue: "overskredet" };

/** The situation report this browser sent last: {position, at}, or none. */
function lastSent() {
  try { return JSON.parse(localStorage.getItem(SENT)) || null; } catch { return null; }
}

function table(label, head, rows) {
  return h("div", { class: "table", role: "region", "aria-label": label, tabindex: 0 },
    h("table", {},
      h("thead", {}, h("tr", {}, head.map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, rows.map((r) => h("tr", {}, r.map((v, i) => h("td", { "data-label": head[i] }, v)))))));
}

async function download(path, params, name) {
  const blob = await request("GET", path, { params: { ...params, format: "pdf" }, accept: "application/pdf" });
  const link = h("a", { href: URL.createObjectURL(blob), download: name });
  document.body.append(link);
  link.click();
  link.remove();
}

/** The two reports, one link each: the menu keeps the night shift's views. */
function reportsNav(current) {
  const link = (view, text) => h("a", { href: `#/${view}`, "aria-current": view === current ? "page" : null }, text);
  return h("nav", { class: "reports", "aria-label": "Rapporter" },
    link("situationsrapport", "Situationsrapport"), link("evaluering", "Evaluering"));
}

function offline(main, title, error) {
  if (!(error instanceof Offline)) throw error;
  main.replaceChildren(reportsNav(title.toLowerCase()), h("h2", {}, title), h("p", { class: "card" }, "Ingen forbindelse. Rapporten laves af serveren; prøv igen, når der er forbindelse."));
}

// Situationsrapport

function changeLines(changes, titles) {
  const name = (id) => titles[id] || id;
  return [
    ...changes.opened.map((o) => `Nyt nedbrud: ${o.title} (opdaget ${time(o.detected_at)})`),
    ...changes.closed.map((c) => `Afsluttet: ${c.title} (${time(c.closed_at)})`),
    ...changes.systems_restored.map((r) => `${name(r.incident_id)}: ${systemName(r.system)} virker igen (${time(r.restored_at)})`),
    ...changes.escalations.map((e) => `${name(e.incident_id)}: eskaleret til ${roleName(e.to_role)}`),
    ...changes.statuses.filter((s) => s.before).map((s) => `${name(s.incident_id)}: ${STATUS[s.before]} → ${STATUS[s.after]}`),
    ...changes.counts.map((n) => `${name(n.incident_id)}: papirregistreringer ${COUNT[n.count]} ${n.before} → ${n.after}`),
  ];
}

export async function situationsrapport(main) {
  const sent = lastSent();
  const since = sent?.position || 0;
  let report;
  try {
    report = await get("/v1/situation/report", { since_position: since });
  } catch (error) {
    offline(main, "Situationsrapport", error);
    return;
  }
  const titles = Object.fromEntries(report.incidents.map((i) => [i.incident_id, i.title]));
  for (const o of [...report.changes.opened, ...report.changes.closed]) titles[o.incident_id] = o.title;
  const lines = changeLines(report.changes, titles);
  const fb = feedback("report-feedback");
  const markSent = h("button", {
    type: "button",
    onclick() {
      localStorage.setItem(SENT, JSON.stringify({ position: report.position, at: report.generated_at }));
      fb.show(`Markeret som sendt ${time(report.generated_at)}. Næste rapport viser ændringerne herefter.`);
    },
  }, "Markér som sendt");
  const pdf = h("button", {
    type: "button", class: "secondary",
    onclick() { download("/v1/situation/report", { since_position: since }, `situationsrapport-${report.position}.pdf`).catch((x) => fb.show(danish(x), "error")); },
  }, "Hent PDF");
  main.replaceChildren(
    reportsNav("situationsrapport"),
    h("h2", {}, "Situationsrapport"),
    h("p", {}, sent ? `Ændringer siden rapporten sendt ${time(sent.at)}.` : "Ingen rapport sendt fra denne browser endnu: alle ændringer vises.",
      ` Pr. ${time(report.generated_at)}.`),
    h("div", {},
      h("h3", {}, "Ændringer"),
      lines.length ? h("ul", { id: "changes" }, lines.map((l) => h("li", {}, l))) : h("p", { id: "changes" }, "Ingen ændringer.")),
    h("div", {},
      h("h3", {}, "Åbne nedbrud"),
      report.incidents.length
        ? table("Åbne nedbrud", ["Nedbrud", "Status", "Nede", "Papir venter"], report.incidents.map((i) => [
          i.title, STATUS[i.status], i.systems_down.map(systemName).join(", ") || "–", String(i.manual_records.pending)]))
        : h("p", {}, "Ingen åbne nedbrud.")),
    h("div", { class: "actions" }, markSent, pdf), fb,
  );
}

// Evaluering: charts as SVG

const SVG = "http://www.w3.org/2000/svg";
function s(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}
const W = 520;
const H = 200;
const PAD = { left: 70, right: 70, top: 12, bottom: 30 };
const BLUE = "#1f5f8b";
const INK = "#102a43";

function chart(title, description, draw) {
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": `${title}: ${description}`, class: "chart" },
    s("title", {}, title));
  draw(svg);
  return h("figure", { class: "chart" }, h("figcaption", {}, title), svg);
}

function axisTimes(svg, start, end, x) {
  const span = end - start || 1;
  for (let n = 0; n <= 4; n += 1) {
    const t = start + (span * n) / 4;
    svg.append(s("text", { x: x(t), y: H - 8, "text-anchor": "middle", "font-size": 13, fill: INK },
      new Date(t).toLocaleTimeString("da-DK", { hour: "2-digit", minute: "2-digit" })));
  }
}

function systemsChart(report) {
  const start = Date.parse(report.detected_at);
  const ends = report.systems.map((x) => Date.parse(x.down_to || report.at));
  const end = Math.max(start + 60000, ...ends);
  const x = (t) => PAD.left + ((t - start) / (end - start)) * (W - PAD.left - PAD.right);
  const row = (H - PAD.top - PAD.bottom) / Math.max(1, report.systems.length);
  const said = report.systems.map((x) => `${systemName(x.system)} ${x.minutes ?? "stadig nede"} min`).join(", ");
  return chart("Systemer nede over tid", said, (svg) => {
    report.systems.forEach((sys, i) => {
      const y = PAD.top + i * row + row * 0.2;
      const stop = Date.parse(sys.down_to || report.at);
      svg.append(s("text", { x: PAD.left - 6, y: y + row * 0.35, "text-anchor": "end", "font-size": 14, fill: INK }, sys.system));
      svg.append(s("rect", { x: x(start), y, width: Math.max(1, x(stop) - x(start)), height: row * 0.6, fill: sys.down_to ? BLUE : "#b3261e" }));
      svg.append(s("text", { x: x(stop) + 4, y: y + row * 0.35, "font-size": 13, fill: INK }, sys.minutes === null ? "stadig nede" : `${sys.minutes} min`));
    });
    axisTimes(svg, start, end, x);
  });
}

function paperChart(report) {
  const hours = report.paper.by_hour;
  const said = hours.map((b) => `${new Date(b.hour).toLocaleTimeString("da-DK", { hour: "2-digit", minute: "2-digit" })}: ${b.count}`).join(", ") || "ingen";
  return chart("Papirregistreringer pr. time", said, (svg) => {
    const top = Math.max(1, ...hours.map((b) => b.count));
    const slot = (W - PAD.left - PAD.right) / Math.max(1, hours.length);
    hours.forEach((b, i) => {
      const height = ((H - PAD.top - PAD.bottom) * b.count) / top;
      const width = Math.min(slot * 0.7, 60);
      const x = PAD.left + i * slot + (slot - width) / 2;
      svg.append(s("rect", { x, y: H - PAD.bottom - height, width, height, fill: BLUE }));
      svg.append(s("text", { x: x + width / 2, y: H - PAD.bottom - height - 3, "text-anchor": "middle", "font-size": 13, fill: INK }, b.count));
      svg.append(s("text", { x: x + width / 2, y: H - 8, "text-anchor": "middle", "font-size": 13, fill: INK },
        new Date(b.hour).toLocaleTimeString("da-DK", { hour: "2-digit", minute: "2-digit" })));
    });
  });
}

function burnDownChart(report) {
  const points = report.back_entry.points;
  const said = points.map((p) => `${new Date(p.at).toLocaleTimeString("da-DK", { hour: "2-digit", minute: "2-digit" })}: ${p.pending} venter`).join(", ") || "ingen";
  return chart("Efterregistrering: ventende registreringer", said, (svg) => {
    if (!points.length) return;
    const start = Date.parse(points[0].at);
    const end = Math.max(start + 60000, Date.parse(points[points.length - 1].at));
    const top = Math.max(1, ...points.map((p) => p.pending));
    const x = (t) => PAD.left + ((t - start) / (end - start)) * (W - PAD.left - PAD.right);
    const y = (n) => H - PAD.bottom - ((H - PAD.top - PAD.bottom) * n) / top;
    let d = `M ${x(start)} ${y(points[0].pending)}`;
    for (const p of points.slice(1)) d += ` H ${x(Date.parse(p.at))} V ${y(p.pending)}`;
    svg.append(s("path", { d, fill: "none", stroke: BLUE, "stroke-width": 2.5 }));
    svg.append(s("text", { x: PAD.left - 6, y: y(top) + 4, "text-anchor": "end", "font-size": 13, fill: INK }, top));
    svg.append(s("text", { x: PAD.left - 6, y: y(0), "text-anchor": "end", "font-size": 13, fill: INK }, 0));
    axisTimes(svg, start, end, x);
  });
}

function minutes(m) { return m === null || m === undefined ? "–" : `${m} min`; }

function shown(report) {
  const b = report.back_entry;
  const lines = report.lines.filter((l) => l.steps.length);
  return [
    h("p", {}, `Opdaget ${time(report.detected_at)} · afsluttet ${time(report.closed_at)} · ${STATUS[report.status]}`),
    h("div", { class: "charts" }, systemsChart(report), paperChart(report), burnDownChart(report)),
    h("h3", {}, "Indsatsplanens linjer"),
    table("Indsatsplanens linjer", ["#", "Linje", "Gjort", "Efter", "Af", "Mål"], lines.map((l) => [
      String(l.number), l.text, l.done ? time(l.done_at) : "ikke gjort", minutes(l.minutes), l.by || "–",
      l.target_minutes === null ? "–" : `${l.target_minutes} min${l.late ? " – for sent" : ""}`])),
    h("h3", {}, "Systemer nede"),
    table("Systemer nede", ["System", "Nede fra", "Oppe igen", "Minutter"], report.systems.map((x) => [
      systemName(x.system), time(x.down_from), time(x.down_to), minutes(x.minutes)])),
    h("h3", {}, "Papirregistreringer pr. enhed"),
    table("Papirregistreringer pr. enhed", ["Enhed", "Lavet", "Indtastet", "Annulleret", "Venter"], report.paper.by_unit.map((u) => [
      unitName(u.unit), String(u.made), String(u.entered), String(u.voided), String(u.pending)])),
    h("h3", {}, "Efterregistrering"),
    h("p", { id: "back-entry" }, `Systemerne oppe igen ${time(b.restored_at)}; sidste indtastning ${time(b.last_entry_at)}`,
      b.hours === null ? "" : ` (${String(b.hours).replace(".", ",")} timer)`,
      `. ${b.entered} af ${b.records - b.voided} indtastet, ${b.voided} annulleret, ${b.pending} venter.`),
    h("h3", {}, "Runderne"),
    report.rounds.length
      ? table("Runderne", ["Enhed", "Forekomster", "Givet", "For sent", "Ikke givet", "Dispensation", "Livsvigtige"], report.rounds.map((r) => [
        unitName(r.unit), String(r.occurrences), String(r.given), String(r.given_late), String(r.missed), String(r.waived),
        r.vital_issues.length ? r.vital_issues.map((i) => `${i.item_id} ${time(i.due_at)}: ${OUTCOME[i.outcome]}`).join("; ") : "alle givet til tiden"]))
      : h("p", {}, "Ingen af enhederne har en nødliste."),
  ];
}

export async function evaluering(main) {
  let closed;
  try {
    closed = await get("/v1/incidents", { status: "closed" });
  } catch (error) {
    offline(main, "Evaluering", error);
    return;
  }
  closed = [...closed].sort((a, b) => b.detected_at.localeCompare(a.detected_at));
  const incident = h("select", { id: "e-incident" }, closed.map((i) => h("option", { value: i.incident_id }, `${i.title} (${time(i.detected_at)})`)));
  const out = h("div", { id: "evaluation" });
  const fb = feedback("evaluation-feedback");
  async function load() {
    if (!incident.value) { out.replaceChildren(h("p", {}, "Ingen afsluttede nedbrud endnu.")); return; }
    out.replaceChildren(...shown(await get(`/v1/incidents/${incident.value}/report`)));
  }
  const form = h("form", { class: "filters", onsubmit(e) { e.preventDefault(); load().catch((x) => fb.show(danish(x), "error")); } },
    field("Afsluttet nedbrud", incident),
    h("button", { type: "submit" }, "Vis"),
    h("button", { type: "button", class: "secondary", onclick() {
      if (incident.value) download(`/v1/incidents/${incident.value}/report`, {}, `evaluering-${incident.value}.pdf`).catch((x) => fb.show(danish(x), "error"));
    } }, "Hent PDF"));
  main.replaceChildren(reportsNav("evaluering"), h("h2", {}, "Evaluering"), form, fb, out);
  await load();
}
