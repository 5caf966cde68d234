// Every API used correctly, as a user writes it: this must compile (strict, ES2022 lib, no DOM or Node types).
// mistakes.ts holds what must not. Never run: `tsc --noEmit` only.
import {
  AligateError, CommissionStatusChangeRequest, ConfirmDisburseRequest, FundsFlowNotifyRequest, LianbeiOrderNoticeRequest,
  LinkedMallClient, TopClient, decodeResponse, init, modelledApis, protocolOf, signTop, topTimestamp, unmodelled,
  validateParams, validateWire, defaultCredentials, assumeRole, chainCredentials, fromEnv, fromCredentialsUri, fromCliProfile,
} from "aligate";
import type {
  ApiName, Builder, CommissionStatusChangeResult, ConfirmDisburseParams, ConfirmDisburseResult, ErrorKind, FetchLike,
  FundsFlowNotifyParams, FundsFlowNotifyResult, Issue, LianbeiOrderNoticeResult, LinkedMallApis, MainOrderFinanceDTO,
  OptionalMainOrderFinanceDTO, Params, PreparedRequest, Result, SubOrderFinanceDTO, TopApis, Unmodelled,
} from "aligate";
import { createSigningProxy, toNodeHandler } from "aligate/proxy";
import { LIMITS, startSandbox, type Fault } from "aligate/sandbox";

/** Compiles only when A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
export const same = <A, B>(ok: Equal<A, B>): Equal<A, B> => ok;

export const sub: SubOrderFinanceDTO = {
  sub_biz_order_id: "m1-1", auction_id: "A-1", auction_title: "商品", out_item_id: "i1", price: 50, freight: 80n,
  amount: "100", amount_type: "member_point", pay_type: "weixin", currency_type: "yuan", qty: 10, point_grant: 11,
  uid: "p_m1", return_point_grant: 13, return_amount_type: "currency", return_currency_type: "fen",
};
export const payment: MainOrderFinanceDTO = {
  main_biz_order_id: "m1", create_date: "2022-09-23 09:00:00", biz_date: new Date(), seller_id: "gmall",
  sale_type: "sell", sub_orders: [sub],
};
export const funds: FundsFlowNotifyParams = { official_funds_record_request: { payments: [payment], refunds: [{ sale_type: "proxy", sub_orders: [{ uid: "r1" }] }] } };
export const disburse: ConfirmDisburseParams = { BizId: "LMALL2019****0009", BizUid: "349***23", LmOrderId: "6012345678901234567" };

await init();
export const top = new TopClient({ appKey: "k", appSecret: "s", signMethod: "hmac-sha256", retries: 1 });
export const lm = new LinkedMallClient({
  credentials: async () => ({ accessKeyId: "id", accessKeySecret: "secret", expiration: Date.now() + 60_000 }),
  signatureVersion: "v3",
});

// By name: params checked, result typed.
const r1 = await top.execute("aliyun.gsc.funds.flow.notify", {
  official_funds_record_request: {
    payments: [{ ...payment, sale_type: "proxy" }],
    confirms: [{ main_biz_order_id: "m2" }],
  },
});
same<typeof r1, FundsFlowNotifyResult>(true);
export const code: string | undefined = r1.result?.code;
export const requestId: string | undefined = r1.request_id;
const r2 = await top.execute("alibaba.retail.commission.status.change", { param0: { order_id: "1", order_status: 2 } }, { session: "user-session" });
same<typeof r2, CommissionStatusChangeResult>(true);
export const ok: boolean | undefined = r2.s_success;
const r3 = await top.execute("alibaba.alisports.lianbei.order.notice", { biz_order_id: 1234567890123456789n });
export const id: number | string | undefined = r3.result?.alisp_data?.auction_id;
const r4 = await lm.execute("ConfirmDisburse", { ...disburse, UseAnonymouslyTbAccount: false }, { timeoutMs: 5000 });
same<typeof r4, ConfirmDisburseResult>(true);
export const success: "SUCCESS" = r4.Code;
// Exact JSON text (big integers digit for digit).
await top.execute("alibaba.alisports.lianbei.order.notice", '{"biz_order_id":1234567890123456789}');

// Shortcuts.
same<Awaited<ReturnType<TopClient["fundsFlowNotify"]>>, FundsFlowNotifyResult>(true);
await top.fundsFlowNotify(funds);
await top.commissionStatusChange({ param0: { order_id: "1", order_status: 0n, outer_order_id: "o-1", order_pay_time: new Date() } });
same<typeof r3, LianbeiOrderNoticeResult>(true);
await top.lianbeiOrderNotice({ biz_order_id: "1000" });
await lm.confirmDisburse(disburse);

// Builders: typed setters, the result of the builder's API.
const relaxed: OptionalMainOrderFinanceDTO = { seller_id: "gmall" };
const fb = new FundsFlowNotifyRequest().addPayment(payment).payments([payment]).addRefund(relaxed).confirms([{}]);
const rb = await top.execute(fb, { retries: 0 });
same<typeof rb, FundsFlowNotifyResult>(true);
const cb = new CommissionStatusChangeRequest().orderId("1").orderStatus(1).outerOrderId("o-1").orderPayTime("2019-01-01 00:00:00");
const rc = await top.execute(cb);
same<typeof rc, CommissionStatusChangeResult>(true);
top.prepare(new LianbeiOrderNoticeRequest().bizOrderId(1000n), { timestamp: new Date(), redact: true });
const db = new ConfirmDisburseRequest().bizId("b").bizUid("u").lmOrderId("1").useAnonymousTbAccount(false);
db.validate();
export const dbApi: "ConfirmDisburse" = db.api;
const rd = await lm.execute(db);
same<typeof rd, ConfirmDisburseResult>(true);
export const builders: Builder[] = [fb, cb, db];
db.free();

// prepare: the same names, builders and params; a PreparedRequest.
export const prepared: PreparedRequest = lm.prepare("ConfirmDisburse", disburse, { nonce: "n-1", timestamp: 0 });
export const method: "POST" | "GET" = top.prepare("aliyun.gsc.funds.flow.notify", funds, { session: "s" }).method;

// Unmodelled APIs: through the explicit door, any params, a plain object back.
const anyTop: Unmodelled = unmodelled("taobao.time.get");
const u1 = await top.execute(anyTop, { fields: "x" });
same<typeof u1, Record<string, unknown>>(true);
await lm.execute(unmodelled("QueryBizItemList"), { BizId: "b" });
top.prepare(unmodelled("taobao.time.get"));
await top.execute(unmodelled(String(process_name())));
declare function process_name(): string;

// Errors: one union, narrowed by kind.
try {
  await lm.confirmDisburse(disburse);
} catch (e) {
  if (e instanceof AligateError) {
    const kind: ErrorKind = e.kind;
    const common: [boolean, number, string] = [e.retryable, e.attempts, e.message];
    const outcome: "unknown" | "not-applied" | undefined = e.outcome;
    if (e.kind === "validation") {
      const issues: Issue[] = e.issues;
      issues.map((i) => `${i.path}: ${i.message}`);
    } else if (e.kind === "api") {
      const fields: [number, string | undefined, string | undefined] = [e.status, e.code, e.subCode ?? e.recommend];
    } else if (e.kind === "http") {
      const status: number = e.status;
    } else if (e.kind === "decode") {
      const status: number | undefined = e.status;
    } else {
      const rest: "network" | "timeout" | "aborted" | "internal" | "credentials" = e.kind;
    }
    switch (e.kind) {
      case "validation": case "api": case "http": case "network": case "timeout": case "aborted": case "decode":
      case "internal": case "credentials":
        break;
      default: {
        const none: never = e;
      }
    }
  }
}

// Functions and maps.
export const issues: Issue[] = validateParams("ConfirmDisburse", JSON.parse("{}"));
validateParams(unmodelled("taobao.time.get"), {});
validateWire("alibaba.alisports.lianbei.order.notice", { biz_order_id: "1" });
export const names: ApiName[] = modelledApis();
export const protocol: "top" | "aliyun-rpc" | null = protocolOf("anything");
decodeResponse("ConfirmDisburse", 200, "application/json", new Uint8Array(0), { format: "json" });
signTop({ method: "x" }, "secret", "md5");
topTimestamp(0);
same<TopApis["aliyun.gsc.funds.flow.notify"]["params"], FundsFlowNotifyParams>(true);
same<LinkedMallApis["ConfirmDisburse"]["result"], ConfirmDisburseResult>(true);
same<Params<"ConfirmDisburse">, ConfirmDisburseParams | string>(true);
same<Result<"alibaba.alisports.lianbei.order.notice">, LianbeiOrderNoticeResult>(true);
same<keyof LinkedMallApis, "ConfirmDisburse">(true);

// A custom fetch with no DOM types.
const fetchLike: FetchLike = async (url, initArg) => ({
  status: 200, headers: { get: () => "application/json" }, body: null,
  arrayBuffer: async () => new ArrayBuffer(0), text: async () => `${url} ${initArg.method}`,
});
export const custom = new TopClient({ appKey: "k", appSecret: "s", fetch: fetchLike });

// The subpath exports.
const handler = createSigningProxy({ token: "x".repeat(16), allow: ["ConfirmDisburse"], top, linkedmall: { accessKeyId: "a", accessKeySecret: "b" } });
export const nodeHandler = toNodeHandler(handler, { maxBodyBytes: 1024 });
const fault: Fault = { fault: "503", count: 2, api: "ConfirmDisburse" };
const sandbox = await startSandbox({ port: 0, faults: [fault], limits: { params: LIMITS.params } });
export const topEndpoint: string = sandbox.topEndpoint;
await sandbox.close();

// The batch API: builders, names with params and an own session, unmodelled names; outcomes in order.
const outcomes = await top.batch([
  new LianbeiOrderNoticeRequest().bizOrderId(1n),
  { api: "alibaba.retail.commission.status.change", params: { param0: { order_id: "1", order_status: 2 } }, session: "s2" },
  { api: unmodelled("taobao.time.get") },
], { session: "s", batchSize: 20, timeoutMs: 5000 });
for (const o of outcomes) {
  if (o.ok) void o.result;
  else void o.error.retryable;
}
export const preparedBatch: PreparedRequest = top.prepareBatch([{ api: "alibaba.alisports.lianbei.order.notice", params: { biz_order_id: 1 } }], { timestamp: 0, separator: "|s|" });
// Aliyun credentials: the default chain, AssumeRole over it, a hand-made chain.
export const chained = new LinkedMallClient({ credentials: defaultCredentials({ profile: "prod", metadataUrl: "http://127.0.0.1:1" }) });
export const assumed = assumeRole({ credentials: { accessKeyId: "id", accessKeySecret: "s" }, roleArn: "acs:ram::1:role/r", durationSeconds: 900 });
export const mine = chainCredentials([fromEnv({ env: {} }), fromCredentialsUri({ uri: "http://127.0.0.1:1/" }), assumed]);
export const cli = fromCliProfile?.({ home: "/tmp" });
try {
  await mine();
} catch (e) {
  if (e instanceof AligateError && e.kind === "credentials") {
    const why: (string | boolean | undefined)[] = [e.source, e.found, ...(e.sources ?? []).map((s) => s.reason)];
    void why;
  }
}
