// Signatures: published vectors, and every sign method / HTTP method checked
// against an independent node:crypto computation, on tricky characters.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { signTop, signAliyunRpc, TopClient, LinkedMallClient } from "aligate";
import { topSign, rpcSign } from "./emulator.mjs";

const vectors = JSON.parse(readFileSync(new URL("../vectors/signatures.json", import.meta.url), "utf8"));

test("TOP vectors (published and Python-computed) match aligate and node:crypto", () => {
  for (const c of vectors.top) {
    assert.equal(signTop(c.params, c.secret, c.method), c.expected, c.name);
    assert.equal(topSign(c.params, c.secret, c.method), c.expected, `node:crypto ${c.name}`);
    if (c.published) assert.equal(c.expected, c.published);
  }
});

test("Aliyun RPC vectors match aligate and node:crypto", () => {
  for (const c of vectors.aliyun_rpc) {
    assert.equal(signAliyunRpc(c.params, c.secret, c.http_method), c.expected, c.name);
    assert.equal(rpcSign(c.params, c.secret, c.http_method), c.expected, `node:crypto ${c.name}`);
  }
});

const TRICKY = "中文 a*b~c+d/e&f=g";

test("prepared TOP requests verify under node:crypto for every sign method", () => {
  for (const signMethod of ["md5", "hmac", "hmac-sha256"]) {
    const secret = "s e*c~r+e/t&=密";
    const top = new TopClient({ appKey: "k&=", appSecret: secret, signMethod, session: "sess +/" });
    const p = top.prepare("alibaba.retail.commission.status.change", {
      param0: { order_id: TRICKY, order_status: 1, outer_order_id: "", biz_order_id: " " },
    }, { timestamp: "2026-11-22 11:00:00" });
    const url = new URL(p.url);
    const all = Object.fromEntries([...url.searchParams, ...new URLSearchParams(p.body)]);
    assert.equal(all.timestamp, "2026-11-22 11:00:00");
    assert.equal(all.sign, topSign(all, secret, signMethod), signMethod);
    assert.match(all.param0, /"order_id":"中文 a\*b~c\+d\/e&f=g"/);
    assert.equal(p.headers["content-type"], "application/x-www-form-urlencoded;charset=utf-8");
  }
});

test("unmodelled TOP API with empty values: blanks neither signed nor sent", () => {
  const top = new TopClient({ appKey: "12345678", appSecret: "helloworld", session: "test" });
  const p = top.prepare("taobao.item.seller.get", { fields: "num_iid,title,nick,price,num", num_iid: 11223344, empty: "", blank: "  " },
    { timestamp: "2016-01-01 12:00:00" });
  assert.ok(p.url.includes("sign=66987CB115214E59E6EC978214934FB8"), p.url);
  assert.ok(!p.body.includes("empty") && !p.body.includes("blank"));
});

test("prepared Aliyun requests verify under node:crypto, GET and POST, with STS", () => {
  for (const httpMethod of ["GET", "POST"]) {
    const secret = "k*y~+/&= 秘";
    const lm = new LinkedMallClient({ accessKeyId: "id", accessKeySecret: secret, securityToken: "tok+/=", httpMethod });
    const p = lm.prepare("ConfirmDisburse", { BizId: TRICKY, BizUid: "u", LmOrderId: "6012345678901234567", ThirdPartyUserId: "" },
      { timestamp: "2026-11-22T03:00:00Z", nonce: "n-1" });
    assert.equal(p.method, httpMethod);
    const src = httpMethod === "GET" ? new URL(p.url).search.slice(1) : p.body;
    const all = Object.fromEntries(new URLSearchParams(src));
    assert.equal(all.SecurityToken, "tok+/=");
    assert.equal(all.Signature, rpcSign(all, secret, httpMethod));
    assert.equal(all.BizId, TRICKY);
    assert.equal(all.LmOrderId, "6012345678901234567");
    assert.ok(src.includes("%2A") && src.includes("~") && src.includes("%20"), src);
  }
});
