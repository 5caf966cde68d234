// Second hostile review: a credentials provider is single-flight per provider; the body timeout holds against a
// stream that never yields to timers; the signing proxy never answers a result it cannot check for secrets.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { TopClient, LinkedMallClient, AligateError } from "aligate";
import { createSigningProxy, toNodeHandler } from "aligate/proxy";

const P = { BizId: "b", BizUid: "u", LmOrderId: "1" };

async function listen(handler) {
  const srv = http.createServer(handler);
  await new Promise((r) => srv.listen(0, "127.0.0.1", r));
  return { srv, url: `http://127.0.0.1:${srv.address().port}/` };
}

async function gateway() {
  let hits = 0;
  const g = await listen((req, res) => {
    hits++;
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"Code":"SUCCESS","RequestId":"r"}');
    });
  });
  return { ...g, hits: () => hits };
}

test("32 concurrent calls on a cold cache make one provider call", async () => {
  const gw = await gateway();
  try {
    let calls = 0;
    const c = new LinkedMallClient({ endpoint: gw.url, credentials: async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 50));
      return { accessKeyId: "id", accessKeySecret: "secretsecret123", expiration: Date.now() + 3600e3 };
    } });
    const rs = await Promise.allSettled(Array.from({ length: 32 }, () => c.confirmDisburse(P, { timeoutMs: 5000 })));
    assert.equal(calls, 1);
    assert.equal(rs.filter((r) => r.status === "fulfilled").length, 32);
    assert.equal(gw.hits(), 32);
  } finally {
    gw.srv.close();
  }
});

test("a provider that rejected is asked again by the next call", async () => {
  const gw = await gateway();
  try {
    let calls = 0;
    const c = new LinkedMallClient({ endpoint: gw.url, credentials: async () => {
      if (++calls === 1) throw new Error("vault down");
      return { accessKeyId: "id", accessKeySecret: "secretsecret123", expiration: Date.now() + 3600e3 };
    } });
    await assert.rejects(c.confirmDisburse(P, { timeoutMs: 5000, retries: 0 }), (e) => e instanceof AligateError);
    const first = calls;
    assert.ok(first >= 1);
    await c.confirmDisburse(P, { timeoutMs: 5000 });
    assert.equal(calls, first + 1);
  } finally {
    gw.srv.close();
  }
});

test("timeoutMs ends a body whose stream enqueues synchronously (timers never get to run)", async () => {
  const fetch = async () => new Response(new ReadableStream({ pull(c) { c.enqueue(new Uint8Array(16)); } }), { headers: { "content-type": "application/json" } });
  const c = new TopClient({ appKey: "k", appSecret: "secretsecret123", endpoint: "http://127.0.0.1:9/", fetch, maxBodyBytes: 1 << 28 });
  const t = Date.now();
  await assert.rejects(
    c.lianbeiOrderNotice({ biz_order_id: 1 }, { timeoutMs: 50, retries: 0 }),
    (e) => e instanceof AligateError && e.kind === "timeout",
  );
  assert.ok(Date.now() - t < 5000, "the deadline bounds the read");
});

const SESSION = "6100a7f2e4c5d9b8sessionvalue01";
const TOKEN = "CAISstsTokenValueABCDEFGH12345";
const BEARER = "t".repeat(20);

/** A gateway that echoes the TOP session / the STS token in a successful result. */
async function echoGateway() {
  return listen((req, res) => {
    let b = "";
    req.on("data", (d) => (b += d));
    req.on("end", () => {
      const q = new URLSearchParams(new URL(req.url, "http://x").search + "&" + b);
      res.writeHead(200, { "content-type": "application/json" });
      if (q.get("method")) res.end(JSON.stringify({ taobao_x_get_response: { echo: q.get("session") } }));
      else res.end(JSON.stringify({ RequestId: "r", Code: "SUCCESS", Echo: q.get("SecurityToken") }));
    });
  });
}

async function ask(proxyUrl, api) {
  const r = await fetch(proxyUrl, { method: "POST", headers: { authorization: `Bearer ${BEARER}` }, body: JSON.stringify({ api, params: {} }) });
  return [r.status, await r.text()];
}

test("the proxy never answers a result echoing an instance's or a provider's secret", async () => {
  const gw = await echoGateway();
  const topOpts = { appKey: "k", appSecret: "secretsecret123", session: SESSION, endpoint: gw.url };
  const lmOpts = { accessKeyId: "id", accessKeySecret: "secretsecret123", endpoint: gw.url };
  const provider = async () => ({ accessKeyId: "id", accessKeySecret: "secretsecret123", securityToken: TOKEN });
  try {
    for (const [top, linkedmall] of [
      [topOpts, { ...lmOpts, securityToken: TOKEN }],
      [new TopClient(topOpts), new LinkedMallClient({ ...lmOpts, securityToken: TOKEN })],
      [topOpts, { endpoint: gw.url, credentials: provider }],
      [topOpts, new LinkedMallClient({ endpoint: gw.url, credentials: provider })],
    ]) {
      const ps = await listen(toNodeHandler(createSigningProxy({ token: BEARER, allow: ["taobao.x.get", "DescribeX"], top, linkedmall })));
      try {
        for (const api of ["taobao.x.get", "DescribeX"]) {
          const [status, text] = await ask(ps.url, api);
          assert.ok(!text.includes(SESSION) && !text.includes(TOKEN), `${api}: ${text.slice(0, 200)}`);
          assert.equal(status, 500);
        }
      } finally {
        ps.srv.close();
      }
    }
  } finally {
    gw.srv.close();
  }
});

test("an instance's results are withheld; an options object's clean results pass", async () => {
  const gw = await gateway();
  try {
    const lmOpts = { accessKeyId: "id", accessKeySecret: "secretsecret123", endpoint: gw.url };
    for (const [linkedmall, ok] of [[lmOpts, true], [new LinkedMallClient(lmOpts), false],
      [{ endpoint: gw.url, credentials: async () => lmOpts }, true]]) {
      const ps = await listen(toNodeHandler(createSigningProxy({ token: BEARER, allow: ["DescribeX"], linkedmall })));
      try {
        const [status, text] = await ask(ps.url, "DescribeX");
        assert.equal(status, ok ? 200 : 500, text);
        assert.equal(JSON.parse(text).ok, ok);
      } finally {
        ps.srv.close();
      }
    }
  } finally {
    gw.srv.close();
  }
});
