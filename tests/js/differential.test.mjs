// The JS verifier against the Python reference, case by case.
//
// tests/js/fixtures/python-verdicts.json holds ~1,100 card tokens and ~330 status list
// tokens (vectors, mutations, correctly signed oddities) with what idcard_verifier/card.py and
// idcard_verifier/statuslist.py said about each; tests/js/make_fixtures.py wrote it. The JS must
// agree on every one. Regenerate the fixture after changing the Python:
//     .venv/bin/python tests/js/make_fixtures.py
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";

import { importKeySet, openToken, readStatusList, statusAt } from "../../static/js/idcard-verifier/verifier.js";
import { fromHex, pythonVerdicts, seconds, toHex } from "./helpers.mjs";

const keysPromise = importKeySet(pythonVerdicts.jwks);

describe("card tokens: the same verdict as idcard_verifier decode_token", () => {
  it(`agrees on all ${pythonVerdicts.tokens.length} cases`, async () => {
    const keys = await keysPromise;
    const disagreements = [];
    for (const item of pythonVerdicts.tokens) {
      const result = await openToken(item.token, { keys, today: item.today });
      if (result.valid !== item.valid) {
        disagreements.push(`${item.why}: Python ${item.valid}, JS ${result.valid} (${result.reason})`);
        continue;
      }
      if (item.valid) {
        const { claims } = result;
        assert.deepEqual(
          { handle_hex: toHex(claims.handle), expires_on_days: claims.expiresOn, list_id: claims.listId, index: claims.index },
          item.claims,
          item.why,
        );
      }
    }
    assert.deepEqual(disagreements, []);
    assert.ok(pythonVerdicts.tokens.filter((item) => item.valid).length >= 10);
  });
});

describe("status lists: the same verdict as idcard_verifier read_status_list", () => {
  it(`agrees on all ${pythonVerdicts.status_lists.length} cases`, async () => {
    const keys = await keysPromise;
    const disagreements = [];
    for (const item of pythonVerdicts.status_lists) {
      let list = null;
      let reason = "";
      try {
        list = await readStatusList(fromHex(item.cwt_hex), keys, seconds(item.now));
      } catch (error) {
        reason = error.reason ?? String(error);
      }
      if (Boolean(list) !== item.valid) {
        disagreements.push(`${item.why}: Python ${item.valid}, JS ${Boolean(list)} (${reason})`);
        continue;
      }
      if (list) {
        const invalidSample = [0, 1, 3, 98765, 131071].filter((i) => i < list.bits.length * 8 && statusAt(list.bits, i));
        assert.deepEqual(
          {
            list_id: String(list.listId), uri: list.uri,
            iat: list.issuedAt.getTime() / 1000, exp: list.expiresAt.getTime() / 1000,
            ttl: list.ttl, raw_bytes: list.bits.length,
            raw_sha256_hex: createHash("sha256").update(list.bits).digest("hex"),
            invalid_indexes_sample: invalidSample,
          },
          {
            list_id: item.list_id, uri: item.uri, iat: item.iat, exp: item.exp,
            ttl: Number(item.ttl), raw_bytes: item.raw_bytes, raw_sha256_hex: item.raw_sha256_hex,
            invalid_indexes_sample: item.invalid_indexes_sample,
          },
          item.why,
        );
      }
    }
    assert.deepEqual(disagreements, []);
  });
});
