// Records made in this browser wait here (IndexedDB) until the server has them.
// Each form fill has one Idempotency-Key, so a double tap or a resend stores it once.
//
// Each login has its own outbox, named by a hash of its key (never the key itself): what one
// person saved, or had refused, is never shown to, or sent with the key of, the next person
// who logs in on the same browser. Their records wait for them to log in again. The same
// database keeps that login's last known outages ("cache"), for opening with no network.
//
// Each record is sent on its own: one the server refuses (4xx, not 408 or 429) is set aside
// with its Danish reason and what was typed, to be corrected and resent or discarded; the
// others go on. A delivered record is deleted at once: no personal data stays behind.

import { ApiError, Offline, request, session } from "./api.js";

const PREFIX = "nedbrud-outbox-";
// The one outbox of the versions before outboxes were per login.
const SHARED = "nedbrud-dashboard";
const STORES = { outbox: { keyPath: "seq", autoIncrement: true }, refused: { keyPath: "seq" }, cache: { keyPath: "name" } };

/** The name of `key`'s outbox: the first 96 bits of its SHA-256, in hex. */
async function nameFor(key) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  const hex = Array.from(new Uint8Array(digest).slice(0, 12), (b) => b.toString(16).padStart(2, "0"));
  return PREFIX + hex.join("");
}

function open(name) {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(name, 2);
    r.onupgradeneeded = () => {
      for (const [store, options] of Object.entries(STORES)) {
        if (!r.result.objectStoreNames.contains(store)) r.result.createObjectStore(store, options);
      }
    };
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

async function run(key, store, mode, work) {
  const db = await open(await nameFor(key));
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    let result;
    Promise.resolve(work(tx.objectStore(store))).then((r) => { result = r; });
    tx.oncomplete = () => { db.close(); resolve(result); };
    tx.onerror = () => { db.close(); reject(tx.error); };
  });
}

const ask = (r) => new Promise((ok) => { r.onsuccess = () => ok(r.result); });
const all = (key, store) => (key ? run(key, store, "readonly", (s) => ask(s.getAll())) : Promise.resolve([]));

/** Whether `key` has logged in on this browser before (its outbox exists): it may open offline. */
export async function known(key) {
  if (!indexedDB.databases) return false;
  const name = await nameFor(key);
  return (await indexedDB.databases()).some((d) => d.name === name);
}

/** A new Idempotency-Key: one per form fill. */
export const newKey = () => crypto.randomUUID();

/**
 * Keep a write in the browser, in the outbox of the key logged in; stored before this resolves.
 * `key`: the form fill's Idempotency-Key; the same key saved twice (a double tap) is kept once.
 */
export async function save(path, body, label, key = newKey(), extra = {}) {
  const login = session.key;
  if (!login) throw new Error("not logged in");
  const item = { key, path, body, label, savedAt: new Date().toISOString(), ...extra };
  return run(login, "outbox", "readwrite", async (s) => {
    const waiting = await ask(s.getAll());
    const same = waiting.find((w) => w.key === key);
    if (same) return same;
    s.add(item);
    return item;
  });
}

export const waiting = () => all(session.key, "outbox");
export const refused = () => all(session.key, "refused");
/** Discard a refused record (what was typed is gone with it). */
export const dismiss = (seq) => run(session.key, "refused", "readwrite", (s) => { s.delete(seq); });

/** This login's kept copy of something it read (no other login can open it). */
export async function remember(name, value) {
  if (!session.key) return;
  await run(session.key, "cache", "readwrite", (s) => { s.put({ name, value, at: new Date().toISOString() }); });
}
export async function recall(name) {
  if (!session.key) return null;
  return (await run(session.key, "cache", "readonly", (s) => ask(s.get(name)))) || null;
}

/**
 * The records of the shared outbox of an earlier version, if any, moved into the outbox of the
 * key logging in now, so that nothing saved before the update is lost; then it is deleted.
 */
export async function adoptShared() {
  const key = session.key;
  if (!key || !indexedDB.databases) return;
  if (!(await indexedDB.databases()).some((d) => d.name === SHARED)) return;
  const old = await open(SHARED);
  const read = (store) => new Promise((ok, fail) => {
    const r = old.transaction(store, "readonly").objectStore(store).getAll();
    r.onsuccess = () => ok(r.result);
    r.onerror = () => fail(r.error);
  });
  const [pending, refusedBefore] = [await read("outbox"), await read("refused")];
  old.close();
  await run(key, "outbox", "readwrite", (s) => {
    for (const { seq, ...item } of pending) s.add(item);
  });
  await run(key, "refused", "readwrite", (s) => {
    for (const item of refusedBefore) s.put({ ...item, seq: `shared-${item.seq}` });
  });
  await new Promise((ok) => { const r = indexedDB.deleteDatabase(SHARED); r.onsuccess = r.onerror = ok; });
}

/** A refusal to set aside: any 4xx but "too slow" (408) and "too many" (429). */
const isRefusal = (error) => error instanceof ApiError && error.status >= 400 && error.status < 500
  && ![408, 429].includes(error.status);

const flushing = new Map();
const rounds = new EventTarget();

/** Call `listener(outcome)` after each round of sending (a form's own, or one by itself back
 * online), with what it sent and what was refused; the function returned stops it. */
export function onFlushed(listener) {
  const heard = (e) => listener(e.detail);
  rounds.addEventListener("flushed", heard);
  return () => rounds.removeEventListener("flushed", heard);
}

/**
 * Send what waits in the outbox of the key logged in, each record on its own, with that key
 * (also if someone else logs in meanwhile). A refusal is set aside with the server's reason;
 * no answer ends this round (the network is gone); a 5xx, 408 or 429 leaves that record for
 * the next round and goes on with the others. Resolves to {sent, refused, error, waiting}.
 */
/** Sends what waits and gives the outcome with `saved` in it: a flush already running when it
 * was saved read the outbox before it, so then once more (unless the network is down). */
export async function deliver(saved) {
  const mine = (r) => r.key === saved.key;
  const result = await flush();
  if (result.sent.some(mine) || result.refused.some(mine) || result.error) return result;
  return flush();
}

export function flush() {
  const key = session.key;
  if (!key) return Promise.resolve({ sent: [], refused: [], error: null, waiting: 0 });
  if (!flushing.has(key)) {
    flushing.set(key, (async () => {
      const outcome = { sent: [], refused: [], error: null };
      try {
        for (const item of await all(key, "outbox")) {
          try {
            const answer = await request("POST", item.path, {
              body: item.body, idempotencyKey: item.key, key,
            });
            outcome.sent.push({ ...item, answer });
            await run(key, "outbox", "readwrite", (s) => { s.delete(item.seq); });
          } catch (error) {
            if (error instanceof Offline) { outcome.error = error; break; }
            if (!isRefusal(error)) { outcome.error = error; continue; }
            outcome.refused.push({ ...item, error });
            await run(key, "refused", "readwrite", (s) => { s.put({ ...item, problem: error.problem, status: error.status }); });
            await run(key, "outbox", "readwrite", (s) => { s.delete(item.seq); });
          }
        }
      } finally {
        flushing.delete(key);
      }
      outcome.waiting = (await all(key, "outbox")).length;
      if (outcome.sent.length || outcome.refused.length) rounds.dispatchEvent(new CustomEvent("flushed", { detail: outcome }));
      return outcome;
    })());
  }
  return flushing.get(key);
}

export { Offline };
