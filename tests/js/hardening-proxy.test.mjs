// Issue 17, items 1 and 8: nothing a client sends ends or hangs the signing proxy (raw malformed HTTP over
// node:net against toNodeHandler on 127.0.0.1, hostile JSON, disconnects), and its rate limit keys clients
// by socket address, stays bounded without resetting anyone, and limits wrong-token guesses.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, METHODS } from "node:http";
import net from "node:net";
import { createSigningProxy, toNodeHandler, clientAddress } from "aligate/proxy";
import { startSandbox, TEST_CREDENTIALS as C } from "aligate/sandbox";

const TOKEN = "operator-token-hardening-0123";
const AUTH = `Bearer ${TOKEN}`;
const crashes = [];
const onCrash = (kind) => (e) => crashes.push(`${kind}: ${e?.stack ?? e}`);
const onRejection = onCrash("unhandledRejection");
const onException = onCrash("uncaughtException");
let sb;
before(async () => {
  process.on("unhandledRejection", onRejection);
  process.on("uncaughtException", onException);
  sb = await startSandbox({ log: false });
});
after(async () => {
  await sb.close();
  process.off("unhandledRejection", onRejection);
  process.off("uncaughtException", onException);
});

async function listen(handler, setup = () => {}) {
  const server = createServer(toNodeHandler(handler));
  setup(server);
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  return { port, url: `http://127.0.0.1:${port}/api`, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
}

/** Sends raw bytes; resolves with what came back once the socket closes (or after 3 s, destroying it). */
function raw(port, chunks, { destroyAfter } = {}) {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    const got = [];
    const timer = setTimeout(() => s.destroy(), 3000);
    s.on("data", (d) => got.push(d));
    s.on("error", () => {});
    s.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(got).toString("latin1"));
    });
    s.on("connect", () => {
      for (const c of [].concat(chunks)) s.write(Buffer.from(c, "latin1"));
      if (destroyAfter === 0) s.destroy();
      else s.end();
    });
  });
}

/** Our adapter's answers are JSON `{ ok: false, error: { kind, message } }`; node's parser answers 400 bare. */
function checkAnswer(text, label) {
  if (text === "") return "closed";
  assert.match(text, /^HTTP\/1\.1 \d{3} /, label);
  const status = Number(text.slice(9, 12));
  const [head, ...rest] = text.split("\r\n\r\n");
  if (label.includes('"HEAD"')) {
    assert.match(head, /content-type: application\/json/i, label); // a HEAD answer carries no body
  } else if (/content-type: application\/json/i.test(head)) {
    let body = rest.join("\r\n\r\n");
    if (/transfer-encoding: chunked/i.test(head)) {
      let out = "";
      for (let at = 0; ;) {
        const eol = body.indexOf("\r\n", at);
        const n = parseInt(body.slice(at, eol), 16);
        if (!(n > 0)) break;
        out += body.slice(eol + 2, eol + 2 + n);
        at = eol + 4 + n;
      }
      body = out;
    }
    let j;
    try { j = JSON.parse(body); } catch { assert.fail(`${label}: not JSON: ${JSON.stringify(text.slice(0, 400))}`); }
    if (status === 200) assert.equal(j.ok, true, label);
    else assert.equal(typeof j.error?.kind, "string", label);
  } else {
    // Only node's own parser (before the adapter runs) answers without JSON: a bare 400/408/431.
    assert.ok([400, 408, 431].includes(status) && !/content-type/i.test(head), `${label}: ${JSON.stringify(text.slice(0, 300))}`);
  }
  assert.ok(status < 500, `${label}: ${text.slice(0, 300)}`);
  return status;
}

const generousProxy = () => createSigningProxy({
  token: TOKEN, allow: ["alibaba.alisports.lianbei.order.notice", "ConfirmDisburse"],
  top: { appKey: C.appKey, appSecret: C.appSecret, endpoint: sb.topEndpoint },
  linkedmall: { accessKeyId: C.accessKeyId, accessKeySecret: C.accessKeySecret, endpoint: sb.linkedmallEndpoint },
  rateLimit: { requests: 100_000 }, authFailures: { requests: 100_000 }, maxBodyBytes: 4096,
});
const normalCall = (url) => fetch(url, { method: "POST", headers: { authorization: AUTH },
  body: JSON.stringify({ api: "ConfirmDisburse", params: { BizId: "b", BizUid: "u", LmOrderId: "1" } }) });

test("item 1: a Host the URL parser rejects and a method Request refuses are JSON errors, not a dead process", async () => {
  const srv = await listen(generousProxy());
  try {
    const host = await raw(srv.port, "POST /api HTTP/1.1\r\nHost: a b\r\nContent-Length: 2\r\n\r\n{}");
    assert.match(host, /^HTTP\/1\.1 400 /);
    assert.match(host, /"kind":"bad_request"/);
    for (const m of ["TRACE"]) {
      const r = await raw(srv.port, `${m} /api HTTP/1.1\r\nHost: x\r\n\r\n`);
      assert.match(r, /^HTTP\/1\.1 405 /, m);
      assert.match(r, /"kind":"method"/, m);
    }
    const r = await normalCall(srv.url);
    assert.equal(r.status, 200);
    assert.deepEqual(crashes, []);
  } finally {
    await srv.close();
  }
});

/** The malformed requests: every method node parses, bad Hosts and targets, odd bytes, bad lengths, cut bodies. */
function* malformed() {
  const dry = JSON.stringify({ api: "ConfirmDisburse", params: { BizId: "b", BizUid: "u", LmOrderId: "1" }, dryRun: true });
  const req = (m, { target = "/api", host = "x", headers = "", body = dry } = {}) =>
    `${m} ${target} HTTP/1.1\r\n${host === null ? "" : `Host: ${host}\r\n`}Authorization: ${AUTH}\r\n${headers}Content-Length: ${body.length}\r\n\r\n${body}`;
  for (const m of [...METHODS, "FOO", "get", "PO ST", "\x00"]) yield [`method ${JSON.stringify(m)}`, req(m)];
  for (const h of ["a b", "", "a\tb", "[::1", "x:99999", "%", "a/b", "a?b", "a#b", "a@b", "\xe9", "\x7f", "h".repeat(10_000), "::1",
    "[::1]:80", "1.2.3.4:-1", "x:", ":80", "..", "a\\b", "x, y", "[zz]"]) {
    yield [`host ${JSON.stringify(h.slice(0, 20))}`, req("POST", { host: h })];
  }
  yield ["no host", req("POST", { host: null })];
  yield ["two hosts", req("POST", { headers: "Host: a b\r\n" })];
  for (const t of ["*", "http://evil/api", "//evil/api", "/a b", "/%", "/\xff", "?x", "/api#frag", "api", "/\\evil", "/.."]) {
    yield [`target ${JSON.stringify(t)}`, req("POST", { target: t })];
    yield [`OPTIONS target ${JSON.stringify(t)}`, req("OPTIONS", { target: t })];
  }
  for (let b = 0; b < 256; b++) {
    if (b > 32 && b < 127 && b !== 34 && b !== 44 && b !== 58) continue;
    const c = String.fromCharCode(b);
    yield [`value byte ${b}`, req("POST", { headers: `X-Odd: a${c}b\r\nOrigin: http://a${c}\r\n` })];
    yield [`name byte ${b}`, req("POST", { headers: `X${c}Odd: v\r\n` })];
    yield [`auth byte ${b}`, req("POST", { headers: `Authorization: Bearer ${TOKEN}${c}\r\n` })];
  }
  yield ["empty name", req("POST", { headers: ": v\r\n" })];
  yield ["no colon", req("POST", { headers: "Broken\r\n" })];
  yield ["array-valued headers", req("POST", { headers: "Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nCf-Connecting-Ip: 1.1.1.1\r\nCf-Connecting-Ip: 2.2.2.2\r\nX-Forwarded-For: 1, 2\r\n" })];
  yield ["long header", req("POST", { headers: `X-Long: ${"v".repeat(20_000)}\r\n` })];
  for (const cl of ["abc", "-1", "1e3", "99999999999999999999", "1, 2", " 5", "5 ", "0x10", "", "2\r\nContent-Length: 3"]) {
    yield [`content-length ${JSON.stringify(cl)}`, `POST /api HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\nContent-Length: ${cl}\r\n\r\n{}`];
  }
  yield ["content-length over the adapter cap", `POST /api HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n{}`];
  yield ["length and chunked", `POST /api HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`];
  for (const chunked of ["zz\r\n{}\r\n0\r\n\r\n", "5\r\nab", "2\r\n{}", "2\r\n{}\r\n", "-1\r\n\r\n", `${"f".repeat(20)}\r\n`]) {
    yield [`chunked ${JSON.stringify(chunked)}`, `POST /api HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\nTransfer-Encoding: chunked\r\n\r\n${chunked}`];
  }
  yield ["chunked over the handler cap", [`POST /api HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\nTransfer-Encoding: chunked\r\n\r\n`,
    ...Array(10).fill(`400\r\n${"x".repeat(1024)}\r\n`), "0\r\n\r\n"]];
  yield ["truncated body, half-closed", `POST /api HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\nContent-Length: 100\r\n\r\n{"api":`];
  yield ["truncated body, reset", `POST /api HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\nContent-Length: 100\r\n\r\n{"api":`, 0];
  yield ["cut in the headers, reset", "POST /api HTTP/1.1\r\nHost: x", 0];
  yield ["headers only, reset", `POST /api HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\nContent-Length: 10\r\n\r\n`, 0];
  yield ["garbage", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"];
  yield ["HTTP/0.9", "GET /\r\n\r\n"];
  yield ["HTTP/1.0 no host", `POST /api HTTP/1.0\r\nAuthorization: ${AUTH}\r\nContent-Length: 2\r\n\r\n{}`];
  yield ["pipelined", [req("POST"), req("TRACE"), req("POST", { host: "a b" }), req("GET")]];
}

test("item 1 generator: malformed HTTP of every kind gets a 4xx or a closed socket; then a normal request works", async () => {
  const srv = await listen(generousProxy(), (s) => {
    s.keepAliveTimeout = 100;
    s.headersTimeout = 1000;
    s.requestTimeout = 1000;
  });
  const seen = new Map();
  try {
    for (const [label, chunks, destroyAfter] of malformed()) {
      const text = await raw(srv.port, chunks, { destroyAfter });
      if (Array.isArray(chunks) && label === "pipelined") continue; // several answers in one stream
      const status = checkAnswer(text, label);
      seen.set(status, (seen.get(status) ?? 0) + 1);
    }
    for (const s of [400, 405, 413]) assert.ok(seen.has(s), `some request was answered ${s}: ${[...seen]}`);
    assert.equal((await normalCall(srv.url)).status, 200);
    assert.deepEqual(crashes, []);
  } finally {
    await srv.close();
  }
});

test("item 1: hostile JSON bodies, api names and params from Object.prototype are 400/403/422, never 5xx", async () => {
  const srv = await listen(generousProxy());
  const send = async (text) => {
    const r = await fetch(srv.url, { method: "POST", headers: { authorization: AUTH }, body: text });
    const j = await r.json();
    assert.equal(j.ok, false, text.slice(0, 200));
    return r.status;
  };
  try {
    for (const t of ["[]", '"x"', "1", "null", "true", "1e999", "", " ", "{", '{"api":"ConfirmDisburse"', "\ufeff{}", "[{}]"]) {
      assert.equal(await send(t), 400, t);
    }
    for (const t of ['{"api":["ConfirmDisburse"]}', '{"api":1e999}', '{"api":{"toString":"ConfirmDisburse"}}', '{"api":null}', "{}",
      '{"__proto__":{"api":"ConfirmDisburse"}}', '{"constructor":{"api":"ConfirmDisburse"}}']) {
      assert.equal(await send(t), 400, t);
    }
    for (const name of [...Object.getOwnPropertyNames(Object.prototype), "prototype", "hasOwnProperty"]) {
      const n = JSON.stringify(name);
      assert.equal(await send(`{"api":${n}}`), 403, name);
      assert.equal(await send(`{"api":${n},"params":{},"dryRun":true}`), 403, name);
      assert.equal(await send(`{"api":"ConfirmDisburse","params":{${n}:{"BizId":"b"}}}`), 422, `params key ${name}`);
      assert.equal(await send(`{"api":"ConfirmDisburse","params":{${n}:1},"dryRun":true}`), 422, `dry-run params key ${name}`);
      assert.equal(await send(`{"api":"alibaba.alisports.lianbei.order.notice","params":{"biz_order_id":{${n}:1}}}`), 422, `nested ${name}`);
    }
    for (const params of ["[1]", '"x"', "1", "true", '{"LmOrderId":1e999,"BizId":"b","BizUid":"u"}', '{"LmOrderId":-1e308,"BizId":"b","BizUid":"u"}',
      '{"LmOrderId":123456789012345678901234567890,"BizId":"b","BizUid":"u"}', '{"BizId":["b"],"BizUid":{},"LmOrderId":null}']) {
      assert.equal(await send(`{"api":"ConfirmDisburse","params":${params}}`), 422, params);
    }
    assert.equal((await normalCall(srv.url)).status, 200);
    assert.deepEqual(crashes, []);
  } finally {
    await srv.close();
  }
});

test("item 1: the client leaving mid-body or mid-response, failing handlers and broken response bodies", async () => {
  // A gateway that never answers, so the proxy is mid-call when the client leaves.
  let arrived;
  const arrivedP = new Promise((r) => (arrived = r));
  let gatewayClosed;
  const gatewayClosedP = new Promise((r) => (gatewayClosed = r));
  const gateway = createServer((req) => {
    arrived();
    req.socket.on("close", gatewayClosed);
  });
  await new Promise((r) => gateway.listen(0, "127.0.0.1", r));
  const proxy = createSigningProxy({ token: TOKEN, allow: ["ConfirmDisburse"],
    linkedmall: { accessKeyId: C.accessKeyId, accessKeySecret: C.accessKeySecret, endpoint: `http://127.0.0.1:${gateway.address().port}/`, retries: 0 } });
  const srv = await listen(proxy);
  try {
    const s = net.connect(srv.port, "127.0.0.1");
    s.on("error", () => {});
    const body = JSON.stringify({ api: "ConfirmDisburse", params: { BizId: "b", BizUid: "u", LmOrderId: "1" } });
    s.write(`POST /api HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    await arrivedP;
    s.destroy();
    await gatewayClosedP; // the client's disconnect aborted the gateway call
  } finally {
    await srv.close();
    gateway.closeAllConnections();
    gateway.close();
  }

  // Generic handlers through the adapter: each misbehaviour is contained to its own request.
  let seenAbort;
  const abortSeen = new Promise((r) => (seenAbort = r));
  const handlers = {
    "/throw": () => { throw new Error("boom"); },
    "/reject": async () => { throw new Error("boom"); },
    "/not-a-response": async () => ({ status: 200 }),
    "/broken-body": async () => new Response(new ReadableStream({ pull(c) { c.enqueue(new Uint8Array(10)); c.error(new Error("cut")); } })),
    "/bad-chunk": async () => new Response(new ReadableStream({ start(c) { c.enqueue({ not: "bytes" }); c.close(); } })),
    "/endless": async () => new Response(new ReadableStream({ pull(c) { c.enqueue(new Uint8Array(64 * 1024)); } })),
    "/hang": (request) => new Promise((resolve) => request.signal.addEventListener("abort", () => { seenAbort(); resolve(new Response("late")); })),
    "/cookies": async () => new Response("ok", { headers: [["set-cookie", "a=1"], ["set-cookie", "b=2"]] }),
    "/address": async (request) => new Response(String(clientAddress(request))),
  };
  const generic = await listen((request) => handlers[new URL(request.url).pathname]?.(request) ?? new Response("ok"));
  try {
    const base = `http://127.0.0.1:${generic.port}`;
    for (const p of ["/throw", "/reject", "/not-a-response"]) assert.equal((await fetch(base + p)).status, 500, p);
    for (const p of ["/broken-body", "/bad-chunk"]) await assert.rejects(fetch(base + p).then((r) => r.arrayBuffer()), p);
    const endless = await fetch(base + "/endless");
    const reader = endless.body.getReader();
    await reader.read();
    await reader.cancel();
    const hang = raw(generic.port, "GET /hang HTTP/1.1\r\nHost: x\r\n\r\n", { destroyAfter: 0 });
    await hang;
    await abortSeen;
    assert.deepEqual((await fetch(base + "/cookies")).headers.getSetCookie(), ["a=1", "b=2"]);
    assert.match(await (await fetch(base + "/address")).text(), /^(::ffff:)?127\.0\.0\.1$/);
    assert.equal(await (await fetch(base + "/")).text(), "ok");
    assert.deepEqual(crashes, []);
  } finally {
    await generic.close();
  }
});

test("item 8: rotating cf-connecting-ip or x-forwarded-for does not escape the socket address's budget", async () => {
  const p = createSigningProxy({ token: TOKEN, allow: ["ConfirmDisburse"], rateLimit: { requests: 3, perMs: 600_000 }, authFailures: { requests: 3 },
    linkedmall: { accessKeyId: C.accessKeyId, accessKeySecret: C.accessKeySecret, endpoint: sb.linkedmallEndpoint } });
  const srv = await listen(p);
  const body = JSON.stringify({ api: "ConfirmDisburse", params: { BizId: "b", BizUid: "u", LmOrderId: "1" } });
  try {
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      const r = await fetch(srv.url, { method: "POST", body, headers: { authorization: AUTH, "cf-connecting-ip": `10.0.0.${i}`, "x-forwarded-for": `10.1.0.${i}`, "x-real-ip": `10.2.0.${i}` } });
      statuses.push(r.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429, 429, 429]);
    const wrong = [];
    for (let i = 0; i < 5; i++) {
      wrong.push((await fetch(srv.url, { method: "POST", body, headers: { authorization: `Bearer guess-${i}-000000000000`, "cf-connecting-ip": `10.9.0.${i}` } })).status);
    }
    assert.deepEqual(wrong, [401, 401, 401, 429, 429], "wrong-token guesses are limited per socket address");
  } finally {
    await srv.close();
  }
});

const direct = (p, headers = {}, token = TOKEN) => p(new Request("http://proxy/api", { method: "POST", headers: { authorization: `Bearer ${token}`, ...headers },
  body: JSON.stringify({ api: "ConfirmDisburse", params: { BizId: "b", BizUid: "u", LmOrderId: "1" }, dryRun: true }) }));
const lmOptions = () => ({ accessKeyId: C.accessKeyId, accessKeySecret: C.accessKeySecret, endpoint: sb.linkedmallEndpoint });

test("item 8: a named trusted header keys clients (its last entry; an IPv6 /64 is one client)", async () => {
  const p = createSigningProxy({ token: TOKEN, allow: ["ConfirmDisburse"], rateLimit: { requests: 1 }, trustedClientHeader: "x-forwarded-for", linkedmall: lmOptions() });
  assert.equal((await direct(p, { "x-forwarded-for": "6.6.6.6, 10.0.0.1" })).status, 200);
  assert.equal((await direct(p, { "x-forwarded-for": "7.7.7.7, 10.0.0.1" })).status, 429, "the client-written first entry does not count");
  assert.equal((await direct(p, { "x-forwarded-for": "10.0.0.2" })).status, 200);
  assert.equal((await direct(p, { "x-forwarded-for": "2001:db8:1:2::1" })).status, 200);
  assert.equal((await direct(p, { "x-forwarded-for": "2001:db8:1:2:ffff:ffff:ffff:ffff" })).status, 429, "same /64");
  assert.equal((await direct(p, { "x-forwarded-for": "2001:db8:1:3::1" })).status, 200, "another /64");
  assert.equal((await direct(p, { "x-forwarded-for": "::ffff:10.0.0.2" })).status, 429, "IPv4-mapped is the IPv4 address");
  const custom = createSigningProxy({ token: TOKEN, allow: ["ConfirmDisburse"], rateLimit: { requests: 1 }, linkedmall: lmOptions(),
    clientKey: (r) => r.headers.get("x-tenant") });
  assert.equal((await direct(custom, { "x-tenant": "a" })).status, 200);
  assert.equal((await direct(custom, { "x-tenant": "a" })).status, 429);
  assert.equal((await direct(custom, { "x-tenant": "b" })).status, 200, "clientKey still overrides");
  const throwing = createSigningProxy({ token: TOKEN, allow: ["ConfirmDisburse"], linkedmall: lmOptions(), clientKey: () => { throw new Error("x"); } });
  assert.equal((await direct(throwing)).status, 200);
  assert.throws(() => createSigningProxy({ token: TOKEN, allow: ["ConfirmDisburse"], trustedClientHeader: "bad header" }), /trustedClientHeader/);
});

test("item 8: more clients than the map holds share an overflow window; nobody's window is reset", async () => {
  const p = createSigningProxy({ token: TOKEN, allow: ["ConfirmDisburse"], rateLimit: { requests: 2, maxClients: 5 },
    trustedClientHeader: "cf-connecting-ip", linkedmall: lmOptions() });
  const ip = (i) => ({ "cf-connecting-ip": `10.0.0.${i}` });
  assert.equal((await direct(p, ip(0))).status, 200);
  assert.equal((await direct(p, ip(0))).status, 200);
  assert.equal((await direct(p, ip(0))).status, 429);
  const flood = [];
  for (let i = 1; i < 40; i++) flood.push((await direct(p, ip(i))).status);
  assert.equal((await direct(p, ip(0))).status, 429, "10.0.0.0 keeps its exhausted window through the flood");
  assert.deepEqual(flood.slice(0, 6), [200, 200, 200, 200, 200, 200], "four own windows, then the overflow's two");
  assert.ok(flood.slice(6).every((s) => s === 429), "the overflow window is shared: newcomers get two requests in all");
});

test("item 8: expired windows are dropped to make room", async () => {
  const p = createSigningProxy({ token: TOKEN, allow: ["ConfirmDisburse"], rateLimit: { requests: 1, perMs: 20, maxClients: 2 },
    trustedClientHeader: "cf-connecting-ip", linkedmall: lmOptions() });
  const ip = (i) => ({ "cf-connecting-ip": `10.0.0.${i}` });
  assert.equal((await direct(p, ip(1))).status, 200);
  assert.equal((await direct(p, ip(2))).status, 200);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal((await direct(p, ip(3))).status, 200);
  assert.equal((await direct(p, ip(4))).status, 200, "both expired windows were dropped, so 10.0.0.4 has its own, not a shared one");
  assert.equal((await direct(p, ip(5))).status, 200, "the overflow window");
  assert.equal((await direct(p, ip(6))).status, 429);
});

test("item 8: failed authentications have their own budget; once spent, 429 before the token is compared", async () => {
  const p = createSigningProxy({ token: TOKEN, allow: ["ConfirmDisburse"], authFailures: { requests: 2, perMs: 600_000 },
    trustedClientHeader: "cf-connecting-ip", linkedmall: lmOptions() });
  const a = { "cf-connecting-ip": "10.0.0.1" };
  assert.equal((await direct(p, a, "wrong-token-000000000")).status, 401);
  assert.equal((await direct(p, a)).status, 200, "a success does not clear or spend the failure budget");
  assert.equal((await direct(p, a, "wrong-token-000000001")).status, 401);
  const locked = await direct(p, a, "wrong-token-000000002");
  assert.equal(locked.status, 429);
  assert.ok(Number(locked.headers.get("retry-after")) > 0);
  assert.equal((await direct(p, a)).status, 429, "even the right token waits: guessing cannot continue");
  assert.equal((await direct(p, { "cf-connecting-ip": "10.0.0.2" })).status, 200, "other clients are not affected");
});
