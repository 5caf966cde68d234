// The requests both bench scripts time (bench/run.mjs, bench/ab.mjs).
export const COMM = { param0: { order_id: "1234567890123456789", order_status: 1, outer_order_id: "o-1", order_pay_time: "2026-11-22 10:00:00" } };
export const LIAN = { biz_order_id: "1234567890123456789" };
export const CONF = { BizId: "LMALL2019****0009", BizUid: "349***23", LmOrderId: "6012345678901234567" };
const sub = (i) => ({ sub_biz_order_id: `S${i}`, auction_id: `A${i}`, auction_title: "健身月卡 monthly", out_item_id: `I${i}`, price: 9900, freight: 0,
  amount: 9900, amount_type: "currency", pay_type: "alipay", currency_type: "yuan", qty: 1, point_grant: 99, uid: `u${i}`, return_point_grant: 0 });
/** aliyun.gsc.funds.flow.notify with one payment of `n` sub-orders. */
export const FUNDS = (n) => ({ official_funds_record_request: { payments: [{ main_biz_order_id: "M1", create_date: "2026-11-22 09:00:00",
  biz_date: "2026-11-22 10:00:00", seller_id: "gmall", sale_type: "sell", sub_orders: Array.from({ length: n }, (_, i) => sub(i)) }] } });
