// Mistakes a new user makes: each line after `@ts-expect-error` must fail to compile (tsc reports an unused
// directive otherwise), and only for the reason given (the test also compiles this file without the directives
// and checks each of these lines fails with an error that names the reason). Bases are usage.ts's valid values.
import {
  AligateError, CommissionStatusChangeRequest, ConfirmDisburseRequest, FundsFlowNotifyRequest, LianbeiOrderNoticeRequest,
  unmodelled, validateParams, assumeRole,
} from "aligate";
import { disburse, funds, lm, payment, sub, top } from "./usage.js";

// A value outside the value set.
await top.execute("aliyun.gsc.funds.flow.notify", {
  official_funds_record_request: {
    payments: [{
      ...payment,
      // @ts-expect-error "sel"
      sale_type: "sel",
    }],
  },
});
await top.execute("alibaba.retail.commission.status.change", {
  param0: {
    order_id: "1",
    // @ts-expect-error '0 | 1 | 2 | 0n | 1n | 2n'
    order_status: 5,
  },
});
await top.fundsFlowNotify({
  official_funds_record_request: {
    payments: [{
      ...payment,
      sub_orders: [{
        ...sub,
        // @ts-expect-error "card"
        pay_type: "card",
      }],
    }],
  },
});

// A typo in the API name; a plain string name; a TOP API on the LinkedMall client and the other way round.
// @ts-expect-error notise
await top.execute("alibaba.alisports.lianbei.order.notise", { biz_order_id: 1 });
// @ts-expect-error taobao.time.get
await top.execute("taobao.time.get", {});
const someName: string = "alibaba.alisports.lianbei.order.notice";
// @ts-expect-error type 'keyof TopApis'
await top.execute(someName, { biz_order_id: 1 });
// @ts-expect-error aliyun.gsc.funds.flow.notify
await lm.execute("aliyun.gsc.funds.flow.notify", funds);
// @ts-expect-error ConfirmDisburse
await top.execute("ConfirmDisburse", disburse);

// An unknown field; a typo in a field name.
await lm.execute("ConfirmDisburse", {
  ...disburse,
  // @ts-expect-error BizType
  BizType: "x",
});
await top.execute("alibaba.retail.commission.status.change", {
  param0: {
    order_id: "1",
    order_status: 0,
    // @ts-expect-error outer_order_idd
    outer_order_idd: "o-1",
  },
});

// A missing required field.
await top.execute(
  "alibaba.alisports.lianbei.order.notice",
  // @ts-expect-error LianbeiOrderNoticeParams
  {},
);
await top.execute("alibaba.retail.commission.status.change", {
  // @ts-expect-error order_id
  param0: { order_status: 1 },
});
// @ts-expect-error BizUid
await lm.confirmDisburse({ BizId: "b", LmOrderId: "1" });

// A wrong type: a field, a builder setter, a builder of the other client.
// @ts-expect-error 'boolean' is not assignable to type 'Int64'
await top.lianbeiOrderNotice({ biz_order_id: true });
// @ts-expect-error Argument of type '5'
new CommissionStatusChangeRequest().orderId("1").orderStatus(5);
// @ts-expect-error boolean
new LianbeiOrderNoticeRequest().bizOrderId(true);
// @ts-expect-error "lease"
new FundsFlowNotifyRequest().addPayment({ ...payment, sale_type: "lease" });
// @ts-expect-error number
new ConfirmDisburseRequest().useAnonymousTbAccount(1);
// @ts-expect-error ConfirmDisburseRequest
await top.execute(new ConfirmDisburseRequest());
// @ts-expect-error LianbeiOrderNoticeRequest
await lm.execute(new LianbeiOrderNoticeRequest());

// Options of the other client; the result's literal success code.
// @ts-expect-error session
await lm.execute("ConfirmDisburse", disburse, { session: "s" });
const result = await lm.confirmDisburse(disburse);
// @ts-expect-error "FAIL"
const failed: "FAIL" = result.Code;

// validateParams takes a known name or the explicit door; the door takes a string.
// @ts-expect-error ConfirmDisburze
validateParams("ConfirmDisburze", {});
// @ts-expect-error number
unmodelled(42);

// An error's fields exist only on their kind.
try {
  await lm.confirmDisburse(disburse);
} catch (e) {
  if (e instanceof AligateError) {
    // @ts-expect-error issues
    console_log(e.issues);
    if (e.kind === "network") {
      // @ts-expect-error status
      console_log(e.status);
    }
  }
  // @ts-expect-error unknown
  console_log(e.kind);
}
declare function console_log(v: unknown): void;

// A batch call with a misspelt field; a bare name where the calls go.
// @ts-expect-error sesion
await top.batch([{ api: "alibaba.alisports.lianbei.order.notice", params: { biz_order_id: 1 }, sesion: "s" }]);
// @ts-expect-error readonly TopBatchCall[]
top.prepareBatch("alibaba.alisports.lianbei.order.notice");
// AssumeRole needs the role and the keys that assume it.
// @ts-expect-error roleArn
assumeRole({ credentials: { accessKeyId: "id", accessKeySecret: "s" } });
