// Real calls over HTTP to the emulator on 127.0.0.1: every API, every sign
// method, both Aliyun HTTP methods, JSON/XML/simplify, 19-digit ids.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { TopClient, LinkedMallClient, LianbeiOrderNoticeRequest, AligateError } from "aligate";
import { startEmulator, sendJson, TOP_CREDS, RPC_CREDS } from "./emulator.mjs";

const examples = JSON.parse(readFileSync(new URL("../vectors/examples.json", import.meta.url), "utf8"));
const TOP_APIS = ["alibaba.retail.commission.status.change", "alibaba.alisports.lianbei.order.notice", "aliyun.gsc.funds.flow.notify"];
let emu;
before(async () => (emu = await startEmulator()));
after(() => emu.close());

test("all three TOP APIs succeed with every sign method; the emulator verified each", async () => {
  for (const signMethod of ["md5", "hmac", "hmac-sha256"]) {
    const top = new TopClient({ ...TOP_CREDS, signMethod, endpoint: emu.topUrl, session: "user-session" });
    for (const api of TOP_APIS) {
      emu.reset();
      const r = await top.execute(api, examples[api]);
      assert.equal(emu.seen.length, 1);
      assert.deepEqual(emu.seen[0].problems, [], `${signMethod} ${api}`);
      assert.equal(emu.seen[0].params.session, "user-session");
      assert.match(r.request_id, /^emu-/);
    }
  }
});

test("named methods, builders, XML and simplify decode to the documented fields", async () => {
  // commission.status.change needs a user's session (its descriptor says so).
  const top = new TopClient({ ...TOP_CREDS, endpoint: emu.topUrl, signMethod: "hmac", session: "user-session" });
  const c = await top.commissionStatusChange(examples["alibaba.retail.commission.status.change"]);
  assert.equal(c.s_success, true);
  assert.equal(c.data, true);
  const f = await top.fundsFlowNotify(examples["aliyun.gsc.funds.flow.notify"]);
  assert.deepEqual(f.result, { code: "00000000", message: "成功" });
  const l = await top.execute(new LianbeiOrderNoticeRequest().bizOrderId(1000));
  assert.equal(l.result.alisp_data.biz_order_id, "1000");
  const xml = new TopClient({ ...TOP_CREDS, endpoint: emu.topUrl, format: "xml", session: "user-session" });
  const x = await xml.lianbeiOrderNotice({ biz_order_id: "1234567890123456789" });
  assert.equal(x.result.alisp_code, 200);
  assert.equal(x.result.alisp_data.biz_order_id, "1234567890123456789");
  assert.equal(x.result.alisp_data.auction_id, 10000);
  const xc = await xml.commissionStatusChange(examples["alibaba.retail.commission.status.change"]);
  assert.equal(xc.s_success, true);
  const simple = new TopClient({ ...TOP_CREDS, endpoint: emu.topUrl, simplify: true });
  const s = await simple.lianbeiOrderNotice({ biz_order_id: 7 });
  assert.equal(s.result.alisp_code, 200);
});

test("ConfirmDisburse succeeds over POST and GET, JSON and XML, with an STS token", async () => {
  for (const httpMethod of ["POST", "GET"]) {
    for (const format of ["json", "xml"]) {
      emu.reset();
      const lm = new LinkedMallClient({ ...RPC_CREDS, endpoint: emu.rpcUrl, httpMethod, format });
      const r = await lm.confirmDisburse(examples.ConfirmDisburse);
      assert.equal(r.Code, "SUCCESS");
      assert.match(r.RequestId, /^emu-/);
      const seen = emu.seen[0];
      assert.deepEqual(seen.problems, [], `${httpMethod} ${format}`);
      assert.equal(seen.method, httpMethod);
      assert.equal(seen.params.SecurityToken, RPC_CREDS.securityToken);
      assert.equal(seen.params.UseAnonymousTbAccount, "false");
    }
  }
  const lm = new LinkedMallClient({ ...RPC_CREDS, endpoint: emu.rpcUrl });
  assert.equal((await lm.execute("ConfirmDisburse", examples.ConfirmDisburse)).Code, "SUCCESS");
});

test("a 19-digit id in a response comes back digit for digit (as a decimal string)", async () => {
  const top = new TopClient({ ...TOP_CREDS, endpoint: emu.topUrl });
  emu.next((ctx, res) =>
    sendJson(res, 200, `{"alibaba_alisports_lianbei_order_notice_response":{"result":{"alisp_code":200,` +
      `"alisp_data":{"auction_id":1234567890123456789,"sku_id":9223372036854775807,"tf":-9223372036854775808,"buy_amount":2}},"request_id":"r"}}`));
  const r = await top.lianbeiOrderNotice({ biz_order_id: 1n });
  assert.equal(r.result.alisp_data.auction_id, "1234567890123456789");
  assert.equal(r.result.alisp_data.sku_id, "9223372036854775807");
  assert.equal(r.result.alisp_data.tf, "-9223372036854775808");
  assert.equal(r.result.alisp_data.buy_amount, 2);
});

test("business errors: TOP error_response and ConfirmDisburse Code ≠ SUCCESS are api errors", async () => {
  const top = new TopClient({ ...TOP_CREDS, endpoint: emu.topUrl, retries: 0 });
  emu.next((ctx, res) => sendJson(res, 200, { error_response: { code: 50, msg: "Remote service error", sub_code: "isv.invalid-parameter", sub_msg: "非法参数", request_id: "rq" } }));
  await assert.rejects(top.lianbeiOrderNotice({ biz_order_id: 1 }), (e) => {
    assert.ok(e instanceof AligateError);
    assert.deepEqual([e.kind, e.code, e.msg, e.subCode, e.subMsg, e.requestId, e.retryable, e.attempts],
      ["api", "50", "Remote service error", "isv.invalid-parameter", "非法参数", "rq", false, 1]);
    return true;
  });
  const lm = new LinkedMallClient({ ...RPC_CREDS, endpoint: emu.rpcUrl });
  emu.next((ctx, res) => sendJson(res, 200, { Code: "ORDER_STATUS_ERROR", Message: "订单状态错误", RequestId: "R1" }));
  await assert.rejects(lm.confirmDisburse(examples.ConfirmDisburse), (e) => {
    assert.deepEqual([e.kind, e.code, e.apiMessage, e.requestId, e.status], ["api", "ORDER_STATUS_ERROR", "订单状态错误", "R1", 200]);
    return true;
  });
  emu.next((ctx, res) => sendJson(res, 404, { RequestId: "R2", HostId: "linkedmall.aliyuncs.com", Code: "InvalidAccessKeyId.NotFound", Message: "Specified access key is not found.", Recommend: "https://x" }));
  await assert.rejects(lm.confirmDisburse(examples.ConfirmDisburse), (e) => {
    assert.deepEqual([e.kind, e.code, e.hostId, e.recommend, e.status, e.retryable], ["api", "InvalidAccessKeyId.NotFound", "linkedmall.aliyuncs.com", "https://x", 404, false]);
    return true;
  });
});

test("a wrong secret is caught by the emulator's independent check", async () => {
  const top = new TopClient({ ...TOP_CREDS, appSecret: "wrong", endpoint: emu.topUrl });
  await assert.rejects(top.lianbeiOrderNotice({ biz_order_id: 1 }), (e) => e.kind === "api" && e.code === "25");
  const lm = new LinkedMallClient({ ...RPC_CREDS, accessKeySecret: "wrong", endpoint: emu.rpcUrl });
  await assert.rejects(lm.confirmDisburse(examples.ConfirmDisburse), (e) => e.code === "SignatureDoesNotMatch" && e.status === 400);
});
