// A check-in desk's verifier: one bit about a scanned card, from the issuer's key set and
// status lists, downloaded and kept for their cache times. The card never leaves the
// device: a status list holds every card's bit, so fetching one says nothing about which
// card is being checked. Mirrors idcard_verifier.OnlineVerifier (Python).
//
//   const desk = checkInDesk("https://id.example-city.gov");
//   const { result } = await desk.check(scannedText); // "valid", "invalid" or "unknown"
import { importKeySet, openToken, readStatusList, tokenFromText, verifyToken } from "./verifier.js";

const KEY_SET_PATH = "/.well-known/cose-key-set";
const KEY_SET_SECONDS = 300;
const RETRY_SECONDS = 60; // how soon to ask again for a list that could not be had

async function download(fetcher, url) {
  const response = await fetcher(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * A desk for one issuer. `fetch` defaults to the global fetch; `maxAgeSeconds` is how old
 * a status list may be before the desk says "unknown" rather than answer from it.
 */
export function checkInDesk(issuerUrl, { fetch: fetcher = globalThis.fetch, maxAgeSeconds = 86400 } = {}) {
  const base = issuerUrl.replace(/\/+$/, "");
  let keys = null;
  let keysAt = -Infinity;
  const lists = new Map(); // list id -> StatusList
  const askedAt = new Map(); // list id -> when it was last asked for (ms)

  async function refreshKeys(nowMs) {
    keysAt = nowMs;
    try {
      keys = await importKeySet(await download(fetcher, base + KEY_SET_PATH));
    } catch {
      // keep the keys held: they are the issuer's until it publishes others
    }
  }

  async function refreshList(listId, nowMs) {
    const held = lists.get(listId);
    const wait = (held ? held.ttl : RETRY_SECONDS) * 1000;
    if (askedAt.has(listId) && nowMs - askedAt.get(listId) < wait) return;
    askedAt.set(listId, nowMs);
    try {
      const uri = `${base}/api/v1/status-lists/${listId}`;
      const list = await readStatusList(await download(fetcher, uri), keys, nowMs);
      // The card's status_list.uri must be the list's own sub (docs/token-format.md 0).
      if (list.uri === uri && (!held || held.issuedAt <= list.issuedAt)) lists.set(listId, list);
    } catch {
      // the list held, if any, still answers while it is fresh enough
    }
  }

  return {
    /** Check a scanned QR text or bare token: {valid, result, reason}. Never throws. */
    async check(scanned, { now } = {}) {
      const nowMs = now instanceof Date ? now.getTime() : now ?? Date.now();
      if (nowMs - keysAt > KEY_SET_SECONDS * 1000) await refreshKeys(nowMs);
      const token = tokenFromText(scanned);
      const opened = await openToken(token, { keys, now: nowMs });
      if (!opened.valid) return opened;
      await refreshList(opened.claims.listId, nowMs);
      return verifyToken(token, { keys, statusLists: lists, now: nowMs, maxAgeSeconds });
    },
  };
}
