// nedbrud's dashboard: the situation picture, whom to call, the forms, back-entry, the timeline
// and readiness, in Danish, over /v1 only. No build step: native ES modules. Offline-first: a
// service worker keeps the app, offline.js the plan and a week of whom to call, and each
// login's own database (outbox.js) its records and its last known outages.

import { ApiError, danish, get, Offline, problemText, request, session, stream } from "./api.js";
import { forms, recordForm, stepForm } from "./forms.js";
import { efterregistrering } from "./backentry.js";
import * as offline from "./offline.js";
import * as outbox from "./outbox.js";
import { wall } from "./wall.js";
import { runde } from "./runde.js";
import { contactSchedule, eventFields, paperKit } from "./paper.js";
import { evaluering, situationsrapport } from "./reports.js";
import {
  aware, catalogueUnits, clock, count, feedback, field, h, person, roleName, select, stepForms, stepName,
  systemName, time, unitName,
} from "./ui.js";

const main = document.getElementById("indhold");
const message = document.getElementById("message");

const STATUS = {
  open: "Åbent", "partly-restored": "Delvist genetableret", restored: "Genetableret",
  closed: "Afsluttet",
};

function say(text, ok = false) {
  message.hidden = !text;
  message.textContent = text || "";
  message.className = ok ? "ok" : "";
}

const by = () => ({ id: session.employee || "ukendt" });

// What this login knows, fresh or kept: its key's units, the open outages.
const known = { units: null, incidents: [], incidentsAt: null, fresh: false };

function fresh(up, at) {
  const marker = document.getElementById("fresh");
  known.fresh = up;
  marker.textContent = up ? "" : `Ingen forbindelse – viser data fra ${at ? time(at) : "før"}`;
  marker.className = up ? "" : "stale";
}

/** The open outages, newest first: from the server, kept for this login, or the kept copy. */
async function openIncidents(afterPosition) {
  try {
    const picture = await get("/v1/situation", { after_position: afterPosition });
    await outbox.remember("situation", picture);
    known.incidentsAt = new Date().toISOString();
    fresh(true);
    return picture;
  } catch (error) {
    if (!(error instanceof Offline)) throw error;
    const kept = await outbox.recall("situation");
    fresh(false, kept?.at);
    if (!kept) return { incidents: [], contact_now: null, position: 0, kept: true };
    known.incidentsAt = kept.at;
    return { ...kept.value, kept: true };
  }
}

const newestFirst = (incidents) => [...incidents].sort((a, b) => b.detected_at.localeCompare(a.detected_at));

// Login

function login() {
  const key = h("input", { type: "password", autocomplete: "off", required: true, id: "key" });
  const who = h("input", { id: "employee", value: session.employee, autocomplete: "username", inputmode: "numeric" });
  const fb = feedback("login-feedback");
  const form = h("form", {
    async onsubmit(e) {
      e.preventDefault();
      const typed = key.value.trim();
      session.key = typed;
      session.employee = who.value.trim();
      try {
        const own = await get("/v1/keys/me");
        await outbox.remember("key", own);
        await outbox.adoptShared().catch(() => {});  // tried again at the next login
      } catch (error) {
        // With no network, a key that has logged in here before opens its own outbox.
        if (!(error instanceof Offline && await outbox.known(typed))) {
          session.key = null;
          const text = error instanceof Offline
            ? "Ingen forbindelse. Første gang du logger ind på denne telefon, skal der være forbindelse."
            : danish(error);
          say(text);
          fb.show(text, "error");
          return;
        }
      }
      say("");
      start();
    },
  },
  h("h2", {}, "Log ind"),
  h("p", {}, "Brug den API-nøgle, din leder eller IT har givet dig. Den gemmes kun, så længe fanen er åben."),
  field("API-nøgle", key),
  field("Dit medarbejdernummer", who, "står på det, du registrerer"),
  h("p", { class: "actions" }, h("button", { type: "submit" }, "Log ind")), fb);
  main.replaceChildren(form);
  key.focus();
}

/** After login and on each start: the plan, the key's units, a week of whom to call. */
async function prime() {
  await offline.plan().catch(() => null);
  const own = await get("/v1/keys/me").catch(() => null);
  if (own) await outbox.remember("key", own);
  known.units = (own || (await outbox.recall("key"))?.value)?.units || null;
  offline.refreshContacts().catch(() => null);  // in the background: ~25 small answers
}

// Situationsbillede

let live = null;

function contactBox(contact, next = null) {
  if (!contact) {
    return h("section", { class: "call", "aria-label": "Ring nu til" },
      h("p", {}, "Ingen forbindelse, og planens kontakter er ikke hentet på denne telefon endnu. Ring til Service Desk på ",
        h("a", { href: "tel:87874199" }, "87 87 41 99"), " (beredskabet: ", h("a", { href: "tel:87878787" }, "87 87 87 87"), ")."));
  }
  return h("section", { class: "call", "aria-label": "Ring nu til" },
    h("div", {}, "Ring nu til ", h("strong", {}, contact.label), ": ",
      h("a", { href: `tel:${contact.phone.replace(/\s/g, "")}` }, contact.phone)),
    h("div", {}, contact.valid_until ? `Gælder til ${time(contact.valid_until)}` : "Gælder indtil videre"),
    next ? h("div", {}, `Derefter: ${next.label}, tlf. ${next.phone}`) : null,
    h("div", { class: "hint" }, contact.rule));
}

function incidentCard(i) {
  const outstanding = i.steps_outstanding || [];
  const pending = i.manual_records.pending;
  return h("article", { class: "card", "data-incident": i.incident_id },
    h("h3", {}, i.title),
    h("p", {}, h("strong", {}, STATUS[i.status] || i.status), ` · opdaget ${time(i.detected_at)}`,
      i.mode === "exercise" ? " · ØVELSE" : ""),
    h("p", {}, "Nede: ", i.systems_down.length
      ? i.systems_down.map((s) => h("span", { class: "tag down", "data-system": s }, systemName(s))) : "ingen"),
    i.systems_restored.length ? h("p", {}, "Virker igen: ", i.systems_restored.map((s) => h("span", { class: "tag up-tag", "data-system": s }, systemName(s)))) : null,
    h("p", {}, "Enheder: ", i.affected_units.map(unitName).join(", ") || "ikke vurderet endnu",
      i.isolated_to_single_unit ? " (kun én enhed)" : ""),
    outstanding.length
      ? h("div", {}, h("strong", {}, `Mangler (${outstanding.length}):`),
        h("ul", { class: "missing" }, outstanding.map((s) => h("li", {}, s.label || stepName(s.step), s.unit ? ` – ${unitName(s.unit)}` : ""))))
      : h("p", { class: "done" }, "Alle planens trin er gjort."),
    h("p", {}, "Eskaleret til: ", i.escalated_to.length ? i.escalated_to.map(roleName).join(", ") : "ingen endnu"),
    h("p", {}, `Ekstra medarbejdere: ${i.staffing.granted} bevilget af ${i.staffing.requested} ønsket`,
      i.staffing.undecided ? `, ${i.staffing.undecided} ikke besluttet` : ""),
    h("p", {}, h("strong", { "data-pending": pending }, count(pending, "papirregistrering", "papirregistreringer")),
      ` afventer efterregistrering (${i.manual_records.entered} indtastet)`));
}

async function situation() {
  const picture = await openIncidents();
  const cards = h("div", { class: "cards", id: "incidents" });
  const byId = new Map();
  const render = () => {
    cards.replaceChildren(...[...byId.values()].map(incidentCard));
    if (!byId.size) cards.replaceChildren(h("p", {}, "Ingen åbne nedbrud."));
  };
  for (const i of picture.incidents) byId.set(i.incident_id, i);
  render();
  const kept = offline.contactAt();
  const contact = picture.kept ? kept?.now : picture.contact_now;
  main.replaceChildren(h("h2", {}, "Situationsbillede"), contactBox(contact, kept?.next), cards,
    h("p", {}, h("a", { href: "#/vaeg" }, "Vis som vægskærm"), " (fuld skærm, uden menu, til et fællesrum)"));
  if (picture.kept) { document.getElementById("live").textContent = ""; return; }  // #fresh says it
  follow(String(picture.position), (m) => {
    if (m.event === "snapshot") {
      byId.clear();
      for (const i of m.data) byId.set(i.incident_id, i);
    } else if (m.event === "incident") {
      const i = m.data.incident;
      if (i.status === "closed") byId.delete(i.incident_id); else byId.set(i.incident_id, i);
    }
    render();
  });
}

function liveState(up) {
  const marker = document.getElementById("live");
  marker.textContent = up ? "● Live" : "● Forbindelsen er tabt – prøver igen";
  marker.className = up ? "up" : "down";
}

/**
 * Follow the situation stream, resuming after each drop from the last position seen. The browser
 * going offline counts as a drop at once (an open stream may not notice for a long while).
 */
function follow(position, onMessage, onLive = liveState) {
  live?.abort();
  const control = new AbortController();
  live = control;
  let last = position;
  (async () => {
    while (!control.signal.aborted) {
      const connection = new AbortController();
      const drop = () => connection.abort();
      control.signal.addEventListener("abort", drop);
      window.addEventListener("offline", drop);
      try {
        if (navigator.onLine) {
          await stream("/v1/situation/stream", {
            lastEventId: last,
            signal: connection.signal,
            onOpen() { onLive(true); fresh(true); },
            onMessage(m) { if (m.id) last = m.id; onMessage(m); },
          });
        }
      } catch (error) {
        if (error instanceof ApiError && [401, 403].includes(error.status)) { say(danish(error)); return; }
      } finally {
        window.removeEventListener("offline", drop);
        control.signal.removeEventListener("abort", drop);
      }
      if (control.signal.aborted) return;
      onLive(false);
      await new Promise((r) => setTimeout(r, 2000));
    }
  })();
}

// Ring nu til

async function ring() {
  let contact = null;
  try {
    contact = await get("/v1/contacts/now");
    fresh(true);
    offline.refreshContacts().catch(() => null);
  } catch (error) {
    if (!(error instanceof Offline)) throw error;
  }
  const kept = offline.contactAt();
  const shown = contact || kept?.now || null;
  if (!contact) fresh(false, kept?.keptAt);
  main.replaceChildren(h("h2", {}, "Ring nu til"), contactBox(shown, kept?.next),
    shown ? h("p", {}, `Planens version ${shown.plan_version}. `, shown.holiday ? `Helligdag: ${shown.holiday}. ` : "",
      kept?.until ? `Kendt på denne telefon til ${time(kept.until)}, også uden forbindelse.` : "") : null,
    contactSchedule());
}

// Registrér

// Outages declared from this page, until the situation picture has them (it is a projection).
const declaredHere = new Map();

// afterPosition: a receipt's position; the outages are read once the picture includes it.
async function registrer(chosen = null, afterPosition = undefined) {
  const picture = await openIncidents(afterPosition);
  const listed = new Set(picture.incidents.map((i) => i.incident_id));
  for (const id of listed) declaredHere.delete(id);
  known.incidents = newestFirst([...picture.incidents, ...declaredHere.values()]);
  const ctx = {
    incidents: known.incidents, units: known.units, chosen, by, showWaiting,
    declared(incident) {
      declaredHere.set(incident.incident_id, incident);
      registrer(incident.incident_id).then(() => {
        document.getElementById("d-feedback")?.remove();
        const fb = document.querySelector("#s-feedback");
        fb?.show?.(`Registreret: nedbrud "${incident.title}". Formularerne peger nu på det.`);
      });
    },
    requests: (i) => staffingRequests.get(i?.incident_id) || [],
    freshRequests: (i) => (i ? requestsOf(i.incident_id) : Promise.resolve(null)),
    delivered(item) {  // a request for staffing just recorded is offered by "Bemanding besluttet" at once
      if (item?.body?.type !== "staffing-requested" || !item.answer?.event_id) return;
      const id = item.path.split("/")[3];
      const before = (staffingRequests.get(id) || []).filter(([v]) => v !== item.answer.event_id);
      staffingRequests.set(id, [...before, [item.answer.event_id, requestLine(item.body.unit, item.body.extra_staff, item.body.occurred_at)]]);
    },
    async refusedLater() {  // a record saved on the phone was refused once sent: show it to correct
      const shown = document.getElementById("refused");
      // A correction she is typing in the box is never redrawn away: the list waits for her.
      if (shown?.querySelector("form")) return;
      const box = await refusedList(ctx);
      const now = document.getElementById("refused");
      if (now?.querySelector("form") || now !== shown) return;  // typing, or the page was drawn anew
      if (shown) shown.replaceWith(box || "");
      else if (box) main.querySelector("h2")?.after(box);
    },
  };
  await loadStaffingRequests(known.incidents);
  const refusedBox = await refusedList(ctx);
  // Also what she typed while the view was being drawn; an outage just declared is the one the
  // forms point at now, whichever she had chosen.
  const typed = typedIn().filter(([id]) => !(chosen && id.endsWith("-incident")));
  main.replaceChildren(h("h2", {}, "Registrér"), refusedBox || "", h("div", { class: "forms" }, forms(ctx)));
  fillIn(typed);
}

// What she typed or chose in the forms, by field: the view drawn again (its link tapped, a
// declared outage, a fresh list) fills it in again rather than losing a half-written record.
const touched = new Set();
for (const kind of ["input", "change"]) {
  main.addEventListener(kind, (e) => { if (e.target.id) touched.add(e.target.id); }, true);
}
// A form that was sent starts afresh: what it held is not filled in again.
main.addEventListener("sent", (e) => { for (const f of e.target.elements || []) touched.delete(f.id); });
function typedIn() {
  return [...touched].map((id) => document.getElementById(id)).filter(Boolean)
    .map((f) => [f.id, f.type === "checkbox" || f.type === "radio" ? f.checked : f.value]);
}
function fillIn(typed) {
  touched.clear();
  for (const [id, value] of typed) {
    const f = document.getElementById(id);
    if (!f || (f.tagName === "SELECT" && ![...f.options].some((o) => o.value === value))) continue;
    if (typeof value === "boolean") f.checked = value; else f.value = value;
    touched.add(id);
    // What depends on it is drawn as for her own choice (a step's fields, an outage's units).
    f.dispatchEvent(new Event(f.tagName === "SELECT" || typeof value === "boolean" ? "change" : "input", { bubbles: true }));
  }
}

// The undecided requests for extra staff of each outage ("Bemanding besluttet" chooses one).
const staffingRequests = new Map();
const requestLine = (unit, extra, at) => `${unitName(unit)}: ${count(extra, "medarbejder", "medarbejdere")} (${time(at)})`;
/** The outage's undecided requests as its timeline says now (null: not known, offline). */
async function requestsOf(incidentId) {
  try {
    const entries = await get(`/v1/incidents/${incidentId}/timeline`);
    const decided = new Set(entries.filter((e) => e.type === "staffing-decided").map((e) => e.data.request_event_id));
    const undecided = entries.filter((e) => e.type === "staffing-requested" && !decided.has(e.event_id))
      .map((e) => [e.event_id, requestLine(e.data.unit, e.data.extra_staff, e.occurred_at)]);
    // A request this page recorded a moment ago stays offered until the timeline says it was
    // decided, even if the timeline read does not show it yet.
    const listed = new Set(undecided.map(([id]) => id));
    const recorded = (staffingRequests.get(incidentId) || []).filter(([id]) => !listed.has(id) && !decided.has(id));
    undecided.push(...recorded);
    staffingRequests.set(incidentId, undecided);
    return undecided;
  } catch { return null; /* offline or not allowed: the form says what it knew */ }
}
async function loadStaffingRequests(incidents) {
  await Promise.all(incidents.filter((x) => x.staffing?.undecided).map((i) => requestsOf(i.incident_id)));
}

/** Records the server refused after they were saved: correct and send again, or discard. */
async function refusedList(ctx) {
  const items = await outbox.refused();
  if (!items.length) return null;
  const box = h("section", { "aria-labelledby": "refused-title", class: "card refused", id: "refused" },
    h("h3", { id: "refused-title" }, "Afviste registreringer"),
    h("p", {}, "Serveren tog ikke imod disse. Ret dem og send dem igen, eller kassér dem. De andre registreringer er sendt."));
  for (const item of items) {
    const fb = feedback(`r-${item.seq}-feedback`);
    const remove = async () => { await outbox.dismiss(item.seq); await showWaiting(); await registrer(); };
    const kind = /medication-dispensings$/.test(item.path) ? "medication" : /care-deliveries$/.test(item.path) ? "care" : null;
    const incidentId = item.path.split("/")[3];
    const row = h("div", { class: "refused-item", "data-refused": item.seq },
      h("p", {}, h("strong", {}, item.label), ` (gemt ${time(item.savedAt)})`),
      h("p", { class: "errors" }, problemText(item.problem || {}, item.status || 422)));
    const actions = h("p", { class: "actions" });
    if (kind) {
      const fix = h("button", { type: "button" }, "Ret");
      fix.addEventListener("click", () => {
        const incidents = ctx.incidents.some((i) => i.incident_id === incidentId) ? ctx.incidents
          : [{ incident_id: incidentId, title: "Nedbruddet", detected_at: item.savedAt, affected_units: [item.body.unit] }, ...ctx.incidents];
        const form = recordForm({ ...ctx, incidents }, kind, incidentId, (id) => incidents.find((i) => i.incident_id === id), item.body,
          async () => { await outbox.dismiss(item.seq); await showWaiting(); });
        actions.replaceWith(form);
        form.querySelector("input:invalid, input")?.focus();
      });
      actions.append(fix);
    } else if (/\/events$/.test(item.path) && stepForms()[item.body?.type]) {
      const fix = h("button", { type: "button" }, "Ret");
      fix.addEventListener("click", () => {
        const incidents = ctx.incidents.some((i) => i.incident_id === incidentId) ? ctx.incidents
          : [{ incident_id: incidentId, title: "Nedbruddet", detected_at: item.savedAt, affected_units: [] }, ...ctx.incidents];
        const form = stepForm({ ...ctx, incidents }, incidentId, (id) => incidents.find((i) => i.incident_id === id), item.body,
          async () => { await outbox.dismiss(item.seq); await showWaiting(); });
        actions.replaceWith(form);
        form.querySelector("#rs-more input, #rs-more select, #rs-more textarea")?.focus();
      });
      actions.append(fix, " ");
    }
    if (!kind) {
      actions.append(h("button", { type: "button", async onclick() {
        const saved = await outbox.save(item.path, { ...item.body, occurred_at: item.body.occurred_at && aware() }, item.label);
        await outbox.dismiss(item.seq);
        const result = await outbox.deliver(saved);
        const sent = result.sent.find((r) => r.key === saved.key);
        await showWaiting();
        fb.show(result.refused.length ? "Afvist igen – se grunden ovenfor." : "Sendt igen.", result.refused.length ? "error" : "ok");
        await registrer(null, sent?.answer?.position);  // drawn once the picture has it
      } }, "Send igen"));
    }
    actions.append(" ", h("button", { type: "button", class: "secondary", onclick: remove }, "Kassér"));
    row.append(actions, fb);
    box.append(row);
  }
  return box;
}

// Efterregistrering

function unitChoices() {
  return known.units || [...new Set([...catalogueUnits(), ...known.incidents.flatMap((i) => i.affected_units)])];
}

function needsNetwork(title, text) {
  main.replaceChildren(h("h2", {}, title), h("p", { class: "card" },
    `Ingen forbindelse. ${text} Det, du registrerer under Registrér, gemmes på telefonen og sendes, når der er forbindelse.`));
}

// Tidslinje

async function tidslinje() {
  let incidents;
  try {
    incidents = newestFirst(await get("/v1/incidents", { status: "all" }));
    fresh(true);
  } catch (error) {
    if (!(error instanceof Offline)) throw error;
    needsNetwork("Tidslinje", "Tidslinjen hentes fra serveren.");
    return;
  }
  const incident = h("select", { id: "t-incident" }, incidents.map((i) => h("option", { value: i.incident_id }, `${i.title} (${time(i.detected_at)})`)));
  const knownAt = h("input", { id: "t-known", type: "datetime-local" });
  const table = h("div", { class: "table", id: "timeline", role: "region", "aria-label": "Tidslinje", tabindex: 0 });
  const params = () => ({ known_at: knownAt.value ? aware(knownAt.value) : null });
  let asked = 0;  // only the answer to the latest question is shown (and printed)
  async function load() {
    if (!incident.value) { table.replaceChildren(h("p", {}, "Ingen nedbrud endnu.")); return; }
    const mine = ++asked;
    const entries = await get(`/v1/incidents/${incident.value}/timeline`, params());
    if (mine !== asked) return;
    table.replaceChildren(h("p", { class: "print-only" }, `${incident.selectedOptions[0].textContent}. Printet ${time(new Date().toISOString())}.`), h("table", {},
      h("thead", {}, h("tr", {}, ["Skete", "Registreret", "Hændelse", "Af"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, entries.flatMap((e) => [h("tr", { "data-event": e.event_id }, h("td", { "data-label": "Skete" }, time(e.occurred_at)),
        h("td", { "data-label": "Registreret" }, time(e.recorded_at)),
        h("td", { "data-label": "Hændelse" }, stepName(e.type), e.summary ? `: ${e.summary}` : "", e.data.erased ? " (slettet)" : ""),
        h("td", { "data-label": "Af" }, person(e.by || e.data.reported_by))), eventFields(e, 4)]))));
  }
  async function csv() {
    const blob = await request("GET", `/v1/incidents/${incident.value}/timeline`, { params: { ...params(), format: "csv" }, accept: "text/csv" });
    const link = h("a", { href: URL.createObjectURL(blob), download: `tidslinje-${incident.value}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
  }
  const form = h("form", { class: "filters", onsubmit(e) { e.preventDefault(); load().catch((x) => say(danish(x))); } },
    field("Nedbrud", incident), field("Hvad vidste vi kl.", knownAt, "tomt: nu"),
    h("button", { type: "submit" }, "Vis"),
    h("button", { type: "button", class: "secondary", onclick() { csv().catch((x) => say(danish(x))); } }, "Hent CSV"));
  main.replaceChildren(h("h2", {}, "Tidslinje"), form, table);
  await load();
}

// Parathed

// afterPosition: a receipt's position; the list is shown only once it includes that print.
async function parathed(afterPosition) {
  let units;
  try {
    units = await get("/v1/readiness", { after_position: afterPosition });
    fresh(true);
  } catch (error) {
    if (!(error instanceof Offline)) throw error;
    needsNetwork("Parathed: printede medicinlister", "Listen over printede medicinlister hentes fra serveren.");
    return;
  }
  const choices = known.units || [...new Set([...catalogueUnits(), ...units.map((u) => u.unit)])];
  const unit = select("p-unit", choices.map((u) => [u, unitName(u)]), sessionStorage.getItem("nedbrud-unit") || undefined);
  const printed = h("input", { id: "p-printed", type: "datetime-local", value: localNowValue(), required: true });
  const asOf = h("input", { id: "p-as-of", type: "datetime-local", value: localNowValue(), required: true });
  const button = h("button", { type: "submit" }, "Registrér udskrift");
  const fb = feedback("p-feedback");
  let key = outbox.newKey();
  const form = h("form", {
    async onsubmit(e) {
      e.preventDefault();
      button.disabled = true;
      const slug = unit.value;
      try {
        const saved = await outbox.save(`/v1/units/${encodeURIComponent(slug)}/medication-list-prints`,
          { printed_at: aware(printed.value), list_as_of: aware(asOf.value), by: by() }, `Medicinliste ${unitName(slug)}`, key);
        const result = await outbox.deliver(saved);
        key = outbox.newKey();
        const sent = result.sent.find((r) => r.key === saved.key);
        const refused = result.refused.find((r) => r.key === saved.key);
        if (refused) { await outbox.dismiss(refused.seq); fb.show(`Ikke registreret – ${danish(refused.error)}`, "error"); return; }
        if (sent) {
          await parathed(sent.answer.position);
          document.getElementById("p-feedback")?.show(`Registreret: ny printet medicinliste for ${unitName(slug)}.`);
        } else fb.show("Gemt på telefonen. Sendes, når der er forbindelse.", "waiting");
      } finally { button.disabled = false; await showWaiting(); }
    },
  }, h("fieldset", {}, h("legend", {}, "Ny printet medicinliste"),
    field("Enhed", unit), field("Printet", printed), field("Listens indhold fra", asOf),
    h("p", { class: "actions" }, button), fb));
  main.replaceChildren(h("h2", {}, "Parathed: printede medicinlister"),
    h("p", {}, "Hvert botilbud skal have en printet medicinliste klar til næste nedbrud."),
    h("div", { class: "table", role: "region", "aria-label": "Printede medicinlister", tabindex: 0 }, h("table", {},
      h("thead", {}, h("tr", {}, ["Enhed", "Printet", "Listens indhold fra", "Alder", "Status"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, units.map((u) => h("tr", { "data-unit": u.unit }, h("td", { "data-label": "Enhed" }, unitName(u.unit)),
        h("td", { "data-label": "Printet" }, time(u.list_printed_at)),
        h("td", { "data-label": "Listens indhold fra" }, time(u.list_as_of)),
        h("td", { "data-label": "Alder" }, u.age_days === null ? "–" : count(Math.floor(u.age_days), "dag", "dage")),
        h("td", { "data-label": "Status", class: u.stale ? "stale" : "done" }, u.stale ? `For gammel (over ${count(u.max_age_days, "dag", "dage")})` : "OK")))))),
    paperKit(choices, (position) => parathed(position)), form);
}

function localNowValue() {
  const d = new Date();
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
}

// Router

const shared = { main, say, by, known, openIncidents, needsNetwork, unitChoices };
const VIEWS = {
  situation, ring, registrer, efterregistrering: () => efterregistrering(shared), tidslinje, parathed,
  runde: () => runde({ openIncidents, follow, fresh, say, by, showWaiting, units: () => known.units }),
  situationsrapport: () => situationsrapport(main), evaluering: () => evaluering(main),
  vaeg: () => wall({ ...shared, follow }),
};
VIEWS["væg"] = VIEWS.vaeg;

let drawing = 0;  // views being drawn now

async function route() {
  if (!session.key) { login(); return; }
  const name = decodeURIComponent(location.hash.replace(/^#\//, "") || "situation").split("?")[0];
  const view = VIEWS[name] || situation;
  for (const a of document.querySelectorAll("nav a")) {
    a.toggleAttribute("aria-current", a.getAttribute("href") === `#/${name}`);
    if (a.hasAttribute("aria-current")) a.setAttribute("aria-current", "page");
  }
  if (view !== situation) {
    live?.abort();
    document.getElementById("live").textContent = "";  // live only on the situation picture
  }
  say("");
  // While a view is drawn, the region says so (aria-busy): a form she starts in the old one
  // is about to be replaced, and a screen reader waits for the new one.
  drawing += 1;
  main.setAttribute("aria-busy", "true");
  try {
    await view();
  } catch (error) {
    say(danish(error));
    if (error instanceof ApiError && error.status === 401) { session.key = null; login(); }
  } finally {
    drawing -= 1;
    if (!drawing) main.removeAttribute("aria-busy");
  }
  main.focus({ preventScroll: true });
}

async function showWaiting() {
  const n = (await outbox.waiting()).length;
  const refused = (await outbox.refused()).length;
  const marker = document.getElementById("waiting");
  marker.replaceChildren(...[
    n ? `${n} venter på at blive sendt` : "",
    refused ? h("a", { href: "#/registrer" }, `${refused} afvist – se Registrér`) : "",
  ].filter(Boolean).flatMap((x, i) => (i ? [" · ", x] : [x])));
}

async function start() {
  document.querySelector("nav").hidden = false;
  document.querySelector(".bar").hidden = false;
  await prime();
  route();
  showWaiting();
}

document.getElementById("logout").addEventListener("click", () => {
  session.key = null;
  live?.abort();
  document.querySelector("nav").hidden = true;
  document.querySelector(".bar").hidden = true;
  login();
});
window.addEventListener("hashchange", route);
// The link of the view already shown loads it again (fresh lists), as people expect.
for (const a of document.querySelectorAll("nav a")) {
  a.addEventListener("click", () => { if (a.getAttribute("href") === location.hash) route(); });
}
const round = () => { if (session.key) outbox.flush().then(showWaiting).catch(() => {}); };
window.addEventListener("online", () => { round(); if (session.key) prime().catch(() => {}); });
setInterval(round, 5000);
if ("serviceWorker" in navigator) navigator.serviceWorker.register("sw.js").catch(() => {});

if (session.key) start(); else login();
