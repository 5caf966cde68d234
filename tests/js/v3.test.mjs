// Aliyun signature V3 (ACS3-HMAC-SHA256), STS tokens in both versions,
// credentials from the environment, and a rotating async provider.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { createHash, createHmac } from "node:crypto";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { LinkedMallClient, AligateError } from "aligate";
import { startSandbox, TEST_CREDENTIALS as C } from "aligate/sandbox";
import { startEmulator, RPC_CREDS, EXTRA_KEYS } from "./emulator.mjs";

const vectors = JSON.parse(readFileSync(new URL("../vectors/signatures.json", import.meta.url), "utf8"));
const CONFIRM = { BizId: "中文 a*b~c+d/e&f=g", BizUid: "u", LmOrderId: "6012345678901234567" };
let emu;
before(async () => (emu = await startEmulator()));
after(() => emu.close());

const pe = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
function v3(method, query, headers, body, secret) {
  const q = Object.keys(query).sort().map((k) => `${pe(k)}=${pe(query[k])}`).join("&");
  const names = Object.keys(headers).map((h) => h.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v.trim()]));
  const canonical = [method, "/", q, names.map((h) => `${h}:${lower[h]}\n`).join(""), names.join(";"), createHash("sha256").update(body).digest("hex")].join("\n");
  return createHmac("sha256", secret).update(`ACS3-HMAC-SHA256\n${createHash("sha256").update(canonical).digest("hex")}`).digest("hex");
}

test("V3 vectors: the public documentation's example and Python-computed cases agree with node:crypto", () => {
  for (const c of vectors.aliyun_v3) {
    assert.equal(v3(c.method, c.query, c.headers, c.body, c.secret), c.expected, c.name);
    if (c.published) assert.equal(c.expected, c.published);
  }
});

test("V3 prepare: headers and Authorization verify independently, GET and POST, with STS", () => {
  for (const httpMethod of ["GET", "POST"]) {
    const lm = new LinkedMallClient({ ...RPC_CREDS, endpoint: "https://linkedmall.aliyuncs.com/", signatureVersion: "v3", httpMethod });
    const p = lm.prepare("ConfirmDisburse", CONFIRM, { timestamp: "2026-11-22T03:00:00Z", nonce: "n-1" });
    const h = p.headers;
    assert.equal(h["x-acs-action"], "ConfirmDisburse");
    assert.equal(h["x-acs-version"], "2018-01-16");
    assert.equal(h["x-acs-date"], "2026-11-22T03:00:00Z");
    assert.equal(h["x-acs-signature-nonce"], "n-1");
    assert.equal(h["x-acs-security-token"], RPC_CREDS.securityToken);
    assert.equal(h["x-acs-content-sha256"], createHash("sha256").update("").digest("hex"));
    const m = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/.exec(h.authorization);
    assert.ok(m, h.authorization);
    assert.equal(m[1], RPC_CREDS.accessKeyId);
    const signed = m[2].split(";");
    assert.deepEqual(signed, ["host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-security-token", "x-acs-signature-nonce", "x-acs-version"]);
    const url = new URL(p.url);
    const headers = Object.fromEntries(signed.map((k) => [k, k === "host" ? url.host : h[k]]));
    assert.equal(m[3], v3(httpMethod, Object.fromEntries(url.searchParams), headers, "", RPC_CREDS.accessKeySecret), httpMethod);
    assert.equal(url.searchParams.get("BizId"), CONFIRM.BizId);
    assert.equal(lm.prepare("ConfirmDisburse", CONFIRM, { redact: true }).headers["x-acs-security-token"], "***");
  }
  assert.throws(() => new LinkedMallClient({ ...RPC_CREDS, signatureVersion: "v2" }), /expected v1 or v3/);
});

test("STS token on the wire: SecurityToken (v1) and x-acs-security-token (v3), verified by the emulator", async () => {
  for (const signatureVersion of ["v1", "v3"]) {
    emu.reset();
    const lm = new LinkedMallClient({ ...RPC_CREDS, endpoint: emu.rpcUrl, signatureVersion });
    assert.equal((await lm.confirmDisburse(CONFIRM)).Code, "SUCCESS");
    assert.deepEqual(emu.seen[0].problems, [], signatureVersion);
    assert.equal(emu.seen[0].securityToken, RPC_CREDS.securityToken);
    assert.equal(Boolean(emu.seen[0].v3), signatureVersion === "v3");
  }
});

test("the sandbox verifies V3 (and rejects a wrong V3 secret)", async () => {
  const sb = await startSandbox({ log: false });
  try {
    const ok = new LinkedMallClient({ accessKeyId: C.accessKeyId, accessKeySecret: C.accessKeySecret, endpoint: sb.linkedmallEndpoint, signatureVersion: "v3" });
    assert.equal((await ok.confirmDisburse(CONFIRM)).Code, "SUCCESS");
    const bad = new LinkedMallClient({ accessKeyId: C.accessKeyId, accessKeySecret: "wrong", endpoint: sb.linkedmallEndpoint, signatureVersion: "v3" });
    await assert.rejects(bad.confirmDisburse(CONFIRM), (e) => e.code === "SignatureDoesNotMatch" && e.status === 400);
    await assert.rejects(ok.confirmDisburse({ BizId: "b" }), (e) => e.kind === "validation");
  } finally {
    await sb.close();
  }
});

test("a rotating credentials provider is called per request and cached until it says it expires", async () => {
  emu.reset();
  const keys = [...EXTRA_KEYS];
  let calls = 0;
  let expires = 0;
  const lm = new LinkedMallClient({
    endpoint: emu.rpcUrl,
    signatureVersion: "v3",
    credentials: async () => {
      const [id, secret] = keys[calls++ % keys.length];
      return { accessKeyId: id, accessKeySecret: secret, securityToken: `sts-${calls}`, expiration: new Date(expires) };
    },
  });
  await assert.rejects(async () => lm.prepare("ConfirmDisburse", CONFIRM), /no current credentials/);
  expires = Date.now() + 60_000;
  await lm.confirmDisburse(CONFIRM);
  await lm.confirmDisburse(CONFIRM);
  assert.equal(calls, 1, "cached while valid");
  expires = Date.now() - 1;
  await lm.refreshCredentials();
  assert.equal(calls, 1, "still valid: no call");
  // Force expiry: the cached set expires in the past from now on.
  const lm2 = new LinkedMallClient({ endpoint: emu.rpcUrl, credentials: async () => {
    const [id, secret] = keys[calls++ % keys.length];
    return { accessKeyId: id, accessKeySecret: secret, securityToken: `sts-${calls}`, expiration: Date.now() + 30 };
  } });
  await lm2.confirmDisburse(CONFIRM);
  await new Promise((r) => setTimeout(r, 50));
  await lm2.confirmDisburse(CONFIRM);
  const seen = emu.seen.map((s) => [s.accessKeyId, s.securityToken, s.problems.length]);
  assert.deepEqual(seen, [["rot-id-1", "sts-1", 0], ["rot-id-1", "sts-1", 0], ["rot-id-2", "sts-2", 0], ["rot-id-1", "sts-3", 0]]);
  const failing = new LinkedMallClient({ endpoint: emu.rpcUrl, credentials: async () => { throw new Error("sts down"); }, retries: 0 });
  await assert.rejects(failing.confirmDisburse(CONFIRM), (e) => e instanceof AligateError && e.kind === "credentials" && e.retryable === false && /credentials provider failed: it threw or rejected with Error$/.test(e.message) && !e.message.includes("sts down"));
  const partial = new LinkedMallClient({ endpoint: emu.rpcUrl, credentials: async () => ({ accessKeyId: "x" }) });
  await assert.rejects(partial.confirmDisburse(CONFIRM), (e) => e.kind === "validation" && e.issues[0].path === "credentials().accessKeySecret");
});

test("credentials from the environment (Node), from a Worker's env, and errors naming the variable", () => {
  const dir = dirname(fileURLToPath(import.meta.url));
  const script = `import { LinkedMallClient } from "aligate";
    try { const p = new LinkedMallClient({}).prepare("ConfirmDisburse", { BizId: "b", BizUid: "u", LmOrderId: "1" });
      console.log(JSON.stringify({ ok: true, body: p.body })); }
    catch (e) { console.log(JSON.stringify({ ok: false, message: e.message })); }`;
  const run = (env) => JSON.parse(spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: dir, encoding: "utf8",
    env: { PATH: process.env.PATH, ...env } }).stdout);
  const full = run({ ALIBABA_CLOUD_ACCESS_KEY_ID: "env-id", ALIBABA_CLOUD_ACCESS_KEY_SECRET: "env-secret", ALIBABA_CLOUD_SECURITY_TOKEN: "env-token" });
  assert.ok(full.ok && full.body.includes("AccessKeyId=env-id") && full.body.includes("SecurityToken=env-token"), JSON.stringify(full));
  assert.match(run({ ALIBABA_CLOUD_ACCESS_KEY_ID: "env-id" }).message, /ALIBABA_CLOUD_ACCESS_KEY_SECRET/);
  // No credentials at all: the default chain (tests/js/credentials-chain.test.mjs), asked by execute() or refreshCredentials().
  assert.match(run({}).message, /the provider has no current credentials/);
  const worker = new LinkedMallClient({ env: { ALIBABA_CLOUD_ACCESS_KEY_ID: "w-id", ALIBABA_CLOUD_ACCESS_KEY_SECRET: "w-secret" } });
  assert.ok(worker.prepare("ConfirmDisburse", { BizId: "b", BizUid: "u", LmOrderId: "1" }).body.includes("AccessKeyId=w-id"));
  const explicit = new LinkedMallClient({ accessKeyId: "opt-id", accessKeySecret: "s", env: { ALIBABA_CLOUD_ACCESS_KEY_ID: "w-id" } });
  assert.ok(explicit.prepare("ConfirmDisburse", { BizId: "b", BizUid: "u", LmOrderId: "1" }).body.includes("AccessKeyId=opt-id"), "options win");
});
