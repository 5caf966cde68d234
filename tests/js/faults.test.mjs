// The fault matrix: each fault's error kind, retry decision and the number of
// requests that reached the emulator. README "Faults and retries" mirrors it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { TopClient, LinkedMallClient, AligateError } from "aligate";
import { startEmulator, sendJson, TOP_CREDS, RPC_CREDS } from "./emulator.mjs";

let emu;
before(async () => (emu = await startEmulator()));
after(() => emu.close());

const FAST = { retries: 2, retryBaseDelayMs: 5 };
// lianbei.order.notice is a read: repeat-safe. commission.status.change without
// outer_order_id is a write without its dedupe key: not repeat-safe.
const SAFE = ["alibaba.alisports.lianbei.order.notice", { biz_order_id: 1 }];
const UNSAFE = ["alibaba.retail.commission.status.change", { param0: { order_id: "1", order_status: 0 } }];
const DEDUPED = ["alibaba.retail.commission.status.change", { param0: { order_id: "1", order_status: 0, outer_order_id: "o1" } }];
const CONFIRM = { BizId: "b", BizUid: "u", LmOrderId: "1" };

// A session: commission.status.change needs one.
const top = (o = {}) => new TopClient({ ...TOP_CREDS, endpoint: emu.topUrl, session: "user-session", ...FAST, ...o });
const lm = (o = {}) => new LinkedMallClient({ ...RPC_CREDS, endpoint: emu.rpcUrl, ...FAST, ...o });

async function fails(promise, expect) {
  const err = await promise.then(() => assert.fail("expected a failure"), (e) => e);
  assert.ok(err instanceof AligateError, String(err));
  for (const [k, v] of Object.entries(expect)) assert.deepEqual(err[k], v, `${k}: ${err.message}`);
  return err;
}

const times = (n, h) => Array.from({ length: n }, () => h);
const status503 = (ctx, res) => { res.writeHead(503, { "content-type": "text/html" }); res.end("<h1>Service Unavailable</h1>"); };
const ispError = (ctx, res) => sendJson(res, 200, { error_response: { code: 15, msg: "Remote service error", sub_code: "isp.remote-service-timeout", sub_msg: "timeout", request_id: "r" } });

test("503: retried when repeat-safe (3 requests), not when a write lacks its dedupe key (1)", async () => {
  emu.reset(); emu.next(...times(3, status503));
  await fails(top().execute(...SAFE), { kind: "http", status: 503, retryable: true, attempts: 3 });
  assert.equal(emu.seen.length, 3);
  emu.reset(); emu.next(...times(3, status503));
  await fails(top().execute(...UNSAFE), { kind: "http", status: 503, retryable: false, attempts: 1 });
  assert.equal(emu.seen.length, 1);
  emu.reset(); emu.next(status503);
  assert.equal((await top().execute(...DEDUPED)).s_success, true);
  assert.equal(emu.seen.length, 2);
});

test("429: always retried (the request was refused), then succeeds", async () => {
  emu.reset(); emu.next((ctx, res) => { res.writeHead(429); res.end(); });
  assert.equal((await top().execute(...UNSAFE)).s_success, true);
  assert.equal(emu.seen.length, 2);
});

test("TOP isp.*: retried only when repeat-safe", async () => {
  emu.reset(); emu.next(ispError);
  assert.ok(await top().execute(...SAFE));
  assert.equal(emu.seen.length, 2);
  emu.reset(); emu.next(ispError);
  await fails(top().execute(...UNSAFE), { kind: "api", subCode: "isp.remote-service-timeout", retryable: false, attempts: 1 });
  assert.equal(emu.seen.length, 1);
});

test("TOP code 7: waits out a short ban, gives up at once on a long one", async () => {
  const ban = (s) => (ctx, res) => sendJson(res, 200, { error_response: { code: 7, msg: "App Call Limited", sub_code: "accesscontrol.limited-by-api-access-count", sub_msg: `This ban will last ${s} more seconds`, request_id: "r" } });
  emu.reset(); emu.next(ban(1));
  const t0 = Date.now();
  assert.ok(await top().execute(...UNSAFE));
  assert.ok(Date.now() - t0 >= 1000, "honoured the ban");
  assert.equal(emu.seen.length, 2);
  emu.reset(); emu.next(ban(100));
  await fails(top().execute(...SAFE), { kind: "api", code: "7", retryable: false, attempts: 1 });
  assert.equal(emu.seen.length, 1);
});

test("Aliyun Throttling and SignatureNonceUsed: retried, re-signed with a fresh nonce", async () => {
  emu.reset(); emu.next((ctx, res) => sendJson(res, 400, { Code: "Throttling.User", Message: "Request was denied due to user flow control.", RequestId: "t" }));
  assert.equal((await lm().confirmDisburse(CONFIRM)).Code, "SUCCESS");
  assert.equal(emu.seen.length, 2);
  emu.reset(); emu.next((ctx, res) => sendJson(res, 400, { Code: "SignatureNonceUsed", Message: "Specified signature nonce was used already.", RequestId: "n" }));
  assert.equal((await lm().confirmDisburse(CONFIRM)).Code, "SUCCESS");
  assert.equal(emu.seen.length, 2);
  assert.notEqual(emu.seen[0].params.SignatureNonce, emu.seen[1].params.SignatureNonce);
  assert.notEqual(emu.seen[0].params.Signature, emu.seen[1].params.Signature);
  emu.reset(); emu.next(...times(3, (ctx, res) => sendJson(res, 503, { Code: "ServiceUnavailable", Message: "busy", RequestId: "s" })));
  await fails(lm().confirmDisburse(CONFIRM), { kind: "api", code: "ServiceUnavailable", status: 503, retryable: true, attempts: 3 });
  assert.equal(emu.seen.length, 3);
});

test("slow response: timeout, retried only when repeat-safe", async () => {
  const slow = (ctx, res) => setTimeout(() => emu.succeed(ctx, res, "late"), 400);
  emu.reset(); emu.next(slow);
  await fails(top({ timeoutMs: 100 }).execute(...UNSAFE), { kind: "timeout", retryable: false, attempts: 1 });
  assert.equal(emu.seen.length, 1);
  emu.reset(); emu.next(slow, slow);
  await fails(top({ timeoutMs: 100, retries: 1 }).execute(...SAFE), { kind: "timeout", retryable: true, attempts: 2 });
  assert.equal(emu.seen.length, 2);
});

test("reset connection: network error, retried only when repeat-safe", async () => {
  const reset = (ctx, res) => res.socket.destroy();
  emu.reset(); emu.next(reset);
  assert.ok(await top().execute(...SAFE));
  assert.equal(emu.seen.length, 2);
  emu.reset(); emu.next(reset);
  await fails(top().execute(...UNSAFE), { kind: "network", retryable: false, attempts: 1 });
  assert.equal(emu.seen.length, 1);
});

test("connection refused: network error, always retried (nothing was sent)", async () => {
  const srv = createServer();
  await new Promise((r) => srv.listen(0, "127.0.0.1", r));
  const port = srv.address().port;
  await new Promise((r) => srv.close(r));
  const t = new TopClient({ ...TOP_CREDS, endpoint: `http://127.0.0.1:${port}/router/rest`, session: "user-session", ...FAST });
  await fails(t.execute(...UNSAFE), { kind: "network", retryable: true, attempts: 3 });
});

test("malformed JSON, wrong content type and an oversized body: decode errors, not retried", async () => {
  emu.reset(); emu.next((ctx, res) => sendJson(res, 200, '{"alibaba_alisports_lianbei_order_notice_response": {,}'));
  await fails(top().execute(...SAFE), { kind: "decode", retryable: false, attempts: 1 });
  emu.reset(); emu.next((ctx, res) => { res.writeHead(200, { "content-type": "text/html" }); res.end("<html>login</html>"); });
  const e = await fails(top().execute(...SAFE), { kind: "decode", attempts: 1 });
  assert.match(e.message, /content type/);
  emu.reset(); emu.next((ctx, res) => sendJson(res, 200, JSON.stringify({ x: "a".repeat(100_000) })));
  await fails(top({ maxBodyBytes: 10_000 }).execute(...SAFE), { kind: "decode", attempts: 1 });
  assert.equal(emu.seen.length, 1);
});

test("truncated body: decode error, retried only when repeat-safe", async () => {
  const truncated = (ctx, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": 500 });
    res.write('{"alibaba_alisports_lianbei_order_notice_response":{"res');
    setTimeout(() => res.socket.destroy(), 20);
  };
  emu.reset(); emu.next(truncated);
  assert.ok(await top().execute(...SAFE));
  assert.equal(emu.seen.length, 2);
  emu.reset(); emu.next(truncated);
  const e = await fails(top().execute(...UNSAFE), { kind: "decode", retryable: false, attempts: 1 });
  assert.match(e.message, /truncated/);
});

test("an aborted signal cancels at once, mid-request and during backoff", async () => {
  emu.reset(); emu.next((ctx, res) => setTimeout(() => emu.succeed(ctx, res, "late"), 2000));
  const ac = new AbortController();
  const t0 = Date.now();
  setTimeout(() => ac.abort(), 50);
  await fails(top().execute(...SAFE, { signal: ac.signal }), { kind: "aborted", retryable: false });
  assert.ok(Date.now() - t0 < 1000);
  assert.equal(emu.seen.length, 1);
  // During the backoff: a 3 s ban puts a floor under the wait (full jitter alone
  // can draw ~0 ms, and then the second attempt came before the abort).
  const ban = (ctx, res) => sendJson(res, 200, { error_response: { code: 7, msg: "App Call Limited", sub_msg: "This ban will last 3 more seconds" } });
  emu.reset(); emu.next(...times(3, ban));
  const ac2 = new AbortController();
  setTimeout(() => ac2.abort(), 100);
  const t2 = Date.now();
  await fails(top({ maxBanWaitMs: 5000 }).execute(...SAFE, { signal: ac2.signal }), { kind: "aborted", attempts: 1 });
  assert.ok(Date.now() - t2 < 1500, `waited ${Date.now() - t2} ms`);
  assert.equal(emu.seen.length, 1);
  const done = new AbortController(); done.abort();
  emu.reset();
  await fails(top().execute(...SAFE, { signal: done.signal }), { kind: "aborted" });
  assert.equal(emu.seen.length, 0);
  // Aborted after the response arrived and before the backoff (a 3 s ban): no wait at all.
  const late = new AbortController();
  const fetchThenAbort = async (url, init) => {
    const r = await fetch(url, init);
    const text = await r.text();
    late.abort();
    return new Response(text, { status: r.status, headers: r.headers });
  };
  emu.reset(); emu.next((ctx, res) => sendJson(res, 200, { error_response: { code: 7, msg: "App Call Limited", sub_msg: "This ban will last 3 more seconds" } }));
  const t1 = Date.now();
  await fails(top({ fetch: fetchThenAbort, maxBanWaitMs: 5000 }).execute(...SAFE, { signal: late.signal }), { kind: "aborted", attempts: 1 });
  assert.ok(Date.now() - t1 < 1500, `waited ${Date.now() - t1} ms`);
  assert.equal(emu.seen.length, 1);
});

test("retries: 0 disables retrying", async () => {
  emu.reset(); emu.next((ctx, res) => { res.writeHead(429); res.end(); });
  await fails(top({ retries: 0 }).execute(...SAFE), { kind: "http", status: 429, retryable: true, attempts: 1 });
  assert.equal(emu.seen.length, 1);
});

test("a failing credentials provider: kind credentials, never retried, nothing sent", async () => {
  emu.reset();
  const failing = lm({ credentials: async () => { throw new Error("sts down"); } });
  const e = await fails(failing.confirmDisburse(CONFIRM), { kind: "credentials", retryable: false, attempts: 0 });
  assert.ok(!e.message.includes("sts down"));
  assert.equal(emu.seen.length, 0);
});
