// The package on its own: the published vectors, both key set forms, alg -19, and the
// README's check-in desk. Run: npm test (in this folder, inside the idcard repository).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";

import { statusListCwt } from "../../../../tests/js/issuer.mjs"; // signs lists "now" with the vector key
import { checkInDesk } from "../desk.js";
import { importKeySet, openToken, readStatusList, tokenFromText, verifyToken } from "../verifier.js";

const docs = (name) => new URL(`../../../../docs/${name}`, import.meta.url);
const vectors = JSON.parse(readFileSync(docs("token-vectors.json"), "utf8"));
const fromHex = (hex) => Uint8Array.from(hex.match(/../g), (pair) => parseInt(pair, 16));
const card = vectors.card_token;
const LIST_TIME = new Date((vectors.status_list.iat + 60) * 1000);
const coseKeySet = fromHex(vectors.key_sets.cose_key_set_hex);

describe("the published vectors", () => {
  it("finds the same key in the JWK Set and the COSE Key Set", async () => {
    for (const keySet of [vectors.key_sets.jwk_set, JSON.stringify(vectors.key_sets.jwk_set), coseKeySet]) {
      const keys = await importKeySet(keySet);
      assert.equal(keys.size, 1);
      assert.ok(keys.get(fromHex(vectors.signing_key.kid_hex)));
    }
  });

  it("opens the card token signed with alg -8 and with alg -19 alike", async () => {
    const keys = await importKeySet(coseKeySet);
    for (const token of [card.token, vectors.ed25519_alg.token]) {
      const opened = await openToken(token, { keys, today: "2026-03-01" });
      assert.equal(opened.valid, true);
      assert.deepEqual([opened.claims.listId, opened.claims.index], [card.claims.list_id, card.claims.index]);
      assert.equal((await openToken(token, { keys, today: card.expired_on })).reason, "expired");
    }
  });

  it("reads the status lists (-8 and -19) and finds the vector card revoked", async () => {
    const keys = await importKeySet(coseKeySet);
    for (const hex of [vectors.status_list.status_list_cwt_hex, vectors.ed25519_alg.status_list_cwt_hex]) {
      const list = await readStatusList(fromHex(hex), keys, LIST_TIME);
      assert.equal(list.uri, vectors.status_list.uri);
      const outcome = await verifyToken(card.token, { keys, statusLists: [list], today: "2026-03-01", now: LIST_TIME });
      assert.deepEqual([outcome.result, outcome.reason], ["invalid", "status-not-valid"]);
    }
  });

  it("refuses every invalid token vector", async () => {
    const keys = await importKeySet(coseKeySet);
    for (const { why, token } of vectors.invalid_tokens) {
      assert.equal((await openToken(token, { keys, today: "2026-03-01" })).result, "invalid", why);
    }
  });

  it("takes the token from the QR text", () => {
    assert.equal(tokenFromText(card.qr_text), card.token);
  });
});

describe("the README's check-in desk", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const example = readme.match(/```js\n([\s\S]*?)```/)[1];

  /** Load the README's example with the package and a fake city server in place. */
  async function readmeDesk(documents) {
    const source = example
      .replace('"idcard-verifier/desk"', JSON.stringify(new URL("../desk.js", import.meta.url).href))
      .replace('checkInDesk("https://id.example-city.gov")',
        'checkInDesk("https://id.example-city.gov", { fetch: globalThis.__readmeFetch })');
    globalThis.__readmeFetch = async (url) => {
      const body = documents[url];
      return { ok: body !== undefined, status: body ? 200 : 404, arrayBuffer: async () => body?.buffer };
    };
    return import(`data:text/javascript,${encodeURIComponent(source)}#${Math.random()}`);
  }

  it("answers from the city's key set and status list", async () => {
    const { onScan } = await readmeDesk({
      "https://id.example-city.gov/.well-known/cose-key-set": coseKeySet,
      "https://id.example-city.gov/api/v1/status-lists/3": fromHex(vectors.status_list.status_list_cwt_hex),
    });
    // The vector list was issued on 2026-01-01: older than a day now, so the desk cannot tell.
    assert.match(await onScan(card.qr_text), /Cannot check/);
    assert.match(await onScan(card.token.toLowerCase()), /not valid/);
  });

  it("says valid, then not valid once the card's bit is set", async () => {
    const iat = Math.floor(Date.now() / 1000) - 60;
    const city = (invalid) => ({
      "https://id.example-city.gov/.well-known/cose-key-set": coseKeySet,
      "https://id.example-city.gov/api/v1/status-lists/3": statusListCwt({ invalid, iat }),
    });
    assert.match(await (await readmeDesk(city([1, 2]))).onScan(card.qr_text), /Card accepted/);
    assert.match(await (await readmeDesk(city([card.claims.index]))).onScan(card.token), /not valid/);
  });

  it("says it cannot check when the city cannot be reached", async () => {
    const { onScan } = await readmeDesk({});
    assert.match(await onScan(card.qr_text), /Cannot check/);
  });
});
