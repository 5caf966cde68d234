// The same scenario in every runtime: init, a typed builder, prepare, real
// fetch calls (TOP and ConfirmDisburse) to the emulator on 127.0.0.1, a
// 19-digit id decoded exactly, a batch prepared, and a validation error with its path.
export const BIG_ID = "1234567890123456789";

export async function scenario(a, { topUrl, rpcUrl, top: topCreds, rpc: rpcCreds, surface = [] }) {
  const checks = [];
  const check = async (name, fn) => {
    try {
      const detail = await fn();
      checks.push({ name, ok: true, detail });
    } catch (e) {
      checks.push({ name, ok: false, detail: `${e?.name}: ${e?.message}` });
    }
  };
  const must = (cond, msg) => {
    if (!cond) throw new Error(msg);
  };
  await check("init", () => a.init());
  const top = new a.TopClient({ ...topCreds, endpoint: topUrl, signMethod: "hmac-sha256" });
  const lm = new a.LinkedMallClient({ ...rpcCreds, endpoint: rpcUrl });
  await check("builder + prepare", () => {
    const b = new a.LianbeiOrderNoticeRequest().bizOrderId(BigInt(BIG_ID));
    b.validate();
    const p = top.prepare(b);
    must(p.body === `biz_order_id=${BIG_ID}`, p.body);
    must(/sign=[0-9A-F]{64}$/.test(p.url), p.url);
    return p.method;
  });
  await check("TOP call, 19-digit id decoded exactly", async () => {
    const r = await top.lianbeiOrderNotice({ biz_order_id: BigInt(BIG_ID) });
    must(r.result.alisp_data.auction_id === BIG_ID, JSON.stringify(r));
    return r.result.alisp_data.auction_id;
  });
  await check("ConfirmDisburse call", async () => {
    const r = await lm.confirmDisburse({ BizId: "b", BizUid: "u", LmOrderId: BIG_ID });
    must(r.Code === "SUCCESS", JSON.stringify(r));
    return r.RequestId;
  });
  await check("unmodelled(name): the name unchanged, signed as given", () => {
    const name = a.unmodelled("taobao.time.get");
    must(name === "taobao.time.get", String(name));
    const p = top.prepare(name, {});
    must(p.url.includes("method=taobao.time.get"), p.url);
    return name;
  });
  await check("prepareBatch: a builder and an object in one signed /router/batch request", () => {
    const p = top.prepareBatch([new a.LianbeiOrderNoticeRequest().bizOrderId(BigInt(BIG_ID)), { api: "alibaba.alisports.lianbei.order.notice", params: { biz_order_id: 2 } }]);
    must(p.url.includes("/router/batch?") && /sign=[0-9A-F]{64}$/.test(p.url), p.url);
    must(p.body === `#PUBLIC#method=alibaba.alisports.lianbei.order.notice\r\n-S-\r\nbiz_order_id=${BIG_ID}\r\n-S-\r\nbiz_order_id=2`, p.body);
    return p.headers["content-type"];
  });
  await check("validation error with its path", () => {
    try {
      top.prepare("aliyun.gsc.funds.flow.notify", { official_funds_record_request: { payments: [{ sub_orders: [{ pay_type: "card" }] }] } });
    } catch (e) {
      must(e instanceof a.AligateError && e.kind === "validation", String(e));
      const issue = e.issues.find((i) => i.path === "official_funds_record_request.payments[0].sub_orders[0].pay_type");
      must(issue, JSON.stringify(e.issues));
      return issue.message;
    }
    throw new Error("no error");
  });
  // `surface`: each descriptor's builder, client and shortcut (apis/*.json, read by run.mjs).
  await check("every descriptor's builder and shortcut is exported", () => {
    must(surface.length > 0, "no descriptors given");
    for (const { api, builder, client, shortcut } of surface) {
      must(typeof a[builder] === "function", `${builder} (${api}) is not exported`);
      must(typeof a[client]?.prototype?.[shortcut] === "function", `${client}.prototype.${shortcut} (${api}) is missing`);
      must(a.protocolOf(api) === (client === "TopClient" ? "top" : "aliyun-rpc"), `protocolOf(${api}) disagrees with its client`);
      // A builder is made for its API and goes to its client's prepare.
      must(typeof new a[builder]().validate === "function", `new ${builder}() has no validate`);
    }
    return surface.length;
  });
  return checks;
}
