// How long the verifier takes in Node, with the key set imported and the list read once
// (as the page holds them): node tests/js/bench.mjs [runs]
import { performance } from "node:perf_hooks";

import { importKeySet, readStatusList, verifyToken } from "../../static/js/idcard-verifier/verifier.js";
import { fromHex, pythonVerdicts, seconds, tokenVectors } from "./helpers.mjs";

const runs = Number(process.argv[2] || 1000);
const LIST_TIME = seconds(tokenVectors.status_list.iat + 60);

async function time(label, action) {
  for (let i = 0; i < 50; i++) await action(); // warm up
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await action();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const at = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  console.log(`${label.padEnd(44)} median ${at(0.5).toFixed(3)} ms   p90 ${at(0.9).toFixed(3)} ms   max ${at(1).toFixed(3)} ms`);
}

const keys = await importKeySet({ keys: [tokenVectors.signing_key.jwk] });
const cwt = fromHex(pythonVerdicts.clear_status_list.cwt_hex);
const list = await readStatusList(cwt, keys, LIST_TIME);
const options = { keys, statusLists: [list], today: "2026-01-01", now: LIST_TIME, maxAgeSeconds: 86400 };
const valid = await verifyToken(tokenVectors.card_token.token, options);
if (!valid.valid) throw new Error(`the vector card should be valid here: ${valid.reason}`);

console.log(`node ${process.version}, ${runs} runs each`);
await time("verifyToken, valid card (cached keys + list)", () => verifyToken(tokenVectors.card_token.token, options));
await time("verifyToken, bad signature", () => verifyToken(tokenVectors.invalid_tokens[0].token, options));
await time("verifyToken, malformed text", () => verifyToken("NOT A TOKEN", options));
await time("readStatusList, 131,072 entries", () => readStatusList(cwt, keys, LIST_TIME));
await time("importKeySet, one key", () => importKeySet({ keys: [tokenVectors.signing_key.jwk] }));
