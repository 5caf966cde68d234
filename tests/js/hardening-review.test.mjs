// Issue 18's hostile review of the packed 0.1.0 (findings by number): each
// test fails on the code the review attacked.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as aligate from "aligate";

const { TopClient, LinkedMallClient, AligateError, decodeResponse } = aligate;
const node = aligate.default ?? aligate;
const __memoryBytes = () => node.__memoryBytes();

const LIANBEI = "alibaba.alisports.lianbei.order.notice";
const TOKEN = "STStokenSECRETvalue456";

class Liar extends Uint8Array {
  constructor(n) {
    super([0x41, 0x41, 0x41, 0x41]);
    this.n = n;
  }
  get length() {
    return this.n;
  }
}
const proxyBytes = (n) => new Proxy(new Uint8Array(4), {
  get(t, k) {
    if (k === "length") return n;
    if (typeof k === "string" && /^\d+$/.test(k)) throw new Error("trap");
    return Reflect.get(t, k);
  },
});

const oneChunk = (chunk, status = 502) => async () =>
  new Response(new ReadableStream({ start(c) { c.enqueue(chunk); c.close(); } }), { status, headers: { "content-type": "text/plain" } });

// Findings 1, 2, 10: bytes crossing into wasm are copied by their internal length.
test("1/2/10: decodeResponse takes exactly the caller's bytes; Proxies and detached buffers are AligateErrors naming body", () => {
  const lm = new LinkedMallClient({ accessKeyId: "akid", accessKeySecret: "AKSECRETsecretVALUE77", securityToken: TOKEN });
  for (let n = 8; n <= 1024; n += 8) {
    lm.prepare("ConfirmDisburse", { BizId: "b", BizUid: "u", LmOrderId: String(n) });
    assert.throws(() => decodeResponse(LIANBEI, 502, "text/plain", new Liar(n)), (e) => {
      assert.equal(e.message, "HTTP 502: AAAA");
      return true;
    });
  }
  const before = __memoryBytes();
  const detached = new Uint8Array(8);
  structuredClone(detached.buffer, { transfer: [detached.buffer] });
  for (const body of [proxyBytes(64 * 1024 * 1024), proxyBytes(16), detached, new Uint16Array(4), [1, 2], "x"]) {
    for (let i = 0; i < 20; i++) {
      assert.throws(() => decodeResponse(LIANBEI, 200, "application/json", body), (e) => {
        assert.ok(e instanceof AligateError, String(e));
        assert.equal(e.kind, "validation");
        assert.equal(e.issues[0].path, "body");
        return true;
      });
    }
  }
  assert.ok(__memoryBytes() - before < 8 * 1024 * 1024, `wasm memory grew ${__memoryBytes() - before} bytes`);
});

test("1/2: an injected fetch's body chunks are copied by their internal length", async () => {
  const lm = new LinkedMallClient({ accessKeyId: "akid", accessKeySecret: "AKSECRETsecretVALUE77", securityToken: TOKEN });
  const mk = (fetch) => new TopClient({ appKey: "12345678", appSecret: "bbbbbbbbbbbbbbbb", endpoint: "http://127.0.0.1:9/router/rest", fetch, retries: 0 });
  for (let n = 8; n <= 512; n += 8) {
    lm.prepare("ConfirmDisburse", { BizId: "b", BizUid: "u", LmOrderId: String(n) });
    await assert.rejects(mk(oneChunk(new Liar(n))).lianbeiOrderNotice({ biz_order_id: 1 }), (e) => {
      assert.equal(e.message, "HTTP 502: AAAA");
      return true;
    });
  }
  const before = __memoryBytes();
  for (let i = 0; i < 20; i++) {
    await assert.rejects(mk(oneChunk(proxyBytes(4 * 1024 * 1024), 200)).lianbeiOrderNotice({ biz_order_id: 1 }), (e) => {
      assert.ok(e instanceof AligateError);
      assert.equal(e.kind, "decode");
      return true;
    });
  }
  assert.ok(__memoryBytes() - before < 8 * 1024 * 1024, `wasm memory grew ${__memoryBytes() - before} bytes`);
  // A Response without a stream whose arrayBuffer() is not an ArrayBuffer.
  const fake = async () => ({ status: 200, headers: new Headers(), body: null, arrayBuffer: async () => ({ length: 1e9 }) });
  await assert.rejects(mk(fake).lianbeiOrderNotice({ biz_order_id: 1 }), (e) => e instanceof AligateError && e.kind === "decode");
});
