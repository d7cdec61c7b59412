// Vægskærm (#/vaeg): the situation picture on a screen on the wall, read from three metres. No
// menu; per open outage how long it has lasted, how severe it is, when it is expected back, the
// systems down, the vital occurrences overdue at each unit (the picture's `rounds`, kept live by
// the stream, also when only the clock moved them: `rounds-changed`) and the paper waiting for
// the journal; a clock, and when the picture was last known to be current.

import { clock, count, h, systemName, time, unitName } from "./ui.js";

const STATUS = {
  open: "Åbent", "partly-restored": "Delvist genetableret", restored: "Genetableret", closed: "Afsluttet",
};
const SEVERITY = { low: "Lav alvor", medium: "Middel alvor", high: "Høj alvor", critical: "Kritisk" };
const TICK_MS = 10_000;
const RANK = { critical: 0, high: 1, medium: 2, low: 3 };  // the most severe first, then the oldest

/** "45 min", "2 t 5 min", "1 døgn 3 t": how long since `from`. */
export function lasted(from, to = Date.now()) {
  const minutes = Math.max(0, Math.floor((to - new Date(from).getTime()) / 60000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} t ${minutes % 60} min`;
  return `${count(Math.floor(hours / 24), "døgn", "døgn")} ${hours % 24} t`;
}

function at(iso) {
  const d = new Date(iso);
  return d.toDateString() === new Date().toDateString() ? `kl. ${clock(iso)}` : time(iso);
}

function restoration(i) {
  if (!i.expected_restoration_at) return h("p", { class: "wall-expected" }, "Forventet tilbage: ikke vurderet endnu");
  const late = Date.now() - new Date(i.expected_restoration_at).getTime();
  return h("p", { class: `wall-expected${late > 0 ? " late" : ""}` }, `Forventet tilbage ${at(i.expected_restoration_at)}`,
    late > 0 ? ` – overskredet med ${lasted(i.expected_restoration_at)}` : "");
}

/** Each unit's overdue occurrences, vital first; the units without an emergency list named. */
function rounds(i) {
  const units = Object.entries(i.rounds || {});
  const unlisted = i.affected_units.filter((u) => !(u in (i.rounds || {})));
  return h("div", { class: "wall-rounds" },
    h("p", { class: "wall-label" }, "Forsinket på nødlisten"),
    units.length ? h("ul", {}, units.map(([unit, c]) => h("li", {
      class: c.overdue_vital ? "vital" : c.overdue ? "late" : "ok", "data-unit": unit, "data-overdue-vital": c.overdue_vital,
    }, h("strong", {}, `${unitName(unit)}: `), c.overdue_vital
      ? `${count(c.overdue_vital, "livsvigtig", "livsvigtige")} forsinket${c.overdue > c.overdue_vital ? `, ${count(c.overdue - c.overdue_vital, "anden", "andre")}` : ""}`
      : c.overdue ? `${c.overdue} forsinket (ingen livsvigtige)` : "intet forsinket"))) : null,
    unlisted.length ? h("p", { class: "wall-muted" }, `Uden nødliste: ${unlisted.map(unitName).join(", ")}`) : null);
}

function card(i) {
  const pending = i.manual_records.pending;
  return h("article", { class: `wall-card sev-${i.severity || "none"}`, "data-incident": i.incident_id },
    h("h2", {}, i.title, i.mode === "exercise" ? " (ØVELSE)" : ""),
    h("p", { class: "wall-badges" }, h("span", { class: "badge sev" }, SEVERITY[i.severity] || "Alvor ikke vurderet"),
      h("span", { class: "badge" }, STATUS[i.status] || i.status)),
    h("p", { class: "wall-lasted" }, h("span", { class: "wall-label" }, "Varet "), h("strong", { "data-lasted": "" }, lasted(i.detected_at)),
      h("span", { class: "wall-muted" }, ` siden ${at(i.detected_at)}`)),
    restoration(i),
    h("p", { class: "wall-down" }, h("span", { class: "wall-label" }, "Nede: "), i.systems_down.length
      ? i.systems_down.map((s) => h("span", { class: "tag down", "data-system": s }, systemName(s))) : "ingen"),
    rounds(i),
    h("p", { class: `wall-paper${pending ? " late" : ""}`, "data-pending": pending },
      `${count(pending, "papirregistrering", "papirregistreringer")} venter på journalen`));
}

/** The view. `ctx`: { main, known, openIncidents, follow } from the app. */
export async function wall({ main, known, openIncidents, follow }) {
  document.body.classList.add("wall-mode");
  const picture = await openIncidents();
  const byId = new Map(picture.incidents.filter((i) => i.status !== "closed").map((i) => [i.incident_id, i]));
  let up = !picture.kept;
  let updated = picture.kept && known.incidentsAt ? new Date(known.incidentsAt) : new Date();
  const now = h("p", { class: "wall-clock", "aria-label": "Klokken" });
  const stamp = h("p", { class: "wall-updated", id: "wall-updated", role: "status" });
  const board = h("div", { class: "wall-board", id: "wall" });

  function render() {
    now.textContent = clock(new Date().toISOString());
    if (up) updated = new Date();  // the stream is open: what it has not sent has not changed
    stamp.textContent = up ? `Opdateret kl. ${clock(updated.toISOString())}` : `Forbindelsen er tabt – viser data fra kl. ${clock(updated.toISOString())}`;
    stamp.className = `wall-updated${up ? "" : " stale"}`;
    const shown = [...byId.values()].sort((a, b) => (RANK[a.severity] ?? 4) - (RANK[b.severity] ?? 4)
      || a.detected_at.localeCompare(b.detected_at));
    board.dataset.count = String(shown.length);
    board.replaceChildren(...(shown.length ? shown.map(card) : [h("p", { class: "wall-none" }, "Ingen åbne nedbrud.")]));
    fit();
  }

  /** The largest text (from 1.8 % of the width down) with which the whole picture fits the screen. */
  function fit() {
    const view = main.querySelector(".wall");
    if (!view) return;
    let size = Math.min(48, Math.max(16, window.innerWidth * 0.018));
    view.style.fontSize = `${size}px`;
    while (document.documentElement.scrollHeight > window.innerHeight && size > 14) {
      size *= 0.94;
      view.style.fontSize = `${size}px`;
    }
  }

  const timer = setInterval(render, TICK_MS);
  const escape = (e) => { if (e.key === "Escape") location.hash = "#/situation"; };
  document.addEventListener("keydown", escape);
  window.addEventListener("hashchange", () => {
    clearInterval(timer);
    document.removeEventListener("keydown", escape);
    window.removeEventListener("resize", fit);
    document.body.classList.remove("wall-mode");
  }, { once: true });

  main.replaceChildren(h("div", { class: "wall" },
    h("div", { class: "wall-top" }, h("h1", {}, "IT-nedbrud lige nu"), stamp, now,
      h("p", { class: "wall-exit" }, h("a", { href: "#/situation" }, "Luk (Esc)"))), board));
  render();
  window.addEventListener("resize", fit);
  if (picture.kept) return;
  follow(String(picture.position), (m) => {
    if (m.event === "snapshot") {
      byId.clear();
      for (const i of m.data) byId.set(i.incident_id, i);
    } else if (m.event === "incident") {
      const i = m.data.incident;  // a step, a record's counts, or the rounds the clock moved
      if (i.status === "closed") byId.delete(i.incident_id); else byId.set(i.incident_id, i);
    }
    render();
  }, (connected) => { up = connected; render(); });
}
