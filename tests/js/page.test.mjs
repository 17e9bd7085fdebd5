// The verify page in headless Chromium, with no npm packages: a small Node server plays
// the Flask app (the fixture page, the static files, the key set, status lists signed
// just now), Chromium loads /v#TOKEN with --dump-dom, and a test-only driver script
// scans cards and writes what the page showed into the DOM.
// Skipped when Chromium is missing (set CHROMIUM=/path/to/chromium to choose one).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";

import { ROOT, tokenVectors } from "./helpers.mjs";
import { statusListCwt, vectorJwks } from "./issuer.mjs";

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const CSP = "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; "
  + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
const TOKEN = tokenVectors.card_token.token; // list 3, index 98765
const INDEX = tokenVectors.card_token.claims.index;
const FLIPPED = TOKEN.slice(0, -1) + "Q"; // last signature bits changed
const now = () => Math.floor(Date.now() / 1000);

const STATIC = {
  "/static/js/idcard-verifier/verifier.js": ["static/js/idcard-verifier/verifier.js", "text/javascript"],
  "/static/js/verify-page.js": ["static/js/verify-page.js", "text/javascript"],
  "/static/css/verify.css": ["static/css/verify.css", "text/css"],
  "/tests/scan-driver.mjs": ["tests/js/fixtures/scan-driver.mjs", "text/javascript"],
};

/** Serve one scenario; resolves to {url, requests, close}. */
function serve({ lists = {}, scans = [], maxAgeSeconds = 86400 }) {
  const requests = [];
  const server = createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const path = new URL(request.url, "http://x").pathname;
      requests.push({ method: request.method, url: request.url, headers: request.headers, body: Buffer.concat(chunks).toString() });
      const send = (status, type, body) => {
        response.writeHead(status, { "Content-Type": type, "Content-Security-Policy": CSP, "Cache-Control": "no-store" });
        response.end(body);
      };
      if (path === "/v") {
        let page = readFileSync(join(ROOT, "tests/js/fixtures/page.html"), "utf8");
        page = page.replace('data-max-age-seconds="86400"', `data-max-age-seconds="${maxAgeSeconds}"`);
        page = page.replace("</body>", '<script type="module" src="/tests/scan-driver.mjs"></script>\n</body>');
        return send(200, "text/html; charset=utf-8", page);
      }
      if (STATIC[path]) return send(200, STATIC[path][1], readFileSync(join(ROOT, STATIC[path][0])));
      if (path === "/tests/scans.json") return send(200, "application/json", JSON.stringify(scans));
      if (path === "/.well-known/jwks.json") return send(200, "application/jwk-set+json", JSON.stringify(vectorJwks));
      const list = path.match(/^\/api\/v1\/status-lists\/(\d+)$/);
      if (list && lists[list[1]]) return send(200, "application/statuslist+cwt", Buffer.from(lists[list[1]]));
      return send(404, "text/plain", "not found");
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve({ url: `http://127.0.0.1:${server.address().port}`, requests, close: () => server.close() });
    });
  });
}

/** Load a URL in headless Chromium; return the driver's log from the dumped DOM. */
function dumpDom(url) {
  const profile = mkdtempSync(join(tmpdir(), "idcard-chromium-"));
  const args = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
    "--disable-background-networking", "--disable-component-update", `--user-data-dir=${profile}`,
    "--virtual-time-budget=20000", "--dump-dom", url,
  ];
  return new Promise((resolve, reject) => {
    execFile(CHROMIUM, args, { timeout: 60_000, maxBuffer: 8 << 20 }, (error, stdout) => {
      rmSync(profile, { recursive: true, force: true });
      const match = stdout.match(/<pre id="test-log">([^<]*)<\/pre>/);
      if (!match) return reject(error || new Error(`no test log in the page:\n${stdout.slice(0, 2000)}`));
      const json = match[1].replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
      return resolve(JSON.parse(json));
    });
  });
}

async function scenario(options, fragment = "") {
  const server = await serve(options);
  try {
    const log = await dumpDom(`${server.url}/v${fragment}`);
    return { log, requests: server.requests, base: server.url };
  } finally {
    server.close();
  }
}

function assertTokenNeverSent(requests, token = TOKEN) {
  for (const request of requests) {
    const seen = [request.url, request.body, JSON.stringify(request.headers)].join(" ");
    assert.ok(!seen.includes(token.slice(0, 40)), `token sent in ${request.method} ${request.url}`);
  }
}

const fresh = (invalid = []) => ({ 3: statusListCwt({ iat: now() - 300, invalid }) });

describe("the verify page in Chromium", { skip: !existsSync(CHROMIUM) && `no Chromium at ${CHROMIUM}` }, () => {
  it("says Valid resident for a good card, clears the fragment, sends the token nowhere", async () => {
    const { log, requests, base } = await scenario({ lists: fresh([0, 3]) }, `#${TOKEN}`);
    assert.equal(log.href, `${base}/v`);
    assert.deepEqual(log.violations, []);
    assert.equal(log.answers.length, 1);
    const [shown] = log.answers;
    assert.equal(shown.result, "valid");
    assert.equal(shown.text, "Valid resident");
    assert.equal(shown.reminder, true);
    assert.match(shown.listAge, /^Card list updated \d+ minutes? ago\.$/);
    assert.equal(shown.inputFocused, false); // opened from a QR: no on-screen keyboard
    assertTokenNeverSent(requests);
    const paths = requests.map((request) => `${request.method} ${new URL(request.url, base).pathname}`);
    assert.ok(paths.includes("GET /.well-known/jwks.json"));
    assert.ok(paths.includes("GET /api/v1/status-lists/3"));
    assert.ok(!paths.some((path) => path.startsWith("POST")));
    const list = requests.find((request) => request.url === "/api/v1/status-lists/3");
    assert.equal(list.headers.cookie, undefined);
  });

  it("says Not valid for a revoked card", async () => {
    const { log } = await scenario({ lists: fresh([INDEX]) }, `#${TOKEN}`);
    assert.deepEqual([log.answers[0].result, log.answers[0].text, log.answers[0].reminder], ["invalid", "Not valid", false]);
  });

  it("says Not valid for a forged card without fetching any list", async () => {
    const { log, requests } = await scenario({ lists: fresh() }, `#${FLIPPED}`);
    assert.equal(log.answers[0].result, "invalid");
    assert.ok(!requests.some((request) => request.url.startsWith("/api/v1/status-lists/")));
  });

  it("cannot answer without the card's list", async () => {
    const { log } = await scenario({ lists: {} }, `#${TOKEN}`);
    assert.equal(log.answers[0].result, "unknown");
    assert.equal(log.answers[0].text, "The card list could not be loaded. Try again in a few minutes.");
  });

  it("refuses to say valid from a list older than the page's limit, and says why", async () => {
    const old = { 3: statusListCwt({ iat: now() - 3 * 3600, validSeconds: 86400 }) };
    const { log } = await scenario({ lists: old, maxAgeSeconds: 7200 }, `#${TOKEN}`);
    const [shown] = log.answers;
    assert.equal(shown.result, "unknown");
    assert.equal(shown.text, "The card list is older than 2 hours and could not be updated. Try again in a few minutes.");
    assert.match(shown.listAge, /^Card list updated 3 hours ago: too old to check cards\.$/);
  });

  it("works as a scan station: each scan answered, the input cleared and kept focused", async () => {
    const scans = [
      tokenVectors.card_token.qr_text,
      FLIPPED,
      `  ${TOKEN}  `,
      TOKEN.toLowerCase(),
      "not a card at all",
      `${tokenVectors.card_token.public_url}/v#${TOKEN}`,
    ];
    const { log, requests } = await scenario({ lists: fresh(), scans });
    assert.deepEqual(log.answers.map((shown) => shown.result), ["valid", "invalid", "valid", "invalid", "invalid", "valid"]);
    for (const shown of log.answers) {
      assert.equal(shown.inputValue, "");
      assert.equal(shown.inputFocused, true);
    }
    assert.deepEqual(log.violations, []);
    assertTokenNeverSent(requests);
    // One key set and one list served every scan.
    assert.equal(requests.filter((request) => request.url === "/api/v1/status-lists/3").length, 1);
  });
});

describe("the test issuer", () => {
  it("writes the vector status list byte for byte, as statuslist.py does", () => {
    const list = tokenVectors.status_list;
    const cwt = statusListCwt({ iat: list.iat, invalid: list.invalid_indexes });
    assert.equal(Buffer.from(cwt).toString("hex"), list.status_list_cwt_hex);
  });
});
