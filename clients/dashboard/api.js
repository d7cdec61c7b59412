// The API, as any other client uses it: /v1 with the key from this browser session.

const KEY = "nedbrud-key";
const WHO = "nedbrud-employee";

export const session = {
  get key() { return sessionStorage.getItem(KEY); },
  set key(value) { value ? sessionStorage.setItem(KEY, value) : sessionStorage.removeItem(KEY); },
  get employee() { return sessionStorage.getItem(WHO) || ""; },
  set employee(value) { sessionStorage.setItem(WHO, value); },
};

/** The server answered with a problem (RFC 9457). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/** No answer at all: the network or the server is down. */
export class Offline extends Error {}

function headers(extra = {}, key = session.key) {
  // Refusals come back in Danish, naming the field as the forms do (see the API's problems).
  const h = { Accept: "application/json", "Accept-Language": "da", ...extra };
  if (key) h.Authorization = `Bearer ${key}`;
  return h;
}

/**
 * `key`: the key to send (the outbox sends each record with the key it was saved under).
 * `counted`: answer `{ items, total }`, the total from the server's X-Total-Count.
 */
// withHeaders: the answer is { body, headers } (a PDF's Nedbrud-Position, for instance).
export async function request(method, path, { body, params, idempotencyKey, accept, key, counted, withHeaders } = {}) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, v);
  }
  const h = headers(accept ? { Accept: accept } : {}, key || session.key);
  if (body !== undefined) h["Content-Type"] = "application/json";
  if (idempotencyKey) h["Idempotency-Key"] = idempotencyKey;
  let response;
  try {
    response = await fetch(url, {
      method, headers: h, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new Offline("Ingen forbindelse til serveren");
  }
  if (!response.ok) {
    const problem = await response.json().catch(() => ({ title: response.statusText }));
    throw new ApiError(response.status, problem);
  }
  if (counted) return { items: await response.json(), total: Number(response.headers.get("X-Total-Count")) };
  const answer = await (accept === "text/csv" || accept === "application/pdf" ? response.blob() : response.json());
  return withHeaders ? { body: answer, headers: response.headers } : answer;
}

export const get = (path, params) => request("GET", path, { params });
/** A page of a list and how many the whole list holds. */
export const getPage = (path, params) => request("GET", path, { params, counted: true });

/** A refusal in Danish, for the person in front of the screen: the server says it in Danish. */
export function danish(error) {
  if (error instanceof Offline) return "Ingen forbindelse til serveren. Prøv igen om lidt.";
  if (!(error instanceof ApiError)) return "Noget gik galt i browseren. Prøv igen.";
  return problemText(error.problem || {}, error.status);
}

/** A problem's words once each: the title, then each field's message (or the detail). */
/** A dose already given: when, so she can judge whether this is the same one. */
export function givenAt(p) {
  if (!p?.given_at) return "";
  const at = new Date(p.given_at).toLocaleString("da-DK", { dateStyle: "short", timeStyle: "short" });
  return `Den er registreret som givet ${at}.`;
}

export function problemText(p, status) {
  if (status === 401) return "Nøglen kendes ikke eller er spærret. Log ind med en gyldig nøgle.";
  if (status >= 500 && !p.title) return "Serveren kunne ikke svare. Prøv igen om lidt.";
  const fields = (p.errors || []).map((e) => e.message).filter(Boolean);
  const said = [fields.length ? fields.join("; ") : p.detail, givenAt(p)].filter(Boolean).join(" ");
  if (!p.title) return said || "Afvist af serveren.";
  return said && said.replace(/\.$/, "") !== p.title ? `${p.title}: ${said}` : p.title;
}

/**
 * The live situation stream (server-sent events over fetch, so the key goes in a header):
 * calls onMessage({event, id, data}) until `signal` aborts; throws when the connection drops.
 */
export async function stream(path, { lastEventId, signal, onOpen, onMessage }) {
  const h = headers({ Accept: "text/event-stream" });
  if (lastEventId) h["Last-Event-ID"] = lastEventId;
  let response;
  try {
    response = await fetch(path, { headers: h, signal });
  } catch (error) {
    if (signal.aborted) return;
    throw new Offline(error.message);
  }
  if (!response.ok) {
    const problem = await response.json().catch(() => ({ title: response.statusText }));
    throw new ApiError(response.status, problem);
  }
  onOpen?.();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "", event = "message", id = null, data = [];
  for (;;) {
    let chunk;
    try {
      chunk = await reader.read();
    } catch (error) {
      if (signal.aborted) return;
      throw new Offline(error.message);
    }
    if (chunk.done) throw new Offline("the stream ended");
    buffer += chunk.value;
    let end;
    while ((end = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, end).replace(/\r$/, "");
      buffer = buffer.slice(end + 1);
      if (line === "") {
        if (data.length) onMessage({ event, id, data: JSON.parse(data.join("\n")) });
        event = "message"; id = null; data = [];
      } else if (!line.startsWith(":")) {
        const at = line.indexOf(":");
        const name = at < 0 ? line : line.slice(0, at);
        const value = at < 0 ? "" : line.slice(at + 1).replace(/^ /, "");
        if (name === "event") event = value;
        else if (name === "id") id = value;
        else if (name === "data") data.push(value);
      }
    }
  }
}
