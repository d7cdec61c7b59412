// Efterregistrering: the paper records of an outage on their way into the journal, hundreds at a
// time. Filters by outage, unit, citizen and status; pages with the server's total; the records
// grouped by citizen; many ticked and entered with one journal reference in one request
// (POST /v1/manual-records/journal-entries), the focus and the page staying where she works; and
// a printed worklist to tick off on paper (every record once, no controls, the time printed).

import { danish, get, getPage, Offline, problemText, request } from "./api.js";
import { aware, count, feedback, field, h, hiddenCitizen, person, select, time, unitName } from "./ui.js";

export const RECORD_STATUS = { pending: "Afventer journal", entered: "Indtastet i journal", voided: "Annulleret" };
const PAGE_SIZES = [25, 100, 500];
const MAX_BULK = 500;  // the most one request takes
const PRINT_MOST = 5000;

/**
 * The view. `ctx`: { main, say, by, known, openIncidents, needsNetwork, unitChoices }, what the
 * app shares with each view.
 */
export async function efterregistrering(ctx) {
  const { main, say } = ctx;
  const picture = await ctx.openIncidents();
  if (picture.kept) { ctx.needsNetwork("Efterregistrering", "Listen over papirregistreringer hentes fra serveren."); return; }
  ctx.known.incidents = picture.incidents;  // their units are offered
  const incidents = await outages(picture);
  // The units with paper waiting are offered too, also those no open outage names.
  const units = [...new Set([...ctx.unitChoices(), ...await unitsWithPaperWaiting()])];
  const remembered = sessionStorage.getItem("nedbrud-unit");
  const incident = select("b-incident", [["", "Alle nedbrud"], ...incidents.map((i) => [i.incident_id, `${i.title} (${time(i.detected_at)})`])]);
  const unit = select("b-unit", [["", "Alle enheder"], ...units.map((u) => [u, unitName(u)])], remembered ?? undefined);
  const citizens = new Map();  // citizen_ref -> how she knows the citizen, from the lists seen
  const citizen = select("b-citizen", [["", "Alle borgere"]]);
  const status = select("b-status", Object.entries(RECORD_STATUS));
  const size = select("b-size", PAGE_SIZES.map((n) => [String(n), String(n)]), "100");
  const names = h("input", { id: "b-names", type: "checkbox" });
  const list = h("div", { class: "table worklist", id: "worklist", role: "region", "aria-label": "Papirregistreringer", tabindex: 0 });
  const shown = h("p", { id: "b-count", role: "status", "aria-live": "polite", tabindex: -1 });
  const pages = h("p", { class: "pages", id: "b-pages" });
  const printout = h("section", { id: "print-worklist", class: "print-only", "aria-label": "Udskrift af arbejdslisten" });

  const selected = new Set();
  let items = [], total = 0, offset = 0, asked = 0;
  let forMenu = false;  // the print laid out for the browser's own menu, cleared after it
  let attempt = null;  // the Idempotency-Keys of the last bulk entry, for a retry of the same one

  const query = () => ({
    incident: incident.value, unit: unit.value, citizen_ref: citizen.value, status: status.value,
    purpose: names.checked ? "back-entry" : null,
  });

  // The selection bar: one reference and one "Indtastet i journal" for every ticked record.
  const all = h("input", { type: "checkbox", id: "b-all" });
  const ticked = h("span", { id: "b-ticked", role: "status", "aria-live": "polite" });
  const reference = h("input", { id: "b-ref", maxlength: 200, autocomplete: "off" });
  const enter = h("button", { type: "submit", id: "b-enter" }, "Indtastet i journal");
  // What the entry did is said here, beside the button, not at the top of a page scrolled away.
  const told = feedback("b-feedback");
  const bar = h("form", { class: "bulk", id: "b-bulk", "aria-label": "Valgte registreringer", onsubmit(e) { e.preventDefault(); enterSelected(); } },
    h("label", { for: "b-all", class: "check" }, all, "Vælg alle på siden"), ticked,
    field("Journalens reference", reference, "valgfri, gælder alle valgte"), enter, told);
  all.addEventListener("change", () => {
    for (const i of items.filter(pending)) tick(i.record_id, all.checked);
    mark();
  });

  function tick(id, on) { if (on) selected.add(id); else selected.delete(id); }

  /** The boxes, the per-citizen boxes, "Vælg alle på siden" and the count, as the selection is. */
  function mark() {
    for (const box of list.querySelectorAll("input[data-record]")) box.checked = selected.has(box.dataset.record);
    for (const box of list.querySelectorAll("input[data-citizen]")) {
      const own = [...list.querySelectorAll(`input[data-record][data-of="${box.dataset.citizen}"]`)];
      box.checked = own.length > 0 && own.every((b) => b.checked);
      box.indeterminate = !box.checked && own.some((b) => b.checked);
    }
    const onPage = items.filter(pending);
    all.checked = onPage.length > 0 && onPage.every((i) => selected.has(i.record_id));
    all.indeterminate = !all.checked && onPage.some((i) => selected.has(i.record_id));
    ticked.textContent = `${selected.size} valgt`;  // the button keeps its words: it stays put
  }

  // afterPosition: a receipt's position; the list is shown only once it includes that write.
  async function load(afterPosition, focusAfter = null) {
    const mine = ++asked;
    sessionStorage.setItem("nedbrud-unit", unit.value);
    const scrolled = window.scrollY;  // the page stays where she is when the list changes
    try {
      const page = await getPage("/v1/back-entry", { ...query(), limit: size.value, offset, after_position: afterPosition });
      if (mine !== asked) return;
      if (!page.items.length && offset > 0 && page.total > 0) {  // the last page emptied: the one before
        offset = Math.max(0, Math.floor((page.total - 1) / Number(size.value)) * Number(size.value));
        await load(afterPosition, focusAfter);
        return;
      }
      ({ items, total } = page);
      unprint();
      learnCitizens(items);
      shown.textContent = `${count(total, "registrering", "registreringer")}: ${RECORD_STATUS[status.value].toLowerCase()}`;
      list.replaceChildren(...grouped(items).map(([ref, own], n) => citizenTable(ref, own, n)));
      if (!items.length) list.replaceChildren(h("p", {}, "Ingen registreringer med disse valg."));
      paging();
      bar.hidden = status.value !== "pending";
      mark();
      window.scrollTo({ top: Math.min(scrolled, document.documentElement.scrollHeight) });
      if (focusAfter !== null) {
        // Focus stays where she works: the next record's button, or the count when none is left.
        const buttons = list.querySelectorAll("button[data-row]");
        (buttons[Math.min(focusAfter, buttons.length - 1)] || shown).focus({ preventScroll: true });
      }
    } catch (error) {
      if (mine !== asked) return;
      items = [];
      list.replaceChildren();
      shown.textContent = "";
      say(danish(error));
    }
  }

  function learnCitizens(found) {
    for (const i of found) {
      const known = citizens.get(i.citizen_ref);
      if (!known || (i.citizen_name && !known.includes("("))) citizens.set(i.citizen_ref, citizenName(i));
    }
    const chosen = citizen.value;
    citizen.replaceChildren(h("option", { value: "" }, "Alle borgere"),
      ...[...citizens].sort((a, b) => a[1].localeCompare(b[1], "da")).map(([ref, name]) => h("option", { value: ref }, name)));
    citizen.value = chosen;
  }

  /** One table per citizen: its caption ticks all the citizen's records on the page. */
  function citizenTable(ref, own, n) {
    const open = own.filter(pending);
    const caption = open.length
      ? h("label", { class: "check" }, h("input", {
        type: "checkbox", "data-citizen": ref,
        onchange(e) { for (const i of open) tick(i.record_id, e.target.checked); mark(); },
      }), `${citizenName(own[0])}: vælg alle ${open.length}`)
      : h("span", {}, citizenName(own[0]));
    return h("table", { class: n ? "more" : "" },
      h("caption", {}, caption, h("span", { class: "hint" }, ` · ${count(own.length, "registrering", "registreringer")}`)),
      h("thead", {}, h("tr", {}, ["Vælg", "Tidspunkt", "Enhed", "Hvad", "Registreret af", "Handling"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, own.map((i) => row(i, items.indexOf(i)))));
  }

  function row(i, n) {
    const box = pending(i) ? h("input", {
      type: "checkbox", id: `b-${i.record_id}`, "data-record": i.record_id, "data-of": i.citizen_ref,
      onchange(e) { tick(i.record_id, e.target.checked); mark(); },
    }) : null;
    return h("tr", { "data-record": i.record_id },
      h("td", { class: "pick" }, box ? h("label", { for: box.id, class: "check" }, box, h("span", { class: "sr" }, `Vælg ${i.summary} kl. ${time(i.occurred_at)}`)) : "–"),
      h("td", { "data-label": "Tidspunkt" }, time(i.occurred_at)), h("td", { "data-label": "Enhed" }, unitName(i.unit)),
      h("td", { "data-label": "Hvad" }, i.summary), h("td", { "data-label": "Registreret af" }, person({ id: i.by })),
      h("td", { class: "act" }, pending(i) ? [h("button", {
        type: "button", "aria-label": `Indtastet i journal: ${i.summary}`, "data-row": n,
        async onclick() {
          try {
            const receipt = await request("POST", `/v1/manual-records/${i.record_id}/journal-entry`, {
              body: { by: ctx.by(), entered_at: aware(), journal_reference: reference.value.trim() || undefined },
              idempotencyKey: crypto.randomUUID(),
            });
            selected.delete(i.record_id);
            say(`Indtastet i journal: ${i.summary}${i.citizen_name ? ` (${i.citizen_name})` : ""}`, true);
            await load(receipt.position, n);
          } catch (error) { say(danish(error)); }
        },
      }, "Indtastet i journal"), voidForm(i, ctx, load)] : outcome(i)));
  }

  function paging() {
    const per = Number(size.value);
    const last = Math.max(0, Math.ceil(total / per) - 1);
    const step = (to) => () => { offset = to * per; load(); };
    const here = Math.floor(offset / per);
    pages.replaceChildren(
      total ? `Viser ${offset + 1}–${offset + items.length} af ${total}` : "",
      total > per ? [" · ", `side ${here + 1} af ${last + 1} `,
        h("button", { type: "button", class: "secondary", disabled: here === 0, onclick: step(here - 1) }, "Forrige side"), " ",
        h("button", { type: "button", class: "secondary", disabled: here >= last, onclick: step(here + 1) }, "Næste side")] : []);
  }

  /** Every ticked record entered with one reference, in requests of up to 500; each answered. */
  async function enterSelected() {
    const ids = [...selected];
    if (!ids.length) { told.show("Vælg de registreringer, der er indtastet i journalen.", "error"); return; }
    const body = { by: ctx.by(), entered_at: aware(), journal_reference: reference.value.trim() || undefined };
    const same = attempt && attempt.ids === ids.join() && attempt.reference === body.journal_reference;
    if (!same) attempt = { ids: ids.join(), reference: body.journal_reference, key: crypto.randomUUID(), at: body.entered_at };
    body.entered_at = attempt.at;  // a retry of the same entry is the same request
    enter.disabled = true;
    let done = 0, last = 0;
    const refused = [];
    try {
      for (let start = 0; start < ids.length; start += MAX_BULK) {
        const answer = await request("POST", "/v1/manual-records/journal-entries", {
          body: { ...body, record_ids: ids.slice(start, start + MAX_BULK) }, idempotencyKey: `${attempt.key}-${start}`,
        });
        for (const r of answer.results) {
          if (r.status === "refused") { refused.push(r); continue; }
          done += 1;
          selected.delete(r.record_id);
          last = Math.max(last, r.receipt.position);
        }
      }
      attempt = null;
      const why = [...new Set(refused.map((r) => problemText(r.problem || {}, r.http_status)))].join("; ");
      await load(last || undefined);
      told.show(refused.length
        ? `Indtastet i journal: ${count(done, "registrering", "registreringer")}. ${refused.length} kunne ikke: ${why}`
        : `Indtastet i journal: ${count(done, "registrering", "registreringer")}${body.journal_reference ? ` (reference ${body.journal_reference})` : ""}.`,
      refused.length ? "error" : "ok");
    } catch (error) {
      told.show(error instanceof Offline ? `${danish(error)} De valgte er stadig valgt.` : danish(error), "error");
    } finally {
      enter.disabled = false;
      mark();
      enter.focus({ preventScroll: true });
    }
  }

  /** The whole list as the filters give it (not just this page), laid out for paper. */
  async function print() {
    const found = [];
    for (let from = 0; from < PRINT_MOST; from += 500) {
      const page = await getPage("/v1/back-entry", { ...query(), limit: 500, offset: from });
      found.push(...page.items);
      if (found.length >= page.total || !page.items.length) break;
    }
    printable(found);
    window.print();
  }

  function printable(found, menu = false) {
    forMenu = menu;
    const chosen = (s) => s.options[s.selectedIndex]?.textContent || "";
    printout.replaceChildren(
      h("h2", {}, "Efterregistrering: arbejdsliste"),
      h("p", {}, `Udskrevet ${new Date().toLocaleString("da-DK", { dateStyle: "long", timeStyle: "short" })} af ${person(ctx.by())}. `,
        `${chosen(incident)} · ${chosen(unit)} · ${RECORD_STATUS[status.value].toLowerCase()} · ${count(found.length, "registrering", "registreringer")}.`),
      h("p", {}, "Sæt kryds, når registreringen er indtastet i journalen, og skriv journalens reference."),
      ...grouped(found).map(([, own]) => h("table", {},
        // A citizen lives at one unit: it heads the citizen's records, and the rows keep their width.
        h("caption", {}, `${citizenName(own[0])} · ${[...new Set(own.map((i) => unitName(i.unit)))].join(", ")} · ${count(own.length, "registrering", "registreringer")}`),
        h("thead", {}, h("tr", {}, ["Indtastet", "Tidspunkt", "Hvad", "Registreret af", "Journalens reference"].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, own.map((i) => h("tr", { "data-record": i.record_id },
          h("td", { class: "tick" }, "☐"), h("td", {}, time(i.occurred_at)), h("td", {}, i.summary), h("td", {}, person({ id: i.by })), h("td", {}, i.journal_reference || "")))))));
    main.classList.add("printing");
  }
  // Printed from the browser's own menu: this page of the list, laid out the same way, for that
  // print only. What "Udskriv arbejdslisten" laid out stays until the list is shown again.
  const beforePrint = () => { if (!printout.childElementCount) printable(items, true); };
  const afterPrint = () => { if (forMenu) unprint(); };
  function unprint() { forMenu = false; main.classList.remove("printing"); printout.replaceChildren(); }
  window.addEventListener("beforeprint", beforePrint);
  window.addEventListener("afterprint", afterPrint);
  window.addEventListener("hashchange", () => {
    window.removeEventListener("beforeprint", beforePrint);
    window.removeEventListener("afterprint", afterPrint);
  }, { once: true });

  const again = () => { offset = 0; say(""); load(); };
  for (const control of [incident, unit, citizen, status, size, names]) control.addEventListener("change", again);
  const filters = h("form", { class: "filters", onsubmit(e) { e.preventDefault(); again(); } },
    field("Nedbrud", incident), field("Enhed", unit), field("Borger", citizen), field("Status", status), field("Pr. side", size),
    h("label", { for: "b-names", class: "check" }, names, "Vis navne og CPR (skrives i adgangsloggen)"),
    h("button", { type: "submit" }, "Vis"),
    h("button", { type: "button", class: "secondary", onclick() { print().catch((x) => say(danish(x))); } }, "Udskriv arbejdslisten"));
  main.replaceChildren(h("h2", {}, "Efterregistrering"),
    h("p", {}, "Papirregistreringer fra nedbruddet, der skal indtastes i journalen."), filters, shown, bar, list, pages, printout);
  await load();
}

const pending = (i) => i.status === "pending";

function citizenName(i) {
  if (i.citizen_name) return `${i.citizen_name} (${i.citizen_cpr || ""})`;
  return hiddenCitizen(i.citizen_ref);
}

/** [citizen_ref, records] in the order each citizen first appears (the list is oldest first). */
function grouped(found) {
  const groups = new Map();
  for (const i of found) {
    if (!groups.has(i.citizen_ref)) groups.set(i.citizen_ref, []);
    groups.get(i.citizen_ref).push(i);
  }
  return [...groups];
}

function outcome(i) {
  if (i.status !== "entered") return RECORD_STATUS[i.status];
  return `${RECORD_STATUS.entered} ${time(i.entered_at)}${i.journal_reference ? ` (${i.journal_reference})` : ""}`;
}

/** The open outages and those closed, newest first: the paper of either may still wait. */
async function outages(picture) {
  try {
    const all = await get("/v1/incidents", { status: "all" });
    return [...all].sort((a, b) => b.detected_at.localeCompare(a.detected_at));
  } catch {
    return picture.incidents;
  }
}

/** The units with paper records awaiting back-entry (the worklist comes in pages of 500). */
async function unitsWithPaperWaiting() {
  const units = new Set();
  try {
    // Two pages at most: with thousands of records waiting the view must still open at once;
    // the units of the open outages and the key's own are offered anyway.
    for (let offset = 0; offset < 2 * 500; offset += 500) {
      const page = await get("/v1/back-entry", { status: "pending", limit: 500, offset });
      for (const item of page) units.add(item.unit);
      if (page.length < 500) break;
    }
  } catch { /* offline or not allowed: the units known otherwise are offered */ }
  return [...units];
}

/** "Annullér": a paper record made in error, with the reason; it will not be entered. */
function voidForm(item, ctx, reload) {
  const reason = h("input", { id: `v-${item.record_id}`, required: true, maxlength: 2000 });
  return h("details", { class: "void" }, h("summary", {}, "Annullér"), h("form", {
    async onsubmit(e) {
      e.preventDefault();
      try {
        const receipt = await request("POST", `/v1/manual-records/${item.record_id}/void`, {
          body: { by: ctx.by(), reason: reason.value.trim(), occurred_at: aware() },
          idempotencyKey: crypto.randomUUID(),
        });
        ctx.say(`Annulleret: ${item.summary}`, true);
        await reload(receipt.position);
      } catch (error) { ctx.say(danish(error)); }
    },
  }, field(`Begrundelse for at annullere ${item.summary}`, reason),
  h("button", { type: "submit" }, "Annullér registreringen")));
}
