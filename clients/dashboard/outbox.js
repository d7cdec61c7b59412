// Records made in this browser wait here (IndexedDB) until the server has them.
// Each gets its Idempotency-Key when it is made, so sending it again stores it once.
//
// Each login has its own outbox, named by a hash of its key (never the key itself): what one
// person saved, or had refused, is never shown to, or sent with the key of, the next person
// who logs in on the same browser. Their records wait for them to log in again.

import { ApiError, Offline, request, session } from "./api.js";

const PREFIX = "nedbrud-outbox-";
// The one outbox of the versions before outboxes were per login.
const SHARED = "nedbrud-dashboard";

/** The name of `key`'s outbox: the first 96 bits of its SHA-256, in hex. */
async function nameFor(key) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  const hex = Array.from(new Uint8Array(digest).slice(0, 12), (b) => b.toString(16).padStart(2, "0"));
  return PREFIX + hex.join("");
}

function open(name) {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(name, 1);
    r.onupgradeneeded = () => {
      r.result.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
      r.result.createObjectStore("refused", { keyPath: "seq" });
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

const all = (key, store) => (key ? run(key, store, "readonly", (s) => new Promise((ok) => {
  const r = s.getAll();
  r.onsuccess = () => ok(r.result);
})) : Promise.resolve([]));

/** Keep a write in the browser, in the outbox of the key logged in; stored before this resolves. */
export async function save(path, body, label) {
  const key = session.key;
  if (!key) throw new Error("not logged in");
  const item = { key: crypto.randomUUID(), path, body, label, savedAt: new Date().toISOString() };
  await run(key, "outbox", "readwrite", (s) => { s.add(item); });
  return item;
}

export const waiting = () => all(session.key, "outbox");
export const refused = () => all(session.key, "refused");
/** Take a refused record off the list, once someone has seen why. */
export const dismiss = (seq) => run(session.key, "refused", "readwrite", (s) => { s.delete(seq); });

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

const flushing = new Map();

/**
 * Send what waits in the outbox of the key logged in, oldest first, with that key (also if
 * someone else logs in meanwhile). A refusal (4xx) is set aside with the server's reason; no
 * answer, a 429 or a 5xx stops here until the next try. Resolves to {sent, refused, waiting}.
 */
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
            const final = error instanceof ApiError && error.status < 500
              && ![401, 403, 408, 429].includes(error.status);
            if (!final) { outcome.error = error; break; }
            outcome.refused.push({ ...item, error });
            await run(key, "refused", "readwrite", (s) => { s.put({ ...item, problem: error.problem }); });
            await run(key, "outbox", "readwrite", (s) => { s.delete(item.seq); });
          }
        }
      } finally {
        flushing.delete(key);
      }
      outcome.waiting = (await all(key, "outbox")).length;
      return outcome;
    })());
  }
  return flushing.get(key);
}

export { Offline };
