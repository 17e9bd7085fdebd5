// Shared test helpers: the fixtures, hex and Base32 encoding.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const readJson = (path) => JSON.parse(readFileSync(here(path), "utf8"));

export const ROOT = here("../../");
export const tokenVectors = readJson("../../docs/token-vectors.json");
export const interopVectors = readJson("../data/interop-vectors.json");
export const pythonVerdicts = readJson("./fixtures/python-verdicts.json");

export function fromHex(hex) {
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

export function toHex(bytes) {
  return Buffer.from(bytes).toString("hex");
}

export function encodeBase32(bytes) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += alphabet[(buffer >> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits) out += alphabet[(buffer << (5 - bits)) & 31];
  return out;
}

export const seconds = (unix) => new Date(unix * 1000);
