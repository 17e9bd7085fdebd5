// The verify page (/v): checks a card's QR token in this browser and says "Valid
// resident" or "Not valid", or why it cannot answer. The token arrives in the URL
// fragment (/v#TOKEN), which browsers never send to a server; this script takes it out
// of the address bar at once, fetches only the public key set and the (large, shared)
// status list, and never sends, stores or logs the token. Only a browser without
// Ed25519 in WebCrypto falls back to asking the server (POST /api/v1/verify).
//
// The same page is a scan station: a handheld scanner types a card's URL (or bare
// token) into #scan-form and presses Enter; the answer stays up until the next scan.
//
// The page CSP allows no inline script or style: all looks are classes and data-
// attributes styled by verify.css. Every text comes from the server-rendered HTML
// (<template id="msg-...">, translated with gettext); the English below is only a
// fallback for a template that is missing.
//
// Expected HTML (idcard/templates/verify/page.html; tests/js/fixtures/page.html is a
// standalone copy). Ids and data- attributes are what this script uses; all optional
// data- attributes on <body> show their defaults.
//
//   <!doctype html>
//   <html lang="{{ get_locale() }}">
//   <head>
//     <meta charset="utf-8">
//     <meta name="viewport" content="width=device-width, initial-scale=1">
//     <meta name="referrer" content="no-referrer">
//     <title>{{ _('Check a card') }} · {{ city_name }} ID</title>
//     <link rel="stylesheet" href="/static/css/verify.css">
//     <script type="module" src="/static/js/verify-page.js"></script>
//   </head>
//   <body class="verify-page"
//         data-max-age-seconds="86400"
//         data-jwks-url="/.well-known/jwks.json"
//         data-status-list-url="/api/v1/status-lists/{id}"
//         data-verify-api-url="/api/v1/verify"
//         data-service-worker-url="/sw.js"          (leave out: no offline support)
//         data-status-list-ids="1 2 3">             (optional: lists to preload, so a
//                                                    scan station works offline)
//     <main class="verify">
//       <h1 class="verify-title">{{ city_name }} ID</h1>
//       <div id="answer" class="answer" data-result="none"
//            role="status" aria-live="assertive" aria-atomic="true">
//         <span class="answer-icon" aria-hidden="true"></span>
//         <p id="answer-text" class="answer-text">{{ _('Scan a card.') }}</p>
//         <p id="answer-reminder" class="answer-reminder" hidden>
//           {{ _('Compare the photo on the card with the person in front of you.') }}</p>
//       </div>
//       <p id="list-age" class="list-age"></p>
//       <form id="scan-form" class="scan-form" autocomplete="off">
//         <label for="scan-input">{{ _('Scan or type a card code') }}</label>
//         <input id="scan-input" type="text" autofocus autocomplete="off"
//                autocapitalize="off" autocorrect="off" spellcheck="false"
//                enterkeyhint="go" aria-label="{{ _('Card code from the scanner') }}">
//         <button type="submit">{{ _('Check') }}</button>
//       </form>
//       <p class="privacy-note">{{ _('This check runs on this device. Nobody is told which card was checked.') }}</p>
//       <noscript><p class="answer-text">{{ _('This page needs JavaScript to check cards.') }}</p></noscript>
//     </main>
//     <template id="msg-ready">{{ _('Scan a card.') }}</template>
//     <template id="msg-checking">{{ _('Checking…') }}</template>
//     <template id="msg-valid">{{ _('Valid resident') }}</template>
//     <template id="msg-invalid">{{ _('Not valid') }}</template>
//     <template id="msg-reminder">{{ _('Compare the photo on the card with the person in front of you.') }}</template>
//     <template id="msg-stale-offline">{{ _('The card list is older than {hours} hours and this device is offline. Connect to the internet and scan again.') }}</template>
//     <template id="msg-stale">{{ _('The card list is older than {hours} hours and could not be updated. Try again in a few minutes.') }}</template>
//     <template id="msg-no-list-offline">{{ _('This device is offline and has no card list yet. Connect to the internet and scan again.') }}</template>
//     <template id="msg-no-list">{{ _('The card list could not be loaded. Try again in a few minutes.') }}</template>
//     <template id="msg-list-age">{{ _('Card list updated {ago}.') }}</template>
//     <template id="msg-list-age-stale">{{ _('Card list updated {ago}: too old to check cards.') }}</template>
//   </body>
//   </html>
//
// The scan input has no name attribute on purpose: if this script ever failed to
// load, submitting the form would send nothing, so no token lands in a server log.
// {hours} and {ago} are filled in here; {ago} comes from Intl.RelativeTimeFormat in
// the page's <html lang>, e.g. "5 minutes ago" / "hace 5 minutos".
//
// Endpoints (same origin, fetched without cookies):
//   GET  /.well-known/jwks.json            JWK Set (format 1.4)
//   GET  /api/v1/status-lists/<id>         the signed list, application/statuslist+cwt
//   POST /api/v1/verify {"token": "..."}   only without Ed25519: {"result": "valid resident"|"not valid"}
// A response the service worker served from its cache because the network failed
// carries "X-Idcard-Cache: offline".

import {
  InvalidStatusList,
  canVerifyInBrowser,
  checkStatus,
  decodeBase32,
  importKeySet,
  openToken,
  readStatusList,
  tokenFromText,
} from "./idcard-verifier/verifier.js";

// Take the token out of the address bar before anything else, so it is not left in
// the history entry, a bookmark or a shared link.
function takeTokenFromAddress() {
  const token = location.hash.slice(1);
  if (location.hash || location.href.endsWith("#")) {
    history.replaceState(history.state, "", location.pathname + location.search);
  }
  return token;
}
const initialToken = takeTokenFromAddress();

const FALLBACK_TEXTS = {
  ready: "Scan a card.",
  checking: "Checking…",
  valid: "Valid resident",
  invalid: "Not valid",
  reminder: "Compare the photo on the card with the person in front of you.",
  "stale-offline": "The card list is older than {hours} hours and this device is offline. Connect to the internet and scan again.",
  stale: "The card list is older than {hours} hours and could not be updated. Try again in a few minutes.",
  "no-list-offline": "This device is offline and has no card list yet. Connect to the internet and scan again.",
  "no-list": "The card list could not be loaded. Try again in a few minutes.",
  "list-age": "Card list updated {ago}.",
  "list-age-stale": "Card list updated {ago}: too old to check cards.",
};

const KEYS_REFRESH_MS = 60 * 60 * 1000; // re-read the key set hourly on a long-running station
const KEYS_RETRY_MS = 60 * 1000; // an unknown kid re-reads it, at most once a minute
const LIST_RETRY_MS = 30 * 1000; // a list too old to use: ask again at most this often
const MISSING_RETRY_MS = 5 * 1000; // no key set or list at all: ask again at most this often
const BACKGROUND_REFRESH_MS = 5 * 60 * 1000;
const AGE_TICK_MS = 30 * 1000;

const body = document.body;
const config = {
  maxAgeSeconds: positiveNumber(body.dataset.maxAgeSeconds, 86400),
  jwksUrl: body.dataset.jwksUrl || "/.well-known/jwks.json",
  statusListUrl: body.dataset.statusListUrl || "/api/v1/status-lists/{id}",
  verifyApiUrl: body.dataset.verifyApiUrl || "/api/v1/verify",
  serviceWorkerUrl: body.dataset.serviceWorkerUrl || "",
  preloadListIds: (body.dataset.statusListIds || "").split(/\s+/).filter((id) => /^\d+$/.test(id)).map(Number),
};

const answer = document.getElementById("answer");
const answerText = document.getElementById("answer-text");
const reminder = document.getElementById("answer-reminder");
const listAge = document.getElementById("list-age");
const form = document.getElementById("scan-form");
const input = document.getElementById("scan-input");

const state = {
  keys: null, // KeySet
  keysCheckedAt: 0, // when the key set was last fetched (successfully or not)
  keysLoading: null,
  lists: new Map(), // list id -> {list, checkedAt, loading}
  shownListId: null, // the list behind the answer on screen, for the age line
  offline: false, // the last fetch failed, or came from the service worker's cache
  sequence: 0, // the latest scan; an older check finishing late is not shown
};

function positiveNumber(text, fallback) {
  const value = Number(text);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

// --- texts -------------------------------------------------------------------------------

function text(name, values = {}) {
  const template = document.getElementById(`msg-${name}`);
  const raw = template ? template.content.textContent.trim() : FALLBACK_TEXTS[name];
  return raw.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
}

/** The page's language as a BCP 47 tag Intl accepts ("es_MX" from Babel becomes "es-MX"). */
function language() {
  const tag = (document.documentElement.lang || "").replace(/_/g, "-");
  try {
    return Intl.getCanonicalLocales(tag)[0] || undefined;
  } catch {
    return undefined; // the browser's own language
  }
}

/** "5 minutes ago" in the page's language. */
function ago(milliseconds) {
  const seconds = Math.max(0, Math.round(milliseconds / 1000));
  const format = new Intl.RelativeTimeFormat(language(), { numeric: "always" });
  if (seconds < 60) return format.format(-seconds, "second");
  if (seconds < 3600) return format.format(-Math.floor(seconds / 60), "minute");
  if (seconds < 172800) return format.format(-Math.floor(seconds / 3600), "hour");
  return format.format(-Math.floor(seconds / 86400), "day");
}

function hoursText(seconds) {
  return new Intl.NumberFormat(language(), { maximumFractionDigits: 1 }).format(seconds / 3600);
}

// --- showing answers ---------------------------------------------------------------------

/** result: "none" | "checking" | "valid" | "invalid" | "unknown". */
function show(result, message) {
  answer.dataset.result = result;
  answerText.textContent = message;
  if (reminder) {
    reminder.textContent = text("reminder");
    reminder.hidden = result !== "valid";
  }
  answer.classList.remove("answer-new");
  if (result !== "checking" && result !== "none") {
    void answer.offsetWidth; // restart the arrival animation, so a repeat answer is seen
    answer.classList.add("answer-new");
  }
}

function messageFor(outcome) {
  if (outcome.result === "valid") return text("valid");
  if (outcome.result === "invalid") return text("invalid");
  const offline = state.offline || navigator.onLine === false;
  const stale = outcome.reason === "status-list-stale" || outcome.reason === "status-list-expired";
  const name = stale ? "stale" : "no-list";
  return text(offline ? `${name}-offline` : name, { hours: hoursText(config.maxAgeSeconds) });
}

function showListAge() {
  if (!listAge) return;
  const entry = state.lists.get(state.shownListId);
  if (!entry || !entry.list) {
    listAge.textContent = "";
    return;
  }
  const age = Date.now() - entry.list.issuedAt.getTime();
  const tooOld = age > config.maxAgeSeconds * 1000 || Date.now() >= entry.list.expiresAt.getTime();
  listAge.textContent = text(tooOld ? "list-age-stale" : "list-age", { ago: ago(age) });
  listAge.classList.toggle("list-age-stale", tooOld);
}

// --- fetching ----------------------------------------------------------------------------

/** GET a public resource without cookies; {response} or {response: null} when offline. */
async function fetchPublic(url, accept, { revalidate = false } = {}) {
  try {
    const response = await fetch(url, {
      headers: { Accept: accept },
      credentials: "omit",
      cache: revalidate ? "no-cache" : "default",
      referrerPolicy: "no-referrer",
    });
    state.offline = response.headers.get("X-Idcard-Cache") === "offline";
    return response.ok ? response : null;
  } catch {
    state.offline = true;
    return null;
  }
}

async function loadKeys({ revalidate = false } = {}) {
  state.keysCheckedAt = Date.now();
  const response = await fetchPublic(config.jwksUrl, "application/jwk-set+json, application/json", { revalidate });
  if (!response) return;
  try {
    const keys = await importKeySet(await response.json());
    if (keys.size > 0) state.keys = keys;
  } catch {
    // keep the key set we had
  }
}

/** The key set, fetched when missing or old, or (`retry`) when a kid was not in it. */
async function ensureKeys({ retry = false } = {}) {
  const age = Date.now() - state.keysCheckedAt;
  const due = !state.keys ? state.keysCheckedAt === 0 || age > MISSING_RETRY_MS
    : retry ? age > KEYS_RETRY_MS : age > KEYS_REFRESH_MS;
  if (due && !state.keysLoading) {
    // A kid not in the set may be a new key: ask past the HTTP cache (the set is
    // served with max-age).
    state.keysLoading = loadKeys({ revalidate: retry && Boolean(state.keys) }).finally(() => {
      state.keysLoading = null;
    });
  }
  if (state.keysLoading) await state.keysLoading;
  return state.keys;
}

function listIsFresh(list, now = Date.now()) {
  return now < list.expiresAt.getTime() && now - list.issuedAt.getTime() <= config.maxAgeSeconds * 1000;
}

function listUrl(listId) {
  return config.statusListUrl.replace("{id}", encodeURIComponent(String(listId)));
}

async function loadList(listId, entry) {
  const url = listUrl(listId);
  const revalidate = Boolean(entry.list) && !listIsFresh(entry.list);
  entry.checkedAt = Date.now();
  const response = await fetchPublic(url, "application/statuslist+cwt", { revalidate });
  const keys = response && (await ensureKeys());
  if (!response || !keys) return;
  let list;
  try {
    list = await readStatusList(new Uint8Array(await response.arrayBuffer()), keys, Date.now());
  } catch (error) {
    // An expired list is kept only to say how old it is; it never answers.
    if (!(error instanceof InvalidStatusList) || !error.statusList) return;
    list = error.statusList;
  }
  if (list.listId !== listId) return; // a validly signed list for another id
  if (!entry.list || list.issuedAt.getTime() >= entry.list.issuedAt.getTime()) entry.list = list;
}

/** The status list for `listId`: cached, refetched after its ttl or when too old. */
async function ensureList(listId) {
  let entry = state.lists.get(listId);
  if (!entry) {
    entry = { list: null, checkedAt: 0, loading: null };
    state.lists.set(listId, entry);
  }
  const now = Date.now();
  const since = now - entry.checkedAt;
  const due = entry.list
    ? since > Math.max(entry.list.ttl * 1000, LIST_RETRY_MS) || (!listIsFresh(entry.list, now) && since > LIST_RETRY_MS)
    : entry.checkedAt === 0 || since > MISSING_RETRY_MS;
  if (due && !entry.loading) {
    entry.loading = loadList(listId, entry).finally(() => {
      entry.loading = null;
    });
  }
  if (entry.loading) await entry.loading;
  return entry.list;
}

// --- checking a card ---------------------------------------------------------------------

const UNKNOWN = (reason) => ({ valid: false, result: "unknown", reason });

/** Only for browsers without Ed25519: the server answers, the token goes to it. */
async function askServer(token) {
  try {
    if (token.length > 512) return { valid: false, result: "invalid", reason: "too-long" };
    decodeBase32(token); // do not send what is plainly not a token
  } catch {
    return { valid: false, result: "invalid", reason: "bad-base32" };
  }
  try {
    const response = await fetch(config.verifyApiUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ token }),
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
    });
    state.offline = false;
    if (!response.ok) return UNKNOWN("server-unavailable");
    const { result } = await response.json();
    if (result === "valid resident") return { valid: true, result: "valid", reason: "server" };
    if (result === "not valid") return { valid: false, result: "invalid", reason: "server" };
    return UNKNOWN("server-unavailable");
  } catch {
    state.offline = true;
    return UNKNOWN("server-unavailable");
  }
}

async function decide(token) {
  if (!(await canVerifyInBrowser())) return askServer(token);
  let keys = await ensureKeys();
  if (!keys) return UNKNOWN("no-keys");
  let opened = await openToken(token, { keys });
  if (!opened.valid && opened.reason === "unknown-kid") {
    keys = await ensureKeys({ retry: true }); // a key added since the set was read
    opened = await openToken(token, { keys });
  }
  if (!opened.valid) return opened;
  const { listId } = opened.claims;
  state.shownListId = listId;
  const list = await ensureList(listId);
  return checkStatus(opened.claims, list ? [list] : [], { maxAgeSeconds: config.maxAgeSeconds });
}

async function check(scanned, { fromScanner = false } = {}) {
  const sequence = ++state.sequence;
  show("checking", text("checking"));
  let outcome;
  try {
    outcome = await decide(tokenFromText(scanned));
  } catch {
    outcome = UNKNOWN("error");
  }
  if (sequence !== state.sequence) return; // a newer scan is on its way
  show(outcome.result, messageFor(outcome));
  showListAge();
  // A scan station keeps its input focused for the next card; a phone that opened a
  // card's link gets no on-screen keyboard over the answer.
  if (!input) return;
  if (fromScanner && (document.activeElement === document.body || document.activeElement === null)) {
    input.focus({ preventScroll: true });
  } else if (!fromScanner && document.activeElement === input && input.value === "") {
    input.blur(); // autofocus may have landed after start() ran
  }
}

// --- wiring ------------------------------------------------------------------------------

function onScan(event) {
  event.preventDefault();
  const scanned = input.value;
  input.value = ""; // do not keep a card's token on screen
  input.focus({ preventScroll: true });
  if (scanned.trim()) check(scanned, { fromScanner: true });
}

function onHashChange() {
  const token = takeTokenFromAddress();
  if (token) check(token);
}

async function refreshInBackground() {
  if (document.visibilityState === "hidden") return;
  if (!(await canVerifyInBrowser())) return;
  await ensureKeys();
  const ids = new Set([...config.preloadListIds, ...state.lists.keys()]);
  await Promise.all([...ids].map((id) => ensureList(id).catch(() => null)));
  showListAge();
}

/**
 * When the service worker first takes control, fetch the key set and the lists this
 * page already read once more, through it, so they are in its cache for offline use
 * (the first fetches happened before it was there).
 */
function fillServiceWorkerCache() {
  const urls = new Set([config.jwksUrl, ...[...config.preloadListIds, ...state.lists.keys()].map(listUrl)]);
  for (const url of urls) fetch(url, { credentials: "omit", referrerPolicy: "no-referrer" }).catch(() => {});
}

function start() {
  if (form && input) {
    form.addEventListener("submit", onScan);
    input.value = "";
  }
  window.addEventListener("hashchange", onHashChange);
  if (initialToken) {
    if (input) {
      input.removeAttribute("autofocus"); // opened from a QR: no on-screen keyboard
      input.blur();
    }
    check(initialToken);
  } else {
    show("none", text("ready"));
  }
  if (config.serviceWorkerUrl && "serviceWorker" in navigator) {
    if (!navigator.serviceWorker.controller) {
      navigator.serviceWorker.addEventListener("controllerchange", fillServiceWorkerCache, { once: true });
    }
    navigator.serviceWorker.register(config.serviceWorkerUrl, { scope: "/" }).catch(() => {});
  }
  // Read the key set (and any lists named on the page) now, so the first scan is fast
  // and a scan station keeps working if the network drops later.
  refreshInBackground();
  setInterval(refreshInBackground, BACKGROUND_REFRESH_MS);
  setInterval(showListAge, AGE_TICK_MS);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") refreshInBackground();
  });
}

start();
