// What the dashboard needs with no network, kept in this browser.
//
// The plan (its words, roles, catalogue of systems and units) and whom to call for the next
// week hold no personal data, so they are kept for every login alike (localStorage). Whom to
// call is kept as the server's own answers to "who at time T?", asked from now, each at the
// end of the last one's window, until a week is covered: the contact rule (hours, public
// holidays, daylight-saving changes, the municipality's own plan file) stays in one place, the
// server, instead of a second copy in JavaScript that could drift from it. A week of answers
// is about 25 small requests, asked again once an hour at most.
//
// Outages seen by a login are kept in that login's own database (outbox.js: remember/recall).

import { get } from "./api.js";

const PLAN = "nedbrud-plan";
const CONTACTS = "nedbrud-contacts";
const WEEK = 7 * 24 * 3600 * 1000;

const read = (name) => { try { return JSON.parse(localStorage.getItem(name)); } catch { return null; } };
const write = (name, value) => localStorage.setItem(name, JSON.stringify({ at: new Date().toISOString(), value }));

/** The plan in force: fresh from the server when there is a network, else the kept copy. */
export async function plan() {
  try {
    const fresh = await get("/v1/plan");
    write(PLAN, fresh);
    return { value: fresh, at: new Date().toISOString(), fresh: true };
  } catch (error) {
    const kept = read(PLAN);
    if (kept) return { ...kept, fresh: false };
    throw error;
  }
}

export const keptPlan = () => read(PLAN)?.value || null;

/** Ask for whom to call over the coming week, unless the kept answers are under an hour old. */
export async function refreshContacts(force = false) {
  const kept = read(CONTACTS);
  if (!force && kept && Date.now() - Date.parse(kept.at) < 3600 * 1000) return kept.value;
  const answers = [];
  let at = null;
  const end = Date.now() + WEEK + 24 * 3600 * 1000;
  for (let i = 0; i < 60; i += 1) {
    const answer = await get("/v1/contacts/now", at ? { at } : {});
    answers.push(answer);
    if (!answer.valid_until || Date.parse(answer.valid_until) > end) break;
    at = answer.valid_until;
  }
  write(CONTACTS, answers);
  return answers;
}

/** Whom to call at `when` from the kept week, and the next one after; null when not kept. */
export function contactAt(when = new Date()) {
  const kept = read(CONTACTS);
  if (!kept) return null;
  const t = when.getTime();
  const list = kept.value;
  const i = list.findIndex((a) => (!a.valid_from || Date.parse(a.valid_from) <= t)
    && (!a.valid_until || t < Date.parse(a.valid_until)));
  if (i < 0) return null;
  return { now: list[i], next: list[i + 1] || null, keptAt: kept.at, until: list.at(-1).valid_until };
}
