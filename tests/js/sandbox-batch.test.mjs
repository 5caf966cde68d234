// The sandbox's POST /router/batch, driven by a batch client written here with node:crypto and URLSearchParams
// (independent of aligate): the wire format of TOOLCHAIN.md "TOP batch API", each call checked as /router/rest
// checks it, per-item and whole-batch faults, and hostile input answered cleanly.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { connect } from "node:net";
import { startSandbox, TEST_CREDENTIALS as C } from "aligate/sandbox";

const SESSION = "batch-session-secret";
const lines = [];
let sb;
before(async () => (sb = await startSandbox({ session: SESSION, log: (l) => lines.push(l) })));
after(() => sb.close());

const DEFAULT_SEP = "\r\n-S-\r\n";
const gmt8 = (ms = Date.now()) => new Date(ms + 8 * 3600e3).toISOString().slice(0, 19).replace("T", " ");

/** TOP sign over the query (sorted by name, blank values and `sign` skipped) with the raw body before the closing secret. */
function sign(query, body, secret, method) {
  const s = Object.keys(query).filter((k) => k !== "sign" && query[k].trim() !== "").sort().map((k) => k + query[k]).join("") + body;
  if (method === "md5") return createHash("md5").update(secret + s + secret, "utf8").digest("hex").toUpperCase();
  return createHmac(method === "hmac" ? "md5" : "sha256", secret).update(s, "utf8").digest("hex").toUpperCase();
}

const form = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined).map(([k, v]) => [k, typeof v === "object" ? JSON.stringify(v) : String(v)])).toString();

/**
 * Sends `calls` (objects of wire parameters) as one batch; `shared` goes to the #PUBLIC# part. Returns the HTTP
 * status, the raw text and the parts (JSON-parsed when they parse), split on the separator used.
 */
async function batch(calls, { shared, query = {}, signMethod = "md5", secret = C.appSecret, sep, header, tamper, raw } = {}) {
  const q = { app_key: C.appKey, timestamp: gmt8(), v: "2.0", sign_method: signMethod, format: "json", ...query };
  for (const k of Object.keys(q)) if (q[k] === undefined) delete q[k];
  const s = sep ?? DEFAULT_SEP;
  const body = raw ?? [...(shared ? [`#PUBLIC#${form(shared)}`] : []), ...calls.map(form)].join(s);
  q.sign = sign(q, body, secret, signMethod);
  const headers = { "content-type": "text/plain;charset=UTF-8" };
  if (header ?? sep) headers["top-api-separator"] = header ?? sep;
  const r = await fetch(`${sb.url}/router/batch?${new URLSearchParams(q)}`, { method: "POST", headers, body: tamper ? tamper(body) : body });
  const text = await r.text();
  const parts = text.split(s).map((t) => {
    try {
      return JSON.parse(t);
    } catch {
      return { unparsed: t };
    }
  });
  return { status: r.status, text, parts };
}

const LIANBEI = (id = "1234567890123456789") => ({ method: "alibaba.alisports.lianbei.order.notice", biz_order_id: id });
const COMMISSION = (order_status = 1) => ({ method: "alibaba.retail.commission.status.change", session: SESSION,
  param0: { order_id: "o-1", order_status } });
const FUNDS = { method: "aliyun.gsc.funds.flow.notify", official_funds_record_request: { payments: [{ main_biz_order_id: "m1", create_date: "2022-09-23 09:00:00",
  biz_date: "2022-09-23 10:00:00", seller_id: "gmall", sale_type: "sell", sub_orders: [{ sub_biz_order_id: "m1-1", auction_id: "A-1", auction_title: "商品",
    out_item_id: "i1",
    price: 50, freight: 80, amount: 100, amount_type: "member_point", pay_type: "weixin", currency_type: "yuan", qty: 10, point_grant: 11, uid: "u1",
    return_point_grant: 13 }] }] } };

const ok = (part, api) => assert.ok(part?.[`${api.replaceAll(".", "_")}_response`], `${api}: ${JSON.stringify(part)}`);
const code = (part) => part?.error_response?.code;
const fresh = () => sb.clearFaults();

test("a mixed batch is accepted with every sign method: one answer per call, in order, 19-digit ids exact", async () => {
  for (const signMethod of ["md5", "hmac", "hmac-sha256"]) {
    const r = await batch([FUNDS, COMMISSION(), LIANBEI(), LIANBEI("9223372036854775807")], { signMethod });
    assert.equal(r.status, 200);
    assert.equal(r.parts.length, 4, r.text);
    ok(r.parts[0], FUNDS.method);
    assert.equal(r.parts[0].aliyun_gsc_funds_flow_notify_response.result.code, "00000000");
    assert.equal(r.parts[1].alibaba_retail_commission_status_change_response.s_success, true);
    // Checked on the raw text: a 19-digit id must not pass through a double.
    assert.ok(r.text.split(DEFAULT_SEP)[2].includes('"biz_order_id":"1234567890123456789"'), r.text);
    assert.ok(r.text.split(DEFAULT_SEP)[3].includes('"biz_order_id":"9223372036854775807"'), r.text);
    assert.ok(r.parts.every((p) => p[Object.keys(p)[0]].request_id), "each answer has its own request id");
  }
});

test("#PUBLIC# is merged under each part; simplify drops the wrapper of successes; session: part > public > query", async () => {
  const r = await batch([{ biz_order_id: "1" }, { biz_order_id: "2" }], { shared: { method: LIANBEI().method }, query: { simplify: "true" } });
  assert.deepEqual(r.parts.map((p) => p.result?.alisp_data?.biz_order_id), ["1", "2"], r.text);
  const c = { param0: { order_id: "o-2", order_status: 2 } };
  const s = await batch([{ ...c }, { ...c, session: "wrong" }, { ...c, session: SESSION }, { ...c }],
    { shared: { method: COMMISSION().method, session: SESSION }, query: { session: "query-wrong" } });
  assert.deepEqual(s.parts.map((p) => code(p) ?? "ok"), ["ok", 27, "ok", "ok"], s.text);
  // Without a public session the query's applies; a part's own overrides it.
  const q = await batch([{ ...c }, { ...c, session: "wrong" }], { shared: { method: COMMISSION().method }, query: { session: SESSION } });
  assert.deepEqual(q.parts.map((p) => code(p) ?? "ok"), ["ok", 27], q.text);
  // format=xml in the query: every part in XML, in order.
  const x = await batch([LIANBEI("7"), { method: "taobao.nope" }], { query: { format: "xml" } });
  const xs = x.text.split(DEFAULT_SEP);
  assert.equal(xs.length, 2);
  assert.match(xs[0], /^<\?xml.*<alibaba_alisports_lianbei_order_notice_response>.*<biz_order_id>7<\/biz_order_id>/s);
  assert.match(xs[1], /<error_response><code>22<\/code>/);
  // An empty part session does not erase the shared one.
  const e = await batch([{ ...c, session: "" }], { shared: { method: COMMISSION().method, session: SESSION } });
  assert.equal(code(e.parts[0]), undefined, e.text);
});

test("each call gets /router/rest's checks: validation, session, method, with the documented codes", async () => {
  const r = await batch([LIANBEI("1"), { ...COMMISSION(), session: undefined }, LIANBEI("x"), { method: "taobao.nope" }, { biz_order_id: "1" },
    { ...COMMISSION(9) }, { ...LIANBEI("2"), format: "xml" }, FUNDS]);
  assert.equal(r.parts.length, 8, r.text);
  ok(r.parts[0], LIANBEI().method);
  assert.equal(code(r.parts[1]), 26);
  assert.equal(code(r.parts[2]), 41);
  assert.match(r.parts[2].error_response.sub_msg, /biz_order_id/);
  assert.equal(code(r.parts[3]), 22);
  assert.equal(code(r.parts[4]), 21);
  assert.equal(code(r.parts[5]), 41);
  assert.match(r.parts[5].error_response.sub_msg, /param0\.order_status/);
  assert.equal(code(r.parts[6]), 41, "a batch-wide name in a part is refused for that call");
  assert.match(r.parts[6].error_response.sub_msg, /format belongs in the batch's URL/);
  ok(r.parts[7], FUNDS.method);
});

test("a wrong signature rejects the batch as a whole: one error_response part", async () => {
  const calls = [LIANBEI("1"), LIANBEI("2"), LIANBEI("3")];
  for (const [name, o] of [["secret", { secret: "nope" }], ["body changed after signing", { tamper: (b) => b.replace("biz_order_id=2", "biz_order_id=4") }],
    ["hmac-sha256 with another secret", { signMethod: "hmac-sha256", secret: C.appSecret + "x" }], ["unknown sign method", { signMethod: "sha1" }]]) {
    const r = await batch(calls, o);
    assert.equal(r.status, 200);
    assert.equal(r.parts.length, 1, name);
    assert.equal(code(r.parts[0]), 25, name);
  }
  // The body is signed: signing the query alone is rejected too.
  const q = { app_key: C.appKey, timestamp: gmt8(), v: "2.0", sign_method: "md5", format: "json" };
  const body = calls.map(form).join(DEFAULT_SEP);
  q.sign = sign(q, "", C.appSecret, "md5");
  const r = await fetch(`${sb.url}/router/batch?${new URLSearchParams(q)}`, { method: "POST", body });
  assert.equal((await r.json()).error_response.code, 25);
  for (const [query, want] of [[{ app_key: "other" }, 29], [{ timestamp: gmt8(Date.now() - 11 * 60e3) }, 31], [{ v: "1.0" }, 33], [{ format: "csv" }, 23]]) {
    const w = await batch(calls, { query });
    assert.deepEqual([w.parts.length, code(w.parts[0])], [1, want], JSON.stringify(query));
  }
});

test("a custom separator from top-api-separator; an invalid one is refused as a whole", async () => {
  const sep = "--aligate-sep-7f3a--";
  const r = await batch([LIANBEI("1"), COMMISSION(), LIANBEI("3")], { sep });
  assert.equal(r.parts.length, 3, r.text);
  assert.ok(!r.text.includes(DEFAULT_SEP));
  assert.deepEqual(r.parts.map((p) => code(p) ?? "ok"), ["ok", "ok", "ok"]);
  // A value that holds the default separator travels intact with another one.
  const v = await batch([{ ...COMMISSION(), param0: { order_id: `a${DEFAULT_SEP}b`, order_status: 1 } }, LIANBEI("5")], { sep });
  assert.deepEqual(v.parts.map((p) => code(p) ?? "ok"), ["ok", "ok"], v.text);
  // (HTTP trims spaces at either end of a header value: the sandbox never sees them.)
  for (const bad of ["a\tb", "x".repeat(65), "é-sep", "|\t|"]) {
    const w = await batch([LIANBEI("1"), LIANBEI("2")], { sep: "|", header: encodeURI(bad) === bad ? bad : Buffer.from(bad).toString("latin1") });
    assert.deepEqual([w.status, code(w.parts[0])], [200, 41], JSON.stringify(bad));
    assert.match(w.parts[0].error_response.sub_msg, /top-api-separator/);
  }
});

test("per-item faults hit item k only (isp, code7, malformed); an api filter narrows them; single calls do not take them", async () => {
  fresh();
  sb.inject({ fault: "isp", item: 1 });
  // A single call does not consume an item fault.
  const single = await fetch(`${sb.topEndpoint}?${new URLSearchParams(signedRest(LIANBEI("1")))}`, { method: "POST" });
  ok(await single.json(), LIANBEI().method);
  assert.equal(sb.introspect().faults, 1);
  const before = { ...sb.stats.batch };
  const r = await batch([LIANBEI("1"), COMMISSION(), LIANBEI("3")]);
  assert.deepEqual(r.parts.map((p) => p.error_response?.sub_code ?? "ok"), ["ok", "isp.remote-service-unavailable", "ok"], r.text);
  assert.equal(sb.introspect().faults, 0);
  assert.deepEqual([sb.stats.batch.items - before.items, sb.stats.batch.faults - before.faults, sb.stats.batch.ok - before.ok], [3, 1, 2]);
  // With an api filter: only when item k is that API; count = batches hit.
  sb.inject({ fault: "code7", item: 0, api: COMMISSION().method, seconds: 2, count: 2 });
  const a = await batch([LIANBEI("1"), COMMISSION()]);
  assert.deepEqual(a.parts.map((p) => code(p) ?? "ok"), ["ok", "ok"], "item 0 is not the filtered API");
  const b = await batch([COMMISSION(), LIANBEI("1")]);
  assert.deepEqual(b.parts.map((p) => code(p) ?? "ok"), [7, "ok"]);
  assert.match(b.parts[0].error_response.sub_msg, /ban will last 2 more seconds/);
  assert.equal(sb.introspect().faults, 1);
  fresh();
  sb.inject({ fault: "malformed", item: 2 });
  const m = await batch([LIANBEI("1"), LIANBEI("2"), LIANBEI("3")]);
  assert.equal(m.parts.length, 3);
  assert.ok(m.parts[2].unparsed !== undefined && m.parts[0].unparsed === undefined);
  // Item faults are checked when queued.
  for (const f of [{ fault: "503", item: 0 }, { fault: "isp", item: -1 }, { fault: "isp", item: sb.limits.batchParts }, { fault: "isp", item: 0, batch: true },
    { fault: "isp", item: 0, api: "ConfirmDisburse" }, { fault: "isp", batch: "yes" }]) {
    assert.throws(() => sb.inject(f), JSON.stringify(f));
    const r = await fetch(`${sb.url}/__sandbox/faults`, { method: "POST", body: JSON.stringify(f) });
    assert.equal(r.status, 400, JSON.stringify(f));
  }
  assert.equal(sb.introspect().faults, 0);
});

/** A signed /router/rest query for one call. */
function signedRest(params) {
  const p = { app_key: C.appKey, timestamp: gmt8(), v: "2.0", sign_method: "md5", format: "json", ...Object.fromEntries(new URLSearchParams(form(params))) };
  p.sign = sign(p, "", C.appSecret, "md5");
  return p;
}

test("whole-batch faults: 429, 503, code 7, signature, reset, malformed, slow (processed, answered late)", async () => {
  fresh();
  const calls = [LIANBEI("1"), COMMISSION()];
  const count = () => sb.stats.byApi[LIANBEI().method] ?? 0;
  sb.inject({ fault: "429", batch: true });
  // A batch-only fault is not taken by a single call.
  ok(await (await fetch(`${sb.topEndpoint}?${new URLSearchParams(signedRest(LIANBEI("1")))}`, { method: "POST" })).json(), LIANBEI().method);
  const n0 = count();
  assert.equal((await batch(calls)).status, 429);
  sb.inject({ fault: "503" });
  assert.equal((await batch(calls)).status, 503);
  sb.inject({ fault: "code7", batch: true, seconds: 3 });
  const b = await batch(calls);
  assert.deepEqual([b.parts.length, code(b.parts[0])], [1, 7]);
  sb.inject({ fault: "signature", batch: true });
  const s = await batch(calls);
  assert.deepEqual([s.parts.length, code(s.parts[0])], [1, 25]);
  sb.inject({ fault: "isp", batch: true, api: COMMISSION().method });
  const i = await batch(calls);
  assert.deepEqual([i.parts.length, i.parts[0].error_response?.sub_code], [1, "isp.remote-service-unavailable"]);
  assert.equal(count(), n0, "a batch refused as a whole processed none of its calls");
  sb.inject({ fault: "reset", batch: true });
  await assert.rejects(batch(calls));
  sb.inject({ fault: "malformed", batch: true });
  assert.ok((await batch(calls)).parts[0].unparsed !== undefined);
  // slow: the calls are processed (counted) and the answer comes late; a client that gives up sees a timeout.
  sb.inject({ fault: "slow", batch: true, ms: 400 });
  const t0 = Date.now();
  const late = await batch(calls);
  assert.ok(Date.now() - t0 >= 350);
  assert.equal(late.parts.length, 2);
  assert.equal(count(), n0 + 1);
  assert.equal(sb.introspect().faults, 0);
});

test("hostile input: oversize body, too many parts, separator floods, misplaced names, bad methods: clean errors, never a crash", { timeout: 30_000 }, async () => {
  fresh();
  const max = sb.limits.batchParts;
  const many = await batch(Array.from({ length: max + 1 }, (_, i) => LIANBEI(String(i + 1))));
  assert.deepEqual([many.parts.length, code(many.parts[0])], [1, 41]);
  assert.match(many.parts[0].error_response.sub_msg, new RegExp(`at most ${max} calls`));
  const full = await batch(Array.from({ length: max }, (_, i) => LIANBEI(String(i + 1))));
  assert.equal(full.parts.length, max);
  // 1 MiB of one-character separators: refused after a bounded split.
  const flood = await batch([], { sep: "|", raw: "|".repeat(sb.limits.bodyBytes - 1) });
  assert.deepEqual([flood.parts.length, code(flood.parts[0])], [1, 41]);
  const big = await fetch(`${sb.url}/router/batch?x=1`, { method: "POST", body: "a".repeat(sb.limits.bodyBytes + 1) });
  assert.equal(big.status, 413);
  await big.arrayBuffer();
  assert.equal(code((await batch([], { raw: "" })).parts[0]), 41, "an empty batch");
  const pub = await batch([], { raw: "#PUBLIC#method=alibaba.alisports.lianbei.order.notice" });
  assert.equal(code(pub.parts[0]), 41, "a public part alone");
  const get = await fetch(`${sb.url}/router/batch?${new URLSearchParams({ app_key: C.appKey })}`);
  assert.equal((await get.json()).error_response.code, 9);
  // Method names that are Object.prototype keys, system names in parts, a part without parameters.
  const r = await batch([{ method: "__proto__" }, { method: "constructor", biz_order_id: "1" }, { ...LIANBEI("1"), sign: "x" }, { ...LIANBEI("1"), app_key: "other" },
    { N: "" }]);
  assert.deepEqual(r.parts.map(code), [22, 22, 41, 41, 21], r.text);
  // A part over the parameter count of one request refuses the batch.
  const wide = await batch([LIANBEI("1"), Object.fromEntries(Array.from({ length: sb.limits.params + 1 }, (_, i) => [`k${i}`, "v"]))]);
  assert.deepEqual([wide.parts.length, code(wide.parts[0])], [1, 41]);
  assert.match(wide.parts[0].error_response.sub_msg, /over 256 parameters/);
  // A control character in the separator header: refused by the HTTP parser (400), the sandbox keeps serving.
  const status = await new Promise((resolve) => {
    const s = connect(sb.port, "127.0.0.1", () => s.write("POST /router/batch HTTP/1.1\r\nhost: x\r\ntop-api-separator: a\x01b\r\ncontent-length: 0\r\n\r\n"));
    let text = "";
    s.on("data", (d) => (text += d));
    s.on("close", () => resolve(text.slice(9, 12)));
    s.on("error", () => resolve("err"));
  });
  assert.equal(status, "400");
  assert.equal((await batch([LIANBEI("1")])).parts.length, 1, "still serves");
});

test("the log: one line per batch, no secrets, no control characters", () => {
  const batchLines = lines.filter((l) => l.includes("/router/batch"));
  assert.ok(batchLines.length > 20, String(batchLines.length));
  assert.ok(batchLines.some((l) => / BATCH .*-> 200 \d+ calls: \d+ ok/.test(l)), batchLines.slice(0, 3).join("\n"));
  const all = lines.join("\n");
  for (const secret of [C.appSecret, SESSION]) assert.ok(!all.includes(secret), secret);
  assert.ok(lines.every((l) => !/[\x00-\x1f]/.test(l)));
});
