// static/js/idcard-verifier/verifier.js against the format's own vectors, the standards' vectors, and
// hostile input. Run: node --test tests/js/
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";

import {
  CborFloat,
  CborMap,
  CborTag,
  FormatError,
  InvalidStatusList,
  KeySet,
  canVerifyInBrowser,
  checkStatus,
  decodeBase32,
  decodeCbor,
  hasEd25519,
  importKeySet,
  openToken,
  readStatusList,
  readStatusListCbor,
  statusAt,
  tokenFromText,
  verifyCoseSign1,
  verifyToken,
} from "../../static/js/idcard-verifier/verifier.js";
import { encodeBase32, fromHex, interopVectors, pythonVerdicts, seconds, toHex, tokenVectors } from "./helpers.mjs";

const card = tokenVectors.card_token;
const vectorList = tokenVectors.status_list;
const vectorJwks = { keys: [tokenVectors.signing_key.jwk] };
const LIST_TIME = seconds(vectorList.iat + 60); // a minute after the vector list was issued

const keysPromise = importKeySet(vectorJwks);
const vectorListPromise = keysPromise.then((keys) => readStatusList(fromHex(vectorList.status_list_cwt_hex), keys, LIST_TIME));
const clearListPromise = keysPromise.then((keys) =>
  readStatusList(fromHex(pythonVerdicts.clear_status_list.cwt_hex), keys, LIST_TIME));

/** A small seeded PRNG (mulberry32), so a failing fuzz case can be replayed. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

describe("Base32", () => {
  it("decodes the vector token to the vector COSE_Sign1", () => {
    assert.equal(toHex(decodeBase32(card.token)), card.cose_sign1_hex);
    assert.equal(card.token.length, card.token_chars);
  });

  it("round-trips every length", () => {
    const next = random(1);
    for (let length = 1; length < 80; length++) {
      const bytes = Uint8Array.from({ length }, () => Math.floor(next() * 256));
      assert.deepEqual(decodeBase32(encodeBase32(bytes)), bytes);
    }
  });

  for (const [why, text] of [
    ["empty", ""],
    ["lower case", card.token.toLowerCase()],
    ["padding", "MZXW6===" ],
    ["whitespace", `${card.token} `],
    ["a newline", `${card.token}\n`],
    ["digits 0, 1, 8, 9", "A0B1C8D9"],
    ["length 1 mod 8", "A"],
    ["length 3 mod 8", "AAA"],
    ["length 6 mod 8", "AAAAAA"],
    ["non-zero unused bits", "AB"], // 10 bits for 1 byte: the last 2 must be zero
    ["not a string", 42],
  ]) {
    it(`refuses ${why}`, () => assert.throws(() => decodeBase32(text), FormatError));
  }
});

describe("CBOR, strict", () => {
  const decode = (hex) => decodeCbor(fromHex(hex));

  it("decodes the subset the format uses", () => {
    assert.equal(decode("00"), 0);
    assert.equal(decode("17"), 23);
    assert.equal(decode("1818"), 24);
    assert.equal(decode("1a000181cd"), 98765);
    assert.equal(decode("1affffffff"), 0xffffffff);
    assert.equal(decode("1bffffffffffffffff"), 2n ** 64n - 1n);
    assert.equal(decode("27"), -8);
    assert.equal(decode("3a00010000"), -65537);
    assert.deepEqual(decode("4401020304"), Uint8Array.of(1, 2, 3, 4));
    assert.equal(decode("6161"), "a");
    assert.deepEqual(decode("820102"), [1, 2]);
    const tag = decode("d2820102");
    assert.ok(tag instanceof CborTag && tag.tag === 18);
    const map = decode(card.payload_hex);
    assert.ok(map instanceof CborMap);
    assert.deepEqual(map.keys(), [1, 2, 3, 4, 5]);
    assert.equal(map.get(5), 98765);
  });

  for (const [why, hex] of [
    ["a non-shortest integer", "1801"],
    ["a non-shortest 8-byte integer", "1b0000000000000001"],
    ["a non-shortest length", "5801ff"],
    ["a non-shortest tag", "d812820102"],
    ["an indefinite byte string", "5f4101ff"],
    ["an indefinite array", "9f01ff"],
    ["an indefinite map", "bf0102ff"],
    ["map keys out of order", "a2020001 00".replace(" ", "")],
    ["a duplicate map key", "a201000100"],
    ["a byte-string map key", "a1410100"],
    ["a bool map key", "a1f500"],
    ["a float", "f93c00"],
    ["a simple value", "f0"],
    ["a reserved additional info", "1c"],
    ["a stray break", "ff"],
    ["trailing bytes", "0000"],
    ["a truncated item", "1a0001"],
    ["a length past the end", "5a00010000"],
    ["invalid UTF-8", "62c328"],
    ["nothing", ""],
    ["deep nesting", "81".repeat(1000) + "00"],
  ]) {
    it(`refuses ${why}`, () => assert.throws(() => decode(hex), FormatError));
  }

  it("keeps a byte order mark in text, as Python does", () => {
    assert.equal(decode("64efbbbf61"), "\ufeffa");
  });
});

describe("CBOR, lenient (a status list's claims)", () => {
  const decode = (hex) => decodeCbor(fromHex(hex), { strict: false });

  it("accepts what cbor2 accepts", () => {
    assert.equal(decode("1801"), 1);
    assert.deepEqual(decode("5f41014102ff"), Uint8Array.of(1, 2));
    assert.equal(decode("7f61616162ff"), "ab");
    assert.deepEqual(decode("9f0102ff"), [1, 2]);
    assert.equal(decode("bf0102ff").get(1), 2);
    assert.equal(decode("c24101"), 1);
    assert.equal(decode("c34107"), -8);
    assert.equal(decode("c249010000000000000000"), 2n ** 64n);
    assert.equal(decode("d9d9f701"), 1);
    assert.ok(decode("f93c00") instanceof CborFloat);
    assert.equal(decode("f93c00").value, 1);
    assert.equal(decode("fa3fc00000").value, 1.5);
    assert.equal(decode("a2010201 03".replace(" ", "")).get(1), 3); // the last value wins
  });

  it("finds a claim under 1, 1.0 or true alike, as a Python dict does", () => {
    const map = decode("a1f93c0007");
    assert.equal(map.get(1), 7);
    assert.ok(map.keys()[0] instanceof CborFloat);
    assert.equal(decode("a1f507").get(1), 7);
  });

  for (const [why, hex] of [
    ["a bignum of an integer", "c201"],
    ["a byte chunk in a text string", "7f4161ff"],
    ["a nested indefinite chunk", "5f5f4101ffff"],
    ["a date tag", "c06161"],
    ["a string reference", "d81900"],
    ["a reserved additional info", "fc"],
    ["trailing bytes", "0000"],
  ]) {
    it(`still refuses ${why}`, () => assert.throws(() => decode(hex), FormatError));
  }
});

describe("the COSE working group's Ed25519 example", () => {
  const vector = interopVectors.cose_sign1_ed25519;
  const message = fromHex(vector.message_cbor_hex.toLowerCase());
  const publicKey = fromHex(vector.public_key_x_hex);
  const payloadAt = message.length - 64 - 1 - vector.payload_utf8.length;

  it("verifies", async () => {
    const payload = await verifyCoseSign1(message, publicKey);
    assert.equal(new TextDecoder().decode(payload), vector.payload_utf8);
  });

  it("fails with any single byte of the signature or payload changed", async () => {
    const positions = [];
    for (let i = payloadAt; i < payloadAt + vector.payload_utf8.length; i++) positions.push(i);
    for (let i = message.length - 64; i < message.length; i++) positions.push(i);
    assert.equal(positions.length, vector.payload_utf8.length + 64);
    for (const position of positions) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const changed = message.slice();
        changed[position] ^= mask;
        await assert.rejects(verifyCoseSign1(changed, publicKey), FormatError, `byte ${position} xor ${mask}`);
      }
    }
  });

  it("is not a card token (its kid sits in the unprotected header)", async () => {
    const keys = await importKeySet(vectorJwks);
    const result = await openToken(encodeBase32(message), { keys, today: "2026-03-01" });
    assert.equal(result.valid, false);
  });
});

describe("the token vectors in docs/token-vectors.json", () => {
  it("spell the key id as the first 8 bytes of SHA-256 of the key", async () => {
    const x = fromHex(tokenVectors.signing_key.public_key_x_hex);
    const kid = createHash("sha256").update(x).digest("hex").slice(0, 16);
    assert.equal(kid, tokenVectors.signing_key.kid_hex);
    const keys = await importKeySet(vectorJwks);
    assert.ok(keys.get(fromHex(kid)));
  });

  it("hold the protected header and payload the token carries", () => {
    const envelope = decodeCbor(decodeBase32(card.token));
    const [protectedBytes, unprotected, payload, signature] = envelope.value;
    assert.equal(toHex(protectedBytes), card.protected_hex);
    assert.equal(unprotected.size, 0);
    assert.equal(toHex(payload), card.payload_hex);
    assert.equal(toHex(signature), card.signature_hex);
  });

  for (const day of card.valid_on) {
    it(`open the vector token on ${day}`, async () => {
      const result = await openToken(card.token, { keys: await keysPromise, today: day });
      assert.equal(result.valid, true, result.reason);
      assert.deepEqual(
        { ...result.claims, handle: toHex(result.claims.handle) },
        { version: 1, handle: card.claims.handle_hex, expiresOn: card.claims.expires_on_days,
          listId: card.claims.list_id, index: card.claims.index },
      );
    });
  }

  it("refuse the vector token once expired", async () => {
    const result = await openToken(card.token, { keys: await keysPromise, today: card.expired_on });
    assert.deepEqual([result.valid, result.reason], [false, "expired"]);
  });

  it("take today as a Date, a string or a day count alike", async () => {
    const keys = await keysPromise;
    for (const today of [new Date("2031-06-30T23:59:59Z"), "2031-06-30", card.claims.expires_on_days]) {
      assert.equal((await openToken(card.token, { keys, today })).valid, true);
    }
    assert.equal((await openToken(card.token, { keys, now: new Date("2031-07-01T00:00:00Z") })).valid, false);
  });

  for (const { why, token } of tokenVectors.invalid_tokens) {
    it(`refuse: ${why}`, async () => {
      const result = await verifyToken(token, {
        keys: await keysPromise, statusLists: [await clearListPromise], today: "2026-01-01", now: LIST_TIME,
      });
      assert.deepEqual([result.valid, result.result], [false, "invalid"], result.reason);
    });
  }

  it("read the vector status list", async () => {
    const list = await vectorListPromise;
    assert.equal(list.listId, vectorList.list_id);
    assert.equal(list.uri, vectorList.uri);
    assert.equal(list.bits.length * 8, vectorList.entries);
    assert.equal(createHash("sha256").update(list.bits).digest("hex"), vectorList.raw_sha256_hex);
    assert.equal(list.issuedAt.toISOString(), "2026-01-01T00:00:00.000Z");
    assert.equal(list.expiresAt.getTime(), vectorList.exp * 1000);
    assert.equal(list.ttl, vectorList.ttl_seconds);
    const invalid = [];
    for (let index = 0; index < vectorList.entries; index++) if (statusAt(list.bits, index)) invalid.push(index);
    assert.deepEqual(invalid, vectorList.invalid_indexes);
  });

  it("refuse the vector status list from its exp on", async () => {
    const keys = await keysPromise;
    const cwt = fromHex(vectorList.status_list_cwt_hex);
    await readStatusList(cwt, keys, seconds(vectorList.exp - 1));
    await assert.rejects(readStatusList(cwt, keys, seconds(vectorList.exp)), (error) =>
      error instanceof InvalidStatusList && error.reason === "status-list-expired" && error.statusList.listId === 3);
  });

  it("say the vector card is revoked in the vector list", async () => {
    const result = await verifyToken(card.token, {
      keys: await keysPromise, statusLists: [await vectorListPromise], today: "2026-01-01", now: LIST_TIME,
    });
    assert.deepEqual(result, { valid: false, result: "invalid", reason: "status-not-valid" });
  });
});

describe("a card checked end to end", () => {
  const check = async (token, options = {}) => verifyToken(token, {
    keys: await keysPromise,
    statusLists: new Map([[3, await clearListPromise]]),
    today: "2026-01-01",
    now: LIST_TIME,
    maxAgeSeconds: 86400,
    ...options,
  });

  it("is valid with the key set and a list where its bit is 0", async () => {
    assert.deepEqual(await check(card.token), { valid: true, result: "valid", reason: "valid" });
  });

  it("takes the key set as JWKS JSON, and lists as an array or an object", async () => {
    const list = await clearListPromise;
    assert.equal((await check(card.token, { keys: JSON.stringify(vectorJwks) })).valid, true);
    assert.equal((await check(card.token, { statusLists: [list] })).valid, true);
    assert.equal((await check(card.token, { statusLists: { 3: list } })).valid, true);
  });

  it("is not valid with one bit of the token flipped", async () => {
    const message = decodeBase32(card.token);
    for (let bit = 0; bit < message.length * 8; bit += 7) {
      const changed = message.slice();
      changed[bit >> 3] ^= 1 << (bit & 7);
      const result = await check(encodeBase32(changed));
      assert.deepEqual([result.valid, result.result], [false, "invalid"], `bit ${bit}`);
    }
  });

  it("is not valid when its kid is not in the key set", async () => {
    const keys = await importKeySet({ keys: [pythonVerdicts.outsider_jwk] });
    assert.deepEqual(await check(card.token, { keys }), { valid: false, result: "invalid", reason: "unknown-kid" });
  });

  it("verifies with a retired key still in the set", async () => {
    const keys = await importKeySet(pythonVerdicts.jwks);
    const byOther = pythonVerdicts.tokens.find((item) => item.why === "valid, other key, index 23");
    assert.equal((await openToken(byOther.token, { keys, today: "2026-03-01" })).valid, true);
    const onlyFirst = await importKeySet({ keys: [pythonVerdicts.jwks.keys[0]] });
    assert.equal((await openToken(byOther.token, { keys: onlyFirst, today: "2026-03-01" })).valid, false);
  });

  it("is not valid after its expiry date", async () => {
    const result = await check(card.token, { today: "2031-07-01" });
    assert.deepEqual(result, { valid: false, result: "invalid", reason: "expired" });
  });

  it("reads its own bit and no other", async () => {
    const revoked = new Set(pythonVerdicts.clear_status_list.invalid_indexes);
    for (const { index, token } of pythonVerdicts.status_tokens) {
      const result = await check(token);
      const expected = index >= 131072 ? "index-outside-list" : revoked.has(index) ? "status-not-valid" : "valid";
      assert.equal(result.reason, expected, `index ${index}`);
      assert.equal(result.valid, expected === "valid");
    }
  });

  it("cannot be answered without the list for its list id", async () => {
    for (const statusLists of [undefined, new Map(), [], { 4: await clearListPromise }]) {
      assert.deepEqual(await check(card.token, { statusLists }),
        { valid: false, result: "unknown", reason: "no-status-list" });
    }
  });

  it("cannot be answered from a list signed for another list id", async () => {
    const impostor = { ...(await clearListPromise), listId: 4 };
    assert.equal((await check(card.token, { statusLists: new Map([[3, impostor]]) })).reason, "status-list-mismatch");
  });

  it("cannot be answered from a list older than the page's limit, or expired", async () => {
    const stale = await check(card.token, { now: seconds(vectorList.iat + 3601), maxAgeSeconds: 3600 });
    assert.deepEqual(stale, { valid: false, result: "unknown", reason: "status-list-stale" });
    const lapsed = await check(card.token, { now: seconds(vectorList.exp), maxAgeSeconds: undefined });
    assert.deepEqual(lapsed, { valid: false, result: "unknown", reason: "status-list-expired" });
    // A revoked card in a stale list is not answered either: the list may be out of date.
    const revoked = await verifyToken(card.token, {
      keys: await keysPromise, statusLists: [await vectorListPromise], today: "2026-01-01",
      now: seconds(vectorList.iat + 3601), maxAgeSeconds: 3600,
    });
    assert.equal(revoked.result, "unknown");
  });

  it("cannot be answered without any key", async () => {
    for (const keys of [undefined, new KeySet(), { keys: [] }, { keys: [{ kty: "RSA" }] }]) {
      assert.equal((await check(card.token, { keys })).result, "unknown");
    }
  });

  it("checkStatus works from the claims openToken gives", async () => {
    const opened = await openToken(card.token, { keys: await keysPromise, today: "2026-01-01" });
    assert.equal(checkStatus(opened.claims, [await clearListPromise], { now: LIST_TIME }).valid, true);
    assert.equal(checkStatus(opened.claims, [await vectorListPromise], { now: LIST_TIME }).valid, false);
  });
});

describe("the key set", () => {
  const jwk = tokenVectors.signing_key.jwk;

  it("leaves out keys it cannot use or whose kid does not match", async () => {
    const other = pythonVerdicts.jwks.keys[1];
    const keys = await importKeySet({
      keys: [
        { ...jwk, kid: other.kid }, // kid of another key
        { ...jwk, kid: jwk.kid.toUpperCase() },
        { ...jwk, crv: "Ed448" },
        { ...jwk, kty: "EC" },
        { ...jwk, alg: "ES256" },
        { ...jwk, use: "enc" },
        { ...jwk, x: `${jwk.x}=` },
        { ...jwk, x: jwk.x.slice(0, -1) },
        { ...jwk, x: jwk.x.replace(/_/g, "/") },
        null,
        "key",
      ],
    });
    assert.equal(keys.size, 0);
  });

  it("derives the kid from x when the JWK has none", async () => {
    const { kid, ...withoutKid } = jwk;
    const keys = await importKeySet({ keys: [withoutKid] });
    assert.ok(keys.get(fromHex(kid)));
  });

  it("accepts JSON text and tolerates garbage", async () => {
    assert.equal((await importKeySet(JSON.stringify(vectorJwks))).size, 1);
    for (const garbage of [{}, { keys: "x" }, [], null, 7]) assert.equal((await importKeySet(garbage)).size, 0);
  });
});

describe("the IETF Token Status List 1-bit example", () => {
  const vector = interopVectors.token_status_list_1bit;

  it("decodes lst to the raw bytes, statuses by index", async () => {
    const raw = await readStatusListCbor(fromHex(vector.status_list_cbor_hex));
    assert.equal(toHex(raw), vector.raw_bytes_hex);
    vector.statuses_by_index.forEach((status, index) => assert.equal(statusAt(raw, index), status, `index ${index}`));
    assert.equal(statusAt(raw, vector.statuses_by_index.length), 1); // past the end: not valid
    assert.equal(statusAt(raw, -1), 1);
  });

  it("has an lst that inflates to the raw bytes", async () => {
    const lst = Buffer.from(vector.lst_base64url_zlib_level9, "base64url");
    const raw = await readStatusListCbor(fromHex(`a2646269747301636c7374${(0x40 + lst.length).toString(16)}${toHex(lst)}`));
    assert.equal(toHex(raw), vector.raw_bytes_hex);
  });

  it("refuses bits other than 1, and lst that is not exactly one zlib stream", async () => {
    for (const hex of [
      "a2646269747302636c73744a78dadbb918000217015d", // bits 2
      "a2646269747301636c73744978dadbb918000217015d".slice(0, -2), // truncated
      "a2646269747301636c73744b78dadbb918000217015d00", // a byte after the stream
      "a16462697473 01".replace(" ", ""), // no lst
    ]) {
      await assert.rejects(readStatusListCbor(fromHex(hex)), InvalidStatusList, hex);
    }
  });
});

describe("scanned text", () => {
  it("gives the token from a verify URL or a bare token", () => {
    assert.equal(tokenFromText(card.qr_text), card.token);
    assert.equal(tokenFromText(`  ${card.token}\r\n`), card.token);
    assert.equal(tokenFromText("https://id.example-city.gov/v#"), "");
    assert.equal(tokenFromText(undefined), "");
    assert.equal(tokenFromText(card.token.toLowerCase()), card.token.toLowerCase()); // no repairs
  });
});

describe("this runtime", () => {
  it("has Ed25519 in WebCrypto and DecompressionStream", async () => {
    assert.equal(await hasEd25519(), true);
    assert.equal(await canVerifyInBrowser(), true);
  });
});

describe("hostile input never throws and is never valid", () => {
  const SEED = 20260301;

  it("random strings", async () => {
    const next = random(SEED);
    const keys = await keysPromise;
    const statusLists = [await clearListPromise];
    const alphabets = ["ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567abc =#/\n\0é中😀"];
    for (let run = 0; run < 3000; run++) {
      const alphabet = alphabets[run % 2];
      const length = Math.floor(next() * 600);
      let text = "";
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(next() * alphabet.length)];
      const result = await verifyToken(text, { keys, statusLists, today: "2026-01-01", now: LIST_TIME });
      assert.equal(result.valid, false, `seed ${SEED} run ${run}`);
    }
  });

  it("random bytes, and the vector token with random bytes changed", async () => {
    const next = random(SEED + 1);
    const keys = await keysPromise;
    const statusLists = [await clearListPromise];
    const message = decodeBase32(card.token);
    for (let run = 0; run < 3000; run++) {
      let bytes;
      if (run % 2) {
        bytes = Uint8Array.from({ length: Math.floor(next() * 200) }, () => Math.floor(next() * 256));
        if (run % 4 === 1) bytes = Uint8Array.of(0xd2, 0x84, ...bytes); // look like a COSE_Sign1
      } else {
        bytes = message.slice();
        const changes = 1 + Math.floor(next() * 4);
        for (let i = 0; i < changes; i++) bytes[Math.floor(next() * bytes.length)] = Math.floor(next() * 256);
        if (toHex(bytes) === card.cose_sign1_hex) continue;
      }
      const result = await verifyToken(encodeBase32(bytes), { keys, statusLists, today: "2026-01-01", now: LIST_TIME });
      assert.equal(result.valid, false, `seed ${SEED + 1} run ${run}: ${toHex(bytes)}`);
      // Decoding any bytes either works or throws FormatError, nothing else.
      for (const strict of [true, false]) {
        try {
          decodeCbor(bytes, { strict });
        } catch (error) {
          assert.ok(error instanceof FormatError, `${error} for ${toHex(bytes)}`);
        }
      }
    }
  });

  it("random status lists throw InvalidStatusList and nothing else", async () => {
    const next = random(SEED + 2);
    const keys = await keysPromise;
    const cwt = fromHex(vectorList.status_list_cwt_hex);
    for (let run = 0; run < 500; run++) {
      const bytes = run % 2
        ? Uint8Array.from({ length: Math.floor(next() * 300) }, () => Math.floor(next() * 256))
        : cwt.map((byte) => (next() < 0.01 ? Math.floor(next() * 256) : byte));
      if (toHex(bytes) === vectorList.status_list_cwt_hex) continue;
      await assert.rejects(readStatusList(bytes, keys, LIST_TIME), InvalidStatusList, `run ${run}`);
    }
  });

  it("odd values where a token or list should be", async () => {
    const keys = await keysPromise;
    for (const value of [undefined, null, 0, {}, [], Symbol.iterator, new Uint8Array(4), card.token.padEnd(513, "A")]) {
      const result = await verifyToken(value, { keys, statusLists: [], today: "2026-01-01" });
      assert.equal(result.valid, false);
    }
    for (const value of [undefined, null, "text", 7, {}]) {
      await assert.rejects(readStatusList(value, keys, LIST_TIME), InvalidStatusList);
    }
  });
});
