// The sandbox gateway as a peer: it must reject what the real gateways reject
// (in their error shapes) and accept what official SDKs send.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startSandbox, TEST_CREDENTIALS as C } from "aligate/sandbox";
import { TopClient, LinkedMallClient } from "aligate";
import { topSign, rpcSign } from "./emulator.mjs";

const validation = JSON.parse(readFileSync(new URL("../vectors/validation.json", import.meta.url), "utf8"));
const lines = [];
let sb;
before(async () => (sb = await startSandbox({ log: (l) => lines.push(l) })));
after(() => sb.close());

const gmt8 = (ms = Date.now()) => new Date(ms + 8 * 3600e3).toISOString().slice(0, 19).replace("T", " ");

async function topRaw(params, { secret = C.appSecret, body = true, sep = "&" } = {}) {
  const p = { app_key: C.appKey, format: "json", v: "2.0", sign_method: "md5", timestamp: gmt8(), session: C.session, ...params };
  for (const k of Object.keys(p)) if (p[k] === undefined) delete p[k];
  p.sign = topSign(p, secret, p.sign_method);
  const form = new URLSearchParams(p).toString().replaceAll("&", sep);
  const r = body
    ? await fetch(sb.topEndpoint, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form })
    : await fetch(`${sb.topEndpoint}?${form}`);
  return r.json();
}

async function rpcRaw(params, { secret = C.accessKeySecret, method = "POST", nonce = crypto.randomUUID() } = {}) {
  const p = { AccessKeyId: C.accessKeyId, Action: "ConfirmDisburse", Format: "JSON", SignatureMethod: "HMAC-SHA1",
    SignatureNonce: nonce, SignatureVersion: "1.0", Timestamp: new Date().toISOString().replace(/\.\d+Z$/, "Z"), Version: "2018-01-16", ...params };
  p.Signature = rpcSign(p, secret, method);
  const form = new URLSearchParams(p).toString();
  const r = method === "POST"
    ? await fetch(sb.linkedmallEndpoint, { method, headers: { "content-type": "application/x-www-form-urlencoded" }, body: form })
    : await fetch(`${sb.linkedmallEndpoint}?${form}`);
  return { status: r.status, body: await r.json() };
}

const LIANBEI = { method: "alibaba.alisports.lianbei.order.notice", biz_order_id: "1000" };
const CONFIRM = { BizId: "b", BizUid: "u", LmOrderId: "1" };

test("TOP: a correct request succeeds; wrong signature, app key, stale timestamp are rejected", async () => {
  assert.equal((await topRaw(LIANBEI)).alibaba_alisports_lianbei_order_notice_response.result.alisp_code, 200);
  assert.equal((await topRaw(LIANBEI, { secret: "nope" })).error_response.code, 25);
  assert.equal((await topRaw({ ...LIANBEI, app_key: "other" })).error_response.code, 29);
  assert.equal((await topRaw({ ...LIANBEI, timestamp: gmt8(Date.now() - 11 * 60e3) })).error_response.code, 31);
  assert.equal((await topRaw({ ...LIANBEI, method: "taobao.unknown" })).error_response.code, 22);
  assert.equal((await topRaw({ method: "alibaba.retail.commission.status.change", session: undefined, param0: '{"order_id":"1","order_status":0}' })).error_response.code, 26);
});

test("TOP: accepts what other SDKs send (epoch-ms timestamps, query-only, + encoding, partner_id)", async () => {
  assert.ok((await topRaw({ ...LIANBEI, timestamp: String(Date.now()) })).alibaba_alisports_lianbei_order_notice_response);
  assert.ok((await topRaw({ ...LIANBEI, partner_id: "top-sdk-java-20260101" }, { body: false })).alibaba_alisports_lianbei_order_notice_response);
  for (const sign_method of ["hmac", "hmac-sha256"]) {
    assert.ok((await topRaw({ ...LIANBEI, sign_method })).alibaba_alisports_lianbei_order_notice_response, sign_method);
  }
  const r = await topRaw({ method: "alibaba.retail.commission.status.change", param0: JSON.stringify({ order_id: "a b+c", order_status: 1 }) });
  assert.equal(r.alibaba_retail_commission_status_change_response.s_success, true);
});

test("TOP: each business rule is enforced with the documented error shape", async () => {
  for (const c of validation.filter((c) => c.api !== "ConfirmDisburse")) {
    const wire = Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, typeof v === "object" ? JSON.stringify(v) : String(v)]));
    const r = await topRaw({ method: c.api, ...wire });
    assert.ok(r.error_response, c.rule);
    assert.ok([40, 41].includes(r.error_response.code), c.rule);
    assert.match(r.error_response.sub_code, /^isv\./);
    assert.ok(r.error_response.sub_msg.includes(c.issues[0].path), `${c.rule}: ${r.error_response.sub_msg}`);
  }
});

test("Aliyun: signature, access key, timestamp, nonce reuse, STS token, business rules", async () => {
  assert.equal((await rpcRaw(CONFIRM)).body.Code, "SUCCESS");
  assert.equal((await rpcRaw(CONFIRM, { method: "GET" })).body.Code, "SUCCESS");
  const bad = await rpcRaw(CONFIRM, { secret: "nope" });
  assert.deepEqual([bad.status, bad.body.Code], [400, "SignatureDoesNotMatch"]);
  assert.ok(bad.body.RequestId && bad.body.HostId && bad.body.Recommend && bad.body.Message);
  assert.equal((await rpcRaw({ ...CONFIRM, AccessKeyId: "x" })).status, 404);
  const stale = await rpcRaw({ ...CONFIRM, Timestamp: new Date(Date.now() - 16 * 60e3).toISOString().replace(/\.\d+Z$/, "Z") });
  assert.equal(stale.body.Code, "InvalidTimeStamp.Expired");
  const nonce = crypto.randomUUID();
  assert.equal((await rpcRaw(CONFIRM, { nonce })).body.Code, "SUCCESS");
  assert.deepEqual(Object.values(await rpcRaw(CONFIRM, { nonce })).map((x) => x.Code ?? x), [400, "SignatureNonceUsed"]);
  assert.equal((await rpcRaw({ ...CONFIRM, SecurityToken: "forged" })).body.Code, "InvalidSecurityToken.Malformed");
  for (const c of validation.filter((c) => c.api === "ConfirmDisburse")) {
    const wire = Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, String(v)]));
    const r = await rpcRaw(wire);
    assert.equal(r.status, 400, c.rule);
    assert.match(r.body.Code, /^(Missing|Invalid)Parameter$/);
    assert.ok(r.body.Message.includes(c.issues[0].path), `${c.rule}: ${r.body.Message}`);
  }
});

test("STS: a sandbox started with a token requires it; aligate sends it", async () => {
  const sts = await startSandbox({ securityToken: "STS.token+/=", log: false });
  try {
    const lm = (securityToken) => new LinkedMallClient({ accessKeyId: C.accessKeyId, accessKeySecret: C.accessKeySecret, securityToken, endpoint: sts.linkedmallEndpoint });
    assert.equal((await lm("STS.token+/=").confirmDisburse(CONFIRM)).Code, "SUCCESS");
    await assert.rejects(lm("other").confirmDisburse(CONFIRM), (e) => e.code === "InvalidSecurityToken.Mismatch");
    await assert.rejects(lm(undefined).confirmDisburse(CONFIRM), (e) => e.code === "MissingSecurityToken");
  } finally {
    await sts.close();
  }
});

test("faults on demand, from options and the control endpoint", async () => {
  const top = new TopClient({ appKey: C.appKey, appSecret: C.appSecret, endpoint: sb.topEndpoint, retries: 0 });
  for (const [fault, kind] of [["503", "http"], ["429", "http"], ["isp", "api"], ["code7", "api"], ["reset", "network"], ["malformed", "decode"], ["signature", "api"]]) {
    const r = await fetch(`${sb.url}/__sandbox/faults`, { method: "POST", body: JSON.stringify({ fault, count: 1 }) });
    assert.equal(r.status, 200);
    await assert.rejects(top.lianbeiOrderNotice({ biz_order_id: 1 }), (e) => e.kind === kind, fault);
  }
  sb.inject({ fault: "slow", ms: 300 });
  await assert.rejects(top.lianbeiOrderNotice({ biz_order_id: 1 }, { timeoutMs: 100 }), (e) => e.kind === "timeout");
  const stats = await (await fetch(`${sb.url}/__sandbox/stats`)).json();
  assert.ok(stats.faults >= 7);
  assert.equal((await fetch(`${sb.url}/__sandbox/faults`, { method: "POST", body: '{"fault":"nope"}' })).status, 400);
});

test("the sandbox log has one line per request and no secrets", () => {
  assert.ok(lines.length > 20);
  const all = lines.join("\n");
  for (const secret of [C.appSecret, C.accessKeySecret, C.session, "STS.token+/=", "forged"]) assert.ok(!all.includes(secret), secret);
  assert.ok(lines.every((l) => !l.includes("\n")));
});

test("the official Alibaba Cloud Python SDK (aliyun-python-sdk-linkedmall 2018-01-16) is accepted", (t) => {
  const python = process.env.ALIGATE_PYTHON;
  if (!python || !existsSync(python)) {
    assert.fail(`ALIGATE_PYTHON not set or missing (${python}); run through npm test, which installs the official SDK from PyPI`);
  }
  const script = fileURLToPath(new URL("../python/confirm_disburse_official_sdk.py", import.meta.url));
  return new Promise((resolve, reject) => {
    // spawnSync would block the sandbox's event loop: run it async.
    import("node:child_process").then(({ execFile }) => {
      execFile(python, [script, `127.0.0.1:${sb.port}`, C.accessKeyId, C.accessKeySecret], { env: { ...process.env, no_proxy: "*" }, timeout: 60_000 },
        (err, stdout, stderr) => {
          if (err) return reject(new Error(`${err.message}\n${stderr}`));
          const out = stdout.trim().split("\n").map((l) => JSON.parse(l));
          assert.deepEqual(out.map((o) => [o.method, o.response.Code]), [["POST", "SUCCESS"], ["GET", "SUCCESS"]]);
          resolve();
        });
    });
  });
});
