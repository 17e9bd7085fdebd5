// Service worker for the verify page, served at /sw.js with scope "/".
//
// It lets a partner check cards with a flaky connection, and for a while without one:
// - the page (/v) and its three static files: cache first, refreshed in the background;
// - the key set and the status lists: network first, the cached copy when the network
//   fails (marked "X-Idcard-Cache: offline", so the page can say it is offline, or
//   "server-error" when the server answered 5xx). The
//   page itself refuses to answer from a list older than its limit.
// It handles nothing else: every other request, and every request that is not a GET
// (the POST verify API above all), goes to the network untouched and is never cached.
// A card's token sits in the URL fragment, which is never part of a request, so it
// never reaches this worker or its cache.
"use strict";

const CACHE = "idcard-verify-v1";
const PAGE = "/v";
const ASSETS = ["/static/js/idcard-verifier/verifier.js", "/static/js/verify-page.js", "/static/css/verify.css"];
const KEY_SET = "/.well-known/jwks.json";
const STATUS_LIST = /^\/api\/v1\/status-lists\/[^/]+$/;

self.addEventListener("install", (event) => {
  // Best effort: a file that cannot be fetched now is cached the first time it is used.
  event.waitUntil(
    caches.open(CACHE).then((cache) => Promise.all([PAGE, ...ASSETS].map((path) => cache.add(path).catch(() => {})))),
  );
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((name) => name.startsWith("idcard-verify-") && name !== CACHE)
        .map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === PAGE) event.respondWith(cacheFirst(event, request, PAGE));
  else if (ASSETS.includes(url.pathname)) event.respondWith(cacheFirst(event, request, url.pathname));
  else if (url.pathname === KEY_SET || STATUS_LIST.test(url.pathname)) {
    event.respondWith(networkFirst(request, url.pathname));
  }
});

/** Only whole, successful, same-origin answers are kept. */
function cacheable(response) {
  return response && response.status === 200 && response.type === "basic";
}

async function store(key, response) {
  if (!cacheable(response)) return;
  const cache = await caches.open(CACHE);
  await cache.put(key, response);
}

/** The cached copy at once if there is one, refreshed for next time; else the network. */
async function cacheFirst(event, request, key) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(key);
  const fresh = fetch(request).then(async (response) => {
    await store(key, response.clone());
    return response;
  });
  if (cached) {
    event.waitUntil(fresh.catch(() => {}));
    return cached;
  }
  return fresh;
}

/** The network's answer (and keep it); the cached copy, marked, if the network fails. */
async function networkFirst(request, key) {
  try {
    const response = await fetch(request);
    if (cacheable(response)) {
      await store(key, response.clone());
      return response;
    }
    if (response.status < 500) return response; // e.g. 404 for an unknown list: say so
    return (await fromCache(key, "server-error")) || response;
  } catch (error) {
    const cached = await fromCache(key, "offline");
    if (cached) return cached;
    throw error;
  }
}

async function fromCache(key, why) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(key);
  if (!cached) return null;
  const headers = new Headers(cached.headers);
  headers.set("X-Idcard-Cache", why);
  return new Response(await cached.arrayBuffer(), { status: cached.status, statusText: cached.statusText, headers });
}
