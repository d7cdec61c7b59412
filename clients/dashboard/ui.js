// Small helpers of the dashboard, and the plan's words for what the API names in slugs.

import { keptPlan } from "./offline.js";

export function h(tag, attrs = {}, ...children) {
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

export const time = (iso) => (iso ? new Date(iso).toLocaleString("da-DK", { dateStyle: "short", timeStyle: "short" }) : "–");
export const clock = (iso) => new Date(iso).toLocaleTimeString("da-DK", { hour: "2-digit", minute: "2-digit" });

/** "1 dag", "2 dage": a count with the right form of its noun. */
export const count = (n, one, many) => `${n} ${n === 1 ? one : many}`;

let fieldIds = 0;
export function field(label, input, hint) {
  input.id ||= `f-${(fieldIds += 1)}`;
  return h("div", { class: "field" }, h("label", { for: input.id }, label,
    hint ? h("span", { class: "hint" }, ` (${hint})`) : null), input);
}

export function select(id, options, value) {
  const s = h("select", { id }, options.map(([v, t]) => h("option", { value: v }, t)));
  if (value !== undefined && options.some(([v]) => v === value)) s.value = value;
  return s;
}

/** A group of checkboxes, one per option; `.values()` gives the ticked ones. */
export function checks(id, legend, options, ticked = []) {
  const boxes = options.map(([v, t], i) => {
    const box = h("input", { type: "checkbox", id: `${id}-${i}`, value: v });
    box.checked = ticked.includes(v);
    return h("label", { for: box.id, class: "check" }, box, t);
  });
  const group = h("fieldset", { id, class: "choices" }, h("legend", {}, legend), boxes);
  group.values = () => [...group.querySelectorAll("input:checked")].map((b) => b.value);
  return group;
}

export function localNow() {
  const d = new Date();
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
}

/** A datetime-local value as RFC 3339 with this browser's offset. */
export function aware(value) {
  const d = value ? new Date(value) : new Date();
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const pad = (n) => String(Math.floor(Math.abs(n))).padStart(2, "0");
  const local = new Date(d.getTime() + offset * 60000).toISOString().slice(0, 19);
  return `${local}${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}

/** A datetime-local value from an RFC 3339 time (for a form filled again). */
export function localOf(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
}

// The plan's words (GET /v1/plan, kept for offline): one name for each step, role, system, unit.

const plain = (slug) => {
  const text = String(slug).replace(/[-_]+/g, " ").trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
};
const plan = () => keptPlan() || { steps: {}, roles: {}, forms: {}, contacts: [], catalogue: { systems: [], units: [] } };

export const stepName = (type) => plan().steps[type] || plain(type);
export const roleName = (role) => plan().roles[role] || plain(role);
export const systemName = (slug) => plan().catalogue.systems.find((s) => s.slug === slug)?.name || plain(slug);
export const unitName = (slug) => plan().catalogue.units.find((u) => u.slug === slug)?.name || plain(slug);
export const catalogueUnits = () => plan().catalogue.units.map((u) => u.slug);
export const contactName = (channel) => [...(plan().contacts || []), plan().fallback].find((c) => c?.channel === channel)?.label;
/** Each step's form, as the plan serves it: its fields, their kinds and labels, by step type. */
export const stepForms = () => plan().forms || {};
export const catalogueSystems = () => plan().catalogue.systems.map((s) => s.slug);

/** Who did it, as a person reads it: the name if given, else the employee number, said so. */
/** A citizen whose name this key may not see now: the end of the reference, said to be hidden. */
export const hiddenCitizen = (ref) => `Borger …${ref.slice(-6)} (navn skjult)`;
export const person = (by) => (by ? by.name || (by.id ? `medarbejder ${by.id.replace(/^emp-/, "")}` : "") : "");

/** Feedback beside a form's button, read out by screen readers. */
export function feedback(id) {
  const p = h("p", { class: "feedback", id, role: "status", "aria-live": "polite" });
  p.show = (text, kind = "ok") => {
    p.textContent = text;
    p.className = `feedback ${kind}`;
    p.scrollIntoView({ block: "nearest" });
  };
  return p;
}

/** A required field left empty, said as the step forms and the browser's checks both say it. */
export const missing = (label, choosing) => (choosing ? `Vælg „${label}“.` : `Udfyld „${label}“.`);

/** What is missing or wrong in a field, said in Danish and naming its label. The browser's own
 * message follows the phone's language (English on many set up by IT), not the page's. */
export function danishValidity(field) {
  const v = field.validity;
  const label = labelOf(field);
  if (v.valueMissing) return missing(label, field.tagName === "SELECT" || field.type === "radio" || field.type === "checkbox");
  if (v.rangeUnderflow) return `„${label}“ skal være mindst ${field.min}.`;
  if (v.rangeOverflow) return `„${label}“ må højst være ${field.max}.`;
  if (v.tooLong) return `„${label}“ må højst være ${field.maxLength} tegn.`;
  if (v.badInput || v.typeMismatch || v.patternMismatch || v.stepMismatch) return `„${label}“ er ikke skrevet rigtigt.`;
  return "";
}

/** A field's name as she sees it: its label's own words (not its hint), a choice's question. */
function labelOf(field) {
  const legend = field.closest("fieldset")?.querySelector("legend")?.textContent;
  if ((field.type === "radio" || field.type === "checkbox") && legend) return legend.trim();
  const label = field.labels?.[0];
  const words = label ? [...label.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join("") : "";
  return (words || field.getAttribute("aria-label") || legend || "feltet").trim();
}

// Every form of the dashboard: a field the browser finds missing or wrong says so in Danish.
document.addEventListener("invalid", (e) => {
  const field = e.target;
  field.setCustomValidity("");  // judged by what it holds now, not by the last message
  if (!field.validity.valid) field.setCustomValidity(danishValidity(field));
}, true);
for (const kind of ["input", "change"]) {
  document.addEventListener(kind, (e) => e.target.setCustomValidity?.(""), true);
}
// A send judges the form as it is (a field filled by the page, not typed, keeps no old message).
document.addEventListener("click", (e) => {
  const button = e.target.closest?.("button");
  if (button?.form && button.type === "submit") for (const f of button.form.elements) f.setCustomValidity?.("");
}, true);
