// Card token and status list verifier for the idcard verify page.
//
// Plain ES module, no dependencies, no build step: the browser loads this file as-is,
// and Node 20 imports it for the tests (both use globalThis.crypto.subtle for Ed25519
// and DecompressionStream for zlib). docs/token-format.md is the specification; the
// Python package idcard_verifier is the reference, and this file accepts exactly what it
// accepts. The idcard repository's tests/js/ checks that against verdicts from the Python.
//
// Nothing here sends anything anywhere, stores anything or logs anything: the token
// is checked in the browser, so no server learns which card was scanned.
//
// Public API
//   decodeBase32(text)                  -> Uint8Array            (throws FormatError)
//   decodeCbor(bytes, {strict})         -> decoded item          (throws FormatError)
//   importKeySet(keySet)                -> Promise<KeySet>       a JWK Set (object or JSON text)
//                                                                or a COSE Key Set (CBOR bytes)
//   openToken(token, {keys, today, now})-> Promise<Outcome & {claims}>  everything but the status
//   checkStatus(claims, statusLists, {now, maxAgeSeconds}) -> Outcome
//   verifyToken(token, {keys, statusLists, today, now, maxAgeSeconds}) -> Promise<Outcome>
//   readStatusList(cwtBytes, keys, now) -> Promise<StatusList>   (throws InvalidStatusList)
//   readStatusListCbor(bytes)           -> Promise<Uint8Array>   the draft's {"bits", "lst"} map
//   statusAt(rawBits, index)            -> 0 | 1                 (1 when outside the list)
//   verifyCoseSign1(bytes, publicKey)   -> Promise<Uint8Array>   the looser COSE check, for
//                                                                the COSE WG interop vector
//   hasEd25519()                        -> Promise<boolean>
//   canVerifyInBrowser()                -> Promise<boolean>      Ed25519 and DecompressionStream
//   tokenFromText(text)                 -> string                a scanned URL or a bare token
//
// An Outcome is {valid, result, reason}: `valid` is true only for a valid resident;
// `result` is "valid", "invalid" or "unknown" (this device cannot answer: no status
// list, or one too old); `reason` names the step that decided, for tests and
// debugging only. The page shows the result, never the reason: partners learn one bit.

// --- constants from docs/token-format.md ------------------------------------------------

const MAX_TOKEN_CHARS = 512;
const COSE_SIGN1_TAG = 18;
const HEADER_ALG = 1;
const HEADER_CRIT = 2;
const HEADER_KID = 4;
const HEADER_TYP = 16;
const ALG_EDDSA = -8; // RFC 9053; deprecated by RFC 9864, but every COSE library reads it
const ALG_ED25519 = -19; // RFC 9864: the same Ed25519 signatures, fully specified
const SIGNATURE_ALGS = [ALG_EDDSA, ALG_ED25519];
const SIGNATURE_BYTES = 64;

const TOKEN_VERSION = 1;
const CLAIM_VERSION = 1;
const CLAIM_HANDLE = 2;
const CLAIM_EXPIRES_ON = 3;
const CLAIM_LIST_ID = 4;
const CLAIM_INDEX = 5;
const HANDLE_BYTES = 16;
const MAX_UINT32 = 0xffffffff;
const MAX_EXPIRY_DAYS = 2932896; // 9999-12-31, Python's date.max

const STATUS_LIST_TYPE = "application/statuslist+cwt";
const LIST_CLAIM_SUB = 2;
const LIST_CLAIM_EXP = 4;
const LIST_CLAIM_IAT = 6;
const LIST_CLAIM_STATUS_LIST = 65533;
const LIST_CLAIM_TTL = 65534;
const LIST_CLAIM_LIST_ID = -65537;
const MAX_STATUS_BYTES = 1 << 20; // refuse to inflate more than 1 MiB
const MAX_TIMESTAMP = 253402300799; // 9999-12-31T23:59:59Z, the last one Python can read

const MS_PER_DAY = 86_400_000;
const MAX_CBOR_DEPTH = 256;
const ED25519 = { name: "Ed25519" };

// --- errors and outcomes -------------------------------------------------------------------

/** A token, key or CBOR item that is not in the expected form. `reason` says which step. */
export class FormatError extends Error {
  constructor(reason) {
    super(reason);
    this.name = "FormatError";
    this.reason = reason;
  }
}

/** A status list token that does not verify, is malformed, or has expired. */
export class InvalidStatusList extends Error {
  constructor(reason, statusList = null) {
    super(reason);
    this.name = "InvalidStatusList";
    this.reason = reason;
    // For an expired but otherwise good list: what it said, so a page can tell how old
    // its copy is. It is never used to answer.
    this.statusList = statusList;
  }
}

const outcome = (result, reason) => ({ valid: result === "valid", result, reason });
const invalid = (reason) => outcome("invalid", reason);
const unknown = (reason) => outcome("unknown", reason);

// --- small helpers -------------------------------------------------------------------------

function subtle() {
  const api = globalThis.crypto && globalThis.crypto.subtle;
  if (!api) throw new FormatError("no-webcrypto"); // e.g. a page served over plain HTTP
  return api;
}

function asBytes(data) {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new FormatError("not-bytes");
}

const isBytes = (value) => value instanceof Uint8Array;
const isInt = (value) => typeof value === "number" || typeof value === "bigint"; // floats are CborFloat

function toHex(bytes) {
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

function concatBytes(parts) {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function toMillis(moment) {
  if (moment === undefined || moment === null) return Date.now();
  if (moment instanceof Date) return moment.getTime();
  if (typeof moment === "number" && Number.isFinite(moment)) return moment;
  throw new TypeError("now must be a Date or milliseconds since 1970");
}

/** Today's UTC date as days since 1970-01-01, from a Date, "YYYY-MM-DD" or a day count. */
function toDays(today, nowMs) {
  if (today === undefined || today === null) return Math.floor(nowMs / MS_PER_DAY);
  if (today instanceof Date) return Math.floor(today.getTime() / MS_PER_DAY);
  if (Number.isInteger(today)) return today;
  if (typeof today === "string" && /^\d{4}-\d{2}-\d{2}$/.test(today)) {
    const ms = Date.parse(`${today}T00:00:00Z`);
    if (Number.isFinite(ms)) return Math.floor(ms / MS_PER_DAY);
  }
  throw new TypeError("today must be a Date, a YYYY-MM-DD string or a day count");
}

// --- Base32 and Base64url ----------------------------------------------------------------

const BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BASE64URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * Decode text already checked to use only `alphabet` (of 2^width characters) into bytes;
 * the unused bits of the last character must be zero, so no two texts name the same
 * bytes. `reason` names the refusal.
 */
function decodeBits(text, alphabet, width, reason) {
  const out = new Uint8Array(Math.floor((text.length * width) / 8));
  let buffer = 0; // the bits read but not yet written, `bits` of them
  let bits = 0;
  let offset = 0;
  for (const char of text) {
    buffer = (buffer << width) | alphabet.indexOf(char);
    bits += width;
    if (bits >= 8) {
      bits -= 8;
      out[offset++] = buffer >> bits;
      buffer &= (1 << bits) - 1;
    }
  }
  if (buffer !== 0) throw new FormatError(reason);
  return out;
}

/**
 * Decode upper-case, unpadded RFC 4648 Base32, refusing every other spelling: lower
 * case, padding, whitespace, an impossible length, or non-zero unused bits in the last
 * character (so that no two texts name the same token).
 */
export function decodeBase32(text) {
  if (typeof text !== "string" || !/^[A-Z2-7]+$/.test(text)) throw new FormatError("bad-base32");
  if ([1, 3, 6].includes(text.length % 8)) throw new FormatError("bad-base32-length");
  return decodeBits(text, BASE32_ALPHABET, 5, "bad-base32-padding-bits");
}

/** Decode unpadded base64url (RFC 4648 section 5), as JWK uses it; strict like Base32. */
function decodeBase64Url(text) {
  if (typeof text !== "string" || !/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) {
    throw new FormatError("bad-base64url");
  }
  return decodeBits(text, BASE64URL_ALPHABET, 6, "bad-base64url-padding-bits");
}

// --- CBOR (RFC 8949) ---------------------------------------------------------------------
//
// Two modes.
// strict (the default): only the deterministic encoding the service writes (shortest
//   heads, definite lengths, map keys ints or text in canonical order, no duplicates,
//   no floats or simple values but false/true/null/undefined). Card tokens and the
//   COSE envelope and protected header of every message are decoded this way. The
//   Python accepts these only if re-encoding them deterministically gives the same
//   bytes, so refusing everything else here accepts exactly the same set.
// lenient: what the Python's cbor2 accepts, for the one place the Python does not
//   insist on deterministic encoding (a status list's claims, which are signed): any
//   head length, indefinite lengths, floats, simple values, duplicate keys (the last
//   wins), bignums (tags 2 and 3), and the tags cbor2 passes through (55799, 28, 256).
//   Unknown tags come back as CborTag. Tags that cbor2 turns into dates, decimals,
//   sets and so on, and string or value references (25, 29), are refused: a
//   difference from cbor2 that only a list carrying such exotic extra claims, signed
//   by the city, could show, and it fails closed ("cannot answer").
//
// Integers come back as numbers, or BigInt beyond 2^53; a JS number in the output is
// always an integer (floats are CborFloat). Byte strings are Uint8Array views into the
// input, text strings are strings, arrays are arrays, maps are CborMap.

/** A tagged item other than the ones decoding resolves. */
export class CborTag {
  constructor(tag, value) {
    this.tag = tag;
    this.value = value;
  }
}

/** A CBOR float (kept apart from integers: the format refuses floats where it wants ints). */
export class CborFloat {
  constructor(value) {
    this.value = value;
  }
}

/** A CBOR simple value other than false, true, null and undefined. */
export class CborSimple {
  constructor(value) {
    this.value = value;
  }
}

/**
 * A decoded CBOR map. Keys are compared the way Python compares dict keys, which is
 * how the reference looks claims up: 1, 1.0 and true are the same key, and a repeated
 * key keeps its first spelling and its last value.
 */
export class CborMap {
  constructor() {
    this.entries = new Map(); // comparable key -> [key as first seen, value]
  }

  set(key, value) {
    const id = mapKeyId(key);
    const previous = this.entries.get(id);
    this.entries.set(id, [previous ? previous[0] : key, value]);
  }

  get(key) {
    const entry = this.entries.get(mapKeyId(key));
    return entry ? entry[1] : undefined;
  }

  has(key) {
    return this.entries.has(mapKeyId(key));
  }

  keys() {
    return [...this.entries.values()].map(([key]) => key);
  }

  get size() {
    return this.entries.size;
  }
}

function mapKeyId(key) {
  if (typeof key === "number" || typeof key === "bigint") return `i:${key}`;
  if (typeof key === "boolean") return key ? "i:1" : "i:0";
  if (typeof key === "string") return `s:${key}`;
  if (key instanceof CborFloat && Number.isInteger(key.value)) return `i:${BigInt(key.value)}`;
  if (key instanceof CborFloat && !Number.isNaN(key.value)) return `f:${key.value}`;
  if (isBytes(key)) return `b:${toHex(key)}`;
  if (key === null) return "null";
  if (key === undefined) return "undefined";
  if (key instanceof CborSimple) return `simple:${key.value}`;
  return Symbol("key"); // arrays, maps, tags, NaN: never equal to a claim label
}

// cbor2 turns these tags into other Python types (dates, decimals, sets, references...).
const CBOR2_SEMANTIC_TAGS = new Set([0, 1, 4, 5, 25, 29, 30, 35, 36, 37, 100, 258, 260, 261, 1004, 43000]);
const TRANSPARENT_TAGS = new Set([28, 256, 55799]); // shareable, string-ref namespace, self-describe

/** Canonical map key order as cbor2 writes it: shorter encoding first, then bytewise. */
function compareEncodedKeys(a, b) {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

function halfToNumber(half) {
  const exponent = (half >> 10) & 0x1f;
  const fraction = half & 0x3ff;
  const sign = half & 0x8000 ? -1 : 1;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }); // keep a BOM, as Python does

class CborReader {
  constructor(bytes, strict) {
    this.bytes = bytes;
    this.pos = 0;
    this.strict = strict;
  }

  fail(reason) {
    throw new FormatError(`cbor-${reason}`);
  }

  byte() {
    if (this.pos >= this.bytes.length) this.fail("truncated");
    return this.bytes[this.pos++];
  }

  take(length) {
    if (length > this.bytes.length - this.pos) this.fail("truncated");
    const out = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  /** A big-endian unsigned integer of `size` (at most 4) bytes. */
  uint(size) {
    let value = 0;
    for (let i = 0; i < size; i++) value = value * 0x100 + this.byte();
    return value;
  }

  /** The argument of a head; null for an indefinite length. Strict: shortest form only. */
  argument(info) {
    let value;
    if (info < 24) return info;
    if (info === 24) value = this.byte();
    else if (info === 25) value = this.uint(2);
    else if (info === 26) value = this.uint(4);
    else if (info === 27) {
      const high = this.uint(4);
      const low = this.uint(4);
      value = high < 0x200000 ? high * 2 ** 32 + low : (BigInt(high) << 32n) | BigInt(low);
    } else if (info === 31) return null;
    else this.fail("reserved-info");
    if (this.strict) {
      const smallest = { 24: 24, 25: 0x100, 26: 0x10000, 27: 2 ** 32 }[info];
      if (value < smallest) this.fail("not-shortest");
    }
    return value;
  }

  /** A length that can still fit in the input (every item takes at least one byte). */
  length(argument) {
    if (typeof argument === "bigint" || argument > this.bytes.length - this.pos) this.fail("truncated");
    return argument;
  }

  item(depth = 0) {
    if (depth > MAX_CBOR_DEPTH) this.fail("too-deep");
    const initial = this.byte();
    const major = initial >> 5;
    const info = initial & 0x1f;
    if (major === 7) return this.simple(info);
    const argument = this.argument(info);
    if (argument === null) return this.indefinite(major, depth);
    switch (major) {
      case 0:
        return argument;
      case 1:
        return typeof argument === "bigint" || argument >= Number.MAX_SAFE_INTEGER
          ? normalInt(-1n - BigInt(argument))
          : -1 - argument;
      case 2:
        return this.take(this.length(argument));
      case 3:
        return this.text(this.take(this.length(argument)));
      case 4: {
        const count = this.length(argument);
        const items = [];
        for (let i = 0; i < count; i++) items.push(this.item(depth + 1));
        return items;
      }
      case 5:
        return this.map(this.length(argument), depth);
      default: // 6
        return this.tagged(argument, this.item(depth + 1));
    }
  }

  text(bytes) {
    try {
      return utf8.decode(bytes);
    } catch {
      return this.fail("bad-utf8");
    }
  }

  map(count, depth) {
    const map = new CborMap();
    let previousKey = null;
    for (let i = 0; i < count; i++) {
      const start = this.pos;
      const key = this.item(depth + 1);
      if (this.strict) {
        const encodedKey = this.bytes.subarray(start, this.pos);
        if (!(isInt(key) || typeof key === "string")) this.fail("key-type");
        if (previousKey && compareEncodedKeys(previousKey, encodedKey) >= 0) this.fail("key-order");
        previousKey = encodedKey;
      }
      map.set(key, this.item(depth + 1));
    }
    return map;
  }

  indefinite(major, depth) {
    if (this.strict) this.fail("indefinite-length");
    const atBreak = () => {
      if (this.pos >= this.bytes.length) this.fail("truncated");
      if (this.bytes[this.pos] !== 0xff) return false;
      this.pos++;
      return true;
    };
    if (major === 2 || major === 3) {
      const chunks = [];
      while (!atBreak()) {
        const initial = this.byte();
        if (initial >> 5 !== major || (initial & 0x1f) === 31) this.fail("bad-chunk");
        chunks.push(this.take(this.length(this.argument(initial & 0x1f))));
      }
      const joined = concatBytes(chunks);
      return major === 2 ? joined : this.text(joined);
    }
    if (major === 4) {
      const items = [];
      while (!atBreak()) items.push(this.item(depth + 1));
      return items;
    }
    if (major === 5) {
      const map = new CborMap();
      while (!atBreak()) {
        const key = this.item(depth + 1);
        map.set(key, this.item(depth + 1));
      }
      return map;
    }
    return this.fail("indefinite-length"); // integers and tags have no indefinite form
  }

  simple(info) {
    if (info === 20) return false;
    if (info === 21) return true;
    if (info === 22) return null;
    if (info === 23) return undefined;
    if (info === 31) this.fail("unexpected-break");
    if (info >= 28) this.fail("reserved-info");
    if (this.strict) this.fail("float-or-simple"); // never part of anything the service writes
    if (info < 20) return new CborSimple(info);
    if (info === 24) return new CborSimple(this.byte());
    const view = new DataView(this.take({ 25: 2, 26: 4, 27: 8 }[info]).slice().buffer);
    if (info === 25) return new CborFloat(halfToNumber(view.getUint16(0)));
    if (info === 26) return new CborFloat(view.getFloat32(0));
    return new CborFloat(view.getFloat64(0));
  }

  tagged(tag, value) {
    if (this.strict) return new CborTag(tag, value);
    if (tag === 2 || tag === 3) {
      if (!isBytes(value)) this.fail("bad-bignum");
      let magnitude = 0n;
      for (const byte of value) magnitude = (magnitude << 8n) | BigInt(byte);
      return normalInt(tag === 2 ? magnitude : -1n - magnitude);
    }
    if (TRANSPARENT_TAGS.has(tag)) return value;
    if (CBOR2_SEMANTIC_TAGS.has(tag)) this.fail("unsupported-tag");
    return new CborTag(tag, value);
  }
}

function normalInt(big) {
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

/** Decode exactly one CBOR item that fills `bytes`; see the modes above. */
export function decodeCbor(bytes, { strict = true } = {}) {
  const reader = new CborReader(asBytes(bytes), strict);
  const item = reader.item();
  if (reader.pos !== reader.bytes.length) reader.fail("trailing-bytes");
  return item;
}

/** The shortest CBOR head for a byte or text string (major 2 or 3) of `length` bytes. */
function stringHead(major, length) {
  const type = major << 5;
  if (length < 24) return Uint8Array.of(type | length);
  if (length < 0x100) return Uint8Array.of(type | 24, length);
  if (length < 0x10000) return Uint8Array.of(type | 25, length >> 8, length & 0xff);
  return Uint8Array.of(type | 26, length >>> 24, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff);
}

// --- keys ----------------------------------------------------------------------------------

/** Imported Ed25519 public keys, found by their 8-byte key id. */
export class KeySet {
  constructor(keysByKidHex = new Map()) {
    this.keys = keysByKidHex;
  }

  /** The CryptoKey for a kid (bytes), or undefined. */
  get(kid) {
    return isBytes(kid) ? this.keys.get(toHex(kid)) : undefined;
  }

  get size() {
    return this.keys.size;
  }
}

async function keyIdOf(rawPublicKey) {
  return toHex(new Uint8Array(await subtle().digest("SHA-256", rawPublicKey)).subarray(0, 8));
}

/** A raw Ed25519 key and its published kid (hex, or undefined) as [kid, CryptoKey]. */
async function importRawKey(raw, publishedKidHex) {
  if (!isBytes(raw) || raw.length !== 32) throw new FormatError("key-bad-x");
  // The kid is derived from the key, never taken on trust: a key whose published kid
  // does not match it is left out.
  const kid = await keyIdOf(raw);
  if (publishedKidHex !== undefined && publishedKidHex !== kid) throw new FormatError("key-kid-mismatch");
  return [kid, await subtle().importKey("raw", raw, ED25519, false, ["verify"])];
}

async function importJwk(jwk) {
  if (!jwk || typeof jwk !== "object" || jwk.kty !== "OKP" || jwk.crv !== "Ed25519") {
    throw new FormatError("not-an-ed25519-jwk");
  }
  if ((jwk.alg !== undefined && !["EdDSA", "Ed25519"].includes(jwk.alg)) || (jwk.use !== undefined && jwk.use !== "sig")) {
    throw new FormatError("jwk-not-for-signatures");
  }
  return importRawKey(decodeBase64Url(jwk.x), jwk.kid);
}

// COSE_Key labels and values (RFC 9052 section 7.1, RFC 9053 section 7.2).
const COSE_KEY = { kty: 1, kid: 2, alg: 3, ops: 4, crv: -1, x: -2 };
const COSE_KTY_OKP = 1;
const COSE_CRV_ED25519 = 6;
const COSE_OP_VERIFY = 2;

async function importCoseKey(key) {
  if (!(key instanceof CborMap) || key.get(COSE_KEY.kty) !== COSE_KTY_OKP || key.get(COSE_KEY.crv) !== COSE_CRV_ED25519) {
    throw new FormatError("not-an-ed25519-cose-key");
  }
  const ops = key.has(COSE_KEY.ops) ? key.get(COSE_KEY.ops) : [COSE_OP_VERIFY];
  if ((key.has(COSE_KEY.alg) && !SIGNATURE_ALGS.includes(key.get(COSE_KEY.alg)))
      || !Array.isArray(ops) || !ops.includes(COSE_OP_VERIFY)) {
    throw new FormatError("cose-key-not-for-verifying");
  }
  const kid = key.get(COSE_KEY.kid);
  const kidHex = !key.has(COSE_KEY.kid) ? undefined : isBytes(kid) ? toHex(kid) : "not-bytes";
  return importRawKey(key.get(COSE_KEY.x), kidHex);
}

/** The entries of a key set and how to import each: a COSE Key Set or a JWK Set. */
function keySetEntries(keySet) {
  const bytes = keySet instanceof ArrayBuffer || ArrayBuffer.isView(keySet) ? asBytes(keySet) : null;
  if (bytes && new TextDecoder().decode(bytes.subarray(0, 64)).trimStart().startsWith("{")) {
    return keySetEntries(new TextDecoder().decode(bytes)); // a JWK Set downloaded as bytes
  }
  if (bytes) {
    const entries = decodeCbor(bytes, { strict: false });
    if (!Array.isArray(entries)) throw new FormatError("cose-key-set-not-an-array");
    return [entries, importCoseKey];
  }
  const set = typeof keySet === "string" ? JSON.parse(keySet) : keySet;
  return [set && Array.isArray(set.keys) ? set.keys : [], importJwk];
}

/**
 * Import a published key set: a JWK Set ({"keys": [<OKP Ed25519 JWK>, ...]}, as an
 * object or JSON text, from /.well-known/jwks.json) or a COSE Key Set (CBOR bytes, from
 * /.well-known/cose-key-set). Keys that are not Ed25519 signing keys, or whose kid does
 * not match their key, are left out. Import once and pass the KeySet around: importing
 * is the slow part.
 */
export async function importKeySet(keySet) {
  const [entries, importEntry] = keySetEntries(keySet);
  const keys = new Map();
  for (const entry of entries) {
    try {
      const [kid, key] = await importEntry(entry);
      keys.set(kid, key);
    } catch {
      // a key this verifier cannot use verifies nothing
    }
  }
  return new KeySet(keys);
}

async function asKeySet(keys) {
  if (keys instanceof KeySet) return keys;
  if (keys === undefined || keys === null) return new KeySet();
  return importKeySet(keys);
}

// --- COSE_Sign1 (RFC 9052) ---------------------------------------------------------------

/** The bytes Ed25519 signs: ["Signature1", protected, h'', payload] (RFC 9052 4.4). */
function sigStructure(protectedBytes, payload) {
  const context = new TextEncoder().encode("Signature1");
  return concatBytes([
    Uint8Array.of(0x84),
    stringHead(3, context.length), context,
    stringHead(2, protectedBytes.length), protectedBytes,
    Uint8Array.of(0x40),
    stringHead(2, payload.length), payload,
  ]);
}

function labelMap(item) {
  if (!(item instanceof CborMap) || !item.keys().every((label) => isInt(label) || typeof label === "string")) {
    throw new FormatError("header-not-a-label-map");
  }
  return item;
}

/** Parse a tagged COSE_Sign1 whose protected header says Ed25519 (-8 or -19), as
 * idcard_verifier/cose.py parse_sign1 does. */
function parseSign1(message, strict) {
  const item = decodeCbor(message, { strict });
  if (!(item instanceof CborTag) || item.tag !== COSE_SIGN1_TAG) throw new FormatError("not-cose-sign1");
  const parts = item.value;
  if (!Array.isArray(parts) || parts.length !== 4) throw new FormatError("cose-not-4-parts");
  const [protectedBytes, unprotected, payload, signature] = parts;
  if (![protectedBytes, payload, signature].every(isBytes)) throw new FormatError("cose-part-types");
  const header = protectedBytes.length ? labelMap(decodeCbor(protectedBytes, { strict })) : new CborMap();
  labelMap(unprotected);
  if (!SIGNATURE_ALGS.includes(header.get(HEADER_ALG))) throw new FormatError("alg-not-ed25519");
  if (header.has(HEADER_CRIT) || unprotected.has(HEADER_CRIT)) throw new FormatError("crit-header");
  if (unprotected.keys().some((label) => header.has(label))) throw new FormatError("header-label-twice");
  return { protectedBytes, header, unprotected, payload, signature };
}

async function checkSignature(message, publicKey) {
  if (message.signature.length !== SIGNATURE_BYTES) throw new FormatError("signature-length");
  const signed = sigStructure(message.protectedBytes, message.payload);
  let good = false;
  try {
    good = await subtle().verify(ED25519, publicKey, message.signature, signed);
  } catch {
    good = false;
  }
  if (!good) throw new FormatError("bad-signature");
}

/**
 * Verify any tagged COSE_Sign1 signed with EdDSA (a kid may sit in either header, and
 * the encoding need not be deterministic); return its payload. This is the looser check
 * the COSE working group's own example needs. Card tokens never go through it.
 */
export async function verifyCoseSign1(message, publicKey) {
  const parsed = parseSign1(asBytes(message), false);
  const key = publicKey instanceof Uint8Array
    ? await subtle().importKey("raw", publicKey, ED25519, false, ["verify"])
    : publicKey;
  await checkSignature(parsed, key);
  return parsed.payload;
}

/**
 * Verify a COSE_Sign1 this service wrote (tokens.py open_signed): deterministic
 * encoding throughout, an empty unprotected header, the kid in the protected header
 * and known. Returns the protected header and the payload bytes.
 */
async function openSigned(message, keySet) {
  const parsed = parseSign1(message, true);
  if (parsed.unprotected.size !== 0) throw new FormatError("unprotected-header-not-empty");
  const key = keySet.get(parsed.header.get(HEADER_KID));
  if (!key) throw new FormatError("unknown-kid");
  await checkSignature(parsed, key);
  return parsed;
}

function hasExactly(map, labels) {
  return map.size === labels.length && labels.every((label) => map.has(label));
}

// --- the card token ------------------------------------------------------------------------

function uintField(value, maximum) {
  if (!Number.isSafeInteger(value) || value < 0 || value > maximum) throw new FormatError("payload-field-range");
  return value;
}

function claimsFromPayload(payload) {
  const fields = decodeCbor(payload, { strict: true });
  if (!(fields instanceof CborMap) || fields.get(CLAIM_VERSION) !== TOKEN_VERSION) {
    throw new FormatError("unsupported-version");
  }
  if (!hasExactly(fields, [CLAIM_VERSION, CLAIM_HANDLE, CLAIM_EXPIRES_ON, CLAIM_LIST_ID, CLAIM_INDEX])) {
    throw new FormatError("payload-fields");
  }
  const handle = fields.get(CLAIM_HANDLE);
  if (!isBytes(handle) || handle.length !== HANDLE_BYTES) throw new FormatError("payload-handle");
  return {
    version: TOKEN_VERSION,
    handle: handle.slice(),
    expiresOn: uintField(fields.get(CLAIM_EXPIRES_ON), MAX_EXPIRY_DAYS), // days since 1970-01-01
    listId: uintField(fields.get(CLAIM_LIST_ID), MAX_UINT32),
    index: uintField(fields.get(CLAIM_INDEX), MAX_UINT32),
  };
}

/**
 * Check a token's text, envelope, key, signature, payload and expiry (format steps 1
 * to 8): everything but the status list. Returns an Outcome; when valid, also `claims`
 * ({version, handle, expiresOn (days), listId, index}) so the caller can fetch the list.
 * `keys` is a KeySet or a JWK Set; `today` a Date, "YYYY-MM-DD" or a day count (default:
 * the UTC date of `now`, itself a Date or milliseconds, default the current time).
 * Never throws for any token.
 */
export async function openToken(token, { keys, today, now } = {}) {
  const todayDays = toDays(today, toMillis(now));
  const keySet = await asKeySet(keys);
  if (keySet.size === 0) return unknown("no-keys");
  try {
    if (typeof token !== "string") return invalid("not-a-string");
    if (token.length > MAX_TOKEN_CHARS) return invalid("too-long");
    const message = await openSigned(decodeBase32(token), keySet);
    if (!hasExactly(message.header, [HEADER_ALG, HEADER_KID])) return invalid("protected-header-labels");
    const claims = claimsFromPayload(message.payload);
    if (claims.expiresOn < todayDays) return invalid("expired");
    return { ...outcome("valid", "signature-and-expiry"), claims };
  } catch (error) {
    return invalid(error instanceof FormatError ? error.reason : "error");
  }
}

function findStatusList(statusLists, listId) {
  if (!statusLists) return undefined;
  if (statusLists instanceof Map) return statusLists.get(listId);
  if (Array.isArray(statusLists)) return statusLists.find((list) => list && list.listId === listId);
  return Object.prototype.hasOwnProperty.call(statusLists, listId) ? statusLists[listId] : undefined;
}

/**
 * Look up a card's bit (format 2.4, step 5) in a verified status list, given the claims
 * from openToken. `statusLists` is a Map (list id -> StatusList), an array of StatusList,
 * or an object keyed by list id. A missing, expired or (with `maxAgeSeconds`) too old
 * list gives "unknown": this device cannot answer. It never says valid from such a list,
 * and it does not say "not valid" from one either (a suspension may have been lifted).
 */
export function checkStatus(claims, statusLists, { now, maxAgeSeconds } = {}) {
  const nowMs = toMillis(now);
  const list = findStatusList(statusLists, claims.listId);
  if (!list) return unknown("no-status-list");
  if (list.listId !== claims.listId) return unknown("status-list-mismatch");
  if (Math.floor(nowMs / 1000) >= list.expiresAt.getTime() / 1000) return unknown("status-list-expired");
  if (maxAgeSeconds !== undefined && maxAgeSeconds !== null && nowMs - list.issuedAt.getTime() > maxAgeSeconds * 1000) {
    return unknown("status-list-stale");
  }
  if (claims.index >= list.bits.length * 8) return invalid("index-outside-list");
  return statusAt(list.bits, claims.index) === 0 ? outcome("valid", "valid") : invalid("status-not-valid");
}

/**
 * The whole check (format 1.3 steps 1 to 9): {valid, result, reason}. Never throws.
 * Pass a KeySet from importKeySet and lists from readStatusList to avoid re-importing.
 */
export async function verifyToken(token, { keys, statusLists, today, now, maxAgeSeconds } = {}) {
  try {
    const opened = await openToken(token, { keys, today, now });
    if (!opened.valid) return opened;
    return checkStatus(opened.claims, statusLists, { now, maxAgeSeconds });
  } catch {
    return invalid("error");
  }
}

// --- the status list ---------------------------------------------------------------------

/** Entry `index`: bit index % 8 of byte index / 8, least significant first; 1 = not valid. */
export function statusAt(rawBits, index) {
  if (!Number.isSafeInteger(index) || index < 0 || index >= rawBits.length * 8) return 1;
  return (rawBits[index >> 3] >> (index & 7)) & 1;
}

/** Inflate zlib data, refusing more than MAX_STATUS_BYTES of output. */
async function inflate(data) {
  const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream("deflate"));
  const reader = stream.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > MAX_STATUS_BYTES) {
      reader.cancel().catch(() => {});
      throw new InvalidStatusList("lst-too-large");
    }
    chunks.push(value);
  }
  return concatBytes(chunks);
}

async function inflates(data) {
  try {
    await inflate(data);
    return true;
  } catch {
    return false;
  }
}

/**
 * Inflate `lst` exactly as statuslist.py does: a complete zlib stream (RFC 1950,
 * checksum checked), at most 1 MiB out, and nothing after it. DecompressionStream
 * refuses truncated data everywhere, but some engines (Node) ignore bytes after the
 * end of the stream. So: the data must inflate, and the data less its last byte must
 * not. A complete stream without its last checksum byte never inflates; a stream with
 * anything after it still does.
 */
async function inflateExact(data) {
  let raw;
  try {
    raw = await inflate(data);
  } catch (error) {
    throw error instanceof InvalidStatusList ? error : new InvalidStatusList("lst-not-zlib");
  }
  if (await inflates(data.subarray(0, data.length - 1))) throw new InvalidStatusList("lst-trailing-data");
  return raw;
}

async function rawFromStatusList(item) {
  if (!(item instanceof CborMap) || !isInt(item.get("bits"))) throw new InvalidStatusList("status-list-not-a-map");
  if (item.get("bits") !== 1) throw new InvalidStatusList("status-list-bits");
  const lst = item.get("lst");
  if (!isBytes(lst)) throw new InvalidStatusList("status-list-no-lst");
  return inflateExact(lst);
}

/** Decode the draft's CBOR status_list map {"bits": 1, "lst": zlib}; return the raw bits. */
export async function readStatusListCbor(bytes) {
  let item;
  try {
    item = decodeCbor(bytes, { strict: false });
  } catch (error) {
    throw new InvalidStatusList(error.reason || "bad-cbor");
  }
  return rawFromStatusList(item);
}

function uintClaim(claims, label) {
  const value = claims.get(label);
  if (!isInt(value) || value < 0) throw new InvalidStatusList(`claim-${label}`);
  return value;
}

function timestampClaim(claims, label) {
  const value = uintClaim(claims, label);
  if (typeof value !== "number" || value > MAX_TIMESTAMP) throw new InvalidStatusList("timestamp-range");
  return value;
}

/**
 * Verify a Status List Token (CWT, format section 2) and return
 * {listId, uri, bits (raw Uint8Array), issuedAt (Date), expiresAt (Date), ttl (seconds)}.
 * `keys` is a KeySet or a JWK Set; `now` a Date or milliseconds (default: now). Throws
 * InvalidStatusList; an expired list throws with reason "status-list-expired" and its
 * contents in `error.statusList`, so a page can say how old its copy is.
 * The caller still compares listId with the token's (checkStatus does).
 */
export async function readStatusList(cwt, keys, now) {
  const nowMs = toMillis(now);
  let message;
  let claims;
  try {
    message = await openSigned(asBytes(cwt), await asKeySet(keys));
    claims = decodeCbor(message.payload, { strict: false });
  } catch (error) {
    throw new InvalidStatusList(error instanceof FormatError ? error.reason : "bad-envelope");
  }
  if (!hasExactly(message.header, [HEADER_ALG, HEADER_KID, HEADER_TYP])) {
    throw new InvalidStatusList("protected-header-labels");
  }
  if (message.header.get(HEADER_TYP) !== STATUS_LIST_TYPE) throw new InvalidStatusList("not-a-status-list");
  if (!(claims instanceof CborMap) || typeof claims.get(LIST_CLAIM_SUB) !== "string") {
    throw new InvalidStatusList("claims-not-a-map-with-sub");
  }
  const bits = await rawFromStatusList(claims.get(LIST_CLAIM_STATUS_LIST));
  if (bits.length === 0) throw new InvalidStatusList("status-list-empty");
  const issuedAt = timestampClaim(claims, LIST_CLAIM_IAT);
  const expiresAt = timestampClaim(claims, LIST_CLAIM_EXP);
  const listId = uintClaim(claims, LIST_CLAIM_LIST_ID);
  const ttl = uintClaim(claims, LIST_CLAIM_TTL);
  const statusList = {
    listId,
    uri: claims.get(LIST_CLAIM_SUB),
    bits,
    issuedAt: new Date(issuedAt * 1000),
    expiresAt: new Date(expiresAt * 1000),
    ttl: Number(ttl),
  };
  if (Math.floor(nowMs / 1000) >= expiresAt) throw new InvalidStatusList("status-list-expired", statusList);
  return statusList;
}

// --- what this browser can do ------------------------------------------------------------

// RFC 8032 section 7.1 TEST 1: the public key and its signature of the empty message.
const TEST_PUBLIC_KEY = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
const TEST_SIGNATURE = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

function fromHex(hex) {
  return Uint8Array.from(hex.match(/../g), (pair) => parseInt(pair, 16));
}

let ed25519Support = null;

/** Whether WebCrypto here verifies Ed25519 (it checks a real signature, not just the name). */
export function hasEd25519() {
  ed25519Support ??= (async () => {
    try {
      const key = await subtle().importKey("raw", fromHex(TEST_PUBLIC_KEY), ED25519, false, ["verify"]);
      return await subtle().verify(ED25519, key, fromHex(TEST_SIGNATURE), new Uint8Array(0));
    } catch {
      return false;
    }
  })();
  return ed25519Support;
}

/** Whether this browser can check tokens itself; if not, the page asks the server. */
export async function canVerifyInBrowser() {
  return typeof DecompressionStream === "function" && typeof Blob === "function" && (await hasEd25519());
}

/**
 * The token in a scanned text: the fragment of a verify URL (https://.../v#TOKEN) or
 * the text itself, without surrounding whitespace. The token itself is not cleaned up
 * in any way: a lower-case or padded token stays wrong.
 */
export function tokenFromText(text) {
  const trimmed = String(text ?? "").trim();
  const hash = trimmed.indexOf("#");
  return hash === -1 ? trimmed : trimmed.slice(hash + 1);
}
