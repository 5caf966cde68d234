// The sandbox gateway treats every request as hostile (issue 17, item 4): client text never reaches an object
// property lookup, every store is bounded, sizes are refused before any signature is computed, malformed HTTP
// and vanishing clients never end the process, and each request is one escaped log line without secrets.
import { test, before, after } from "node:test";
// Each test has a time bound (a hang is a failure, not a wait); nothing asserts on time.
import assert from "node:assert/strict";
import net from "node:net";
import http from "node:http";
import { startSandbox, TEST_CREDENTIALS as C, FAULTS } from "aligate/sandbox";
import { topSign, rpcSign } from "./emulator.mjs";

const lines = [];
let sb;
before(async () => (sb = await startSandbox({ log: (l) => lines.push(l) })));
after(() => sb.close());

const gmt8 = (ms = Date.now()) => new Date(ms + 8 * 3600e3).toISOString().slice(0, 19).replace("T", " ");
const isoNow = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");
const HOSTILE = [...new Set([...Object.getOwnPropertyNames(Object.prototype), "__proto__"])];
const LIANBEI = "alibaba.alisports.lianbei.order.notice";
const OK_TOP = [["method", LIANBEI], ["biz_order_id", "1000"]];
const OK_RPC = [["BizId", "b"], ["BizUid", "u"], ["LmOrderId", "1"]];

/** Signed TOP request from [name, value] pairs (own keys only, so `__proto__` is a plain name); system pairs first. */
async function top(pairs, { server = sb, secret = C.appSecret, sign = true } = {}) {
  const all = [["app_key", C.appKey], ["format", "json"], ["v", "2.0"], ["sign_method", "md5"], ["timestamp", gmt8()], ...pairs];
  const m = new Map(all);
  if (sign) m.set("sign", topSign(Object.fromEntries([...m].filter(([k, v]) => k !== "sign" && v.trim() !== "")), secret, m.get("sign_method")));
  const r = await fetch(server.topEndpoint, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams([...m]).toString() });
  const text = await r.text();
  return { status: r.status, text, json: /^\s*[{[]/.test(text) ? JSON.parse(text) : null };
}

async function rpc(pairs, { server = sb, secret = C.accessKeySecret } = {}) {
  const m = new Map([["AccessKeyId", C.accessKeyId], ["Action", "ConfirmDisburse"], ["Format", "JSON"], ["SignatureMethod", "HMAC-SHA1"],
    ["SignatureNonce", crypto.randomUUID()], ["SignatureVersion", "1.0"], ["Timestamp", isoNow()], ["Version", "2018-01-16"], ...pairs]);
  m.set("Signature", rpcSign(Object.fromEntries(m), secret, "POST"));
  const r = await fetch(server.linkedmallEndpoint, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams([...m]).toString() });
  const text = await r.text();
  return { status: r.status, text, json: /^\s*[{[]/.test(text) ? JSON.parse(text) : null };
}

async function stillServes(server = sb) {
  const t = await top(OK_TOP, { server });
  assert.equal(t.json?.alibaba_alisports_lianbei_order_notice_response?.result?.alisp_code, 200, t.text);
  const r = await rpc(OK_RPC, { server });
  assert.equal(r.json?.Code, "SUCCESS", r.text);
}

/** Raw bytes to the sandbox; resolves with what came back once the server closes (or after a bound). */
function raw(text, { port = sb.port, abort = false } = {}) {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    let out = "";
    const bound = setTimeout(() => s.destroy(), 3000);
    s.on("connect", () => {
      s.write(text);
      if (abort) setImmediate(() => s.destroy());
    });
    s.on("data", (d) => (out += d.toString("latin1")));
    s.on("error", () => {});
    s.on("close", () => {
      clearTimeout(bound);
      resolve(out);
    });
  });
}

const postFaults = async (body, server = sb) => {
  const r = await fetch(`${server.url}/__sandbox/faults`, { method: "POST", body });
  return { status: r.status, json: await r.json() };
};

test("regression: __proto__ as TOP method with a queued slow fault does not end the process; constructor and toString are invalid methods", { timeout: 10_000 }, async () => {
  sb.inject({ fault: "slow", ms: 20 });
  const r = await top([["method", "__proto__"]]);
  assert.equal(r.json.error_response.code, 22);
  for (const method of ["constructor", "toString", "hasOwnProperty", "valueOf"]) {
    const t = await top([["method", method]]);
    assert.equal(t.json.error_response?.code, 22, `${method}: ${t.text}`);
  }
  assert.equal(sb.introspect().faults, 1, "a hostile name does not consume the fault");
  sb.clearFaults();
  await stillServes();
});

test("generator: every Object.prototype name as TOP method and Aliyun Action, with and without each queued fault", { timeout: 60_000 }, async () => {
  for (const fault of [null, ...FAULTS]) {
    for (const name of HOSTILE) {
      sb.clearFaults();
      if (fault) sb.inject({ fault, count: 1, ms: 20 });
      const t = await top([["method", name], ["biz_order_id", "1"]]);
      assert.equal(t.status, 200, `${fault} ${name}`);
      assert.equal(t.json?.error_response?.code, 22, `${fault} TOP ${name}: ${t.text}`);
      assert.equal(t.json.error_response.msg, "Invalid Method");
      const r = await rpc([["Action", name], ...OK_RPC]);
      assert.deepEqual([r.status, r.json?.Code], [404, "InvalidAction.NotFound"], `${fault} RPC ${name}: ${r.text}`);
      assert.equal(sb.introspect().faults, fault ? 1 : 0, `${fault} ${name}: faults apply to modelled APIs only`);
      sb.clearFaults();
      await stillServes();
    }
  }
});

test("generator: Object.prototype names as parameter names, system values, header names, fault fields and control paths", { timeout: 60_000 }, async () => {
  for (const name of HOSTILE) {
    // As a business parameter name: a well-formed answer (accepted or refused by the rules), never a crash.
    const t = await top([...OK_TOP, [name, "1"]]);
    assert.equal(t.status, 200, t.text);
    assert.ok(t.json.alibaba_alisports_lianbei_order_notice_response || t.json.error_response, t.text);
    const r = await rpc([...OK_RPC, [name, "1"]]);
    assert.ok(r.json?.Code, r.text);
    // As the value of every TOP system parameter: that parameter's error.
    for (const [field, code] of [["app_key", 29], ["timestamp", 31], ["v", 33], ["format", 23], ["sign_method", 25]]) {
      const x = await top([...OK_TOP, [field, name]]);
      assert.equal(x.json?.error_response?.code, code, `${field}=${name}: ${x.text}`);
    }
    for (const [field, code] of [["AccessKeyId", "InvalidAccessKeyId.NotFound"], ["Version", "InvalidVersion"], ["Timestamp", "InvalidTimeStamp.Format"],
      ["SignatureMethod", "InvalidSignatureMethod"], ["SignatureVersion", "InvalidSignatureVersion"]]) {
      const x = await rpc([...OK_RPC, [field, name]]);
      assert.equal(x.json?.Code, code, `${field}=${name}: ${x.text}`);
    }
    // As a signed V3 header name and as a header sent.
    const v3 = await fetch(sb.linkedmallEndpoint, { method: "POST", headers: {
      authorization: `ACS3-HMAC-SHA256 Credential=${C.accessKeyId},SignedHeaders=${name.toLowerCase()};host,Signature=00ab`,
      "x-acs-action": "ConfirmDisburse", "x-acs-version": "2018-01-16", "x-acs-date": isoNow(), "x-acs-signature-nonce": crypto.randomUUID(),
      "x-acs-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", [name.toLowerCase()]: "1" } });
    assert.equal((await v3.json()).Code, "SignatureDoesNotMatch");
    // As a fault name, a fault field, a fault api, a control path.
    for (const body of [{ fault: name }, { fault: "503", api: name }, JSON.parse(`{"fault":"503",${JSON.stringify(name)}:1}`)]) {
      const f = await postFaults(JSON.stringify(body));
      assert.equal(f.status, 400, JSON.stringify(body));
      assert.throws(() => sb.inject(body));
    }
    assert.equal((await fetch(`${sb.url}/__sandbox/${name}`)).status, 404);
    assert.equal(sb.introspect().faults, 0);
  }
  await stillServes();
});

test("POST /__sandbox/faults: hostile bodies get a 400 and queue nothing; the queue is bounded", { timeout: 60_000 }, async () => {
  sb.clearFaults();
  const bodies = ["not json", "[", "null", "1", '"503"', "true", "[[]]", "[null]", "[1]", '[{"fault":"503"},{"fault":"nope"}]',
    '{"fault":"503","count":1e308}', '{"fault":"503","count":-1}', '{"fault":"503","count":0}', '{"fault":"503","count":1.5}',
    `{"fault":"503","count":"${"9".repeat(20)}"}`, '{"fault":"503","count":[2]}', '{"fault":["503"]}', '{"fault":"__proto__"}',
    '{"__proto__":{"fault":"503"}}', '{"fault":"503","__proto__":{"count":2}}', '{"fault":"slow","ms":1e12}', '{"fault":"slow","ms":-5}',
    '{"fault":"code7","seconds":-1}', '{"fault":"code7","seconds":"1e5"}', '{"fault":"503","api":"taobao.other"}', '{"fault":"503","api":7}',
    '{"fault":"503","extra":1}', JSON.stringify(Array.from({ length: 101 }, () => ({ fault: "503" })))];
  for (const body of bodies) {
    const r = await postFaults(body);
    assert.equal(r.status, 400, body);
    assert.equal(typeof r.json.error, "string", body);
    assert.ok(!r.json.error.includes("\n"), body);
  }
  assert.equal(sb.introspect().faults, 0, "a bad list queues none of its entries");
  assert.equal((await fetch(`${sb.url}/__sandbox/faults`, { method: "POST", body: "x".repeat(sb.limits.controlBytes + 1) })).status, 413);
  // Huge ban seconds stay expressible (clients must cope with them); counts up to the cap are fine.
  assert.equal((await postFaults('{"fault":"code7","seconds":"18446744073709552"}')).status, 200);
  assert.equal((await postFaults(JSON.stringify({ fault: "503", count: sb.limits.faultCount }))).status, 200);
  const full = Array.from({ length: sb.limits.faults - 2 }, () => ({ fault: "503" }));
  assert.equal((await postFaults(JSON.stringify(full))).status, 200);
  assert.equal((await postFaults('{"fault":"503"}')).status, 400, "over the queue cap");
  assert.throws(() => sb.inject({ fault: "503" }), /at most/);
  assert.equal(sb.introspect().faults, sb.limits.faults);
  sb.clearFaults();
  await stillServes();
});

test("bounded: stats do not grow per unauthenticated method name or per large request", { timeout: 60_000 }, async () => {
  const s = await startSandbox({ log: false });
  try {
    for (let batch = 0; batch < 40; batch++) {
      await Promise.all(Array.from({ length: 25 }, (_, i) => top([["method", `m${batch}.${i}.${crypto.randomUUID()}`]], { server: s, sign: false })));
    }
    assert.ok(Object.keys(s.stats.byApi).length <= 5, `${Object.keys(s.stats.byApi).length} byApi keys`);
    const big = "x".repeat(1_000_000); // under the default body cap
    for (let i = 0; i < 20; i++) {
      assert.equal((await top([["method", `${i}${big}`]], { server: s, sign: false })).json.error_response.code, 22);
      assert.equal((await rpc([["Action", `${i}${big}`]], { server: s })).json.Code, "InvalidAction.NotFound");
    }
    // Four modelled APIs and one `other` bucket at most.
    assert.ok(Object.keys(s.stats.byApi).length <= 5, Object.keys(s.stats.byApi).slice(0, 8).join(", "));
    assert.ok(s.introspect().byApi <= 5);
    assert.equal(s.stats.byApi.other, 1040);
    assert.ok(JSON.stringify(await (await fetch(`${s.url}/__sandbox/stats`)).json()).length < 1000);
    await stillServes(s);
    assert.equal(s.stats.byApi[LIANBEI], 1);
    assert.equal(s.stats.byApi.ConfirmDisburse, 1);
  } finally {
    await s.close();
  }
});

test("bounded: nonces are capped by count (oldest out) and still catch a replay", { timeout: 60_000 }, async () => {
  const s = await startSandbox({ log: false, limits: { nonces: 20 } });
  try {
    const long = await rpc([...OK_RPC, ["SignatureNonce", "n".repeat(129)]], { server: s });
    assert.deepEqual([long.status, long.json.Code], [400, "InvalidParameter"], "nonces are short (128 characters by default)");
    for (let i = 0; i < 60; i++) assert.equal((await rpc(OK_RPC, { server: s })).json.Code, "SUCCESS");
    assert.equal(s.introspect().nonces, 20);
    const nonce = crypto.randomUUID();
    assert.equal((await rpc([...OK_RPC, ["SignatureNonce", nonce]], { server: s })).json.Code, "SUCCESS");
    assert.equal((await rpc([...OK_RPC, ["SignatureNonce", nonce]], { server: s })).json.Code, "SignatureNonceUsed");
    assert.equal(s.introspect().nonces, 20);
  } finally {
    await s.close();
  }
});

test("oversize requests are refused before any signature is computed", { timeout: 60_000 }, async () => {
  const count = () => sb.introspect?.().signatures;
  const n1 = count();
  const pad = "x".repeat(1024 * 1024); // the default body cap
  assert.equal((await top([...OK_TOP, ["note", pad]])).status, 413);
  assert.equal((await rpc([...OK_RPC, ["Note", pad]])).status, 413);
  const many = Array.from({ length: 256 }, (_, i) => [`p${i}`, "1"]);
  assert.equal((await top([...OK_TOP, ...many])).status, 413);
  assert.equal((await rpc([...OK_RPC, ...many])).status, 413);
  // Decoded characters: under the byte cap as raw bytes, over the parameter character cap when counted with the query.
  const q = await fetch(`${sb.topEndpoint}?pad=${"y".repeat(4096)}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" },
    body: `method=${LIANBEI}&x=${"z".repeat(1024 * 1024 - 4096)}` });
  assert.equal(q.status, 413);
  assert.equal((await fetch(`${sb.topEndpoint}?${"a=1&".repeat(8 * 1024 / 4 + 1)}`)).status, 414);
  // Streamed without a content-length: refused once the cap is passed.
  const chunked = await new Promise((resolve, reject) => {
    const req = http.request(sb.topEndpoint, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" } }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on("error", reject);
    for (let i = 0; i < 20; i++) req.write(`a${i}=${"b".repeat(64 * 1024)}&`);
    req.end();
  });
  assert.equal(chunked, 413);
  // Cheap refusals sign nothing either: wrong key, stale clock, unknown method, missing session.
  assert.equal((await top([...OK_TOP, ["app_key", "other"]])).json.error_response.code, 29);
  assert.equal((await top([...OK_TOP, ["timestamp", gmt8(Date.now() - 3600e3)]])).json.error_response.code, 31);
  assert.equal((await top([["method", "taobao.unknown"]])).json.error_response.code, 22);
  assert.equal((await top([["method", "alibaba.retail.commission.status.change"], ["param0", "{}"]])).json.error_response.code, 26);
  assert.equal((await rpc([...OK_RPC, ["Action", "Other"]])).json.Code, "InvalidAction.NotFound");
  assert.equal(count(), n1, "no signature computed for any of them");
  await stillServes();
  assert.equal(count(), n1 + 2, "the counter counts");
  // A one-value-over-64-KiB request within the caps is signed once and refused as an invalid argument.
  const big = await top([...OK_TOP, ["note", "x".repeat(70_000)]]);
  assert.equal(big.json.error_response.code, 41, big.text);
  await stillServes();
});

test("options.limits: overrides apply; unknown or invalid limits are refused", { timeout: 60_000 }, async () => {
  const s = await startSandbox({ log: false, limits: { bodyBytes: 2000 } });
  try {
    assert.equal((await top([...OK_TOP, ["note", "x".repeat(2000)]], { server: s })).status, 413);
    await stillServes(s);
  } finally {
    await s.close();
  }
  for (const limits of [{ bodyBytes: 0 }, { bodyBytes: "1" }, { bodyBytes: 1.5 }, { __proto__: null, toString: 1 }, JSON.parse('{"__proto__":1}'), null, 5]) {
    await assert.rejects(startSandbox({ log: false, limits }), TypeError);
  }
});

test("malformed HTTP, bad URLs and Hosts, clients vanishing mid-request: answered or dropped, never a crash", { timeout: 60_000 }, async () => {
  const close = "Connection: close\r\n";
  const cases = [
    `GET /router/rest HTTP/1.1\r\nHost: a b\r\n${close}\r\n`,
    `TRACE /router/rest HTTP/1.1\r\nHost: x\r\n${close}\r\n`,
    `TRACE / HTTP/1.1\r\nHost: x\r\n${close}\r\n`,
    `GET http://[ HTTP/1.1\r\nHost: x\r\n${close}\r\n`,
    `GET //a%20b/ HTTP/1.1\r\nHost: x\r\n${close}\r\n`,
    `GET http://[::1/x HTTP/1.1\r\nHost: x\r\n${close}\r\n`,
    `OPTIONS * HTTP/1.1\r\nHost: x\r\n${close}\r\n`,
    `GET /router/rest?%zz=%ff&a=%E4&method=%00%0a HTTP/1.1\r\nHost: x\r\n${close}\r\n`,
    `GET /__sandbox/faults/../stats HTTP/1.1\r\nHost: x\r\n${close}\r\n`,
    `GET /x HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n${close}\r\n`,
    "GARBAGE\r\n\r\n",
    `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"h".repeat(20_000)}\r\n\r\n`,
    `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n`,
    `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n${close}\r\n`,
    `POST /__sandbox/faults HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nContent-Length: 12\r\n\r\n`,
    `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`,
    `POST /__sandbox/faults HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 9\r\n${close}\r\n{"fault":`,
    `POST /router/rest HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nmethod=x`,
  ];
  for (const text of cases) {
    const out = await raw(text);
    assert.ok(out === "" || out.startsWith("HTTP/1.1 "), JSON.stringify(text.slice(0, 60)));
    assert.ok(!/^HTTP\/1\.1 5/.test(out), `${JSON.stringify(text.slice(0, 60))} -> ${out.slice(0, 40)}`);
  }
  for (const text of cases) await raw(text, { abort: true });
  // A client that leaves while its slow answer is pending: the timer goes with it.
  sb.inject({ fault: "slow", ms: 60_000, api: LIANBEI });
  const form = new URLSearchParams([["app_key", C.appKey], ["format", "json"], ["v", "2.0"], ["sign_method", "md5"], ["timestamp", gmt8()], ...OK_TOP]);
  form.set("sign", topSign(Object.fromEntries(form), C.appSecret, "md5"));
  const body = form.toString();
  const s = net.connect(sb.port, "127.0.0.1");
  s.on("error", () => {});
  s.write(`POST /router/rest HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  for (let i = 0; i < 200 && sb.introspect().timers === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(sb.introspect().timers, 1);
  s.destroy();
  for (let i = 0; i < 200 && sb.introspect().timers > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(sb.introspect().timers, 0);
  await stillServes();
});

test("close() ends pending slow answers; a throwing log sink does not break a request", { timeout: 60_000 }, async () => {
  const s = await startSandbox({ log: () => { throw new Error("sink"); } });
  s.inject({ fault: "slow", ms: 60_000, count: 3 });
  const pending = Array.from({ length: 3 }, () => top(OK_TOP, { server: s }).catch((e) => e));
  for (let i = 0; i < 200 && s.introspect().timers < 3; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(s.introspect().timers, 3);
  await s.close();
  assert.equal(s.introspect().timers, 0);
  for (const r of await Promise.all(pending)) assert.ok(r instanceof Error);
  const t = await startSandbox({ log: () => { throw new Error("sink"); } });
  try {
    await stillServes(t);
  } finally {
    await t.close();
  }
});

test("log: one line per request, client control characters escaped, no secret even in the wrong field", { timeout: 60_000 }, async () => {
  const start = lines.length;
  const controls = ["a\nb", "a\r\nb", "a\u2028b", "\x1b[2Jx", "a\0b", "a\u202eb", "a\tb", "\\x0a"];
  let sent = 0;
  for (const c of controls) {
    await top([["method", c]]);
    await rpc([...OK_RPC, ["Action", c]]);
    await fetch(`${sb.topEndpoint}?method=${encodeURIComponent(c)}`);
    await top([...OK_TOP, [c, "1"]]);
    await top([...OK_TOP, ["sign_method", c]]);
    sent += 5;
  }
  // Secrets sent where ids or options belong: not echoed.
  await top([...OK_TOP, ["app_key", C.appSecret]]);
  await top([...OK_TOP, ["sign_method", C.appSecret]]);
  await top([...OK_TOP, ["session", C.session]]);
  await rpc([...OK_RPC, ["AccessKeyId", C.accessKeySecret]]);
  await rpc([...OK_RPC, ["SignatureMethod", C.accessKeySecret]]);
  await rpc([...OK_RPC, ["Action", C.accessKeySecret]]);
  sent += 6;
  const mine = lines.slice(start);
  assert.equal(mine.length, sent, "one line per request");
  for (const l of mine) {
    assert.ok(!/[\x00-\x1f\x7f-\x9f\u2028\u2029\u202e]/.test(l), JSON.stringify(l));
    for (const secret of [C.appSecret, C.accessKeySecret, C.session]) assert.ok(!l.includes(secret), l);
  }
  assert.ok(mine.some((l) => l.includes("a\\x0ab")), "escaped, still readable");
  assert.ok(mine.some((l) => l.includes("\\\\x0a")), "a literal backslash is escaped too, so escapes are unambiguous");
});
