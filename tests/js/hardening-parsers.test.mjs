// Issue 17, items 3, 11 and 12 seen from JS against a loopback server: hostile
// bodies decode in linear work (the node:test timeouts are hang guards, far
// above the seconds linear work takes; the per-byte figures are in the bench),
// numbers JS cannot hold arrive as exact strings, ConfirmDisburse without Code
// is an unknown outcome, and a quoted ">" does not end an XML tag.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { TopClient, LinkedMallClient, AligateError, decodeResponse, validateParams } from "aligate";
import { startEmulator, sendJson, TOP_CREDS, RPC_CREDS } from "./emulator.mjs";

let emu;
before(async () => (emu = await startEmulator()));
after(() => emu.close());

const LIANBEI = "alibaba.alisports.lianbei.order.notice";
const enc = new TextEncoder();
const HANG = { timeout: 120_000 };

function wideObject(keys) {
  const parts = [];
  for (let i = 0; i < keys; i++) parts.push(`"k${i.toString(36)}":${i % 10}`);
  return `{${parts.join(",")}}`;
}

test("a 3.4 MB body with 350,000 distinct keys decodes through execute, every key kept", HANG, async () => {
  const inner = wideObject(350_000);
  const body = `{"${LIANBEI.replaceAll(".", "_")}_response":${inner}}`;
  assert.ok(body.length > 3.4e6 && body.length < 4 * 2 ** 20, `${body.length} bytes`);
  emu.next((ctx, res) => sendJson(res, 200, body));
  const top = new TopClient({ ...TOP_CREDS, endpoint: emu.topUrl, retries: 0 });
  const result = await top.execute(LIANBEI, { biz_order_id: 1 });
  assert.equal(Object.keys(result).length, 350_000);
  assert.equal(result[`k${(349_999).toString(36)}`], 9);
});

test("repeated keys past the first sixteen: first position, last value", () => {
  const parts = [];
  for (let i = 0; i < 1000; i++) parts.push(`"k${i % 40}":${i}`);
  const out = decodeResponse("x.y", 200, "application/json", enc.encode(`{${parts.join(",")}}`), { simplify: true });
  assert.deepEqual(Object.keys(out), Array.from({ length: 40 }, (_, i) => `k${i}`));
  assert.equal(out.k0, 960);
  assert.equal(out.k39, 999);
});

test("XML with 100,000 distinct and 100,000 repeated siblings decodes", HANG, () => {
  const distinct = [];
  const repeated = [];
  for (let i = 0; i < 100_000; i++) {
    distinct.push(`<k${i}>${i}</k${i}>`);
    repeated.push(`<i a=">">${i}</i>`);
  }
  const xml = `<r><w>${distinct.join("")}</w><l>${repeated.join("")}</l></r>`;
  const out = decodeResponse("x.y", 200, "text/xml", enc.encode(xml), { format: "xml", simplify: true });
  assert.equal(Object.keys(out.w).length, 100_000);
  assert.equal(out.l.i.length, 100_000);
  assert.equal(out.l.i[99_999], "99999");
});

test("validateParams with 80,000 keys answers, unknown keys capped in the list", HANG, () => {
  const params = JSON.parse(wideObject(80_000));
  assert.deepEqual(validateParams("x.unmodelled.api", params), []);
  const issues = validateParams(LIANBEI, params);
  assert.ok(issues.length >= 1 && issues.length <= 101, `${issues.length} issues`);
  assert.ok(issues.some((i) => i.path === "k0"), JSON.stringify(issues.slice(0, 3)));
});

test("numbers JS cannot hold are exact strings; the rest stay numbers", () => {
  const body = `{"a":1e999,"b":-1e999,"c":1234567890123456789.0,"d":9007199254740993e0,"e":1e-999,"f":1.5,"g":9007199254740991,"h":12.5e-3}`;
  const out = decodeResponse("x.y", 200, "application/json", enc.encode(body), { simplify: true });
  assert.deepEqual(out, { a: "1e999", b: "-1e999", c: "1234567890123456789", d: "9007199254740993", e: "1e-999", f: 1.5, g: 9007199254740991, h: 0.0125 });
  for (const v of Object.values(out)) assert.ok(typeof v === "string" || Number.isFinite(v));
});

test("a quoted > inside an XML attribute does not end the tag", () => {
  const xml = `<r><x a=">" b='>'>1</x><y c="/>"/></r>`;
  assert.deepEqual(decodeResponse("x.y", 200, "text/xml", enc.encode(xml), { format: "xml", simplify: true }), { x: "1", y: "" });
});

test("ConfirmDisburse answered 200 without Code is a decode error, never a success, and is not resent", async () => {
  emu.reset();
  for (const body of [{ RequestId: "r-nocode", Success: true }, { RequestId: "r-nocode" }, {}]) {
    emu.next((ctx, res) => sendJson(res, 200, body));
    const lm = new LinkedMallClient({ ...RPC_CREDS, endpoint: emu.rpcUrl, retries: 2, retryBaseDelayMs: 5 });
    const before = emu.seen.length;
    const err = await lm.execute("ConfirmDisburse", { BizId: "b", BizUid: "u", LmOrderId: "1" }).then(
      () => assert.fail("resolved"),
      (e) => e,
    );
    assert.ok(err instanceof AligateError, String(err));
    assert.equal(err.kind, "decode");
    assert.match(err.message, /without Code/);
    // The next queued answer would succeed: a resend would have turned this into a success.
    assert.equal(emu.seen.length - before, 1);
  }
});

test("an invalid Date is described as one", () => {
  const issues = validateParams("aliyun.gsc.funds.flow.notify", {
    official_funds_record_request: { payments: [{ main_biz_order_id: "m", create_date: new Date(NaN) }] },
  });
  const bad = issues.find((i) => i.path.endsWith("create_date"));
  assert.ok(bad, JSON.stringify(issues));
  assert.match(bad.message, /an invalid Date/);
  assert.doesNotMatch(bad.message, /number Invalid/);
});

test("simplify gives the same shape for XML as for JSON", () => {
  const json = decodeResponse(LIANBEI, 200, "application/json", enc.encode(`{"result":{"alisp_code":200},"request_id":"r"}`), { simplify: true });
  const xml = decodeResponse(LIANBEI, 200, "text/xml", enc.encode(`<alibaba_alisports_lianbei_order_notice_response><result><alisp_code>200</alisp_code></result><request_id>r</request_id></alibaba_alisports_lianbei_order_notice_response>`), { format: "xml", simplify: true });
  assert.deepEqual(xml, json);
  assert.deepEqual(json, { result: { alisp_code: 200 }, request_id: "r" });
});

test("validateParams never throws for params it cannot read: they are issues", () => {
  for (const params of ["not json", "{", { get x() { throw new Error("SECRET"); } }]) {
    const issues = validateParams("aliyun.gsc.funds.flow.notify", params);
    assert.ok(Array.isArray(issues) && issues.length >= 1, JSON.stringify(issues));
    assert.equal(issues[0].path, "params");
    assert.doesNotMatch(JSON.stringify(issues), /SECRET/);
  }
});
