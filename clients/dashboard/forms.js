// Registrér: the forms a carer or a leader fills during an outage, on a phone, with or without
// a network. Every choice the plan or the key can make is offered, not typed: the outage (the
// newest chosen), the unit (the key's own, or the outage's), systems, roles. Each form fill
// has one Idempotency-Key, so a double tap or a resend stores one record.

import { danish } from "./api.js";
import * as outbox from "./outbox.js";
import {
  aware, catalogueSystems, catalogueUnits, checks, clock, feedback, field, h, localNow, localOf,
  roleName, select, stepName, systemName, time, unitName,
} from "./ui.js";

const SEVERITY = [["", "Ikke vurderet"], ["low", "Lav"], ["medium", "Middel"], ["high", "Høj"], ["critical", "Kritisk"]];
const AUDIENCE = [["staff", "Medarbejdere"], ["citizens", "Borgere"], ["relatives", "Pårørende"], ["partners", "Samarbejdspartnere"]];
const METHOD = [["phone", "Telefon"], ["intranet-case", "IT-sag via intranettet"]];
const ROUTES = [["", "Ikke angivet"], ["oral", "Gennem munden"], ["s.c.", "Under huden (s.c.)"],
  ["i.m.", "I en muskel (i.m.)"], ["inhalation", "Inhalation"], ["kutan", "På huden"],
  ["rektal", "Rektalt"], ["øjne/ører", "I øjne eller ører"]];
const CARE_STATUS = [["delivered", "Givet"], ["partly", "Delvist givet"], ["missed", "Ikke givet"]];
const VIA = [["employee", "Medarbejder"], ["vendor", "Leverandør"], ["monitoring", "Overvågning"], ["external-system", "Andet system"]];
const ESCALATE_TO = ["naermeste-leder", "socialchef", "kommunikationsafdeling"];

const named = (slugs, name) => slugs.map((s) => [s, name(s)]);
const optional = (value) => (value === "" || value === undefined ? undefined : value);
const compact = (o) => JSON.parse(JSON.stringify(o));

/** The units a form offers: the key's own if it has any, else the outage's, else the plan's. */
function unitsFor(ctx, incident) {
  const mine = ctx.units;
  const outage = incident?.affected_units || [];
  if (mine) return outage.length ? mine.filter((u) => outage.includes(u)).concat(mine.filter((u) => !outage.includes(u))) : mine;
  return outage.length ? outage : [...new Set([...catalogueUnits(), ...ctx.incidents.flatMap((i) => i.affected_units)])];
}

// The fields each step takes beyond the outage and when: name, label, kind, options, optional.
// A function of the chosen outage, for the choices it offers (its units, its systems down).
const STEP_FIELDS = {
  "colleagues-informed": () => [],
  "leader-informed": () => [["leader", "Nærmeste leders medarbejdernummer", "text"],
    ["leader_name", "Nærmeste leders navn", "text", null, true]],
  "it-contacted": () => [["method", "Hvordan", "select", METHOD],
    ["channel", "Hvem", "select", [["", "Den, planen siger nu"], ["service-desk", "Service Desk"], ["it-vagt", "IT-vagt"], ["beredskab", "Beredskabet"]], true],
    ["reference", "Sagsnummer", "text", null, true]],
  "vendor-contacted": () => [["vendor", "Leverandør", "text"], ["reference", "Sagsnummer", "text", null, true]],
  "alarm-received": () => [["source", "Alarmen kom fra", "text"], ["summary", "Hvad alarmen siger", "text"]],
  "scope-assessed": (i, ctx) => [["affected_systems", "Systemer, der er nede", "checks", named([...new Set([...catalogueSystems(), ...(i?.systems_down || [])])], systemName)],
    ["affected_units", "Berørte enheder", "checks", named(unitsFor(ctx, i), unitName)],
    ["isolated_to_single_unit", "Kun én enhed er ramt", "check"], ["severity", "Alvor", "select", SEVERITY, true],
    ["expected_restoration_at", "Forventes at virke igen", "datetime", null, true]],
  "units-notified": (i, ctx) => [["units", "Enheder, IT har informeret", "checks", named(unitsFor(ctx, i), unitName)]],
  "escalation-assessed": () => [["inform_nearest_leader", "Nærmeste leder skal informeres", "check"],
    ["inform_socialchef", "Socialchefen skal informeres", "check"], ["reason", "Begrundelse", "textarea"]],
  escalated: () => [["to_role", "Eskaleret til", "select", named(ESCALATE_TO, roleName)]],
  "communications-decided": () => [["involve_communications", "Kommunikationsafdelingen inddrages", "check"],
    ["reason", "Begrundelse", "textarea"]],
  "workaround-agreed": (i, ctx) => [["unit", "Enhed", "select", named(unitsFor(ctx, i), unitName)],
    ["department_leader", "Afdelingslederens medarbejdernummer", "text"],
    ["nearest_leader", "Nærmeste leders medarbejdernummer", "text"],
    ["arrangement", "Hvordan der arbejdes uden IT", "textarea"]],
  "staffing-requested": (i, ctx) => [["unit", "Enhed", "select", named(unitsFor(ctx, i), unitName)],
    ["extra_staff", "Antal ekstra medarbejdere", "number"], ["reason", "Begrundelse", "textarea", null, true]],
  "staffing-decided": (i, ctx) => [["request_event_id", "Anmodningen", "select", ctx.requests(i)],
    ["granted_staff", "Antal bevilgede medarbejdere", "number0"]],
  "communication-sent": () => [["audience", "Til", "select", AUDIENCE], ["channel", "Hvordan (fx sms, intranet)", "text"],
    ["summary", "Hvad der blev meldt ud", "textarea"]],
  "note-added": () => [["text", "Note", "textarea"]],
  "system-restored": (i) => [["system", "System", "select", named(i?.systems_down?.length ? i.systems_down : catalogueSystems(), systemName)]],
  "restoration-verified": (i, ctx) => [["unit", "Enhed", "select", named(unitsFor(ctx, i), unitName)]],
  "incident-closed": () => [["waiver_reason", "Lederens begrundelse, hvis papir mangler i journalen", "textarea", null, true]],
};

/** What a step's values become in its body. */
function stepBody(type, v) {
  switch (type) {
    case "leader-informed": return { leader: compact({ id: v.leader, name: optional(v.leader_name) }) };
    case "workaround-agreed": return { ...v, department_leader: { id: v.department_leader }, nearest_leader: { id: v.nearest_leader } };
    case "staffing-requested": return { ...v, extra_staff: Number(v.extra_staff) };
    case "staffing-decided": return { ...v, granted_staff: Number(v.granted_staff) };
    case "scope-assessed": return { ...v, expected_restoration_at: v.expected_restoration_at ? aware(v.expected_restoration_at) : undefined };
    default: return v;
  }
}

function inputFor(id, [name, label, kind, options, isOptional]) {
  const req = !isOptional;
  let input;
  if (kind === "check") input = h("input", { id, type: "checkbox" });
  else if (kind === "checks") return { name, node: checks(id, label, options), read: (n) => n.values() };
  else if (kind === "select") input = select(id, options);
  else if (kind === "textarea") input = h("textarea", { id, rows: 2, required: req, maxlength: 4000 });
  else if (kind === "datetime") input = h("input", { id, type: "datetime-local", required: req });
  else if (kind === "number" || kind === "number0") input = h("input", { id, type: "number", min: kind === "number" ? 1 : 0, value: kind === "number" ? 1 : 0, required: true, inputmode: "numeric" });
  else input = h("input", { id, required: req, maxlength: 200, autocomplete: "off" });
  const node = kind === "check" ? h("label", { for: id, class: "check" }, input, label)
    : field(label, input, isOptional && kind !== "select" ? "frivilligt" : null);
  const read = () => (kind === "check" ? input.checked : input.value.trim());
  return { name, node, read };
}

/**
 * Save in the browser first, then send: the form's record is never lost to a dropped network.
 * Says what became of it beside the button. Resolves to "sent" (with .answer), "waiting" or
 * "refused"; a refused record stays in its form, with the reason, to be corrected.
 */
async function submit(ctx, { button, fb, path, body, label, key, said }) {
  button.disabled = true;
  try {
    const saved = await outbox.save(path, body, label, key);
    let result = await outbox.flush();
    const mine = (r) => r.key === saved.key;
    if (!result.sent.some(mine) && !result.refused.some(mine) && !result.error) result = await outbox.flush();
    const refused = result.refused.find(mine);
    await ctx.showWaiting();
    if (refused) {
      await outbox.dismiss(refused.seq);  // it stays in the form, where she corrects it
      await ctx.showWaiting();
      fb.show(`Ikke registreret – ${danish(refused.error)}`, "error");
      return { status: "refused" };
    }
    const sent = result.sent.find(mine);
    if (sent) {
      fb.show(`Registreret kl. ${clock(new Date())}: ${said}.`);
      return { status: "sent", answer: sent.answer };
    }
    fb.show(result.error instanceof outbox.Offline || !navigator.onLine
      ? `Gemt på telefonen: ${said}. Sendes af sig selv, når der er forbindelse.`
      : `Gemt på telefonen: ${said}. Serveren svarer ikke lige nu; den sendes af sig selv.`, "waiting");
    return { status: "waiting" };
  } catch (error) {
    fb.show(`Ikke gemt: ${danish(error)}`, "error");
    return { status: "refused" };
  } finally {
    button.disabled = false;
  }
}

function incidentSelect(incidents, id, chosen) {
  const s = h("select", { id, required: true },
    incidents.map((i) => h("option", { value: i.incident_id }, `${i.title} (${time(i.detected_at)})`)));
  if (chosen && incidents.some((i) => i.incident_id === chosen)) s.value = chosen;
  return s;
}

/** The forms of Registrér. ctx: incidents (newest first), units (the key's, null: all), … */
export function forms(ctx) {
  const incidents = ctx.incidents;
  const chosen = ctx.chosen || incidents[0]?.incident_id;
  const byId = (id) => incidents.find((i) => i.incident_id === id);
  const parts = [];
  if (incidents.length) {
    parts.push(recordForm(ctx, "medication", chosen, byId), recordForm(ctx, "care", chosen, byId), stepForm(ctx, chosen, byId));
  } else {
    parts.push(h("p", { class: "card" }, "Intet åbent nedbrud er kendt her. Meld nedbruddet nedenfor; er det allerede meldt, vises det, når der er forbindelse."));
  }
  parts.push(declareForm(ctx));
  return parts;
}

function declareForm(ctx) {
  let key = outbox.newKey();
  const title = h("input", { id: "d-title", required: true, maxlength: 200, autocomplete: "off" });
  const systems = checks("d-systems", "Systemer, der er nede", named(catalogueSystems(), systemName));
  const units = checks("d-units", "Berørte enheder", named(ctx.units || catalogueUnits(), unitName),
    ctx.units?.length === 1 ? ctx.units : []);
  const via = select("d-via", VIA);
  const button = h("button", { type: "submit" }, "Meld nedbrud");
  const fb = feedback("d-feedback");
  const form = h("form", {
    async onsubmit(e) {
      e.preventDefault();
      if (!systems.values().length) { fb.show("Vælg mindst ét system, der er nede.", "error"); return; }
      const body = {
        title: title.value.trim(), detected_via: via.value, reported_by: ctx.by(),
        affected_systems: systems.values(), affected_units: units.values(), occurred_at: aware(),
      };
      const done = await submit(ctx, { button, fb, path: "/v1/incidents", body, label: `Nedbrud: ${body.title}`, key, said: `nedbrud "${body.title}"` });
      if (done.status === "refused") { key = outbox.newKey(); return; }
      key = outbox.newKey();
      if (done.status === "sent") {
        ctx.declared({ incident_id: done.answer.incident_id, title: body.title, detected_at: new Date().toISOString(), affected_units: body.affected_units, systems_down: body.affected_systems });
      }
    },
  }, h("fieldset", {}, h("legend", {}, "Meld IT-nedbrud"),
    field("Hvad er nede?", title), systems, units, field("Opdaget af", via),
    h("p", { class: "actions" }, button), fb));
  return form;
}

function stepForm(ctx, chosen, byId) {
  let key = outbox.newKey();
  const incident = incidentSelect(ctx.incidents, "s-incident", chosen);
  const types = Object.keys(STEP_FIELDS);
  const type = select("s-type", types.map((t) => [t, stepName(t)]));
  const extra = h("div", { id: "s-more" });
  let inputs = [];
  const explain = () => {
    inputs = STEP_FIELDS[type.value](byId(incident.value), ctx).map((f) => inputFor(`s-${f[0]}`, f));
    extra.replaceChildren(...inputs.map((i) => i.node));
  };
  type.addEventListener("change", explain);
  incident.addEventListener("change", explain);
  explain();
  const button = h("button", { type: "submit" }, "Registrér trin");
  const fb = feedback("s-feedback");
  const form = h("form", {
    async onsubmit(e) {
      e.preventDefault();
      const values = Object.fromEntries(inputs.map((i) => [i.name, i.read(i.node)]).filter(([, v]) => v !== ""));
      const body = compact({ type: type.value, occurred_at: aware(), by: ctx.by(), ...stepBody(type.value, values) });
      const name = stepName(type.value);
      const done = await submit(ctx, { button, fb, path: `/v1/incidents/${incident.value}/events`, body, label: name, key, said: name });
      key = outbox.newKey();
      if (done.status !== "refused") explain();  // what was typed for this step is done
    },
  }, h("fieldset", {}, h("legend", {}, "Registrér et trin i planen"),
    field("Nedbrud", incident), field("Trin", type), extra,
    h("p", { class: "actions" }, button), fb));
  return form;
}

/** The medication or care form; `initial`: a refused record's body, to correct and resend. */
export function recordForm(ctx, kind, chosen, byId, initial = null, onDone = null) {
  let key = outbox.newKey();
  const med = kind === "medication";
  const p = initial ? (med ? "rm" : "rc") : (med ? "m" : "c");
  const incident = incidentSelect(ctx.incidents, `${p}-incident`, chosen);
  const unit = h("select", { id: `${p}-unit`, required: true });
  const fillUnits = () => {
    const offered = unitsFor(ctx, byId(incident.value));
    const before = unit.value || initial?.unit || sessionStorage.getItem("nedbrud-unit");
    unit.replaceChildren(...offered.map((u) => h("option", { value: u }, unitName(u))));
    if (offered.includes(before)) unit.value = before;
  };
  incident.addEventListener("change", fillUnits);
  fillUnits();
  const cpr = h("input", { id: `${p}-cpr`, required: true, inputmode: "numeric", autocomplete: "off", placeholder: "DDMMÅÅ-XXXX", maxlength: 11 });
  const name = h("input", { id: `${p}-name`, autocomplete: "off", maxlength: 200 });
  const at = h("input", { id: `${p}-at`, type: "datetime-local", value: localNow(), required: true });
  const what = h("input", { id: `${p}-what`, required: true, maxlength: 200, autocomplete: "off" });
  const dose = h("input", { id: `${p}-dose`, required: true, maxlength: 200, placeholder: "fx 2 tabl.", autocomplete: "off" });
  const strength = h("input", { id: `${p}-strength`, maxlength: 200, placeholder: "fx 500 mg", autocomplete: "off" });
  const route = select(`${p}-route`, ROUTES);
  const printed = h("input", { id: `${p}-printed`, type: "datetime-local" });
  const doctor = h("input", { id: `${p}-doctor`, type: "checkbox" });
  const doctorName = h("input", { id: `${p}-doctor-name`, maxlength: 200, autocomplete: "off" });
  const doctorSaid = h("textarea", { id: `${p}-doctor-said`, rows: 2, maxlength: 4000 });
  const doctorBox = h("div", { hidden: true }, field("Lægens navn", doctorName), field("Hvad lægen sagde", doctorSaid));
  doctor.addEventListener("change", () => {
    doctorBox.hidden = !doctor.checked;
    doctorName.required = doctorSaid.required = doctor.checked;
  });
  const note = h("textarea", { id: `${p}-note`, rows: 2, maxlength: 4000 });
  const status = select(`${p}-status`, CARE_STATUS);
  if (initial) {
    cpr.value = initial.citizen?.cpr || "";
    name.value = initial.citizen?.name || "";
    at.value = localOf(med ? initial.dispensed_at : initial.occurred_at);
    what.value = med ? initial.medication?.name || "" : initial.service || "";
    note.value = initial.note || "";
    if (med) {
      dose.value = initial.medication?.dose || "";
      strength.value = initial.medication?.strength || "";
      route.value = initial.medication?.route || "";
      printed.value = localOf(initial.source_list_printed_at);
      if (initial.doctor_consulted) {
        doctor.checked = true; doctorBox.hidden = false;
        doctorName.value = initial.doctor_consulted.doctor; doctorSaid.value = initial.doctor_consulted.outcome;
      }
    } else status.value = initial.status || "delivered";
  }
  const button = h("button", { type: "submit" }, initial ? "Send igen" : (med ? "Registrér udlevering" : "Registrér hjælp"));
  const fb = feedback(`${p}-feedback`);
  const form = h("form", {
    async onsubmit(e) {
      e.preventDefault();
      const citizen = compact({ cpr: cpr.value.trim(), name: optional(name.value.trim()) });
      const common = { citizen, unit: unit.value, by: ctx.by(), note: optional(note.value.trim()) };
      const who = citizen.name || "borgeren";
      const hhmm = at.value.slice(11);
      const [path, body, label, said] = med
        ? [`/v1/incidents/${incident.value}/medication-dispensings`, compact({
          ...common, dispensed_at: aware(at.value),
          medication: { name: what.value.trim(), dose: dose.value.trim(), strength: optional(strength.value.trim()), route: optional(route.value) },
          source_list_printed_at: printed.value ? aware(printed.value) : undefined,
          doctor_consulted: doctor.checked ? { doctor: doctorName.value.trim(), outcome: doctorSaid.value.trim() } : undefined,
        }), `Medicin: ${what.value.trim()} ${dose.value.trim()}, ${unitName(unit.value)} kl. ${hhmm}`,
        `${what.value.trim()} ${dose.value.trim()} til ${who} kl. ${hhmm}`]
        : [`/v1/incidents/${incident.value}/care-deliveries`, compact({
          ...common, service: what.value.trim(), status: status.value, occurred_at: aware(at.value),
        }), `Hjælp: ${what.value.trim()}, ${unitName(unit.value)} kl. ${hhmm}`,
        `${what.value.trim()} (${CARE_STATUS.find(([v]) => v === status.value)[1].toLowerCase()}) til ${who} kl. ${hhmm}`];
      const typed = [cpr, name, what, dose, strength, note, doctorName, doctorSaid];
      const sentValues = typed.map((input) => input.value);
      const [sentAt, sentRoute, sentDoctor] = [at.value, route.value, doctor.checked];
      const done = await submit(ctx, { button, fb, path, body, label, key, said });
      key = outbox.newKey();  // a new fill from here on, also after a refusal (she changes it)
      if (done.status === "refused") return;
      sessionStorage.setItem("nedbrud-unit", unit.value);  // the next record is usually for the same unit
      // Emptied for the next record, but only what still holds what was sent: what she began
      // typing for the next citizen while this one was being saved stays.
      typed.forEach((input, n) => { if (input.value === sentValues[n]) input.value = ""; });
      if (route.value === sentRoute) route.value = "";
      if (doctor.checked === sentDoctor) { doctor.checked = false; doctorBox.hidden = true; }
      if (at.value === sentAt) at.value = localNow();
      onDone?.(done);
    },
  }, h("fieldset", {}, h("legend", {}, initial ? `Ret og send igen: ${med ? "medicinudlevering" : "visiteret hjælp"}` : (med ? "Manuel medicinudlevering" : "Visiteret hjælp")),
    field("Nedbrud", incident), field("Enhed", unit), field("Borgerens CPR-nummer", cpr),
    field("Borgerens navn", name, "frivilligt"), field("Tidspunkt", at),
    med ? field("Præparat", what) : field("Ydelse", what),
    med ? field("Dosis", dose) : field("Leveret", status),
    h("details", { class: "more" }, h("summary", {}, med ? "Styrke, indgivelse, medicinliste, læge, note" : "Note"),
      med ? [field("Styrke", strength, "frivilligt"), field("Indgivelsesmåde", route),
        field("Den printede medicinliste er fra", printed, "frivilligt"),
        h("label", { for: doctor.id, class: "check" }, doctor, "Læge kontaktet, fordi der var tvivl om medicindoseringen"), doctorBox] : [],
      field("Note", note, "frivilligt")),
    h("p", { class: "actions" }, button), fb));
  if (initial && (initial.note || initial.doctor_consulted || initial.source_list_printed_at || initial.medication?.strength)) {
    form.querySelector("details").open = true;
  }
  return form;
}
