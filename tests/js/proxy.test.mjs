// The signing proxy: token, allow-list, body cap, validation, CORS, rate
// limit, no secret in any response; called directly and over node:http.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createSigningProxy, toNodeHandler } from "aligate/proxy";
import { startSandbox, TEST_CREDENTIALS as C } from "aligate/sandbox";

const TOKEN = "operator-token-0123456789";
let sb;
let proxy;
before(async () => {
  sb = await startSandbox({ log: false });
  proxy = createSigningProxy({
    token: TOKEN,
    allow: ["alibaba.alisports.lianbei.order.notice", "aliyun.gsc.funds.flow.notify", "ConfirmDisburse"],
    top: { appKey: C.appKey, appSecret: C.appSecret, endpoint: sb.topEndpoint },
    linkedmall: { accessKeyId: C.accessKeyId, accessKeySecret: C.accessKeySecret, endpoint: sb.linkedmallEndpoint },
    origins: ["http://admin.example"],
    maxBodyBytes: 4096,
    rateLimit: { requests: 1000, perMs: 60_000 },
  });
});
after(() => sb.close());

const call = (body, { token = TOKEN, origin, raw } = {}) =>
  proxy(new Request("http://proxy/api", {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}), ...(origin ? { origin } : {}) },
    body: raw ?? JSON.stringify(body),
  }));

test("success: validates, signs with server-held credentials, returns the decoded result", async () => {
  const r = await call({ api: "alibaba.alisports.lianbei.order.notice", params: { biz_order_id: "1234567890123456789" } });
  assert.equal(r.status, 200);
  const j = await r.json();
  assert.equal(j.result.result.alisp_data.biz_order_id, "1234567890123456789");
  const c = await (await call({ api: "ConfirmDisburse", params: { BizId: "b", BizUid: "u", LmOrderId: "1" } })).json();
  assert.equal(c.result.Code, "SUCCESS");
  const d = await (await call({ api: "ConfirmDisburse", params: { BizId: "b", BizUid: "u", LmOrderId: "1" }, dryRun: true })).json();
  assert.equal(d.prepared.method, "POST");
  assert.ok(!JSON.stringify(d).includes(C.accessKeySecret));
});

test("a missing or wrong token is 401", async () => {
  assert.equal((await call({ api: "ConfirmDisburse", params: {} }, { token: null })).status, 401);
  assert.equal((await call({ api: "ConfirmDisburse", params: {} }, { token: "operator-token-0123456788" })).status, 401);
});

test("a disallowed api is 403", async () => {
  const r = await call({ api: "alibaba.retail.commission.status.change", params: {} });
  assert.equal(r.status, 403);
  assert.equal((await r.json()).error.kind, "forbidden");
  assert.equal((await call({ api: "taobao.user.seller.get", params: {} })).status, 403);
});

test("an oversized body is 413; malformed JSON is 400", async () => {
  assert.equal((await call(null, { raw: JSON.stringify({ api: "ConfirmDisburse", params: { BizId: "x".repeat(5000) } }) })).status, 413);
  assert.equal((await call(null, { raw: "{not json" })).status, 400);
});

test("a validation error is 422 with the issues' paths (nothing is sent)", async () => {
  const before = sb.stats.requests;
  const r = await call({ api: "aliyun.gsc.funds.flow.notify", params: { official_funds_record_request: { payments: [{ sub_orders: [{ pay_type: "card" }] }] } } });
  assert.equal(r.status, 422);
  const j = await r.json();
  assert.equal(j.error.kind, "validation");
  assert.ok(j.error.issues.some((i) => i.path === "official_funds_record_request.payments[0].sub_orders[0].pay_type"));
  const big = await call(null, { raw: '{"api":"alibaba.alisports.lianbei.order.notice","params":{"biz_order_id":1234567890123456789}}' });
  assert.equal(big.status, 422, "a number JSON.parse rounded is refused, not sent wrong");
  assert.equal(sb.stats.requests, before);
});

test("CORS only for configured origins", async () => {
  const pre = (origin) => proxy(new Request("http://proxy/api", { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST" } }));
  const ok = await pre("http://admin.example");
  assert.equal(ok.status, 204);
  assert.equal(ok.headers.get("access-control-allow-origin"), "http://admin.example");
  assert.match(ok.headers.get("access-control-allow-headers"), /authorization/);
  const no = await pre("http://evil.example");
  assert.equal(no.status, 403);
  assert.equal(no.headers.get("access-control-allow-origin"), null);
  const r = await call({ api: "ConfirmDisburse", params: { BizId: "b", BizUid: "u", LmOrderId: "1" } }, { origin: "http://evil.example" });
  assert.equal(r.headers.get("access-control-allow-origin"), null);
});

test("per-client rate limit answers 429 with Retry-After", async () => {
  const p = createSigningProxy({ token: TOKEN, allow: ["ConfirmDisburse"], rateLimit: { requests: 2, perMs: 60_000 }, trustedClientHeader: "x-forwarded-for",
    linkedmall: { accessKeyId: C.accessKeyId, accessKeySecret: C.accessKeySecret, endpoint: sb.linkedmallEndpoint } });
  const req = (ip) => p(new Request("http://proxy/", { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "x-forwarded-for": ip },
    body: JSON.stringify({ api: "ConfirmDisburse", params: { BizId: "b", BizUid: "u", LmOrderId: "1" } }) }));
  assert.equal((await req("10.0.0.1")).status, 200);
  assert.equal((await req("10.0.0.1")).status, 200);
  const limited = await req("10.0.0.1");
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers.get("retry-after")) > 0);
  assert.equal((await req("10.0.0.2")).status, 200, "other clients are not affected");
});

test("over node:http, no response carries a secret; upstream errors map to 502", async () => {
  const bad = createSigningProxy({ token: TOKEN, allow: ["alibaba.alisports.lianbei.order.notice"],
    top: { appKey: C.appKey, appSecret: "server-held-secret-VALUE", session: "session-VALUE", endpoint: sb.topEndpoint } });
  const server = createServer(toNodeHandler(bad, { maxBodyBytes: 2048 }));
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${server.address().port}/`;
  try {
    const texts = [];
    for (const body of [{ api: "alibaba.alisports.lianbei.order.notice", params: { biz_order_id: 1 } },
      { api: "alibaba.alisports.lianbei.order.notice", params: { biz_order_id: 1 }, dryRun: true }, { api: "nope" }]) {
      const r = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(body) });
      texts.push(`${r.status} ${await r.text()}`);
    }
    const over = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` }, body: "x".repeat(5000) });
    assert.equal(over.status, 413);
    assert.match(texts[0], /^502 .*"kind":"api".*"code":"25"/);
    assert.match(texts[1], /^200 /);
    assert.match(texts[2], /^403 /);
    for (const t of texts) assert.ok(!t.includes("server-held-secret-VALUE") && !t.includes("session-VALUE"), t);
  } finally {
    server.close();
  }
});
