// Issue 17, core items seen from JS (the native proof is tests/hardening_core.rs):
// repeat safety without dedupe keys (9), huge TOP bans (10), endpoints (12),
// control characters in v3 headers (6).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { TopClient, LinkedMallClient, AligateError } from "aligate";
import { startEmulator, sendJson, TOP_CREDS, RPC_CREDS } from "./emulator.mjs";

let emu;
before(async () => (emu = await startEmulator()));
after(() => emu.close());

const FAST = { retries: 2, retryBaseDelayMs: 5 };
const top = (o = {}) => new TopClient({ ...TOP_CREDS, endpoint: emu.topUrl, ...FAST, ...o });
const CONFIRM = { BizId: "b", BizUid: "u", LmOrderId: "1" };
const SUB = { sub_biz_order_id: "s1", auction_id: "a", auction_title: "t", out_item_id: "o", price: 1, freight: 0,
  amount: 1, amount_type: "currency", pay_type: "alipay", currency_type: "yuan", qty: 1, point_grant: 0,
  return_point_grant: 0, uid: "p_1" };
const MAIN = { main_biz_order_id: "m1", create_date: "2022-09-23 09:00:00", biz_date: "2022-09-23 10:00:00",
  seller_id: "gmall", sale_type: "sell" };

async function rejects(promise) {
  const err = await promise.then(() => assert.fail("expected a failure"), (e) => e);
  assert.ok(err instanceof AligateError, String(err));
  return err;
}

function refused(fn, path, secret) {
  let err;
  try { fn(); } catch (e) { err = e; }
  assert.ok(err instanceof AligateError, `expected a validation error, got ${err}`);
  assert.equal(err.kind, "validation");
  assert.equal(err.issues[0].path, path);
  if (secret) assert.ok(!JSON.stringify({ m: err.message, i: err.issues }).includes(secret));
}

test("funds.flow.notify: a confirm without sub_orders makes the call unsafe; a 503 is not retried", async () => {
  const status503 = (ctx, res) => { res.writeHead(503, { "content-type": "text/html" }); res.end("down"); };
  emu.reset(); emu.next(status503, status503, status503);
  const params = { official_funds_record_request: { payments: [{ ...MAIN, sub_orders: [SUB] }], confirms: [{ main_biz_order_id: "m2" }] } };
  const err = await rejects(top().fundsFlowNotify(params));
  assert.equal(err.retryable, false);
  assert.equal(emu.seen.length, 1);
});

test("TOP code 7 with a huge or unreadable ban is not retried", async () => {
  for (const s of ["18446744073709552", "99999999999999999999", "3.5", ""]) {
    emu.reset();
    emu.next(...Array.from({ length: 3 }, () => (ctx, res) => sendJson(res, 200, { error_response: { code: 7, msg: "App Call Limited", sub_msg: `This ban will last ${s} more seconds` } })));
    const err = await rejects(top().execute("alibaba.alisports.lianbei.order.notice", { biz_order_id: 1 }));
    assert.equal(err.retryable, false, s);
    assert.equal(emu.seen.length, 1, s);
  }
});

test("endpoints with a fragment, a query or userinfo are refused at options.endpoint", () => {
  for (const endpoint of [`${emu.topUrl}#x`, `${emu.topUrl}?a=1`, "http://u:p@127.0.0.1:9/router/rest", "http://127.0.0.1:9\\@x/"]) {
    refused(() => new TopClient({ ...TOP_CREDS, endpoint }).prepare("alibaba.alisports.lianbei.order.notice", { biz_order_id: 1 }), "options.endpoint");
  }
  const p = new TopClient({ ...TOP_CREDS, endpoint: `${emu.topUrl}?` }).prepare("alibaba.alisports.lianbei.order.notice", { biz_order_id: 1 });
  assert.equal(p.url.split("?").length, 2);
});

test("v3: a TAB or LF in any header-bound option is a validation error naming it, never a header", () => {
  const lm = (o) => new LinkedMallClient({ ...RPC_CREDS, endpoint: emu.rpcUrl, signatureVersion: "v3", ...o });
  for (const c of ["\t", "\n", "\r", "\0", "\u0085", "\u2028"]) {
    const evil = `tok${c}x-evil:1`;
    refused(() => lm({ securityToken: evil }).prepare("ConfirmDisburse", CONFIRM), "options.securityToken", evil);
    refused(() => lm({ accessKeyId: `id${c}x` }).prepare("ConfirmDisburse", CONFIRM), "options.accessKeyId", `id${c}x`);
    refused(() => lm({ version: `2018${c}x` }).prepare("Describe", {}), "options.version");
    refused(() => lm({}).prepare(`Confirm${c}Disburse`, CONFIRM), "api");
    refused(() => lm({}).prepare("ConfirmDisburse", CONFIRM, { nonce: `n${c}rest` }), "options.nonce");
  }
});

test("a control character or a bad endpoint in the options fails at construction, naming the option", () => {
  const cases = [
    [() => new TopClient({ appKey: "k\tx", appSecret: "s" }), "options.appKey"],
    [() => new TopClient({ appKey: "k", appSecret: "s", session: "se\nssion-SECRET" }), "options.session"],
    [() => new TopClient({ appKey: "k", appSecret: "s", endpoint: "http://127.0.0.1/router/rest#x" }), "options.endpoint"],
    [() => new LinkedMallClient({ ...RPC_CREDS, securityToken: "tok\tx-evil:1-SECRET" }), "options.securityToken"],
    [() => new LinkedMallClient({ ...RPC_CREDS, version: "2018-01-16\r\nx: 1" }), "options.version"],
    [() => new LinkedMallClient({ ...RPC_CREDS, endpoint: "http://user:pw@127.0.0.1/" }), "options.endpoint"],
  ];
  for (const [make, path] of cases) {
    let err;
    try { make(); } catch (e) { err = e; }
    assert.ok(err instanceof AligateError, `${path}: ${err}`);
    assert.equal(err.kind, "validation");
    assert.ok(err.issues.some((i) => i.path === path), JSON.stringify(err.issues));
    assert.doesNotMatch(JSON.stringify({ ...err, m: err.message }), /SECRET|evil/);
  }
});
