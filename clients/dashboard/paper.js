// Paper, for when the screens go dark: the plan's whole contact schedule (it prints with "Ring nu
// til"), the action cards and a unit's paper kit as PDFs, and every field of a timeline event for
// its printout. The kept plan (offline.js) gives the schedule with no network too.

import { danish, get, request, session } from "./api.js";
import { keptPlan } from "./offline.js";
import { feedback, h, unitName } from "./ui.js";

const DAYS = [["mon", "Mandag"], ["tue", "Tirsdag"], ["wed", "Onsdag"], ["thu", "Torsdag"],
  ["fri", "Fredag"], ["sat", "Lørdag"], ["sun", "Søndag"]];
const DAY_OF = Object.fromEntries(DAYS);
const hours = (texts) => (texts?.length ? texts.map((t) => t.replace(/:/g, ".").replace("-", "–")).join(", ") : "–");

/** Kontaktoplysninger, whole: each day's hours per channel, the fallback, the holiday rule. */
export function contactSchedule(plan = keptPlan()) {
  if (!plan) return h("p", { class: "hint" }, "Planens kontaktskema er ikke hentet på denne telefon endnu.");
  const lines = [...plan.contacts, plan.fallback];
  const follow = plan.holidays.follow;
  return h("section", { class: "schedule", id: "kontaktskema", "aria-labelledby": "schedule-title" },
    h("h3", { id: "schedule-title" }, "Hele kontaktskemaet"),
    h("div", { class: "table", role: "region", "aria-label": "Kontaktskema for hele ugen", tabindex: 0 }, h("table", {},
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Dag"),
        plan.contacts.map((c) => h("th", { scope: "col" }, `${c.label} (${c.phone})`)),
        h("th", { scope: "col" }, `${plan.fallback.label} (${plan.fallback.phone})`))),
      h("tbody", {}, DAYS.map(([day, name]) => h("tr", { "data-day": day }, h("th", { scope: "row" }, name),
        plan.contacts.map((c) => h("td", { "data-label": c.label }, hours(c.hours[day]))),
        h("td", { "data-label": plan.fallback.label }, "alle andre tider")))))),
    h("ul", { class: "notes" }, lines.map((c) => h("li", {}, h("strong", {}, `${c.label}: `),
      h("a", { href: `tel:${c.phone.replace(/\s/g, "")}` }, c.phone), c.note ? ` – ${c.note}` : ""))),
    h("p", {}, h("strong", {}, "Helligdage: "), follow === "own-day"
      ? "har ugedagens normale tider."
      : `følger ${DAY_OF[follow].toLowerCase()}ens tider (${plan.holidays.observed.length} helligdage).`),
    h("p", { class: "actions screen-only" }, h("button", {
      type: "button", class: "secondary", id: "action-cards",
      async onclick() { await save("/v1/plan/action-cards", {}, "action-cards.pdf").catch(() => {}); },
    }, "Action cards og kontaktskema (PDF)")));
}

/** Downloads the PDF; its answer's headers are returned. */
async function save(path, params, name) {
  const { body, headers } = await request("GET", path, { params, accept: "application/pdf", withHeaders: true });
  const link = h("a", { href: URL.createObjectURL(body), download: name });
  document.body.append(link);
  link.click();
  link.remove();
  return headers;
}

/** "Udskriv nødpakke" for each unit: with names and CPR only when asked (formål: behandling,
 * and the print is then recorded as the unit's printed medication list). */
export function paperKit(units, onPrinted) {
  const names = h("input", { id: "k-names", type: "checkbox" });
  const fb = feedback("k-feedback");
  const buttons = units.map((unit) => h("button", {
    type: "button", class: "secondary", "data-kit": unit,
    async onclick(e) {
      const button = e.currentTarget;
      button.disabled = true;
      try {
        const picture = await get("/v1/situation").catch(() => ({ incidents: [] }));
        const outage = picture.incidents.find((i) => i.affected_units.includes(unit));
        const purpose = names.checked ? "treatment" : null;
        const headers = await save(`/v1/units/${encodeURIComponent(unit)}/paper-kit`,
          { incident: outage?.incident_id, purpose, by: purpose ? session.employee || null : null },
          `noedpakke-${unit}.pdf`);
        const said = `Nødpakken for ${unitName(unit)} er hentet${outage ? ` til «${outage.title}»` : ""}.`
          + (purpose ? " Registreret som printet medicinliste." : "");
        // The view is drawn again once readiness has the print; said in the new one.
        if (purpose) await onPrinted?.(headers.get("Nedbrud-Position") || undefined);
        document.getElementById("k-feedback")?.show(said);
      } catch (error) {
        fb.show(danish(error), "error");
      } finally { button.disabled = false; }
    },
  }, `Udskriv nødpakke: ${unitName(unit)}`));
  return h("section", { class: "kit screen-only", "aria-labelledby": "kit-title" },
    h("h3", { id: "kit-title" }, "Udskriv nødpakke"),
    h("p", {}, "Kontaktskema, action cards, nødlisten efter tidspunkt med QR-koder og tomme registreringsark."),
    h("label", { for: names.id, class: "check" }, names, "Med navne og CPR (formål: behandling – skrives i adgangsloggen)"),
    h("p", { class: "actions" }, buttons), fb);
}

/** Every field of a timeline event, for its printout: what was recorded, not only its kind (a
 * row under the event's, as wide as the table). */
export function eventFields(entry, columns) {
  const rows = [];
  const add = (key, value) => {
    if (value === null || value === undefined || value === "") return;
    if (typeof value === "object" && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) add(`${key}.${k}`, v);
    } else rows.push([key, Array.isArray(value) ? value.map((v) => (typeof v === "object" ? JSON.stringify(v) : v)).join(", ") : String(value)]);
  };
  for (const [k, v] of Object.entries(entry)) if (k !== "data") add(k, v);
  for (const [k, v] of Object.entries(entry.data || {})) if (!(k in entry)) add(k, v);  // `by` once
  return h("tr", { class: "fields print-only", "data-fields": entry.event_id }, h("td", { colspan: columns },
    h("dl", {}, rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]))));
}
