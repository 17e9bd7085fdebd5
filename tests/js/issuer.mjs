// A tiny test-only issuer: signs status lists (and COSE_Sign1 messages) in Node with the
// format's test key, so the browser tests can serve lists issued "now" (a page checks
// freshness against the real clock). It writes what idcard/statuslist.py writes; the
// differential tests, not this file, tie the verifier to the Python.
import { createPrivateKey, sign } from "node:crypto";
import { deflateSync } from "node:zlib";

import { fromHex, tokenVectors } from "./helpers.mjs";

function head(major, value) {
  const type = major << 5;
  if (value < 24) return [type | value];
  if (value < 0x100) return [type | 24, value];
  if (value < 0x10000) return [type | 25, value >> 8, value & 0xff];
  if (value < 2 ** 32) return [type | 26, value >>> 24, (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
  throw new RangeError("this test encoder stops at 32 bits");
}

/** Encode ints, strings, Uint8Arrays, arrays, Maps (in insertion order) and {tag, value}. */
export function encodeCbor(item) {
  if (typeof item === "number") return Uint8Array.from(item >= 0 ? head(0, item) : head(1, -1 - item));
  if (typeof item === "string") {
    const bytes = new TextEncoder().encode(item);
    return Uint8Array.from([...head(3, bytes.length), ...bytes]);
  }
  if (item instanceof Uint8Array) return Uint8Array.from([...head(2, item.length), ...item]);
  if (Array.isArray(item)) return Uint8Array.from([...head(4, item.length), ...item.flatMap((x) => [...encodeCbor(x)])]);
  if (item instanceof Map) {
    return Uint8Array.from([...head(5, item.size), ...[...item].flatMap(([k, v]) => [...encodeCbor(k), ...encodeCbor(v)])]);
  }
  if (item && "tag" in item) return Uint8Array.from([...head(6, item.tag), ...encodeCbor(item.value)]);
  throw new TypeError(`cannot encode ${item}`);
}

const d = fromHex(tokenVectors.signing_key.private_key_d_hex);
const { jwk } = tokenVectors.signing_key;
const privateKey = createPrivateKey({ key: { ...jwk, d: Buffer.from(d).toString("base64url") }, format: "jwk" });
const kid = fromHex(jwk.kid);

export function signCose(protectedMap, payload) {
  const protectedBytes = encodeCbor(protectedMap);
  const toSign = encodeCbor(["Signature1", protectedBytes, new Uint8Array(0), payload]);
  const signature = new Uint8Array(sign(null, toSign, privateKey));
  return encodeCbor({ tag: 18, value: [protectedBytes, new Map(), payload, signature] });
}

/** A signed status list like statuslist.py sign_status_list writes. */
export function statusListCwt({ listId = 3, invalid = [], entries = 131072, iat, ttl = 3600, validSeconds = 86400 }) {
  const raw = new Uint8Array(entries / 8);
  for (const index of invalid) raw[index >> 3] |= 1 << (index & 7);
  const claims = new Map([
    [2, `https://id.example-city.gov/api/v1/status-lists/${listId}`],
    [4, iat + validSeconds],
    [6, iat],
    [65533, new Map([["bits", 1], ["lst", new Uint8Array(deflateSync(raw, { level: 9 }))]])],
    [65534, ttl],
    [-65537, listId],
  ]);
  return signCose(new Map([[1, -8], [4, kid], [16, "application/statuslist+cwt"]]), encodeCbor(claims));
}

export const vectorJwks = { keys: [jwk] };
