#!/usr/bin/env node
// node bench/ab.mjs DIR_A DIR_B [ROUNDS]: two builds of aligate (checkouts with
// a built pkg/, e.g. a `git worktree` of another commit) loaded into ONE
// process, their `prepare` timed in alternating rounds. On a noisy VM this
// separates changes of a few percent that two separate `npm run bench` runs
// cannot. Prints medians and B/A (the median of paired rounds); asserts nothing.
// AB_ONLY=text limits it to the cases whose name contains the text.
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { COMM, LIAN, CONF, FUNDS } from "./requests.mjs";

const [dirA, dirB, roundsArg] = process.argv.slice(2);
if (!dirA || !dirB) {
  console.error("usage: node bench/ab.mjs DIR_A DIR_B [ROUNDS]");
  process.exit(2);
}
const require = createRequire(import.meta.url);
const load = (dir) => require(join(resolve(dir), "pkg/node.cjs"));
const ROUNDS = Number(roundsArg ?? 25);
const OPS = 10_000;


// One sub-order, with 19-digit ids.
const FUNDS_1 = {
  official_funds_record_request: {
    payments: [{
      main_biz_order_id: "1234567890123456789", create_date: "2022-09-23 09:00:00", biz_date: "2022-09-23 09:00:00",
      seller_id: "s1", sale_type: "sell",
      sub_orders: [{
        sub_biz_order_id: "9876543210987654321", auction_id: "a1", auction_title: "t", out_item_id: "o1", price: 100,
        freight: 0, amount: 100, amount_type: "currency", pay_type: "alipay", currency_type: "yuan", qty: 1,
        point_grant: 0, uid: "u1", return_point_grant: 0,
      }],
    }],
  },
};

const F50 = FUNDS(50); // the bench's 50-sub-order request (serialisation and validation dominate)

function cases(a) {
  const lm = new a.LinkedMallClient({ accessKeyId: "testid", accessKeySecret: "testsecret" });
  const top = new a.TopClient({ appKey: "12345678", appSecret: "helloworld", signMethod: "hmac-sha256" });
  const md5 = new a.TopClient({ appKey: "12345678", appSecret: "helloworld" });
  // commission.status.change needs a user's session (apis/*.json).
  const sess = new a.TopClient({ appKey: "12345678", appSecret: "helloworld", signMethod: "hmac-sha256", session: "bench-session" });
  const cb = new a.ConfirmDisburseRequest().bizId(CONF.BizId).bizUid(CONF.BizUid).lmOrderId(CONF.LmOrderId);
  return {
    "ConfirmDisburse (builder)": () => lm.prepare(cb),
    "ConfirmDisburse (object)": () => lm.prepare("ConfirmDisburse", CONF),
    "lianbei hmac-sha256 (object)": () => top.prepare("alibaba.alisports.lianbei.order.notice", LIAN),
    "commission hmac-sha256 (object)": () => sess.prepare("alibaba.retail.commission.status.change", COMM),
    "lianbei md5 (object)": () => md5.prepare("alibaba.alisports.lianbei.order.notice", LIAN),
    "funds.flow.notify md5 (object)": () => md5.prepare("aliyun.gsc.funds.flow.notify", FUNDS_1),
    "funds.flow.notify ×50 md5 (object)": () => md5.prepare("aliyun.gsc.funds.flow.notify", F50),
  };
}

const A = cases(load(dirA));
const B = cases(load(dirB));
const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
const time = (f, ops) => {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < ops; i++) f();
  return Number(process.hrtime.bigint() - t0) / ops / 1e3;
};
console.log(`${"prepare (median µs/op)".padEnd(34)} ${"A".padStart(7)} ${"B".padStart(7)}    B/A`);
for (const name of Object.keys(A).filter((n) => n.includes(process.env.AB_ONLY ?? ""))) {
  const ops = name.includes("×50") ? OPS / 20 : OPS;
  const ta = [];
  const tb = [];
  for (let w = 0; w < 2; w++) {
    time(A[name], ops);
    time(B[name], ops);
  }
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2) {
      ta.push(time(A[name], ops));
      tb.push(time(B[name], ops));
    } else {
      tb.push(time(B[name], ops));
      ta.push(time(A[name], ops));
    }
  }
  // B/A is the median of each round's ratio: pairing cancels the VM's drift.
  const [a, b, ratio] = [median(ta), median(tb), median(tb.map((t, i) => t / ta[i]))];
  console.log(`${name.padEnd(34)} ${a.toFixed(2).padStart(7)} ${b.toFixed(2).padStart(7)}   ×${ratio.toFixed(3)}`);
}
