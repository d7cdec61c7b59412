// The dashboard opens with no network: this service worker keeps the app shell (HTML, CSS,
// ES modules, manifest, icon) and nothing else. It never touches /v1: answers given to one key
// are kept by the page in that login's own IndexedDB (outbox.js), never in a cache the next
// person on this browser could read. Stale-while-revalidate: the kept copy opens at once, and
// the network's copy, when there is one, replaces it for the next load.

const CACHE = "nedbrud-shell-2";
const SHELL = ["./", "index.html", "app.js", "api.js", "outbox.js", "offline.js", "forms.js", "ui.js",
  "runde.js", "paper.js", "reports.js", "backentry.js", "wall.js",
  "style.css", "backentry.css", "wall.css", "manifest.json", "icon.svg"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  const scope = new URL(self.registration.scope);
  if (event.request.method !== "GET" || url.origin !== scope.origin) return;
  if (!url.pathname.startsWith(scope.pathname)) return;  // /v1 and everything else: the network
  const page = event.request.mode === "navigate" ? new Request(scope.href) : event.request;
  event.respondWith(caches.open(CACHE).then(async (cache) => {
    const kept = await cache.match(page, { ignoreSearch: true });
    const fresh = fetch(event.request).then((answer) => {
      if (answer.ok) cache.put(page, answer.clone());
      return answer;
    });
    if (kept) {
      event.waitUntil(fresh.catch(() => null));
      return kept;
    }
    return fresh;
  }));
});
