// Validation through the JS surface: the shared rule vectors, reference
// examples, numbers from JS (safe, bigint, string, rounded, NaN), builders.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  AligateError, TopClient, LinkedMallClient, validateParams, CommissionStatusChangeRequest, LianbeiOrderNoticeRequest,
  FundsFlowNotifyRequest, ConfirmDisburseRequest,
} from "aligate";

const load = (f) => JSON.parse(readFileSync(new URL(`../vectors/${f}`, import.meta.url), "utf8"));
// A session: commission.status.change needs one (see "a session is required …").
const top = new TopClient({ appKey: "k", appSecret: "s", session: "user-session" });
const lm = new LinkedMallClient({ accessKeyId: "i", accessKeySecret: "s" });
const prep = (api, params) => (api === "ConfirmDisburse" ? lm : top).prepare(api, params);

function issuesOf(fn) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof AligateError, String(e));
    assert.equal(e.kind, "validation");
    assert.equal(e.attempts, 0);
    return e.issues;
  }
  assert.fail("expected a validation error");
}

test("every documented rule reports its exact path", () => {
  for (const c of load("validation.json")) {
    assert.deepEqual(issuesOf(() => prep(c.api, c.params)), c.issues, c.rule);
    assert.deepEqual(validateParams(c.api, c.params), c.issues, c.rule);
  }
});

test("the reference pages' examples validate", () => {
  for (const [api, params] of Object.entries(load("examples.json"))) {
    assert.deepEqual(validateParams(api, params), [], api);
    assert.ok(prep(api, params).url);
  }
});

test("64-bit numbers: safe number, bigint and string reach the wire digit for digit", () => {
  const api = "alibaba.alisports.lianbei.order.notice";
  assert.equal(top.prepare(api, { biz_order_id: 9007199254740991 }).body, "biz_order_id=9007199254740991");
  assert.equal(top.prepare(api, { biz_order_id: 1234567890123456789n }).body, "biz_order_id=1234567890123456789");
  assert.equal(top.prepare(api, { biz_order_id: "9223372036854775807" }).body, "biz_order_id=9223372036854775807");
  assert.equal(top.prepare(api, '{"biz_order_id":1234567890123456789}').body, "biz_order_id=1234567890123456789");
  const p = top.prepare("alibaba.retail.commission.status.change", { param0: { order_id: 1234567890123456789n, order_status: 2n } });
  assert.ok(decodeURIComponent(p.body).includes('"order_id":"1234567890123456789"'), p.body);
});

test("numbers JS already corrupted, fractions, NaN and out-of-range are refused", () => {
  const api = "alibaba.alisports.lianbei.order.notice";
  const cases = [
    [2 ** 53 + 2, /beyond Number.MAX_SAFE_INTEGER/],
    [1.5, /expected an integer, got number 1.5/],
    [NaN, /got number NaN/],
    [Infinity, /got number Infinity/],
    [2n ** 63n, /out of range for a 64-bit integer/],
    [-(2n ** 63n) - 1n, /out of range/],
    [true, /got boolean true/],
    [null, /required field is missing/],
  ];
  for (const [v, re] of cases) {
    const [issue] = issuesOf(() => top.prepare(api, { biz_order_id: v }));
    assert.equal(issue.path, "biz_order_id");
    assert.match(issue.message, re, String(v));
  }
});

test("unknown fields are errors; wrong client is named", () => {
  const [i] = issuesOf(() => top.prepare("alibaba.alisports.lianbei.order.notice", { biz_order_id: 1, bizOrderId: 1 }));
  assert.equal(i.path, "bizOrderId");
  assert.match(i.message, /did you mean biz_order_id/);
  const [j] = issuesOf(() => top.prepare("ConfirmDisburse", {}));
  assert.match(j.message, /LinkedMallClient/);
});

test("a session is required where the descriptor says so; names go to their protocol's client", () => {
  const bare = new TopClient({ appKey: "k", appSecret: "s" });
  const params = { param0: { order_id: "1", order_status: 0 } };
  const [i] = issuesOf(() => bare.prepare("alibaba.retail.commission.status.change", params));
  assert.equal(i.path, "session");
  assert.match(i.message, /needs a user's session/);
  assert.ok(bare.prepare("alibaba.retail.commission.status.change", params, { session: "user-session" }).url);
  const [r] = issuesOf(() => bare.prepare("DescribeRegions", {}));
  assert.equal(r.path, "api");
  assert.match(r.message, /sent by LinkedMallClient/);
  const [t] = issuesOf(() => lm.prepare("taobao.item.get", {}));
  assert.equal(t.path, "api");
  assert.match(t.message, /sent by TopClient/);
});

test("funds flow: every problem at once, in nested paths", () => {
  const issues = validateParams("aliyun.gsc.funds.flow.notify", {
    official_funds_record_request: {
      payments: [{ main_biz_order_id: "m", create_date: "2022-09-23 09:00:00", biz_date: new Date(Date.UTC(2022, 8, 23, 2)),
        seller_id: "s", sale_type: "sell", sub_orders: [{}, { pay_type: "card" }] }],
    },
  });
  const paths = issues.map((i) => i.path);
  assert.ok(paths.includes("official_funds_record_request.payments[0].sub_orders[1].pay_type"), paths.join("\n"));
  assert.ok(paths.includes("official_funds_record_request.payments[0].sub_orders[0].uid"));
  assert.ok(!paths.some((p) => p.endsWith("biz_date")), "a Date converts to GMT+8 wall time");
  assert.equal(issues.length, 28);
});

test("builders: fluent setters, validate(), accepted wherever (api, params) is", () => {
  const b = new CommissionStatusChangeRequest().orderId("1111").orderStatus(0).outerOrderId("o-1");
  assert.equal(b.api, "alibaba.retail.commission.status.change");
  b.validate();
  const p = top.prepare(b, { timestamp: new Date(Date.UTC(2016, 0, 1, 4)) });
  assert.ok(p.url.includes("timestamp=2016-01-01%2012%3A00%3A00"), p.url);
  assert.deepEqual(JSON.parse(decodeURIComponent(p.body.slice("param0=".length))),
    { outer_order_id: "o-1", order_status: 0, order_id: "1111" });
  assert.ok(new LianbeiOrderNoticeRequest().bizOrderId(1234567890123456789n).validate() === undefined);
  const bad = new FundsFlowNotifyRequest().addPayment({ main_biz_order_id: "m" });
  assert.ok(issuesOf(() => bad.validate()).length > 3);
  const cd = new ConfirmDisburseRequest().bizId("b").bizUid("u").lmOrderId("1").useAnonymousTbAccount(true);
  assert.ok(lm.prepare(cd, { nonce: "x" }).body.includes("UseAnonymousTbAccount=true"));
  assert.deepEqual(cd.toJSON(), { BizId: "b", BizUid: "u", LmOrderId: "1", UseAnonymousTbAccount: true });
  // A value that cannot become JSON throws at the setter, and the builder keeps what it had.
  const cyclic = {};
  cyclic.self = cyclic;
  const f = new FundsFlowNotifyRequest();
  assert.throws(() => f.addPayment(cyclic), (e) => e instanceof AligateError && e.kind === "validation" && /circular/.test(e.message));
  assert.deepEqual(f.toJSON(), {});
  assert.throws(() => top.prepare(new LianbeiOrderNoticeRequest()), (e) => e instanceof AligateError && e.issues[0].path === "biz_order_id");
});

test("client options are checked", () => {
  assert.throws(() => new TopClient({ appKey: "k" }), (e) => e.kind === "validation" && e.issues[0].path === "options.appSecret");
  assert.throws(() => new TopClient({ appKey: "k", appSecret: "s", signMthod: "md5" }), /signMthod: unknown option/);
  assert.throws(() => new TopClient({ appKey: "k", appSecret: "s", signMethod: "sha1" }), /expected one of md5, hmac, hmac-sha256/);
  assert.throws(() => new LinkedMallClient({ accessKeyId: "i", accessKeySecret: "s", httpMethod: "PUT" }), /GET or POST/);
  assert.throws(() => top.prepare("alibaba.alisports.lianbei.order.notice", { biz_order_id: 1 }, { timestamp: "2016-01-01T12:00:00" }), /GMT\+8/);
});

test("the module survives any garbage input (no panic kills the instance)", () => {
  const junk = [undefined, null, 0, "", "{", "[]", [], [[[]]], { param0: [] }, { official_funds_record_request: { payments: "x" } },
    { official_funds_record_request: { payments: [null, 1, "s", { sub_orders: [[], {}] }] } }, { "\u0000": "\u0000NaN" },
    "x".repeat(70000), { biz_order_id: "1".repeat(1000) }];
  for (const api of ["alibaba.retail.commission.status.change", "alibaba.alisports.lianbei.order.notice", "aliyun.gsc.funds.flow.notify", "ConfirmDisburse", "x.y", ""]) {
    for (const j of junk) {
      try {
        prep(api, j);
      } catch (e) {
        assert.ok(e instanceof AligateError, `${api} ${String(j).slice(0, 20)}: ${e}`);
      }
    }
  }
  assert.ok(top.prepare("alibaba.alisports.lianbei.order.notice", { biz_order_id: 1 }).body);
});
