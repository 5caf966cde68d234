// Issue 18's hostile review of the packed 0.1.0 (findings by number): each
// test fails on the code the review attacked.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as aligate from "aligate";

const { TopClient, LinkedMallClient, AligateError, decodeResponse } = aligate;
const node = aligate.default ?? aligate;
const __memoryBytes = () => node.__memoryBytes();

const LIANBEI = "alibaba.alisports.lianbei.order.notice";
const TOKEN = "STStokenSECRETvalue456";

class Liar extends Uint8Array {
  constructor(n) {
    super([0x41, 0x41, 0x41, 0x41]);
    this.n = n;
  }
  get length() {
    return this.n;
  }
}
const proxyBytes = (n) => new Proxy(new Uint8Array(4), {
  get(t, k) {
    if (k === "length") return n;
    if (typeof k === "string" && /^\d+$/.test(k)) throw new Error("trap");
    return Reflect.get(t, k);
  },
});

const oneChunk = (chunk, status = 502) => async () =>
  new Response(new ReadableStream({ start(c) { c.enqueue(chunk); c.close(); } }), { status, headers: { "content-type": "text/plain" } });

// Findings 1, 2, 10: bytes crossing into wasm are copied by their internal length.
test("1/2/10: decodeResponse takes exactly the caller's bytes; Proxies and detached buffers are AligateErrors naming body", () => {
  const lm = new LinkedMallClient({ accessKeyId: "akid", accessKeySecret: "AKSECRETsecretVALUE77", securityToken: TOKEN });
  for (let n = 8; n <= 1024; n += 8) {
    lm.prepare("ConfirmDisburse", { BizId: "b", BizUid: "u", LmOrderId: String(n) });
    assert.throws(() => decodeResponse(LIANBEI, 502, "text/plain", new Liar(n)), (e) => {
      assert.equal(e.message, "HTTP 502: AAAA");
      return true;
    });
  }
  const before = __memoryBytes();
  const detached = new Uint8Array(8);
  structuredClone(detached.buffer, { transfer: [detached.buffer] });
  for (const body of [proxyBytes(64 * 1024 * 1024), proxyBytes(16), detached, new Uint16Array(4), [1, 2], "x"]) {
    for (let i = 0; i < 20; i++) {
      assert.throws(() => decodeResponse(LIANBEI, 200, "application/json", body), (e) => {
        assert.ok(e instanceof AligateError, String(e));
        assert.equal(e.kind, "validation");
        assert.equal(e.issues[0].path, "body");
        return true;
      });
    }
  }
  assert.ok(__memoryBytes() - before < 8 * 1024 * 1024, `wasm memory grew ${__memoryBytes() - before} bytes`);
});

test("1/2: an injected fetch's body chunks are copied by their internal length", async () => {
  const lm = new LinkedMallClient({ accessKeyId: "akid", accessKeySecret: "AKSECRETsecretVALUE77", securityToken: TOKEN });
  const mk = (fetch) => new TopClient({ appKey: "12345678", appSecret: "bbbbbbbbbbbbbbbb", session: "user-session-1", endpoint: "http://127.0.0.1:9/router/rest", fetch, retries: 0 });
  for (let n = 8; n <= 512; n += 8) {
    lm.prepare("ConfirmDisburse", { BizId: "b", BizUid: "u", LmOrderId: String(n) });
    await assert.rejects(mk(oneChunk(new Liar(n))).lianbeiOrderNotice({ biz_order_id: 1 }), (e) => {
      assert.equal(e.message, "HTTP 502: AAAA");
      return true;
    });
  }
  const before = __memoryBytes();
  for (let i = 0; i < 20; i++) {
    await assert.rejects(mk(oneChunk(proxyBytes(4 * 1024 * 1024), 200)).lianbeiOrderNotice({ biz_order_id: 1 }), (e) => {
      assert.ok(e instanceof AligateError);
      assert.equal(e.kind, "decode");
      return true;
    });
  }
  assert.ok(__memoryBytes() - before < 8 * 1024 * 1024, `wasm memory grew ${__memoryBytes() - before} bytes`);
  // A Response without a stream whose arrayBuffer() is not an ArrayBuffer.
  const fake = async () => ({ status: 200, headers: new Headers(), body: null, arrayBuffer: async () => ({ length: 1e9 }) });
  await assert.rejects(mk(fake).lianbeiOrderNotice({ biz_order_id: 1 }), (e) => e instanceof AligateError && e.kind === "decode");
});

// A gateway on 127.0.0.1 whose answer is made from the request body.
async function echoGateway(answer) {
  const { createServer } = await import("node:http");
  const gw = createServer((req, res) => {
    let b = "";
    req.on("data", (c) => (b += c));
    req.on("end", () => {
      const [status, type, body] = answer(b, req);
      res.writeHead(status, { "content-type": type });
      res.end(body);
    });
  });
  await new Promise((r) => gw.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${gw.address().port}/`, close: () => gw.close() };
}

// Finding 7: a gateway that echoes a secret, in any encoding, does not put it in errors or proxy answers.
const STS = "CAIS+STS/token==SECRET&value<1>";
const ECHOES = {
  raw: (t) => t,
  upper: (t) => encodeURIComponent(t),
  lower: (t) => encodeURIComponent(t).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
  form: (t) => new URLSearchParams({ t }).toString().slice(2),
  json: (t) => JSON.stringify(t).slice(1, -1).replace(/\//g, "\\/"),
  html: (t) => t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"),
};

test("7: errors of a call never carry its secrets, however the gateway encoded them", async () => {
  const session = "SESSIONsecretVALUE123";
  let form;
  const gw = await echoGateway((body, req) => {
    const p = new URLSearchParams(body);
    const secret = p.get("SecurityToken") ?? p.get("session") ?? new URL(req.url, "http://x").searchParams.get("session");
    const text = ECHOES[form](secret);
    return p.get("SecurityToken")
      ? [400, "application/json", JSON.stringify({ Code: "Bad", Message: `echo ${text}`, Recommend: text })]
      : [400, "text/plain", `Bad request: session=${text} …`];
  });
  try {
    const lm = new LinkedMallClient({ accessKeyId: "akid", accessKeySecret: "akSecretakSecret", securityToken: STS, endpoint: gw.url, retries: 0 });
    const top = new TopClient({ appKey: "12345678", appSecret: "topSecretTopSecret", session: "user-session-1", endpoint: gw.url + "router/rest", retries: 0 });
    for (form of Object.keys(ECHOES)) {
      for (const run of [() => lm.confirmDisburse({ BizId: "b", BizUid: "u", LmOrderId: "1" }), () => top.lianbeiOrderNotice({ biz_order_id: 1 }, { session })]) {
        await assert.rejects(run(), (e) => {
          assert.ok(e instanceof AligateError);
          const all = JSON.stringify({ ...e, message: e.message });
          for (const s of [STS, session]) {
            for (const enc of Object.values(ECHOES)) assert.ok(!all.includes(enc(s)), `${form}: ${all}`);
          }
          assert.match(all, /\*\*\*/);
          return true;
        });
      }
    }
  } finally {
    gw.close();
  }
});

test("7: the signing proxy's last line catches every encoding of a secret in a result", async () => {
  const { createSigningProxy } = await import("aligate/proxy");
  let form;
  const gw = await echoGateway((body) => {
    const tok = new URLSearchParams(body).get("SecurityToken");
    return [200, "application/json", JSON.stringify({ Code: "SUCCESS", RequestId: "r", Echo: ECHOES[form](tok) })];
  });
  try {
    const proxy = createSigningProxy({ token: "bearer-token-0123456789", allow: ["ConfirmDisburse"],
      linkedmall: { accessKeyId: "akid", accessKeySecret: "akSecretakSecret", securityToken: STS, endpoint: gw.url, retries: 0 } });
    for (form of Object.keys(ECHOES)) {
      const r = await proxy(new Request("http://proxy/", { method: "POST", headers: { authorization: "Bearer bearer-token-0123456789" },
        body: JSON.stringify({ api: "ConfirmDisburse", params: { BizId: "b", BizUid: "u", LmOrderId: "1" } }) }));
      const text = await r.text();
      assert.equal(r.status, 500, `${form}: ${text}`);
      assert.ok(!text.includes("Echo"), text);
    }
  } finally {
    gw.close();
  }
});

// Finding 3: timeoutMs and the caller's signal bound every await aligate makes for the caller.
const HANG_BOUND_MS = 5000;
const settled = (p) => Promise.race([
  p.then(() => ({ ok: true }), (e) => ({ e })),
  new Promise((r) => setTimeout(() => r({ pending: true }), HANG_BOUND_MS)),
]);

test("3: a fetch or a body that never settles, and a provider that never settles, end at timeoutMs or the signal", async () => {
  const never = () => new Promise(() => {});
  const endless = async () => new Response(new ReadableStream({ pull: never }), { status: 200, headers: { "content-type": "application/json" } });
  const top = (fetch) => new TopClient({ appKey: "12345678", appSecret: "bbbbbbbbbbbbbbbb", session: "user-session-1", endpoint: "http://127.0.0.1:9/router/rest", fetch, timeoutMs: 200, retries: 0 });
  for (const fetch of [never, endless]) {
    const r = await settled(top(fetch).lianbeiOrderNotice({ biz_order_id: 1 }));
    assert.equal(r.e?.kind, "timeout", JSON.stringify(r));
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const slow = new TopClient({ appKey: "12345678", appSecret: "bbbbbbbbbbbbbbbb", session: "user-session-1", endpoint: "http://127.0.0.1:9/router/rest", fetch, timeoutMs: 60_000, retries: 0 });
    const a = await settled(slow.lianbeiOrderNotice({ biz_order_id: 1 }, { signal: ac.signal }));
    assert.equal(a.e?.kind, "aborted", JSON.stringify(a));
  }
  const lm = (timeoutMs) => new LinkedMallClient({ credentials: never, endpoint: "http://127.0.0.1:9/", timeoutMs, retries: 2, fetch: never });
  const c = await settled(lm(200).confirmDisburse({ BizId: "b", BizUid: "u", LmOrderId: "1" }));
  assert.equal(c.e?.kind, "timeout", JSON.stringify(c));
  assert.ok(c.e instanceof AligateError);
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 50);
  const d = await settled(lm(60_000).confirmDisburse({ BizId: "b", BizUid: "u", LmOrderId: "1" }, { signal: ac.signal }));
  assert.equal(d.e?.kind, "aborted", JSON.stringify(d));
  const refresh = await settled(lm(200).refreshCredentials());
  assert.equal(refresh.e?.kind, "timeout", JSON.stringify(refresh));
});

test("3/4: a fetch that ignores its signal times out once for a write that is not repeat-safe, with outcome unknown", async () => {
  let calls = 0;
  const gw = await echoGateway(() => [200, "application/json", '{"alibaba_retail_commission_status_change_response":{"data":true}}']);
  try {
    // A wrapper that drops init.signal (the realistic bug), over a gateway that answers too late.
    const fetch = (url, init) => {
      calls++;
      return new Promise((r) => setTimeout(r, 60_000)).then(() => globalThis.fetch(url, { method: init.method, headers: init.headers, body: init.body }));
    };
    const top = new TopClient({ appKey: "12345678", appSecret: "bbbbbbbbbbbbbbbb", session: "user-session-1", endpoint: gw.url + "router/rest", fetch, timeoutMs: 200, retries: 2 });
    const r = await settled(top.commissionStatusChange({ param0: { order_id: "1234567890123456789", order_status: 2 } }));
    assert.equal(r.e?.kind, "timeout", JSON.stringify(r));
    assert.equal(r.e.retryable, false);
    assert.equal(r.e.outcome, "unknown");
    assert.equal(calls, 1, "a write that is not repeat-safe was sent again");
  } finally {
    gw.close();
  }
});

// Finding 4: each error of a call says whether it may have been applied.
test("4: AligateError.outcome: unknown after a timeout, reset, truncated or 5xx answer; not-applied after a refusal", async () => {
  let answer;
  const { createServer } = await import("node:http");
  const gw = createServer((req, res) => {
    req.resume();
    req.on("end", () => answer(res));
  });
  await new Promise((r) => gw.listen(0, "127.0.0.1", r));
  const top = new TopClient({ appKey: "12345678", appSecret: "bbbbbbbbbbbbbbbb", session: "user-session-1", endpoint: `http://127.0.0.1:${gw.address().port}/router/rest`, timeoutMs: 300, retries: 2 });
  const unsafe = () => top.commissionStatusChange({ param0: { order_id: "1234567890123456789", order_status: 2 } });
  const send = (status, type, body) => (res) => {
    res.writeHead(status, { "content-type": type });
    res.end(body);
  };
  const cases = [
    ["timeout", "unknown", () => {}],
    ["network", "unknown", (res) => res.socket.destroy()],
    ["decode", "unknown", (res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
      res.write('{"alibaba_retail', () => setTimeout(() => res.socket.destroy(), 20));
    }],
    ["http", "unknown", send(503, "text/plain", "busy")],
    ["http", "not-applied", send(400, "text/plain", "bad request")],
    ["api", "not-applied", send(200, "application/json", '{"error_response":{"code":15,"msg":"Remote service error","sub_code":"isv.invalid-parameter"}}')],
    ["api", "not-applied", send(200, "application/json", '{"error_response":{"code":7,"msg":"App Call Limited, This ban will last 99999 more seconds"}}')],
    ["api", "unknown", send(200, "application/json", '{"error_response":{"code":15,"msg":"x","sub_code":"isp.unknown-error"}}')],
  ];
  try {
    for (const [kind, outcome, a] of cases) {
      answer = a;
      await assert.rejects(unsafe(), (e) => {
        assert.equal(e.kind, kind, e.message);
        assert.equal(e.outcome, outcome, `${kind}: ${e.message}`);
        return true;
      });
    }
    await assert.rejects(top.commissionStatusChange({ param0: { order_status: "x" } }), (e) => e.kind === "validation" && e.outcome === "not-applied");
  } finally {
    gw.closeAllConnections();
    gw.close();
  }
});

// Finding 6: gateway text and parameter keys reach messages, fields and issue paths with controls escaped.
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
test("6: no raw control characters in AligateError text or issue paths", () => {
  const nasty = "bad\r\n2026 INFO ok\u0085\u009b2J\u2028\u202e\u2066\u007f\u001b[2J";
  const body = new TextEncoder().encode(JSON.stringify({ error_response: { code: 15, msg: nasty, sub_code: `isv.${nasty}`, sub_msg: nasty } }));
  assert.throws(() => decodeResponse(LIANBEI, 200, "application/json", body), (e) => {
    for (const f of ["message", "msg", "apiMessage", "subCode", "subMsg"]) assert.ok(!RAW_CONTROL.test(e[f]), `${f}: ${JSON.stringify(e[f])}`);
    assert.match(e.message, /bad\\u000d\\u000a2026/);
    return true;
  });
  const top = new TopClient({ appKey: "12345678", appSecret: "bbbbbbbbbbbbbbbb", session: "user-session-1" });
  for (const key of ["biz_order_id\nINJECTED: yes", "k\u2028x", "k\u0085x", "k\u202ex"]) {
    assert.throws(() => top.prepare(LIANBEI, { biz_order_id: 1, [key]: { [key]: 1 } }), (e) => {
      assert.ok(!RAW_CONTROL.test(e.message), e.message);
      for (const i of e.issues) assert.ok(!RAW_CONTROL.test(i.path), JSON.stringify(i.path));
      return true;
    });
  }
});

// Finding 8: without a way to tell clients apart, failed auths cannot lock the token holder out.
test("8: the shared client key has no failed-auth lockout; told-apart clients still have one", async () => {
  const { createSigningProxy } = await import("aligate/proxy");
  const TOKEN = "bearer-token-0123456789";
  const ask = (proxy, token, headers = {}) => proxy(new Request("http://proxy/", { method: "POST", headers: { authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify({ api: LIANBEI, params: { biz_order_id: 1 }, dryRun: true }) }));
  const shared = createSigningProxy({ token: TOKEN, allow: [LIANBEI], top: { appKey: "12345678", appSecret: "bbbbbbbbbbbbbbbb", session: "user-session-1" } });
  for (let i = 0; i < 30; i++) assert.equal((await ask(shared, "wrong-token-0123456789")).status, 401);
  assert.equal((await ask(shared, TOKEN)).status, 200);
  const keyed = createSigningProxy({ token: TOKEN, allow: [LIANBEI], top: { appKey: "12345678", appSecret: "bbbbbbbbbbbbbbbb", session: "user-session-1" }, trustedClientHeader: "x-client" });
  for (let i = 0; i < 10; i++) assert.equal((await ask(keyed, "wrong-token-0123456789", { "x-client": "10.0.0.1" })).status, 401);
  assert.equal((await ask(keyed, TOKEN, { "x-client": "10.0.0.1" })).status, 429);
  assert.equal((await ask(keyed, TOKEN, { "x-client": "10.0.0.2" })).status, 200);
});

// Findings 4 and 9, the CLI: its stdout escapes what JSON.stringify leaves raw, and `send` does not advise
// rerunning a write whose outcome is unknown.
async function runCli(args, cwd) {
  const { spawn } = await import("node:child_process");
  const { dirname, join } = await import("node:path");
  const { fileURLToPath } = await import("node:url");
  const cli = join(dirname(fileURLToPath(import.meta.resolve("aligate/package.json"))), "js", "cli.mjs");
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TOP_|ALIBABA_CLOUD_)/.test(k)));
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [cli, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => p.kill("SIGKILL"), 30_000);
    p.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

test("9: aligate call's stdout has no raw C1, DEL, LS/PS or bidi controls, and stays JSON", async () => {
  const text = "a\u0085b\u009b2Jc\u007fd\u2028e\u202ef\u2066g";
  const gw = await echoGateway(() => [200, "application/json", JSON.stringify({ alibaba_alisports_lianbei_order_notice_response: { result: { msg: text } } })]);
  try {
    const r = await runCli(["call", LIANBEI, "--param", "biz_order_id=1", "--endpoint", gw.url + "router/rest",
      "--app-key", "12345678", "--app-secret", "bbbbbbbbbbbbbbbb"], process.cwd());
    assert.equal(r.code, 0, r.err);
    assert.ok(!/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(r.out), JSON.stringify(r.out));
    assert.equal(JSON.parse(r.out).result.msg, text);
  } finally {
    gw.close();
  }
});

test("4: aligate send lists writes of unknown outcome apart and does not advise rerunning them", async () => {
  const { mkdtempSync, writeFileSync, readFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const dir = mkdtempSync(join(tmpdir(), "aligate-review-"));
  // Line 1 times out (may have been applied); line 2 is refused with a 400 (not applied).
  const slow = await (async () => {
    const { createServer } = await import("node:http");
    const s = createServer((req, res) => {
      let b = "";
      req.on("data", (c) => (b += c));
      req.on("end", () => {
        if (b.includes("111")) return; // never answers
        res.writeHead(400, { "content-type": "text/plain" });
        res.end("bad");
      });
    });
    await new Promise((r) => s.listen(0, "127.0.0.1", r));
    return s;
  })();
  try {
    writeFileSync(join(dir, "day.jsonl"), '{"param0":{"order_id":"111","order_status":2}}\n{"param0":{"order_id":"222","order_status":2}}\n');
    const r = await runCli(["send", "alibaba.retail.commission.status.change", "--jsonl", "day.jsonl", "--endpoint", `http://127.0.0.1:${slow.address().port}/router/rest`,
      "--app-key", "12345678", "--app-secret", "bbbbbbbbbbbbbbbb", "--session", "sessionsession", "--timeout-ms", "300"], dir);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /outcome unknown: line\(s\) 1 may have been applied/);
    assert.doesNotMatch(r.err, /outcome unknown: line\(s\) [\d, ]*\b2\b/);
    assert.match(r.err, /Check each on the gateway.*--resend-unknown/);
    // The refused line (HTTP 400) fails the same way on a rerun: the summary says to fix it, not to rerun.
    assert.match(r.err, /1 of them failed for a reason a rerun does not change.*fix or remove those lines before a rerun/);
    // The write of unknown outcome is apart (day.unknown.jsonl), the refused one in the failed file: one file each.
    const read = (f) => readFileSync(join(dir, f), "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
    assert.deepEqual(read("day.failed.jsonl").map((f) => [f.line, f.error.outcome]), [[2, "not-applied"]]);
    assert.deepEqual(read("day.unknown.jsonl").map((f) => [f.line, f.error.outcome, f.error.kind]), [[1, "unknown", "timeout"]]);
  } finally {
    slow.closeAllConnections();
    slow.close();
  }
});

test("4: the signing proxy passes the outcome on to the browser", async () => {
  const { createSigningProxy } = await import("aligate/proxy");
  const never = () => new Promise(() => {});
  const proxy = createSigningProxy({ token: "bearer-token-0123456789", allow: ["alibaba.retail.commission.status.change"],
    top: new TopClient({ appKey: "12345678", appSecret: "bbbbbbbbbbbbbbbb", session: "user-session-1", fetch: never, timeoutMs: 200, retries: 0 }) });
  const r = await proxy(new Request("http://proxy/", { method: "POST", headers: { authorization: "Bearer bearer-token-0123456789" },
    body: JSON.stringify({ api: "alibaba.retail.commission.status.change", params: { param0: { order_id: "1", order_status: 2 } } }) }));
  const { error } = await r.json();
  assert.equal(r.status, 504);
  assert.deepEqual([error.kind, error.outcome, error.retryable], ["timeout", "unknown", false]);
});

// Finding 11: what goes inside the v3 Authorization header cannot add fields to it.
test("11: a v3 accessKeyId with ',', '=', ';' or whitespace is refused by path, never echoed", async () => {
  for (const id of ["a,SignedHeaders=host,Signature=00", "a=b", "a;b", "a b"]) {
    assert.throws(() => new LinkedMallClient({ accessKeyId: id, accessKeySecret: "akSecretakSecret", signatureVersion: "v3" }), (e) => {
      assert.ok(e instanceof AligateError);
      assert.ok(e.issues.some((i) => i.path === "options.accessKeyId"), JSON.stringify(e.issues));
      assert.ok(!e.message.includes(id), e.message);
      return true;
    });
  }
  // From a credentials provider: refused before anything is sent.
  let sent = 0;
  const lm = new LinkedMallClient({ signatureVersion: "v3", retries: 0, fetch: async () => (sent++, new Response("{}")),
    credentials: async () => ({ accessKeyId: "a,Signature=00", accessKeySecret: "akSecretakSecret" }) });
  await assert.rejects(lm.confirmDisburse({ BizId: "b", BizUid: "u", LmOrderId: "1" }), (e) => e.kind === "validation" && !e.message.includes("a,Signature"));
  assert.equal(sent, 0);
});
