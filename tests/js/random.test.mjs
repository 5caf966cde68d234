// Where LinkedMall's SignatureNonce bytes come from in Node: /dev/urandom
// through fs (the first use of globalThis.crypto loads Node's crypto modules,
// ~3 ms of a cold start), and crypto.getRandomValues when that read is denied.
// Each case runs a fresh `node` on a script file, as a user's process would.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const N = 3000; // > 256 nonces per 4 KiB refill: several refills

const SCRIPT = `
const a = require("aligate");
const lm = new a.LinkedMallClient({ accessKeyId: "k", accessKeySecret: "s" });
const nonces = [];
for (let i = 0; i < ${N}; i++) {
  const p = lm.prepare("ConfirmDisburse", { BizId: "b", BizUid: "u", LmOrderId: "1" });
  nonces.push(new URLSearchParams(p.body).get("SignatureNonce"));
}
process.stdout.write(JSON.stringify({ nonces, crypto: process.moduleLoadList.filter((m) => m.includes("crypto")) }));
`;

function runScript(nodeArgs) {
  // Inside the project, so require("aligate") resolves to the installed package.
  const dir = mkdtempSync(join(here, ".random-"));
  try {
    const file = join(dir, "nonces.cjs");
    writeFileSync(file, SCRIPT);
    const r = spawnSync(process.execPath, [...nodeArgs(dir), file], { cwd: here, encoding: "utf8", timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function assertGoodNonces(nonces) {
  assert.equal(nonces.length, N);
  for (const n of nonces) assert.match(n, UUID4);
  assert.equal(new Set(nonces).size, N, "a nonce repeated");
  // 122 random bits each: every hex digit position varies across the set.
  for (const at of [0, 9, 24, 35]) assert.ok(new Set(nonces.map((n) => n[at])).size > 8, `position ${at} barely varies`);
}

test("Node: nonces from /dev/urandom, without loading Node's crypto modules", () => {
  const out = runScript(() => []);
  assertGoodNonces(out.nonces);
  assert.deepEqual(out.crypto, [], "node:crypto was loaded: the /dev/urandom source was not used");
});

test("Node: with /dev/urandom denied (permission model), nonces come from crypto.getRandomValues", () => {
  const project = join(here, "..");
  const out = runScript((dir) => ["--experimental-permission", `--allow-fs-read=${project}/*`, `--allow-fs-read=${dir}/*`]);
  assertGoodNonces(out.nonces);
  assert.ok(out.crypto.length > 0, "crypto not loaded: where did the bytes come from?");
});
