// Registrér: the forms a carer or a leader fills during an outage, on a phone, with or without
// a network. Every choice the plan or the key can make is offered, not typed: the outage (the
// newest chosen), the unit (the key's own, or the outage's), systems, roles. Each form fill
// has one Idempotency-Key, so a double tap or a resend stores one record.

import { danish } from "./api.js";
import * as outbox from "./outbox.js";
import {
  aware, catalogueSystems, catalogueUnits, checks, clock, contactName, feedback, field, h, localNow,
  localOf, missing, roleName, select, stepForms, stepName, systemName, time, unitName,
} from "./ui.js";

// The words for a choice's values where the plan has none of its own (it names roles and the
// contacts), and for leaving an optional choice open.
const WORDS = {
  severity: { low: "Lav", medium: "Middel", high: "Høj", critical: "Kritisk" },
  audience: { staff: "Medarbejdere", citizens: "Borgere", relatives: "Pårørende", partners: "Samarbejdspartnere" },
  method: { phone: "Telefon", "intranet-case": "IT-sag via intranettet" },
};
const OPEN = { severity: "Ikke vurderet", channel: "Den, planen siger nu" };
const ROUTES = [["", "Ikke angivet"], ["oral", "Gennem munden"], ["s.c.", "Under huden (s.c.)"],
  ["i.m.", "I en muskel (i.m.)"], ["inhalation", "Inhalation"], ["kutan", "På huden"],
  ["rektal", "Rektalt"], ["øjne/ører", "I øjne eller ører"]];
const CARE_STATUS = [["delivered", "Givet"], ["partly", "Delvist givet"], ["missed", "Ikke givet"]];
const VIA = [["employee", "Medarbejder"], ["vendor", "Leverandør"], ["monitoring", "Overvågning"], ["external-system", "Andet system"]];

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

/** The inputs of a step's form as the plan serves it (GET /v1/plan), offering the chosen
 * outage's own choices (its units, its systems down, its staffing requests). Each reads the
 * value its field takes in the body ("" for none), can be filled again (`write`, a refused
 * step's body) and says what is missing or wrong in it (`problem`, in Danish, or null). */
function stepInputs(fields, i, ctx, prefix = "s") {
  return fields.map((f) => {
    const id = `${prefix}-${f.name}`;
    const input = (kind, options) => inputFor(id, [f.name, f.label, kind, options, !f.required]);
    switch (f.kind) {
      case "person": {
        const number = input("text");
        const name = f.name_label ? inputFor(`${id}_name`, [`${f.name}_name`, f.name_label, "text", null, true]) : null;
        const read = () => (number.read() === "" ? "" : compact({ id: number.read(), name: optional(name?.read()) }));
        const write = (v) => { number.write(v?.id ?? ""); name?.write(v?.name ?? ""); };
        return { ...number, node: [number.node, name?.node].filter(Boolean), read, write };
      }
      case "choice": {
        const word = (v) => WORDS[f.name]?.[v] || contactName(v) || roleName(v);
        return input("select", [...(f.required ? [] : [["", OPEN[f.name] || "Ikke angivet"]]), ...f.choices.map((v) => [v, word(v)])]);
      }
      case "unit": return input("select", named(unitsFor(ctx, i), unitName));
      case "units": return input("checks", named(unitsFor(ctx, i), unitName));
      case "system": return input("select", named(i?.systems_down?.length ? i.systems_down : catalogueSystems(), systemName));
      case "systems": return input("checks", named([...new Set([...catalogueSystems(), ...(i?.systems_down || [])])], systemName));
      case "staffing-request": return staffingRequest(input("select", []), i, ctx);
      case "count": {
        const counted = inputFor(id, [f.name, f.label, "count", f.minimum ?? 0, !f.required]);
        const least = f.minimum ?? 0;
        return {
          ...counted,
          read: () => (counted.read() === "" ? "" : Number(counted.read())),
          problem: () => counted.problem() || (counted.read() !== "" && !(Number(counted.read()) >= least)
            ? `„${f.label}“ skal være et tal, mindst ${least}.` : null),
        };
      }
      case "time": {
        const when = input("datetime");
        return { ...when, read: () => (when.read() ? aware(when.read()) : ""), write: (v) => when.write(localOf(v)) };
      }
      case "yes-no": return input("yes-no");
      case "free-text": return input("textarea");
      default: return input("text");
    }
  });
}

/** "Bemanding besluttet": the outage's undecided requests, as known now, then as the server
 * says when the form opens (a request recorded a moment ago is among them). */
function staffingRequest(chosen, i, ctx) {
  const none = h("p", { class: "hint note", id: `${chosen.control.id}-none` },
    "Ingen ubesluttet anmodning om ekstra bemanding er kendt for dette nedbrud. Registrér først anmodningen, eller hent siden igen.");
  chosen.control.setAttribute("aria-describedby", none.id);
  const fill = (options) => {
    const before = chosen.control.value;
    chosen.control.replaceChildren(...[["", "Vælg …"], ...options].map(([v, t]) => h("option", { value: v }, t)));
    if (options.some(([v]) => v === before)) chosen.control.value = before;
    none.hidden = options.length > 0;
  };
  fill(ctx.requests(i));
  ctx.freshRequests?.(i).then((options) => { if (options) fill(options); }).catch(() => {});
  chosen.node.append(none);
  return chosen;
}

/** One input: `control` is what gets the focus when it is missing. A required yes/no is two
 * choices with none chosen, a required select starts on "Vælg …": nothing is chosen for her. */
function inputFor(id, [name, label, kind, options, isOptional]) {
  const req = !isOptional;
  const empty = (v) => v === "" || (Array.isArray(v) && !v.length);
  const ask = kind === "checks" ? `Vælg mindst én under „${label}“.`
    : kind === "yes-no" && req ? `Svar Ja eller Nej til „${label}“.`
      : missing(label, kind === "select");
  const done = (parts) => ({ name, label, required: req, problem: () => (req && empty(parts.read()) ? ask : null), ...parts });
  if (kind === "checks") {
    const group = checks(id, label, options);
    const boxes = () => [...group.querySelectorAll("input")];
    return done({
      node: group, control: boxes()[0] || group, read: () => group.values(),
      write: (v) => boxes().forEach((b) => { b.checked = (v || []).includes(b.value); }),
    });
  }
  if (kind === "yes-no" && req) {
    const [yes, no] = [["ja", "true", "Ja"], ["nej", "false", "Nej"]].map(([suffix, value]) =>
      h("input", { type: "radio", name: id, id: `${id}-${suffix}`, value, required: true }));
    const group = h("fieldset", { id, class: "choices yes-no" }, h("legend", {}, label),
      h("label", { for: yes.id, class: "check" }, yes, "Ja"), h("label", { for: no.id, class: "check" }, no, "Nej"));
    return done({
      node: group, control: yes, read: () => (yes.checked ? true : no.checked ? false : ""),
      write: (v) => { yes.checked = v === true; no.checked = v === false; },
    });
  }
  let input;
  if (kind === "yes-no") input = h("input", { id, type: "checkbox" });
  else if (kind === "select") {
    const first = req ? [["", "Vælg …"]] : options.some(([v]) => v === "") ? [] : [["", "—"]];
    input = select(id, [...first, ...options]);
    input.required = req;
  } else if (kind === "textarea") input = h("textarea", { id, rows: 2, required: req, maxlength: 4000 });
  else if (kind === "datetime") input = h("input", { id, type: "datetime-local", required: req });
  else if (kind === "count") input = h("input", { id, type: "number", min: options, value: options, required: req, inputmode: "numeric" });
  else input = h("input", { id, required: req, maxlength: 200, autocomplete: "off" });
  const node = kind === "yes-no" ? h("label", { for: id, class: "check" }, input, label, h("span", { class: "hint" }, " (frivilligt)"))
    : field(label, input, isOptional && kind !== "select" ? "frivilligt" : null);
  const read = () => (kind === "yes-no" ? input.checked : input.value.trim());
  const write = (v) => {
    if (kind === "yes-no") input.checked = v === true;
    else {
      // What was typed is shown again, also a choice this form no longer offers by itself.
      if (kind === "select" && v && ![...input.options].some((o) => o.value === String(v))) input.append(h("option", { value: v }, v));
      input.value = v ?? "";
    }
  };
  return done({ node, control: input, read, write });
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
    const result = await outbox.deliver(saved);
    const mine = (r) => r.key === saved.key;
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
    whenDelivered(ctx, fb, saved.key, said);
    return { status: "waiting" };
  } catch (error) {
    fb.show(`Ikke gemt: ${danish(error)}`, "error");
    return { status: "refused" };
  } finally {
    button.disabled = false;
  }
}

/** What became of a record saved on the phone, said where "Gemt på telefonen" stood once the
 * outbox has sent it (by this form or by itself, back online): sent, or refused with the
 * server's reason (it waits under "Afviste registreringer", to be corrected). */
function whenDelivered(ctx, fb, key, said) {
  const stop = outbox.onFlushed((outcome) => {
    if (!fb.isConnected) { stop(); return; }  // the form is gone: the marker says the rest
    const mine = (r) => r.key === key;
    const refused = outcome.refused.find(mine);
    if (outcome.sent.some(mine)) {
      stop();
      fb.show(`Sendt kl. ${clock(new Date())}: ${said}. Den ventede på telefonen og er nu registreret.`);
      ctx.delivered?.(outcome.sent.find(mine));
    } else if (refused) {
      stop();
      fb.show(`Ikke registreret – ${danish(refused.error)} Den ligger under „Afviste registreringer“ øverst, hvor du kan rette den.`, "error");
      ctx.refusedLater?.();
    }
  });
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

/** When it happened, if not now: a step done on paper, or an outage found before it is declared.
 * Empty, it is the moment the form is sent; a refused step's time is kept when it is sent again. */
function earlier(id, initial, label = "Tidspunkt, hvis ikke nu") {
  const input = h("input", { id, type: "datetime-local" });
  if (initial) input.value = localOf(initial);
  return {
    node: field(label, input, "frivilligt – tomt er nu"),
    read: () => aware(input.value || undefined),
    clear: () => { input.value = ""; },
  };
}

function declareForm(ctx) {
  let key = outbox.newKey();
  const title = h("input", { id: "d-title", required: true, maxlength: 200, autocomplete: "off" });
  const systems = checks("d-systems", "Systemer, der er nede", named(catalogueSystems(), systemName));
  const units = checks("d-units", "Berørte enheder", named(ctx.units || catalogueUnits(), unitName),
    ctx.units?.length === 1 ? ctx.units : []);
  const via = select("d-via", VIA);
  const when = earlier("d-when", null, "Opdaget kl., hvis ikke nu");
  const button = h("button", { type: "submit" }, "Meld nedbrud");
  const fb = feedback("d-feedback");
  const form = h("form", {
    async onsubmit(e) {
      e.preventDefault();
      if (!systems.values().length) { fb.show("Vælg mindst ét system, der er nede.", "error"); return; }
      const body = {
        title: title.value.trim(), detected_via: via.value, reported_by: ctx.by(),
        affected_systems: systems.values(), affected_units: units.values(), occurred_at: when.read(),
      };
      const done = await submit(ctx, { button, fb, path: "/v1/incidents", body, label: `Nedbrud: ${body.title}`, key, said: `nedbrud "${body.title}"` });
      if (done.status === "refused") { key = outbox.newKey(); return; }
      key = outbox.newKey();
      when.clear();
      form.dispatchEvent(new Event("sent", { bubbles: true }));
      if (done.status === "sent") {
        ctx.declared({ incident_id: done.answer.incident_id, title: body.title, detected_at: new Date().toISOString(), affected_units: body.affected_units, systems_down: body.affected_systems });
      }
    },
  }, h("fieldset", {}, h("legend", {}, "Meld IT-nedbrud"),
    field("Hvad er nede?", title), systems, units, field("Opdaget af", via), when.node,
    h("p", { class: "actions" }, button), fb));
  return form;
}

/** The step form; `initial`: a refused step's body, to correct and resend (then `onDone`). */
export function stepForm(ctx, chosen, byId, initial = null, onDone = null) {
  let key = outbox.newKey();
  const p = initial ? "rs" : "s";
  const incident = incidentSelect(ctx.incidents, `${p}-incident`, chosen);
  const types = Object.keys(stepForms());
  const type = select(`${p}-type`, types.map((t) => [t, stepName(t)]), initial?.type);
  const extra = h("div", { id: `${p}-more` });
  let inputs = [];
  const explain = (values = null) => {
    inputs = stepInputs(stepForms()[type.value] || [], byId(incident.value), ctx, p);
    if (values) for (const input of inputs) if (input.name in values) input.write(values[input.name]);
    extra.replaceChildren(...inputs.flatMap((i) => i.node));
  };
  type.addEventListener("change", () => explain());
  incident.addEventListener("change", () => explain());
  explain(initial);
  const when = earlier(`${p}-when`, initial?.occurred_at);
  const button = h("button", { type: "submit" }, initial ? "Send igen" : "Registrér trin");
  const fb = feedback(`${p}-feedback`);
  const form = h("form", {
    novalidate: true,  // what is missing is said in Danish, naming the field, and focused
    async onsubmit(e) {
      e.preventDefault();
      for (const input of inputs) input.control.removeAttribute("aria-invalid");
      const wrong = inputs.find((input) => input.problem());
      if (wrong) {
        fb.show(`Ikke sendt: ${wrong.problem()}`, "error");
        wrong.control.setAttribute("aria-invalid", "true");
        wrong.control.focus();
        return;
      }
      const values = Object.fromEntries(inputs.map((i) => [i.name, i.read()]).filter(([, v]) => v !== ""));
      const body = compact({ type: type.value, occurred_at: when.read(), by: ctx.by(), ...values });
      const name = stepName(type.value);
      const path = `/v1/incidents/${incident.value}/events`;
      const done = await submit(ctx, { button, fb, path, body, label: name, key, said: name });
      key = outbox.newKey();
      if (done.status === "sent") ctx.delivered?.({ path, body, answer: done.answer });
      if (done.status !== "refused") {  // what was typed for this step is done
        explain(); when.clear();
        form.dispatchEvent(new Event("sent", { bubbles: true }));
      }
      if (done.status !== "refused") onDone?.(done);
    },
  }, h("fieldset", {}, h("legend", {}, initial ? `Ret og send igen: ${stepName(initial.type)}` : "Registrér et trin i planen"),
    h("p", { class: "hint" }, "Alle felter skal udfyldes, undtagen dem der er mærket „frivilligt“."),
    field("Nedbrud", incident), field("Trin", type), extra, when.node,
    h("p", { class: "actions" }, button), fb));
  return form;
}

/** The newest dose of the same medicine for the same CPR number (with or without its dash)
 * saved by this form on this phone and not yet sent; `key`'s own record (a double tap) is none. */
async function sameDoseWaiting(path, body, key) {
  const digits = (cpr) => String(cpr || "").replace(/\D/g, "");
  const same = (w) => w.key !== key && w.path === path
    && digits(w.body?.citizen?.cpr) === digits(body.citizen.cpr)
    && w.body?.medication?.name?.toLowerCase() === body.medication.name.toLowerCase();
  return (await outbox.waiting()).filter(same).at(-1) || null;
}

/** The medication or care form; `initial`: a refused record's body, to correct and resend. */
export function recordForm(ctx, kind, chosen, byId, initial = null, onDone = null) {
  let key = outbox.newKey();
  let warnedOf = null;  // the dose waiting on the phone she was told of: the next press saves
  let checking = false;
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
  // Left as it was drawn, the time is now when she starts the record, not when the page opened
  // (a phone left on the page over night gave her first dose of the night the evening's time).
  let atTyped = Boolean(initial);
  at.addEventListener("input", () => { atTyped = true; });
  const what = h("input", { id: `${p}-what`, required: true, maxlength: 200, autocomplete: "off" });
  for (const input of [cpr, what]) input.addEventListener("input", () => { warnedOf = null; });  // another dose
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
      const fill = key;  // this fill's Idempotency-Key, as it stands when she presses
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
      if (checking) return;  // a double tap while the outbox is looked in: the one press
      checking = true;
      button.disabled = true;
      const twin = await Promise.resolve(med ? sameDoseWaiting(path, body, fill) : null)
        .finally(() => { checking = false; button.disabled = false; });
      if (twin && twin.key !== warnedOf) {  // offline, no server can refuse a double dose yet
        warnedOf = twin.key;
        fb.show(`${body.medication.name} til ${who} venter allerede på at blive sendt: registreret givet kl. ${clock(twin.body.dispensed_at)}. Er det en ny dosis, så tryk „${button.textContent}“ igen.`, "waiting");
        return;
      }
      warnedOf = null;
      const typed = [cpr, name, what, dose, strength, note, doctorName, doctorSaid];
      const sentValues = typed.map((input) => input.value);
      const [sentAt, sentRoute, sentDoctor] = [at.value, route.value, doctor.checked];
      const done = await submit(ctx, { button, fb, path, body, label, key: fill, said });
      key = outbox.newKey();  // a new fill from here on, also after a refusal (she changes it)
      if (done.status === "refused") return;
      sessionStorage.setItem("nedbrud-unit", unit.value);  // the next record is usually for the same unit
      // Emptied for the next record, but only what still holds what was sent: what she began
      // typing for the next citizen while this one was being saved stays.
      typed.forEach((input, n) => { if (input.value === sentValues[n]) input.value = ""; });
      if (route.value === sentRoute) route.value = "";
      if (doctor.checked === sentDoctor) { doctor.checked = false; doctorBox.hidden = true; }
      if (at.value === sentAt) { at.value = localNow(); atTyped = false; }
      form.dispatchEvent(new Event("sent", { bubbles: true }));
      onDone?.(done);
    },
    onfocusin() { if (!atTyped) at.value = localNow(); },
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
