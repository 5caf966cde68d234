// The TOP batch API (`top.batch`, `top.prepareBatch`) against an independent
// implementation written here: node:crypto signs the query + body, the body is
// split and each part parsed by this file's own code, and a loopback node:http
// gateway counts every call it receives (so retries are counted at the server).
// Inputs: ../vectors/batch.json (shared with tests/batch.rs).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { TopClient, AligateError, LianbeiOrderNoticeRequest, CommissionStatusChangeRequest } from "aligate";

const V = JSON.parse(readFileSync(new URL("../vectors/batch.json", import.meta.url), "utf8"));
const { appKey, appSecret, timestamp } = V.client;
const DEFAULT_SEP = "\r\n-S-\r\n";
const L = "alibaba.alisports.lianbei.order.notice";
const C = "alibaba.retail.commission.status.change";
const METHODS = ["md5", "hmac", "hmac-sha256"];

// ── the independent implementation ─────────────────────────────────────────
const decode = (s) => decodeURIComponent(s.replace(/\+/g, " "));
/** `a=1&b=2` → [[k, v]…] (form-decoded). */
const pairs = (q) => (q === "" ? [] : q.split("&").map((kv) => kv.split("=").map(decode)));
const hash = (alg, key, text) => (key === undefined ? createHash(alg) : createHmac(alg, key)).update(text, "utf8").digest("hex").toUpperCase();

/** The TOP sign: sorted query params (sign and blanks skipped), name+value, then the raw body. */
function expectedSign(query, body, method, secret = appSecret) {
  const s = query.filter(([k, v]) => k !== "sign" && v.trim() !== "").sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => k + v).join("") + body;
  if (method === "md5") return hash("md5", undefined, secret + s + secret);
  return hash(method === "hmac" ? "md5" : "sha256", secret, s);
}

/** Splits at every separator (the reference behaviour, not the core's bounded one). */
const split = (body, sep) => body.split(sep);

/** A batch request as the gateway reads it: query, separator, parts as { method, session, params }. */
function readBatch({ url, headers, body }) {
  const u = new URL(url);
  const query = [...u.searchParams.entries()];
  const sep = headers["top-api-separator"] ?? DEFAULT_SEP;
  let parts = split(body, sep);
  let pub = {};
  if (parts[0].startsWith("#PUBLIC#")) {
    pub = Object.fromEntries(pairs(parts[0].slice("#PUBLIC#".length)));
    parts = parts.slice(1);
  }
  const calls = parts.map((p) => {
    const o = Object.fromEntries(p === "N" ? [] : pairs(p));
    const { method = pub.method, session, ...params } = o;
    return { method, session: session ?? pub.session ?? u.searchParams.get("session") ?? undefined, own: session, params };
  });
  return { path: u.pathname, query, sep, calls, q: Object.fromEntries(query) };
}

/** Every leaf as a string: what a form-encoded value can say. */
const leaves = (v) => (v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, leaves(x)])) : String(v));

// ── a loopback TOP batch gateway ───────────────────────────────────────────
let server;
let base;
/** Every request: { path, headers, body, read, verified }. */
let seen = [];
/** How each request is answered: (req, read, res) → void; the last one repeats. */
let script = [];

const apiKey = (api) => `${api.replace(/\./g, "_")}_response`;
const success = (call) => ({ [apiKey(call.method)]: { result: { alisp_code: 200, echo: call.params }, s_success: true, request_id: "rq" } });
const okAll = (req, read, res) => answer(res, read.sep, read.calls.map((c) => success(c)));
function answer(res, sep, parts, status = 200) {
  res.writeHead(status, { "content-type": "application/json;charset=UTF-8" });
  res.end(parts.map((p) => (typeof p === "string" ? p : JSON.stringify(p))).join(sep));
}
/** Call keys in the order the gateway saw them (biz_order_id or param0.order_id). */
const keysOf = (read) => read.calls.map((c) => c.params.biz_order_id ?? JSON.parse(c.params.param0 ?? "{}").order_id);
const countOf = (key) => seen.flatMap((s) => keysOf(s.read)).filter((k) => k === String(key)).length;

before(async () => {
  server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const url = `http://127.0.0.1${req.url}`;
      const read = readBatch({ url, headers: req.headers, body });
      const verified = read.q.sign === expectedSign(read.query, body, read.q.sign_method);
      seen.push({ path: read.path, headers: req.headers, body, read, verified });
      const handler = script.length > 1 ? script.shift() : script[0] ?? okAll;
      handler(req, read, res);
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${server.address().port}/router/rest`;
});
after(() => server.close());

const reset = (...handlers) => {
  seen = [];
  script = handlers;
};
const client = (o = {}) => new TopClient({ appKey, appSecret, endpoint: base, retries: 2, retryBaseDelayMs: 1, ...o });
const vectorCalls = (c) => c.calls.map(({ api, params, session }) => (session === undefined ? { api, params } : { api, params, session }));

// ── wire format ────────────────────────────────────────────────────────────
test("prepareBatch: every wire vector with every sign method, checked by this file's sign and split", () => {
  for (const c of V.wire) {
    for (const signMethod of METHODS) {
      const top = client({ signMethod, ...(c.session ? { session: c.session } : {}) });
      const p = top.prepareBatch(vectorCalls(c), { timestamp, ...(c.separator ? { separator: c.separator } : {}) });
      const what = `${c.name} (${signMethod})`;
      assert.equal(p.method, "POST");
      assert.equal(p.headers["content-type"], "text/plain;charset=UTF-8");
      assert.equal(p.headers["top-api-separator"], c.separator, what);
      const r = readBatch(p);
      assert.equal(r.path, "/router/batch");
      assert.equal(r.q.sign, expectedSign(r.query, p.body, signMethod), what);
      assert.deepEqual([r.q.app_key, r.q.v, r.q.format, r.q.sign_method, r.q.timestamp], [appKey, "2.0", "json", signMethod, timestamp]);
      assert.equal(r.q.method, undefined, "method never in the query");
      assert.equal(r.q.session, c.session, what);
      const apis = c.calls.map((x) => x.api);
      const samePublic = apis.every((a) => a === apis[0]);
      assert.equal(p.body.startsWith(`#PUBLIC#method=${apis[0]}`), samePublic, what);
      assert.equal(r.calls.length, c.calls.length, what);
      c.calls.forEach((call, i) => {
        const got = r.calls[i];
        assert.equal(got.method, call.api, what);
        // A part's own session only when it differs from the shared one; the gateway's precedence gives each its own.
        assert.equal(got.own, call.session !== undefined && call.session !== c.session ? call.session : undefined, what);
        assert.equal(got.session, call.session ?? c.session, what);
        const want = call.params ? JSON.parse(call.params.replace(/:(\d{16,})/g, ':"$1"')) : {};
        const back = Object.fromEntries(Object.entries(got.params).map(([k, v]) => [k, v.startsWith("{") || v.startsWith("[") ? JSON.parse(v) : v]));
        assert.deepEqual(leaves(back), leaves(want), `${what}: call ${i}`);
      });
    }
  }
});

test("prepareBatch: builders, 19-digit ids, an explicit Date timestamp; no secret in the prepared request's errors", () => {
  const top = client({ session: "shared-session-0001" });
  const p = top.prepareBatch(
    [new LianbeiOrderNoticeRequest().bizOrderId(1234567890123456789n), { api: L, params: { biz_order_id: 2n } }],
    { timestamp: new Date(Date.UTC(2026, 11, 4, 4)) },
  );
  const r = readBatch(p);
  assert.equal(r.q.timestamp, "2026-12-04 12:00:00");
  assert.deepEqual(keysOf(r), ["1234567890123456789", "2"]);
  assert.equal(r.q.sign, expectedSign(r.query, p.body, "md5"));
});

test("every invalid call is reported at once, paths prefixed by the call's index; nothing is sent", async () => {
  reset();
  for (const c of V.invalid) {
    const top = client(c.session ? { session: c.session } : {});
    const opts = c.separator ? { separator: c.separator } : {};
    const check = (e) => {
      assert.ok(e instanceof AligateError, String(e));
      assert.equal(e.kind, "validation", c.name);
      assert.deepEqual(e.issues.map((i) => i.path), c.paths, c.name);
      return true;
    };
    assert.throws(() => top.prepareBatch(vectorCalls(c), opts), check);
    await assert.rejects(top.batch(vectorCalls(c), opts), check);
  }
  assert.equal(seen.length, 0);
  const top = client();
  await assert.rejects(top.batch("not an array"), (e) => e.issues[0].path === "calls");
  await assert.rejects(top.batch([{ api: L, params: { biz_order_id: 1 }, sesion: "typo" }]), (e) => e.issues[0].path === "[0].sesion");
  await assert.rejects(top.batch([{ api: L, params: {} }], { batchSize: 0 }), (e) => e.issues[0].path === "options.batchSize");
  const evil = [{ get api() { throw new Error("boom"); } }];
  await assert.rejects(top.batch(evil), (e) => e.issues[0].path === "[0]");
  await assert.rejects(top.batch(["alibaba.alisports.lianbei.order.notice"]), (e) => e.issues[0].path === "[0].api");
  assert.equal(seen.length, 0);
});

// ── top.batch against the loopback gateway ─────────────────────────────────
test("mixed APIs and sessions: one signed request, results in request order", async () => {
  for (const signMethod of METHODS) {
    reset(okAll);
    const top = client({ signMethod, session: "user-session" });
    const out = await top.batch([
      { api: C, params: { param0: { order_id: "1", order_status: 2, outer_order_id: "o-1" } }, session: "s2" },
      new LianbeiOrderNoticeRequest().bizOrderId(2),
      new CommissionStatusChangeRequest().orderId("3").orderStatus(1),
      { api: L, params: { biz_order_id: 4n }, session: "user-session" },
    ]);
    assert.equal(seen.length, 1);
    assert.ok(seen[0].verified, `${signMethod}: the gateway's sign check`);
    const r = seen[0].read;
    assert.deepEqual(r.calls.map((c) => c.session), ["s2", "user-session", "user-session", "user-session"]);
    assert.deepEqual(keysOf(r), ["1", "2", "3", "4"]);
    assert.deepEqual(out.map((x) => x.ok), [true, true, true, true]);
    assert.equal(out[1].result.result.echo.biz_order_id, "2");
    assert.equal(out[2].result.s_success, true);
  }
});

test("a custom separator is announced and used both ways", async () => {
  reset(okAll);
  const out = await client().batch([{ api: L, params: { biz_order_id: 1 } }, { api: L, params: { biz_order_id: 2 } }], { separator: "|my-sep|" });
  assert.equal(seen[0].headers["top-api-separator"], "|my-sep|");
  assert.ok(seen[0].verified);
  assert.ok(out.every((x) => x.ok));
});

test("batchSize chunks larger input; results stay in request order", async () => {
  reset(okAll);
  const calls = Array.from({ length: 45 }, (_, i) => ({ api: L, params: { biz_order_id: i } }));
  const out = await client().batch(calls);
  assert.deepEqual(seen.map((s) => s.read.calls.length), [20, 20, 5]);
  assert.deepEqual(out.map((x) => x.result.result.echo.biz_order_id), calls.map((_, i) => String(i)));
  reset(okAll);
  await client().batch(calls.slice(0, 7), { batchSize: 3 });
  assert.deepEqual(seen.map((s) => s.read.calls.length), [3, 3, 1]);
});

const isp = { error_response: { code: 15, msg: "Remote service error", sub_code: "isp.remote-service-timeout", sub_msg: "timeout", request_id: "e" } };

test("a per-item isp error: that item alone fails, resent only when repeat-safe", async () => {
  // Item 1 (a read) and item 2 (a write without outer_order_id) fail with isp on the first request.
  let first = true;
  reset((req, read, res) => {
    if (!first) return okAll(req, read, res);
    first = false;
    answer(res, read.sep, read.calls.map((c, i) => (i === 0 ? success(c) : isp)));
  });
  const out = await client({ session: "user-session" }).batch([
    { api: L, params: { biz_order_id: 10 } },
    { api: L, params: { biz_order_id: 11 } },
    { api: C, params: { param0: { order_id: "12", order_status: 1 } } },
  ]);
  assert.deepEqual(out.map((x) => x.ok), [true, true, false]);
  assert.equal(out[2].error.subCode, "isp.remote-service-timeout");
  assert.equal(out[2].error.outcome, "unknown");
  assert.equal(out[2].error.retryable, false);
  assert.deepEqual(seen.map((s) => keysOf(s.read)), [["10", "11", "12"], ["11"]], "a smaller follow-up batch");
  assert.equal(countOf(12), 1, "the write was never sent twice");
});

test("a whole-batch rejection (one part for many calls) fails every item with the gateway's error", async () => {
  const rejected = { error_response: { code: 25, msg: "Invalid signature", request_id: "w" } };
  reset((req, read, res) => answer(res, read.sep, [rejected]));
  const out = await client().batch([{ api: L, params: { biz_order_id: 1 } }, { api: L, params: { biz_order_id: 2 } }]);
  assert.equal(seen.length, 1, "a signature refusal is final");
  for (const x of out) {
    assert.equal(x.ok, false);
    assert.equal(x.error.code, "25");
    assert.equal(x.error.outcome, "not-applied");
  }
});

test("HTTP 429 and a short code-7 ban: the batch is retried whole, writes included", async () => {
  const ban = { error_response: { code: 7, msg: "App Call Limited", sub_msg: "This ban will last 0 more seconds" } };
  reset(
    (req, read, res) => { res.writeHead(429, { "content-type": "text/plain" }); res.end("Too Many Requests"); },
    (req, read, res) => answer(res, read.sep, [ban]),
    okAll,
  );
  const out = await client({ session: "user-session" }).batch([
    { api: L, params: { biz_order_id: 20 } },
    { api: C, params: { param0: { order_id: "21", order_status: 1 } } },
  ]);
  assert.deepEqual(out.map((x) => x.ok), [true, true]);
  assert.equal(seen.length, 3);
  assert.deepEqual(seen.map((s) => keysOf(s.read)), [["20", "21"], ["20", "21"], ["20", "21"]]);
});

test("a transport fault mid-batch: only repeat-safe items are resent; the others fail with outcome unknown", async () => {
  let cut = true;
  reset((req, read, res) => {
    if (!cut) return okAll(req, read, res);
    cut = false;
    res.socket.destroy();
  });
  const out = await client({ session: "user-session" }).batch([
    { api: L, params: { biz_order_id: 30 } },
    { api: C, params: { param0: { order_id: "31", order_status: 1 } } },
    { api: C, params: { param0: { order_id: "32", order_status: 1, outer_order_id: "o-32" } } },
    { api: C, params: { param0: { order_id: "33", order_status: 2 } } },
  ]);
  assert.deepEqual(out.map((x) => x.ok), [true, false, true, false]);
  for (const i of [1, 3]) {
    assert.equal(out[i].error.kind, "network");
    assert.equal(out[i].error.outcome, "unknown");
    assert.equal(out[i].error.retryable, false);
  }
  assert.deepEqual(seen.map((s) => keysOf(s.read)), [["30", "31", "32", "33"], ["30", "32"]]);
  for (const k of [31, 33]) assert.equal(countOf(k), 1, "never a non-repeat-safe item twice");
});

test("retries are bounded; a timeout never resends a write", async () => {
  reset(() => {}); // never answers
  const out = await client({ session: "user-session", timeoutMs: 100 }).batch([
    { api: L, params: { biz_order_id: 40 } },
    { api: C, params: { param0: { order_id: "41", order_status: 1 } } },
  ]);
  assert.equal(countOf(40), 3, "one attempt + 2 retries");
  assert.equal(countOf(41), 1);
  assert.deepEqual(out.map((x) => [x.error.kind, x.error.outcome, x.error.attempts]), [["timeout", "unknown", 3], ["timeout", "unknown", 1]]);
});

test("an aborted batch: pending calls fail as aborted; nothing more is sent", async () => {
  reset(() => {});
  const ac = new AbortController();
  const run = client().batch(Array.from({ length: 30 }, (_, i) => ({ api: L, params: { biz_order_id: 100 + i } })), { signal: ac.signal });
  setTimeout(() => ac.abort(), 50);
  const out = await run;
  assert.equal(seen.length, 1);
  assert.ok(out.every((x) => !x.ok && x.error.kind === "aborted"));
  assert.equal(out[0].error.outcome, "unknown", "sent");
  assert.equal(out[25].error.outcome, "not-applied", "never sent");
});

test("hostile answers: extra parts, missing parts, empty, huge", async () => {
  const calls = [{ api: L, params: { biz_order_id: 1 } }, { api: L, params: { biz_order_id: 2 } }];
  for (const [name, handler] of [
    ["extra", (req, read, res) => answer(res, read.sep, [...read.calls, ...read.calls].map((c) => success(c)))],
    ["missing", (req, read, res) => answer(res, read.sep, [success(read.calls[0])])],
    ["empty", (req, read, res) => answer(res, read.sep, [""])],
    ["separators only", (req, read, res) => answer(res, read.sep, ["", "", "", "", ""])],
    ["huge", (req, read, res) => answer(res, read.sep, [read.sep.repeat(1 << 20)])],
  ]) {
    reset(handler);
    const out = await client({ retries: 0 }).batch(calls);
    assert.equal(out.length, 2, name);
    assert.ok(out.every((x) => !x.ok && x.error instanceof AligateError), name);
    assert.equal(out[0].error.kind, "decode", `${name}: ${out[0].error.message}`);
  }
});

test("secrets never appear in errors, even when the gateway echoes them", async () => {
  const secrets = ["shared-session-secret-01", "own-session-secret-0002"];
  reset((req, read, res) => answer(res, read.sep, read.calls.map(() => ({ error_response: { code: 15, msg: `bad ${secrets.join(" ")} ${appSecret}`, sub_code: "isv.x", sub_msg: req.url } }))));
  const out = await client({ session: secrets[0] }).batch([
    { api: L, params: { biz_order_id: 1 }, session: secrets[1] },
    { api: L, params: { biz_order_id: 2 } },
  ]);
  for (const x of out) {
    const dump = JSON.stringify({ ...x.error, message: x.error.message });
    for (const s of [...secrets, appSecret]) assert.ok(!dump.includes(s), `${s} in ${dump}`);
  }
});

test("simplify: each part decoded as a simplified single response (no wrapper); 19-digit ids exact", async () => {
  reset((req, read, res) => {
    assert.equal(read.q.simplify, "true");
    answer(res, read.sep, read.calls.map((c) => `{"result":{"alisp_code":200,"id":${c.params.biz_order_id}},"request_id":"s"}`));
  });
  const out = await client({ simplify: true }).batch([{ api: L, params: { biz_order_id: 1234567890123456789n } }, { api: L, params: { biz_order_id: 5 } }]);
  assert.deepEqual(out.map((x) => x.result.result.id), ["1234567890123456789", 5]);
});
