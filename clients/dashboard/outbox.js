// Records made in this browser wait here (IndexedDB) until the server has them.
// Each gets its Idempotency-Key when it is made, so sending it again stores it once.

import { ApiError, Offline, request } from "./api.js";

const DB = "nedbrud-dashboard";

function open() {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(DB, 1);
    r.onupgradeneeded = () => {
      r.result.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
      r.result.createObjectStore("refused", { keyPath: "seq" });
    };
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

async function run(store, mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    let result;
    Promise.resolve(work(tx.objectStore(store))).then((r) => { result = r; });
    tx.oncomplete = () => { db.close(); resolve(result); };
    tx.onerror = () => { db.close(); reject(tx.error); };
  });
}

const all = (store) => run(store, "readonly", (s) => new Promise((ok) => {
  const r = s.getAll();
  r.onsuccess = () => ok(r.result);
}));

/** Keep a write in the browser; it is stored before this resolves. */
export async function save(path, body, label) {
  const item = { key: crypto.randomUUID(), path, body, label, savedAt: new Date().toISOString() };
  await run("outbox", "readwrite", (s) => { s.add(item); });
  return item;
}

export const waiting = () => all("outbox");
export const refused = () => all("refused");
/** Take a refused record off the list, once someone has seen why. */
export const dismiss = (seq) => run("refused", "readwrite", (s) => { s.delete(seq); });

let flushing = null;

/**
 * Send what waits, oldest first. A refusal (4xx) is set aside with the server's reason; no
 * answer, a 429 or a 5xx stops here until the next try. Resolves to {sent, refused, waiting}.
 */
export function flush() {
  flushing ||= (async () => {
    const outcome = { sent: [], refused: [], error: null };
    try {
      for (const item of await waiting()) {
        try {
          const answer = await request("POST", item.path, { body: item.body, idempotencyKey: item.key });
          outcome.sent.push({ ...item, answer });
          await run("outbox", "readwrite", (s) => { s.delete(item.seq); });
        } catch (error) {
          const final = error instanceof ApiError && error.status < 500
            && ![401, 403, 408, 429].includes(error.status);
          if (!final) { outcome.error = error; break; }
          outcome.refused.push({ ...item, error });
          await run("refused", "readwrite", (s) => { s.put({ ...item, problem: error.problem }); });
          await run("outbox", "readwrite", (s) => { s.delete(item.seq); });
        }
      }
    } finally {
      flushing = null;
    }
    outcome.waiting = (await waiting()).length;
    return outcome;
  })();
  return flushing;
}

export { Offline };
