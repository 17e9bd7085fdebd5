// The published vectors, checked by an independent COSE library from npm (@auth0/cose):
// keys found in the COSE Key Set by the kid bytes in each message. Run: node --test tests/js/
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { inflateSync } from "node:zlib";

import { Decoder } from "cbor-x";

import { decodeBase32 } from "../../static/js/idcard-verifier/verifier.js";
import { libraryKeys, libraryVerify } from "./cose_library_check.mjs";
import { encodeBase32, fromHex, tokenVectors } from "./helpers.mjs";

const cbor = new Decoder({ mapsAsObjects: false });
const keysPromise = libraryKeys(fromHex(tokenVectors.key_sets.cose_key_set_hex));
// Base32 is not COSE: our decoder turns the token text into the bytes the library checks.
const base32ToBytes = decodeBase32;

describe("@auth0/cose on the published vectors", () => {
  it("verifies the card token, found by its kid in the COSE Key Set", async () => {
    const message = base32ToBytes(tokenVectors.card_token.token);
    assert.equal(encodeBase32(message), tokenVectors.card_token.token);
    const result = await libraryVerify(message, await keysPromise);
    assert.deepEqual(result, {
      kid_hex: tokenVectors.signing_key.kid_hex, verified: true, payload_hex: tokenVectors.card_token.payload_hex,
    });
  });

  it("refuses the vectors whose signature is bad", async () => {
    for (const why of ["last signature bit flipped", "signed by another key under the same kid"]) {
      const { token } = tokenVectors.invalid_tokens.find((vector) => vector.why === why);
      assert.equal((await libraryVerify(base32ToBytes(token), await keysPromise)).verified, false, why);
    }
  });

  it("verifies the status list and reads the vector card's bit as the draft says", async () => {
    const list = tokenVectors.status_list;
    const result = await libraryVerify(fromHex(list.status_list_cwt_hex), await keysPromise);
    assert.equal(result.verified, true);
    const claims = cbor.decode(fromHex(result.payload_hex));
    const card = cbor.decode(fromHex(tokenVectors.card_token.payload_hex));
    // The card's claim 4 with the issuer's URL is the draft's status_list.uri, the list's
    // sub; claim 5 is status_list.idx.
    assert.equal(claims.get(2), `https://id.example-city.gov/api/v1/status-lists/${card.get(4)}`);
    assert.equal(claims.get(-65537), card.get(4));
    const statusList = claims.get(65533);
    assert.equal(statusList.get("bits"), 1);
    const raw = inflateSync(statusList.get("lst"));
    const idx = card.get(5);
    assert.equal((raw[Math.floor(idx / 8)] >> (idx % 8)) & 1, 1); // the vector card is revoked
    assert.equal((raw[0] >> 1) & 1, 0); // entry 1 is valid
  });
});
