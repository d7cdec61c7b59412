// Runde: a carer's round on a phone during an outage. The unit's occurrences from its emergency
// list (GET /v1/incidents/{id}/rounds), vital overdue first; one tap on "Givet" or "Ikke givet"
// records it through the outbox, so it works with no network; what another carer records comes
// in live over the situation stream.
//
// `#/runde?unit=U&incident=I&occurrence=O` opens on that occurrence with its buttons focused:
// the paper kit's QR codes point here, so the URL keeps that form.
//
// Names and what a medication is are personal: shown only when she ticks "Vis navne og medicin"
// (the purpose `treatment`, each citizen written to the access log by the server). The answers
// are kept for this tab alone (sessionStorage, as the key is): with the network gone, the round
// she had open still reloads and still records; nothing of it outlives the tab or the login.

import { ApiError, danish, get, givenAt, Offline, problemText } from "./api.js";
import * as outbox from "./outbox.js";
import { aware, clock, h, hiddenCitizen, person, select, time, unitName } from "./ui.js";

const PURPOSE = "treatment";
const STATUS = { overdue: "For sent", due: "Skal gives nu", upcoming: "Senere", given: "Givet", missed: "Ikke givet" };
const OPEN = new Set(["overdue", "due", "upcoming"]);
const KEPT = "nedbrud-runde:";
const NAMES = "nedbrud-runde-names";

const params = () => new URLSearchParams(location.hash.split("?")[1] || "");
const keptName = (incident, unit) => `${KEPT}${incident}:${unit}`;
const keep = (incident, unit, value) => sessionStorage.setItem(keptName(incident, unit), JSON.stringify(value));
const kept = (incident, unit) => {
  try { return JSON.parse(sessionStorage.getItem(keptName(incident, unit))); } catch { return null; }
};

/** Nothing of a round stays behind a logout (the next person on the phone is someone else). */
document.getElementById("logout")?.addEventListener("click", () => {
  for (const name of Object.keys(sessionStorage)) if (name.startsWith(KEPT) || name === NAMES) sessionStorage.removeItem(name);
});

/** Each occurrence's records waiting in the outbox or refused there, by occurrence_id. */
async function outboxByOccurrence() {
  const by = (items) => {
    const m = new Map();
    for (const i of items) if (i.body?.occurrence_id) m.set(i.body.occurrence_id, i);
    return m;
  };
  return { waiting: by(await outbox.waiting()), refused: by(await outbox.refused()) };
}

/** The record a tap makes, prefilled from the list: medication (with its outcome) or care. */
function recordFor(o, round, outcome, reason, repeat = false) {
  const common = { citizen: { ref: o.citizen_ref }, unit: round.unit, by: round.by(), occurrence_id: o.occurrence_id };
  const base = `/v1/incidents/${round.incident}`;
  if (o.kind === "care") {
    return [`${base}/care-deliveries`, {
      ...common, service: o.summary, status: outcome === "given" ? "delivered" : "missed", occurred_at: aware(),
      ...(reason ? { note: reason } : {}),
    }];
  }
  const med = round.meds[`${o.citizen_ref}/${o.item_id}`];
  return [`${base}/medication-dispensings`, {
    ...common, medication: med, dispensed_at: aware(), outcome,
    ...(reason ? { reason } : {}), ...(repeat ? { confirm_repeat: true } : {}),
  }];
}

/**
 * The occurrences as they stand now by this phone's clock, in the server's order: an open one
 * turns due and overdue by its window also with no network (the server's own tick says the
 * same within a minute when there is one). Given and missed are the server's word.
 */
function asNow(occurrences, now = Date.now()) {
  const rank = (o) => ({ overdue: o.vital ? 0 : 1, due: o.vital ? 2 : 3, upcoming: 4 })[o.status] ?? 5;
  return occurrences.map((o) => {
    if (!OPEN.has(o.status)) return o;
    const status = now < Date.parse(o.due_from) ? "upcoming" : now < Date.parse(o.due_until) ? "due" : "overdue";
    return status === o.status ? o : { ...o, status };
  }).sort((a, b) => rank(a) - rank(b) || a.due_at.localeCompare(b.due_at));
}

function tally(occurrences) {
  const c = { upcoming: 0, due: 0, overdue: 0, overdue_vital: 0, given: 0, missed: 0 };
  for (const o of occurrences) {
    c[o.status] += 1;
    if (o.status === "overdue" && o.vital) c.overdue_vital += 1;
  }
  return c;
}

const signature = (marks, occurrences) => JSON.stringify([[...marks.waiting.keys()], [...marks.refused.keys()],
  asNow(occurrences).map((o) => o.status)]);

const OUTCOME_SAID = { given: "givet", "not-given": "ikke givet", refused: "afvist af borgeren" };

let shown = 0;  // the round on the screen now: what an earlier one left running stops

/** The view. `app`: what app.js shares (openIncidents, follow, fresh, say, by, showWaiting, units). */
export async function runde(app) {
  const generation = ++shown;
  const here = () => generation === shown && location.hash.startsWith("#/runde");
  const main = document.getElementById("indhold");
  const picture = await app.openIncidents();
  // The outages at a unit of this key (at any unit, for a key with none), newest first.
  const mine = app.units();
  const incidents = picture.incidents
    .filter((i) => i.affected_units.some((u) => !mine || mine.includes(u)))
    .sort((a, b) => b.detected_at.localeCompare(a.detected_at));
  const asked = params();
  const heading = h("h2", {}, "Runde");
  if (!incidents.length && !asked.get("incident")) {
    main.replaceChildren(heading, h("p", { class: "card" }, picture.kept
      ? "Ingen forbindelse, og intet åbent nedbrud er kendt på denne telefon endnu."
      : "Intet åbent nedbrud. Runden vises, når et nedbrud er meldt for enheden."));
    return;
  }
  const incidentChoices = incidents.map((i) => [i.incident_id, `${i.title} (${time(i.detected_at)})`]);
  if (asked.get("incident") && !incidents.some((i) => i.incident_id === asked.get("incident"))) {
    incidentChoices.unshift([asked.get("incident"), "Nedbruddet fra linket"]);
  }
  const incident = select("r-incident", incidentChoices, asked.get("incident") || sessionStorage.getItem("nedbrud-runde-incident") || undefined);
  const unit = h("select", { id: "r-unit" });
  const fillUnits = () => {
    const outage = incidents.find((i) => i.incident_id === incident.value)?.affected_units || [];
    let offered = mine ? outage.filter((u) => mine.includes(u)) : outage;
    if (!offered.length) offered = mine || outage;
    // The link's unit is shown even if unknown here (the server says why); the one remembered
    // from any view only if this outage is at it.
    const remembered = sessionStorage.getItem("nedbrud-unit");
    const wanted = (offered.includes(unit.value) && unit.value) || asked.get("unit") || (offered.includes(remembered) ? remembered : null);
    if (wanted && !offered.includes(wanted)) offered = [wanted, ...offered];
    unit.replaceChildren(...offered.map((u) => h("option", { value: u }, unitName(u))));
    if (wanted) unit.value = wanted;
  };
  fillUnits();
  const names = h("input", { id: "r-names", type: "checkbox" });
  names.checked = sessionStorage.getItem(NAMES) === "1";
  const counts = h("p", { id: "r-counts", class: "counts", role: "status", "aria-live": "polite" });
  const list = h("div", { id: "runde" });
  const controls = h("form", { class: "filters runde-filters", onsubmit(e) { e.preventDefault(); load(); } },
    incidentChoices.length > 1 ? h("div", { class: "field" }, h("label", { for: incident.id }, "Nedbrud"), incident) : null,
    h("div", { class: "field" }, h("label", { for: unit.id }, "Enhed"), unit),
    h("label", { for: names.id, class: "check" }, names, "Vis navne og medicin (til behandling – skrives i adgangsloggen)"));
  main.replaceChildren(heading, controls, counts, list);

  const round = {
    incident: null, unit: null, by: app.by, meds: {}, answer: null, at: null, kept: false,
    open: new Set(),  // the occurrences whose "Ikke givet" box is open
    early: new Set(),  // the occurrences not yet due whose "Givet" asks whether it was given now
  };
  let focusOn = asked.get("occurrence");
  let loading = 0;
  let shownMarks = "";
  const taps = new Map();

  function remember() {
    sessionStorage.setItem("nedbrud-unit", unit.value);
    sessionStorage.setItem("nedbrud-runde-incident", incident.value);
    sessionStorage.setItem(NAMES, names.checked ? "1" : "0");
    const q = new URLSearchParams({ unit: unit.value, incident: incident.value });
    history.replaceState(null, "", `#/runde?${q}`);  // a reload opens the same round
  }

  async function load() {
    if (!here()) return;  // she has moved on to another view
    const mine = ++loading;
    if (!unit.value) {
      list.replaceChildren(h("p", { class: "card" }, "Nedbruddet har ingen enhed, som denne nøgle må se runden for."));
      return;
    }
    remember();
    const [i, u, purpose] = [incident.value, unit.value, names.checked ? PURPOSE : null];
    let answer, meds, at;
    try {
      answer = await get(`/v1/incidents/${i}/rounds`, { unit: u, purpose });
      const before = kept(i, u);
      meds = before?.purpose && purpose && before.list_version === answer.list_version ? before.meds : {};
      if (purpose && !Object.keys(meds).length) {
        const listed = await get(`/v1/units/${encodeURIComponent(u)}/emergency-list`, { purpose });
        for (const c of listed.citizens) {
          for (const item of c.items) if (item.medication) meds[`${c.citizen_ref}/${item.item_id}`] = item.medication;
        }
      }
      at = new Date().toISOString();
      keep(i, u, { answer, meds, at, purpose, list_version: answer.list_version });
      app.fresh(true);
      round.kept = false;
    } catch (error) {
      if (mine !== loading) return;
      const before = kept(i, u);
      if (error instanceof Offline && before) {
        ({ answer, meds, at } = before);
        app.fresh(false, at);
        round.kept = true;
      } else {
        counts.textContent = "";
        list.replaceChildren(h("p", { class: "card" }, error instanceof Offline
          ? "Ingen forbindelse, og runden for denne enhed er ikke hentet i denne fane endnu."
          : error instanceof ApiError && error.status === 404
            ? `${unitName(u)} har ingen nødliste i nedbrud. Runden bygger på nødlisten.` : danish(error)));
        return;
      }
    }
    if (mine !== loading) return;
    Object.assign(round, { incident: i, unit: u, meds, answer, at });
    await render();
  }

  /** Record one occurrence: kept in the outbox first (the row says so at once), then sent. */
  async function record(o, outcome, reason = null, repeat = false) {
    const [path, body] = recordFor(o, round, outcome, reason, repeat);
    const who = o.citizen_name || hiddenCitizen(o.citizen_ref);
    const label = `Runde: ${o.kind === "care" ? o.summary : "medicin"} ${OUTCOME_SAID[outcome]}, ${who}, kl. ${clock(o.due_at)}`;
    // One Idempotency-Key per occurrence and answer: a double tap stores one record.
    const tap = `${o.occurrence_id}/${outcome}/${repeat}`;
    if (!taps.has(tap)) taps.set(tap, outbox.newKey());
    const saved = await outbox.save(path, body, label, taps.get(tap));
    round.open.delete(o.occurrence_id);
    focusOn = o.occurrence_id;
    await render();
    const result = await outbox.deliver(saved);
    await app.showWaiting();
    if (result.sent.some((r) => r.key === saved.key)) await load();
    else await render();
  }

  async function render() {
    const { answer } = round;
    if (!answer) return;
    const marks = await outboxByOccurrence();
    const occurrences = asNow(answer.occurrences);
    const c = tally(occurrences);
    counts.textContent = `${c.overdue} for sent (heraf ${c.overdue_vital} livsvigtige) · ${c.due} nu · ${c.upcoming} senere · ${c.given} givet · ${c.missed} ikke givet`
      + (round.kept ? ` · fra ${time(round.at)}` : "");
    const rows = occurrences.map((o) => row(o, marks));
    const groups = [
      ["Skal gives nu", (o) => ["overdue", "due"].includes(o.status)],
      ["Senere", (o) => o.status === "upcoming"],
      ["Givet eller ikke givet", (o) => !OPEN.has(o.status)],
    ];
    shownMarks = signature(marks, answer.occurrences);
    // What she is typing survives a new answer arriving: the values, the focus, the caret.
    const typed = new Map([...list.querySelectorAll("textarea")].map((t) => [t.id, t.value]));
    const active = document.activeElement;
    const focused = list.contains(active) ? active.id : null;
    const caret = active?.tagName === "TEXTAREA" ? [active.selectionStart, active.selectionEnd] : null;
    // On paper, when the phone dies: whose round, of which outage, printed when and by whom.
    const outage = incidents.find((i) => i.incident_id === round.incident)?.title || "";
    const printed = h("p", { class: "print-only" }, h("strong", {}, `Runde: ${unitName(round.unit)}`),
      ` · ${outage} · Udskrevet ${time(new Date().toISOString())} af ${person(app.by()) || "–"}`
      + ` · ${answer.occurrences.length} i alt. Skriv kl. og initialer ved hver, og tast dem ind, når der er net.`);
    list.replaceChildren(printed, ...groups.map(([title, test], n) => {
      const mine = rows.filter((_, k) => test(occurrences[k]));
      return h("section", { class: "runde-group", "aria-labelledby": `r-g${n}` },
        h("h3", { id: `r-g${n}` }, `${title} (${mine.length})`),
        mine.length ? h("ul", { class: "runde-list" }, mine) : h("p", { class: "hint" }, "Ingen."));
    }));
    if (focusOn) {
      const target = focusOn;
      focusOn = null;
      const line = list.querySelector(`[data-occurrence="${CSS.escape(target)}"]`);
      // After the router's own focus on <main>: the row she scanned the QR code for.
      setTimeout(() => {
        if (!line) { app.say("Det, linket peger på, er ikke i denne enheds runde: runden viser de næste 12 timer, så et senere tidspunkt kommer med, når det nærmer sig."); return; }
        line.scrollIntoView({ block: "center" });
        (line.querySelector("button") || line).focus({ preventScroll: true });
      }, 0);
    }
    for (const [id, value] of typed) { const t = document.getElementById(id); if (t && value) t.value = value; }
    const again = focused && document.getElementById(focused);
    if (again) {
      again.focus({ preventScroll: true });
      if (caret) again.setSelectionRange(...caret);
    }
  }

  function row(o, marks) {
    const id = o.occurrence_id;
    const waiting = marks.waiting.get(id);
    const refused = marks.refused.get(id);
    const med = o.kind === "medication";
    const known = !med || round.meds[`${o.citizen_ref}/${o.item_id}`];
    const who = o.citizen_name || hiddenCitizen(o.citizen_ref);
    const what = med && !round.meds[`${o.citizen_ref}/${o.item_id}`] ? "Medicin" : o.summary;
    const late = o.status === "overdue";
    const status = [o.vital ? "LIVSVIGTIGT" : null, STATUS[o.status]].filter(Boolean).join(" · ");
    const li = h("li", {
      class: `occ ${o.status}${o.vital ? " vital" : ""}${late && o.vital ? " alarm" : ""}`,
      "data-occurrence": id, "data-status": o.status, tabindex: -1, "aria-labelledby": `o-${id}`,
    },
    h("div", { class: "occ-head", id: `o-${id}` },
      h("span", { class: "occ-time" }, clock(o.due_at)),
      h("span", { class: "occ-status" }, late && o.vital ? `⚠ ${status}` : status)),
    h("div", { class: "occ-who" }, who),
    h("div", { class: "occ-what" }, what, med && known ? dose(round.meds[`${o.citizen_ref}/${o.item_id}`]) : null));
    if (waiting) {
      li.append(h("p", { class: "occ-waiting", role: "status" },
        `${waiting.body.outcome === "given" || waiting.body.status === "delivered" ? "Givet" : "Ikke givet"} kl. ${clock(waiting.savedAt)} – venter på at blive sendt`));
      return li;
    }
    if (refused) { li.append(refusal(o, refused)); return li; }
    if (!OPEN.has(o.status)) return li;
    if (!known) {
      // The paper kit's QR code opens here without a purpose: one tap shows what to give.
      li.append(h("div", { class: "occ-actions" }, h("button", { type: "button", class: "secondary wrap", id: `show-${id}`,
        onclick() { names.checked = true; focusOn = id; load(); } }, "Vis medicinen (skrives i adgangsloggen)")));
      return li;
    }
    const name = `${clock(o.due_at)} ${who}`;
    const actions = h("div", { class: "occ-actions" },
      h("button", { type: "button", class: "give", id: `give-${id}`, "aria-label": `Givet: ${what}, ${name}`,
        "aria-expanded": o.status === "upcoming" ? String(round.early.has(id)) : null,
        onclick() {
          // Hours ahead, one tap would mark the round done before its time: she is asked first.
          if (o.status !== "upcoming") { record(o, "given"); return; }
          round.early.add(id); round.open.delete(id); focusOn = null;
          render().then(() => document.getElementById(`early-yes-${id}`)?.focus());
        } }, "Givet"),
      h("button", { type: "button", class: "secondary", id: `not-${id}`, "aria-expanded": String(round.open.has(id)),
        "aria-label": `Ikke givet: ${what}, ${name}`,
        onclick() { if (round.open.has(id)) round.open.delete(id); else round.open.add(id); focusOn = null; render().then(() => document.getElementById(`why-${id}`)?.focus()); } }, "Ikke givet"));
    li.append(actions, h("p", { class: "print-only occ-paper" }, "Givet kl. ______  Initialer ______  Ikke givet, fordi ______________"));
    if (round.open.has(id)) li.append(notGiven(o));
    if (round.early.has(id) && o.status === "upcoming") li.append(earlyGiven(o));
    return li;
  }

  /** "Givet" on an occurrence not yet due: said when it is due, and given now only if she says so. */
  function earlyGiven(o) {
    const id = o.occurrence_id;
    const when = `${clock(o.due_from)}–${clock(o.due_until)}`;
    return h("div", { class: "occ-why", role: "group", "aria-labelledby": `early-q-${id}` },
      h("p", { id: `early-q-${id}` }, h("strong", {}, `Skal først gives kl. ${when}${o.vital ? " (livsvigtigt)" : ""}.`),
        ` Er det givet nu, kl. ${clock(new Date().toISOString())}?`),
      h("div", { class: "occ-actions" },
        h("button", { type: "button", id: `early-yes-${id}`, onclick() { round.early.delete(id); record(o, "given"); } }, "Ja, givet nu"),
        h("button", { type: "button", class: "secondary", id: `early-no-${id}`,
          onclick() { round.early.delete(id); focusOn = id; render(); } }, "Fortryd")));
  }

  /** "Ikke givet": the reason is asked for (the server requires it too); refused if she says no. */
  function notGiven(o) {
    const id = o.occurrence_id;
    const why = h("textarea", { id: `why-${id}`, rows: 2, maxlength: 4000, "aria-describedby": `why-e-${id}` });
    const error = h("p", { class: "feedback error", id: `why-e-${id}`, role: "alert" });
    const go = (outcome) => {
      const reason = why.value.trim();
      if (!reason) {
        error.textContent = "Skriv hvorfor, før det registreres som ikke givet.";
        why.setAttribute("aria-invalid", "true");
        why.focus();
        return;
      }
      record(o, outcome, reason || null);
    };
    return h("div", { class: "occ-why" },
      h("label", { for: why.id }, "Hvorfor blev det ikke givet?"), why, error,
      h("div", { class: "occ-actions" },
        h("button", { type: "button", onclick: () => go("not-given") }, "Registrér: ikke givet"),
        o.kind === "medication" ? h("button", { type: "button", class: "secondary", onclick: () => go("refused") }, "Borgeren afviste") : null));
  }

  /** A refused record of this occurrence: the Danish reason; a dose already given may be repeated. */
  function refusal(o, item) {
    const id = o.occurrence_id;
    for (const tap of taps.keys()) if (tap.startsWith(id)) taps.delete(tap);  // what she does next is new
    const again = item.status === 409 && /already-given$/.test(item.problem?.type || "");
    const box = h("div", { class: "occ-refused" },
      h("p", { role: "alert" }, h("strong", {}, again ? "Allerede givet. " : "Ikke registreret: "),
        again ? `${givenAt(item.problem) || item.problem?.detail || "En anden har registreret dosen som givet."} Giv ikke dosen igen, medmindre du er sikker.`
          : problemText(item.problem || {}, item.status || 422)));
    const drop = h("button", { type: "button", class: "secondary", id: `drop-${id}`, async onclick() {
      await outbox.dismiss(item.seq); await app.showWaiting(); focusOn = id; await load();
    } }, again ? "Giv ikke igen" : "Kassér");
    if (!again) { box.append(h("div", { class: "occ-actions" }, drop)); return box; }
    const why = h("textarea", { id: `repeat-${id}`, rows: 2, maxlength: 4000 });
    const error = h("p", { class: "feedback error", role: "alert" });
    box.append(h("label", { for: why.id }, "Hvorfor gives dosen igen?"), why, error,
      h("div", { class: "occ-actions" },
        h("button", { type: "button", id: `again-${id}`, async onclick() {
          const reason = why.value.trim();
          if (!reason) { error.textContent = "Skriv hvorfor dosen gives igen."; why.focus(); return; }
          await outbox.dismiss(item.seq);
          await record(o, "given", reason, true);
        } }, "Bekræft: giv igen"), drop));
    return box;
  }

  for (const input of [incident, unit, names]) {
    input.addEventListener("change", () => { if (input === incident) fillUnits(); load(); });
  }
  await load();

  // Live: every change of this outage (a record by anyone, a tick of the rounds) fetches the
  // round again; the outbox's marks are looked at again while the view is shown.
  let again = null;
  const soon = () => { clearTimeout(again); if (here()) again = setTimeout(load, 300); };
  if (!picture.kept) {
    app.follow(String(picture.position), (m) => {
      if (m.event === "snapshot" || m.data?.incident?.incident_id === round.incident) soon();
    });
  }
  const watch = setInterval(async () => {
    if (!here()) { clearInterval(watch); return; }
    if (round.answer && signature(await outboxByOccurrence(), round.answer.occurrences) !== shownMarks) render();
  }, 2000);
  window.addEventListener("online", function back() {
    if (!here()) { window.removeEventListener("online", back); return; }
    setTimeout(load, 1000);
  });
}

function dose(m) {
  const more = [m.strength, m.route].filter(Boolean).join(", ");
  return more ? h("span", { class: "hint" }, ` (${more})`) : null;
}
