// nedbrud's dashboard: the situation picture, whom to call, the forms, back-entry, the timeline
// and readiness, in Danish, over /v1 only. No build step: native ES modules.

import { ApiError, danish, get, Offline, request, session, stream } from "./api.js";
import * as outbox from "./outbox.js";

const main = document.getElementById("indhold");
const message = document.getElementById("message");

// Words of the plan (indsatsplan for IT-nedbrud), for what the API names in English.
const STEPS = {
  "incident-detected": "Nedbrud opdaget",
  "colleagues-informed": "Kolleger informeret",
  "leader-informed": "Nærmeste leder informeret",
  "it-contacted": "IT kontaktet (Service Desk / IT-vagt / beredskabet)",
  "vendor-contacted": "Leverandør kontaktet",
  "alarm-received": "Alarm modtaget",
  "scope-assessed": "Omfang vurderet",
  "units-notified": "Enheder orienteret af IT",
  "escalation-assessed": "Eskalering vurderet",
  "escalated": "Eskaleret",
  "communications-decided": "Kommunikation besluttet",
  "workaround-agreed": "Arbejde uden IT aftalt",
  "staffing-requested": "Ekstra bemanding anmodet",
  "staffing-decided": "Bemanding besluttet",
  "communication-sent": "Kommunikation sendt",
  "note-added": "Note",
  "system-restored": "System genetableret",
  "restoration-verified": "Genetablering kontrolleret",
  "incident-closed": "Nedbrud afsluttet",
  "event-corrected": "Rettelse",
  "medication-dispensed": "Manuel medicinudlevering",
  "care-delivered": "Visiteret hjælp registreret",
  "entered-in-journal": "Indtastet i journal",
  "record-voided": "Registrering annulleret",
};
const STATUS = {
  open: "Åbent", "partly-restored": "Delvist genetableret", restored: "Genetableret",
  closed: "Afsluttet",
};
const RECORD_STATUS = { pending: "Afventer journal", entered: "Indtastet i journal", voided: "Annulleret" };

// Small helpers

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}

const time = (iso) => (iso ? new Date(iso).toLocaleString("da-DK", { dateStyle: "short", timeStyle: "short" }) : "–");

function say(text, ok = false) {
  message.hidden = !text;
  message.textContent = text || "";
  message.className = ok ? "ok" : "";
}

function field(label, input, hint) {
  const id = input.id || `f-${Math.random().toString(36).slice(2)}`;
  input.id = id;
  return h("div", {}, h("label", { for: id }, label, hint ? h("span", { class: "hint" }, ` (${hint})`) : null), input);
}

function localNow() {
  const d = new Date();
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
}

/** A datetime-local value as RFC 3339 with this browser's offset. */
function aware(value) {
  const d = value ? new Date(value) : new Date();
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const pad = (n) => String(Math.floor(Math.abs(n))).padStart(2, "0");
  const local = new Date(d.getTime() + offset * 60000).toISOString().slice(0, 19);
  return `${local}${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}

const slugs = (text) => text.split(",").map((s) => s.trim()).filter(Boolean);

// Login

function login() {
  const key = h("input", { type: "password", autocomplete: "off", required: true, id: "key" });
  const who = h("input", { id: "employee", value: session.employee, autocomplete: "username" });
  const form = h("form", {
    async onsubmit(e) {
      e.preventDefault();
      session.key = key.value.trim();
      session.employee = who.value.trim();
      try {
        await get("/v1/contacts/now");
        await outbox.adoptShared().catch(() => {});  // tried again at the next login
        say("");
        start();
      } catch (error) {
        session.key = null;
        say(danish(error));
      }
    },
  },
  h("h2", {}, "Log ind"),
  h("p", {}, "Brug den API-nøgle, din leder eller IT har givet dig. Den gemmes kun, så længe fanen er åben."),
  field("API-nøgle", key),
  field("Dit medarbejdernummer", who, "står på det, du registrerer"),
  h("p", {}, h("button", { type: "submit" }, "Log ind")));
  main.replaceChildren(form);
  key.focus();
}

// Situationsbillede

let live = null;

function contactBox(contact) {
  return h("section", { class: "call", "aria-label": "Ring nu til" },
    h("div", {}, "Ring nu til ", h("strong", {}, contact.label), ": ",
      h("a", { href: `tel:${contact.phone.replace(/\s/g, "")}` }, contact.phone)),
    h("div", {}, contact.valid_until ? `Gælder til ${time(contact.valid_until)}` : "Gælder indtil videre"),
    h("div", { class: "hint" }, contact.rule));
}

function incidentCard(i) {
  const outstanding = i.steps_outstanding || [];
  return h("article", { class: "card", "data-incident": i.incident_id },
    h("h3", {}, i.title),
    h("p", {}, h("strong", {}, STATUS[i.status] || i.status), ` · opdaget ${time(i.detected_at)}`,
      i.mode === "exercise" ? " · ØVELSE" : ""),
    h("p", {}, "Nede: ", i.systems_down.length ? i.systems_down.map((s) => h("span", { class: "tag down" }, s)) : "ingen"),
    i.systems_restored.length ? h("p", {}, "Genetableret: ", i.systems_restored.map((s) => h("span", { class: "tag up-tag" }, s))) : null,
    h("p", {}, "Enheder: ", i.affected_units.join(", ") || "ikke vurderet endnu",
      i.isolated_to_single_unit ? " (kun én enhed)" : ""),
    outstanding.length
      ? h("div", {}, h("strong", {}, `Mangler (${outstanding.length}):`),
        h("ul", { class: "missing" }, outstanding.map((s) => h("li", {}, s.label || STEPS[s.step] || s.step, s.unit ? ` – ${s.unit}` : ""))))
      : h("p", { class: "done" }, "Alle planens trin er gjort."),
    h("p", {}, "Eskaleret til: ", i.escalated_to.length ? i.escalated_to.join(", ") : "ikke eskaleret"),
    h("p", {}, `Bemanding: ${i.staffing.granted} af ${i.staffing.requested} bevilget`,
      i.staffing.undecided ? `, ${i.staffing.undecided} afventer` : ""),
    h("p", {}, h("strong", { "data-pending": i.manual_records.pending }, `${i.manual_records.pending} papirregistreringer`),
      ` afventer efterregistrering (${i.manual_records.entered} indtastet)`));
}

async function situation() {
  const [picture] = await Promise.all([get("/v1/situation")]);
  const cards = h("div", { class: "cards", id: "incidents" });
  const byId = new Map();
  const render = () => {
    cards.replaceChildren(...[...byId.values()].map(incidentCard));
    if (!byId.size) cards.replaceChildren(h("p", {}, "Ingen åbne nedbrud."));
  };
  for (const i of picture.incidents) byId.set(i.incident_id, i);
  render();
  main.replaceChildren(h("h2", {}, "Situationsbillede"), contactBox(picture.contact_now), cards);
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
function follow(position, onMessage) {
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
            onOpen() { liveState(true); },
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
      liveState(false);
      await new Promise((r) => setTimeout(r, 2000));
    }
  })();
}

// Ring nu til

async function ring() {
  const contact = await get("/v1/contacts/now");
  main.replaceChildren(h("h2", {}, "Ring nu til"), contactBox(contact),
    h("p", {}, `Planens version ${contact.plan_version}. `, contact.holiday ? `Helligdag: ${contact.holiday}.` : ""));
}

// Registrér

// The steps the form records: what its "Detalje" field means for each, and the fields a step
// needs beyond it (`more`: [name, label, kind, options]; kind text, number, check or select).
const SEVERITY = [["", "Ikke vurderet"], ["low", "Lav"], ["medium", "Middel"], ["high", "Høj"], ["critical", "Kritisk"]];
const AUDIENCE = [["staff", "Medarbejdere"], ["citizens", "Borgere"], ["relatives", "Pårørende"], ["partners", "Samarbejdspartnere"]];
const STEP_DETAIL = {
  "colleagues-informed": { hint: "Ingen detalje.", fields: () => ({}) },
  "leader-informed": { hint: "Lederens medarbejdernummer.", fields: (v) => ({ leader: { id: v || "leder" } }) },
  "it-contacted": { hint: "Sagsnummer, hvis der er et (ring til nummeret under Ring nu til).", fields: (v) => ({ method: "phone", ...(v ? { reference: v } : {}) }) },
  "vendor-contacted": { hint: "Leverandørens navn.", fields: (v) => ({ vendor: v }) },
  "units-notified": { hint: "Enheder, adskilt med komma.", fields: (v) => ({ units: slugs(v) }) },
  escalated: { hint: "Til hvem: naermeste-leder, socialchef eller kommunikationsafdeling.", fields: (v) => ({ to_role: v }) },
  "note-added": { hint: "Noten.", fields: (v) => ({ text: v }) },
  "system-restored": { hint: "Systemet, der virker igen (fx nexus).", fields: (v) => ({ system: v }) },
  "restoration-verified": { hint: "Enheden, der har bekræftet, at systemerne virker.", fields: (v) => ({ unit: v }) },
  "incident-closed": { hint: "Kun hvis papir mangler i journalen: lederens begrundelse.", fields: (v) => (v ? { waiver_reason: v } : {}) },
  "alarm-received": {
    hint: "Hvad alarmen siger.", more: [["source", "Alarmen kom fra", "text"]],
    fields: (v, x) => ({ source: x.source, summary: v }),
  },
  "scope-assessed": {
    hint: "Systemer, der er nede, adskilt med komma.",
    more: [["units", "Berørte enheder (adskilt med komma)", "text"], ["isolated", "Kun én enhed er ramt", "check"],
      ["severity", "Alvor", "select", SEVERITY]],
    fields: (v, x) => ({
      affected_systems: slugs(v), affected_units: slugs(x.units), isolated_to_single_unit: x.isolated,
      ...(x.severity ? { severity: x.severity } : {}),
    }),
  },
  "escalation-assessed": {
    hint: "Begrundelsen for vurderingen.",
    more: [["leader", "Nærmeste leder skal informeres", "check"], ["socialchef", "Socialchefen skal informeres", "check"]],
    fields: (v, x) => ({ inform_nearest_leader: x.leader, inform_socialchef: x.socialchef, reason: v }),
  },
  "communications-decided": {
    hint: "Begrundelsen for beslutningen.",
    more: [["involve", "Kommunikationsafdelingen inddrages", "check"]],
    fields: (v, x) => ({ involve_communications: x.involve, reason: v }),
  },
  "communication-sent": {
    hint: "Hvad der blev meldt ud.",
    more: [["audience", "Til", "select", AUDIENCE], ["channel", "Hvordan (fx sms, intranet)", "text"]],
    fields: (v, x) => ({ audience: x.audience, channel: x.channel, summary: v }),
  },
  "workaround-agreed": {
    hint: "Hvordan der arbejdes uden IT (kun når én enhed er ramt).",
    more: [["unit", "Enhed", "text"], ["department", "Afdelingslederens medarbejdernummer", "text"],
      ["nearest", "Nærmeste leders medarbejdernummer", "text"]],
    fields: (v, x) => ({
      unit: x.unit, department_leader: { id: x.department }, nearest_leader: { id: x.nearest }, arrangement: v,
    }),
  },
  "staffing-requested": {
    hint: "Begrundelse (frivilligt).",
    more: [["unit", "Enhed", "text"], ["staff", "Antal ekstra medarbejdere", "number"]],
    fields: (v, x) => ({ unit: x.unit, extra_staff: Number(x.staff), ...(v ? { reason: v } : {}) }),
  },
};

/** The inputs a step needs beyond "Detalje", and a function that reads their values. */
function stepMore(type) {
  const inputs = (STEP_DETAIL[type].more || []).map(([name, label, kind, options]) => {
    const id = `s-${name}`;
    const input = kind === "check" ? h("input", { id, type: "checkbox" })
      : kind === "select" ? h("select", { id }, options.map(([v, t]) => h("option", { value: v }, t)))
        : h("input", { id, required: true, ...(kind === "number" ? { type: "number", min: 1, value: 1 } : {}) });
    const row = kind === "check" ? h("label", { for: id, class: "check" }, input, label) : field(label, input);
    return { name, input, row };
  });
  const values = () => Object.fromEntries(inputs.map(({ name, input }) =>
    [name, input.type === "checkbox" ? input.checked : input.value.trim()]));
  return { rows: inputs.map((i) => i.row), values };
}

async function openIncidents() {
  return (await get("/v1/situation")).incidents;
}

function incidentSelect(incidents, id) {
  return h("select", { id, required: true },
    incidents.map((i) => h("option", { value: i.incident_id }, `${i.title} (${time(i.detected_at)})`)));
}

function by() {
  return { id: session.employee || "ukendt" };
}

/**
 * Save in the browser first, then send: the form's record is never lost to a dropped network.
 * The receipt when it was sent now, true when it waits to be sent, false when it was refused.
 */
async function submit(form, path, body, label) {
  const saved = await outbox.save(path, body, label);
  const result = await outbox.flush();
  const refusedHere = result.refused.find((r) => r.key === saved.key);
  const sentHere = result.sent.find((r) => r.key === saved.key);
  await showWaiting();
  if (refusedHere) {
    say(`Afvist: ${danish(refusedHere.error)}`);
    return false;
  }
  if (result.error instanceof Offline || result.waiting) {
    say(`Gemt i browseren: ${label}. Sendes, når der er forbindelse.`, true);
  } else {
    say(`Registreret: ${label}.`, true);
  }
  // Clear what was typed for this record; keep the chosen outage and step for the next one.
  for (const input of form.querySelectorAll("input, textarea")) {
    if (input.type === "checkbox") input.checked = input.defaultChecked;
    else input.value = input.defaultValue;
  }
  return sentHere ? sentHere.answer : true;
}

async function registrer() {
  const incidents = await openIncidents().catch(() => []);
  const forms = h("div", { class: "forms" });

  const title = h("input", { id: "d-title", required: true, maxlength: 200 });
  const systems = h("input", { id: "d-systems", required: true, placeholder: "nexus, fmk" });
  const units = h("input", { id: "d-units", placeholder: "botilbud-solsikken" });
  const via = h("select", { id: "d-via" }, [["employee", "Medarbejder"], ["vendor", "Leverandør"],
    ["monitoring", "Overvågning"], ["external-system", "Andet system"]].map(([v, t]) => h("option", { value: v }, t)));
  const declare = h("form", {
    async onsubmit(e) {
      e.preventDefault();
      const sent = await submit(declare, "/v1/incidents", {
        title: title.value, detected_via: via.value, reported_by: by(),
        affected_systems: slugs(systems.value), affected_units: slugs(units.value), occurred_at: aware(),
      }, `nedbrud "${title.value}"`);
      if (sent) await registrer();  // the other forms now list the new outage
    },
  }, h("fieldset", {}, h("legend", {}, "Meld IT-nedbrud"),
    field("Hvad er nede?", title), field("Systemer", systems, "adskilt med komma"),
    field("Berørte enheder", units, "adskilt med komma"), field("Opdaget af", via),
    h("p", {}, h("button", { type: "submit" }, "Meld nedbrud"))));

  const stepIncident = incidentSelect(incidents, "s-incident");
  const stepType = h("select", { id: "s-type" }, Object.keys(STEPS).filter((s) => s in STEP_DETAIL)
    .map((s) => h("option", { value: s }, STEPS[s])));
  const stepValue = h("input", { id: "s-value" });
  const stepHint = h("p", { class: "hint", id: "s-hint", "aria-live": "polite" });
  const stepExtra = h("div", { id: "s-more" });
  let more = stepMore(stepType.value);
  const explain = () => {
    stepHint.textContent = STEP_DETAIL[stepType.value].hint;
    more = stepMore(stepType.value);
    stepExtra.replaceChildren(...more.rows);
  };
  stepType.addEventListener("change", explain);
  explain();
  const step = h("form", {
    async onsubmit(e) {
      e.preventDefault();
      const type = stepType.value, value = stepValue.value.trim();
      const body = { type, occurred_at: aware(), by: by(), ...STEP_DETAIL[type].fields(value, more.values()) };
      await submit(step, `/v1/incidents/${stepIncident.value}/events`, body, STEPS[type]);
    },
  }, h("fieldset", {}, h("legend", {}, "Registrér et trin i planen"),
    field("Nedbrud", stepIncident), field("Trin", stepType),
    field("Detalje", stepValue, "se nedenfor"), stepHint, stepExtra,
    h("p", {}, h("button", { type: "submit" }, "Registrér trin"))));

  forms.append(declare, step, recordForm(incidents, "medication"), recordForm(incidents, "care"));
  main.replaceChildren(h("h2", {}, "Registrér"), await refusedList() || "", forms);
}

function recordForm(incidents, kind) {
  const p = kind === "medication" ? "m" : "c";
  const incident = incidentSelect(incidents, `${p}-incident`);
  const unit = h("input", { id: `${p}-unit`, required: true, placeholder: "botilbud-solsikken" });
  const cpr = h("input", { id: `${p}-cpr`, required: true, inputmode: "numeric", autocomplete: "off", placeholder: "DDMMÅÅ-XXXX" });
  const name = h("input", { id: `${p}-name`, autocomplete: "off" });
  const at = h("input", { id: `${p}-at`, type: "datetime-local", value: localNow(), required: true });
  const what = h("input", { id: `${p}-what`, required: true });
  const extra = kind === "medication"
    ? h("input", { id: `${p}-dose`, required: true, placeholder: "2 tabl." })
    : h("select", { id: `${p}-status` }, [["delivered", "Givet"], ["partly", "Delvist givet"], ["missed", "Ikke givet"]]
      .map(([v, t]) => h("option", { value: v }, t)));
  const form = h("form", {
    async onsubmit(e) {
      e.preventDefault();
      const citizen = { cpr: cpr.value.trim(), ...(name.value.trim() ? { name: name.value.trim() } : {}) };
      const common = { citizen, unit: unit.value.trim(), by: by() };
      const [path, body, label] = kind === "medication"
        ? [`/v1/incidents/${incident.value}/medication-dispensings`,
          { ...common, medication: { name: what.value, dose: extra.value }, dispensed_at: aware(at.value) },
          `medicin ${unit.value} ${at.value.slice(11)}`]
        : [`/v1/incidents/${incident.value}/care-deliveries`,
          { ...common, service: what.value, status: extra.value, occurred_at: aware(at.value) },
          `visiteret hjælp ${unit.value} ${at.value.slice(11)}`];
      if (await submit(form, path, body, label)) {
        unit.value = common.unit;  // the next record is usually for the same unit
        at.value = localNow();
      }
    },
  }, h("fieldset", {}, h("legend", {}, kind === "medication" ? "Manuel medicinudlevering" : "Visiteret hjælp"),
    field("Nedbrud", incident), field("Enhed", unit), field("Borgerens CPR-nummer", cpr),
    field("Borgerens navn", name, "frivilligt"), field("Tidspunkt", at),
    kind === "medication" ? field("Præparat", what) : field("Ydelse", what),
    kind === "medication" ? field("Dosis", extra) : field("Leveret", extra),
    h("p", {}, h("button", { type: "submit" }, kind === "medication" ? "Registrér udlevering" : "Registrér hjælp"))));
  return form;
}

// Efterregistrering

async function efterregistrering() {
  const unit = h("input", { id: "b-unit", value: sessionStorage.getItem("nedbrud-unit") || "", placeholder: "botilbud-solsikken" });
  const status = h("select", { id: "b-status" }, Object.entries(RECORD_STATUS).map(([v, t]) => h("option", { value: v }, t)));
  const names = h("input", { id: "b-names", type: "checkbox" });
  const list = h("div", { class: "table", id: "worklist" });
  const count = h("p", { id: "b-count", role: "status", "aria-live": "polite" });

  let asked = 0;  // only the answer to the latest question is shown
  // afterPosition: a receipt's position; the list is shown only once it includes that write.
  async function load(afterPosition) {
    const mine = ++asked;
    sessionStorage.setItem("nedbrud-unit", unit.value.trim());
    try {
      const items = await get("/v1/back-entry", {
        unit: unit.value.trim(), status: status.value, purpose: names.checked ? "back-entry" : null,
        after_position: afterPosition,
      });
      if (mine !== asked) return;
      count.textContent = `${items.length} ${items.length === 1 ? "registrering" : "registreringer"}: ${RECORD_STATUS[status.value].toLowerCase()}`;
      list.replaceChildren(h("table", {},
        h("thead", {}, h("tr", {}, ["Tidspunkt", "Enhed", "Borger", "Hvad", "Registreret af", ""].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, items.map((i) => h("tr", { "data-record": i.record_id },
          h("td", {}, time(i.occurred_at)), h("td", {}, i.unit),
          h("td", {}, i.citizen_name ? `${i.citizen_name} (${i.citizen_cpr || ""})` : i.citizen_ref),
          h("td", {}, i.summary), h("td", {}, i.by),
          h("td", {}, i.status === "pending" ? [h("button", {
            type: "button", "aria-label": `Indtastet i journal: ${i.summary}`,
            async onclick() {
              try {
                const receipt = await request("POST", `/v1/manual-records/${i.record_id}/journal-entry`, {
                  body: { by: by(), entered_at: aware() }, idempotencyKey: crypto.randomUUID(),
                });
                say(`Indtastet i journal: ${i.summary}`, true);
                await load(receipt.position);
              } catch (error) { say(danish(error)); }
            },
          }, "Indtastet i journal"), voidForm(i, load)] : RECORD_STATUS[i.status]))))));
    } catch (error) {
      if (mine !== asked) return;
      list.replaceChildren();
      count.textContent = "";
      say(danish(error));
    }
  }
  const filters = h("form", { class: "filters", onsubmit(e) { e.preventDefault(); say(""); load(); } },
    field("Enhed", unit), field("Status", status),
    h("label", { for: "b-names", class: "check" }, names, "Vis navne og CPR (skrives i adgangsloggen)"),
    h("button", { type: "submit" }, "Vis"));
  main.replaceChildren(h("h2", {}, "Efterregistrering"),
    h("p", {}, "Papirregistreringer fra nedbruddet, der skal indtastes i journalen."), filters, count, list);
  await load();
}

/** "Annullér": a paper record made in error, with the reason; it will not be entered. */
function voidForm(item, reload) {
  const reason = h("input", { id: `v-${item.record_id}`, required: true, maxlength: 2000 });
  return h("details", { class: "void" }, h("summary", {}, "Annullér"), h("form", {
    async onsubmit(e) {
      e.preventDefault();
      try {
        const receipt = await request("POST", `/v1/manual-records/${item.record_id}/void`, {
          body: { by: by(), reason: reason.value.trim(), occurred_at: aware() },
          idempotencyKey: crypto.randomUUID(),
        });
        say(`Annulleret: ${item.summary}`, true);
        await reload(receipt.position);
      } catch (error) { say(danish(error)); }
    },
  }, field(`Begrundelse for at annullere ${item.summary}`, reason),
  h("button", { type: "submit" }, "Annullér registreringen")));
}

// Tidslinje

async function tidslinje() {
  const incidents = (await get("/v1/incidents", { status: "all" })).sort((a, b) => b.detected_at.localeCompare(a.detected_at));
  const incident = incidentSelect(incidents, "t-incident");
  const known = h("input", { id: "t-known", type: "datetime-local" });
  const table = h("div", { class: "table", id: "timeline" });
  const params = () => ({ known_at: known.value ? aware(known.value) : null });
  async function load() {
    if (!incident.value) { table.replaceChildren(h("p", {}, "Ingen nedbrud endnu.")); return; }
    const entries = await get(`/v1/incidents/${incident.value}/timeline`, params());
    table.replaceChildren(h("table", {},
      h("thead", {}, h("tr", {}, ["Skete", "Registreret", "Hændelse", "Af"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, entries.map((e) => h("tr", {}, h("td", {}, time(e.occurred_at)), h("td", {}, time(e.recorded_at)),
        h("td", {}, STEPS[e.type] || e.type, e.data.erased ? " (slettet)" : ""), h("td", {}, e.by?.id || ""))))));
  }
  async function csv() {
    const blob = await request("GET", `/v1/incidents/${incident.value}/timeline`, { params: { ...params(), format: "csv" }, accept: "text/csv" });
    const link = h("a", { href: URL.createObjectURL(blob), download: `tidslinje-${incident.value}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
  }
  const form = h("form", { class: "filters", onsubmit(e) { e.preventDefault(); load().catch((x) => say(danish(x))); } },
    field("Nedbrud", incident), field("Hvad vidste vi kl.", known, "tomt: nu"),
    h("button", { type: "submit" }, "Vis"),
    h("button", { type: "button", class: "secondary", onclick() { csv().catch((x) => say(danish(x))); } }, "Hent CSV"));
  main.replaceChildren(h("h2", {}, "Tidslinje"), form, table);
  await load();
}

// Parathed

// afterPosition: a receipt's position; the list is shown only once it includes that print.
async function parathed(afterPosition) {
  const units = await get("/v1/readiness", { after_position: afterPosition });
  const unit = h("input", { id: "p-unit", required: true, placeholder: "botilbud-solsikken" });
  const printed = h("input", { id: "p-printed", type: "datetime-local", value: localNow(), required: true });
  const asOf = h("input", { id: "p-as-of", type: "datetime-local", value: localNow(), required: true });
  const form = h("form", {
    async onsubmit(e) {
      e.preventDefault();
      const slug = unit.value.trim();
      const sent = await submit(form, `/v1/units/${encodeURIComponent(slug)}/medication-list-prints`,
        { printed_at: aware(printed.value), list_as_of: aware(asOf.value), by: by() }, `medicinliste ${slug}`);
      if (sent && sent !== true) await parathed(sent.position);
    },
  }, h("fieldset", {}, h("legend", {}, "Ny printet medicinliste"),
    field("Enhed", unit), field("Printet", printed), field("Listens indhold fra", asOf),
    h("p", {}, h("button", { type: "submit" }, "Registrér udskrift"))));
  main.replaceChildren(h("h2", {}, "Parathed: printede medicinlister"),
    h("p", {}, "Hvert botilbud skal have en printet medicinliste klar til næste nedbrud."),
    h("div", { class: "table" }, h("table", {},
      h("thead", {}, h("tr", {}, ["Enhed", "Printet", "Listens indhold fra", "Alder", ""].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, units.map((u) => h("tr", {}, h("td", {}, u.unit), h("td", {}, time(u.list_printed_at)),
        h("td", {}, time(u.list_as_of)), h("td", {}, u.age_days === null ? "–" : `${Math.floor(u.age_days)} dage`),
        h("td", { class: u.stale ? "stale" : "done" }, u.stale ? `For gammel (over ${u.max_age_days} dage)` : "OK")))))),
    form);
}

// Router

const VIEWS = { situation, ring, registrer, efterregistrering, tidslinje, parathed };

async function route() {
  if (!session.key) { login(); return; }
  const name = (location.hash.replace(/^#\//, "") || "situation").split("?")[0];
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
  try {
    await view();
  } catch (error) {
    say(danish(error));
    if (error instanceof ApiError && error.status === 401) { session.key = null; login(); }
  }
  main.focus({ preventScroll: true });
}

async function showWaiting() {
  const n = (await outbox.waiting()).length;
  const refused = (await outbox.refused()).length;
  document.getElementById("waiting").textContent = [
    n ? `${n} venter på at blive sendt` : "",
    refused ? `${refused} afvist – se Registrér` : "",
  ].filter(Boolean).join(" · ");
}

/** Records the server refused after they were saved (sent later, from the browser's queue). */
async function refusedList() {
  const items = await outbox.refused();
  if (!items.length) return null;
  const list = h("section", { "aria-labelledby": "refused-title", class: "card" },
    h("h3", { id: "refused-title" }, "Afviste registreringer"),
    h("p", {}, "Serveren tog ikke imod disse. Ret og registrér dem igen, og fjern dem så her."),
    h("ul", {}, items.map((item) => h("li", {},
      `${item.label} (gemt ${time(item.savedAt)}): `,
      h("span", { class: "errors" }, danish(new ApiError(item.problem?.status || 422, item.problem || {}))),
      " ",
      h("button", { type: "button", class: "secondary", async onclick() {
        await outbox.dismiss(item.seq);
        await showWaiting();
        await registrer();
      } }, "Fjern")))));
  return list;
}

function start() {
  document.querySelector("nav").hidden = false;
  document.querySelector(".bar").hidden = false;
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
window.addEventListener("online", () => outbox.flush().then(showWaiting));
setInterval(() => { if (session.key) outbox.flush().then(showWaiting).catch(() => {}); }, 5000);

if (session.key) start(); else login();
