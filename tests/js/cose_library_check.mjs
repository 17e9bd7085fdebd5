// Verify COSE_Sign1 messages with an independent COSE library from npm (@auth0/cose),
// finding each key in a COSE Key Set by the kid bytes of the message's protected header.
//
//   node tests/js/cose_library_check.mjs CASES.json
//
// CASES.json: {"cose_key_set_hex": "...", "messages_hex": ["...", ...]}. Prints one JSON
// line: [{"kid_hex", "verified", "payload_hex"}, ...]. tests/verify/test_conformance.py
// runs it on a card and a status list the app has just issued; conformance.test.mjs
// uses the same library on the published vectors.
import { readFileSync } from "node:fs";

import { COSEKey, Sign1 } from "@auth0/cose";
import { decode } from "cbor-x";

const hex = (bytes) => Buffer.from(bytes).toString("hex");

/** The key set's keys as the library imports them, by kid in hex. */
export async function libraryKeys(coseKeySet) {
  const keys = new Map();
  for (const entry of decode(coseKeySet)) {
    const key = COSEKey.import(entry instanceof Map ? entry : new Map(Object.entries(entry).map(([k, v]) => [Number(k), v])));
    keys.set(hex(key.get(2)), await key.toKeyLike());
  }
  return keys;
}

/** Verify one message; never throws. */
export async function libraryVerify(message, keys) {
  try {
    const decoded = Sign1.decode(message);
    const key = keys.get(hex(decoded.kid ?? []));
    if (!key) return { kid_hex: hex(decoded.kid ?? []), verified: false, payload_hex: null };
    await decoded.verify(key);
    return { kid_hex: hex(decoded.kid), verified: true, payload_hex: hex(decoded.payload) };
  } catch {
    return { kid_hex: null, verified: false, payload_hex: null };
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop())) {
  const cases = JSON.parse(readFileSync(process.argv[2], "utf8"));
  const keys = await libraryKeys(Buffer.from(cases.cose_key_set_hex, "hex"));
  const results = [];
  for (const message of cases.messages_hex) results.push(await libraryVerify(Buffer.from(message, "hex"), keys));
  console.log(JSON.stringify(results));
}
