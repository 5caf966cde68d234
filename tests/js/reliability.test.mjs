// Reliability and secrets: panics become AligateError("internal") and the
// instance keeps working; the host zone never matters; oversized inputs get a
// clear error; no secret appears in any error, dump, log or dry-run output.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { inspect } from "node:util";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as aligate from "aligate";
import { startSandbox } from "aligate/sandbox";
import { startEmulator, sendJson } from "./emulator.mjs";

const { TopClient, LinkedMallClient, AligateError, defaultCredentials, fromCredentialsUri } = aligate;
const node = aligate.default ?? aligate;

test("a panic inside wasm is an AligateError of kind internal, and later calls still work", () => {
  for (let i = 0; i < 2000; i++) {
    assert.throws(() => node.__panicForTest(), (e) => e instanceof AligateError && e.kind === "internal" && /deliberate panic/.test(e.message));
  }
  const top = new TopClient({ appKey: "k", appSecret: "s" });
  for (let i = 0; i < 1000; i++) top.prepare("alibaba.alisports.lianbei.order.notice", { biz_order_id: i });
  assert.equal(aligate.signTop({ a: "1" }, "s", "md5"), "585B98956D9738EDEC5CBD8443F7A228");
});

test("timestamps for a fixed instant are identical under TZ=UTC, Asia/Shanghai and America/Los_Angeles", () => {
  const script = `import { TopClient, LinkedMallClient } from "aligate";
    const at = new Date(Date.UTC(2026, 10, 22, 3, 4, 5));
    const t = new TopClient({ appKey: "k", appSecret: "s" }).prepare("alibaba.alisports.lianbei.order.notice", { biz_order_id: 1 }, { timestamp: at });
    const l = new LinkedMallClient({ accessKeyId: "i", accessKeySecret: "s" }).prepare("ConfirmDisburse", { BizId: "b", BizUid: "u", LmOrderId: "1" }, { timestamp: at, nonce: "n" });
    console.log(JSON.stringify([t.url, l.body, new Date(2026, 0, 1).getTimezoneOffset()]));`;
  const out = {};
  for (const tz of ["UTC", "Asia/Shanghai", "America/Los_Angeles"]) {
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      env: { ...process.env, TZ: tz }, cwd: dirname(fileURLToPath(import.meta.url)), encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    out[tz] = JSON.parse(r.stdout);
  }
  assert.notEqual(out.UTC[2], out["America/Los_Angeles"][2], "the zones really differ");
  assert.equal(out.UTC[0], out["Asia/Shanghai"][0]);
  assert.equal(out.UTC[0], out["America/Los_Angeles"][0]);
  assert.equal(out.UTC[1], out["America/Los_Angeles"][1]);
  assert.ok(out.UTC[0].includes("timestamp=2026-11-22%2011%3A04%3A05"), out.UTC[0]);
  assert.ok(out.UTC[1].includes("Timestamp=2026-11-22T03%3A04%3A05Z"), out.UTC[1]);
});

test("oversized inputs get a clear error quickly, within bounded memory", () => {
  const top = new TopClient({ appKey: "k", appSecret: "s" });
  const sub = (i) => ({ sub_biz_order_id: `S${i}`, auction_id: "A", auction_title: "t", out_item_id: "I", price: 1, freight: 0, amount: 1,
    amount_type: "currency", pay_type: "weixin", currency_type: "yuan", qty: 1, point_grant: 0, uid: `u${i}`, return_point_grant: 0 });
  const huge = { official_funds_record_request: { payments: [{ main_biz_order_id: "M", create_date: "2026-11-22 09:00:00",
    biz_date: "2026-11-22 10:00:00", seller_id: "s", sale_type: "sell", sub_orders: Array.from({ length: 100_000 }, (_, i) => sub(i)) }] } };
  const mem0 = node.__memoryBytes();
  const t0 = Date.now();
  assert.throws(() => top.prepare("aliyun.gsc.funds.flow.notify", huge), (e) => e.kind === "validation" && /exceed the 8388608 bytes/.test(e.message));
  assert.throws(() => top.prepare("alibaba.alisports.lianbei.order.notice", { biz_order_id: 1, note: "x".repeat(10 * 2 ** 20) }),
    (e) => e.kind === "validation" && /exceed/.test(e.message));
  assert.throws(() => top.prepare("alibaba.retail.commission.status.change", { param0: { order_id: "x".repeat(70_000), order_status: 0 } }),
    (e) => e.issues[0].path === "param0.order_id" && /longer than the 65536 bytes/.test(e.issues[0].message));
  assert.ok(Date.now() - t0 < 10_000);
  // 5,000 sub-orders (well inside the cap) validate fine.
  huge.official_funds_record_request.payments[0].sub_orders.length = 5000;
  assert.ok(top.prepare("aliyun.gsc.funds.flow.notify", huge).body.length > 100_000);
  assert.ok(node.__memoryBytes() - mem0 < 64 * 2 ** 20, "wasm memory stays bounded");
  // A 10,000-issue input lists the first 100 and counts the rest.
  huge.official_funds_record_request.payments[0].sub_orders = Array.from({ length: 2000 }, () => ({ pay_type: "x" }));
  assert.throws(() => top.prepare("aliyun.gsc.funds.flow.notify", huge), (e) => e.issues.length === 101 && /more issues not listed/.test(e.issues[100].message));
});

test("no secret in any error, client dump, dry run or sandbox log", async () => {
  const SECRETS = ["app-secret-VALUE", "session-VALUE", "ak-secret-VALUE", "sts-token-VALUE"];
  const texts = [];
  const collect = (x) => {
    texts.push(String(x), inspect(x, { depth: 5, showHidden: true }), JSON.stringify(x) ?? "");
    if (x instanceof Error) texts.push(x.stack ?? "", JSON.stringify({ ...x }));
  };
  const emu = await startEmulator();
  const lines = [];
  const sb = await startSandbox({ appSecret: SECRETS[0], session: SECRETS[1], accessKeySecret: SECRETS[2], securityToken: SECRETS[3], log: (l) => lines.push(l) });
  try {
    for (const endpoint of [emu.topUrl, sb.topEndpoint]) {
      const top = new TopClient({ appKey: "emu-app", appSecret: SECRETS[0], session: SECRETS[1], endpoint, retries: 1, retryBaseDelayMs: 1, timeoutMs: 300 });
      collect(top);
      collect(top.toJSON());
      collect(top.prepare("alibaba.alisports.lianbei.order.notice", { biz_order_id: 1 }, { redact: true }));
      const faults = [
        (c, res) => { res.writeHead(503); res.end("down"); },
        (c, res) => res.socket.destroy(),
        (c, res) => sendJson(res, 200, "{bad"),
        (c, res) => setTimeout(() => res.end(), 1000),
        (c, res) => sendJson(res, 200, { error_response: { code: 7, msg: "limited", sub_msg: "This ban will last 999 more seconds" } }),
      ];
      for (const f of faults) {
        emu.next(f, f);
        await top.lianbeiOrderNotice({ biz_order_id: 1 }).then(collect, collect);
      }
      await top.lianbeiOrderNotice({ biz_order_id: "bad" }).then(collect, collect);
      await top.commissionStatusChange({ param0: { order_id: "1", order_status: 0 } }).then(collect, collect);
    }
    const lm = new LinkedMallClient({ accessKeyId: "sandbox-access-key-id", accessKeySecret: SECRETS[2], securityToken: SECRETS[3], endpoint: sb.linkedmallEndpoint });
    collect(lm);
    collect(lm.toJSON());
    collect(lm.prepare("ConfirmDisburse", { BizId: "b", BizUid: "u", LmOrderId: "1" }, { redact: true }));
    await lm.confirmDisburse({ BizId: "b", BizUid: "u", LmOrderId: "1" }).then(collect, collect);
    await lm.confirmDisburse({ BizId: "b" }).then(collect, collect);
    await new LinkedMallClient({ accessKeyId: "x", accessKeySecret: SECRETS[2], securityToken: SECRETS[3], endpoint: sb.linkedmallEndpoint })
      .confirmDisburse({ BizId: "b", BizUid: "u", LmOrderId: "1" }).then(collect, collect);
    // Credentials sources (issue 20): a failing AssumeRole from a config.json profile, an expired answer from a URI.
    const home = mkdtempSync(join(tmpdir(), "aligate-sweep-"));
    mkdirSync(join(home, ".aliyun"));
    writeFileSync(join(home, ".aliyun", "config.json"), JSON.stringify({ current: "r", profiles: [{ name: "r", mode: "RamRoleArn",
      access_key_id: "sandbox-access-key-id", access_key_secret: SECRETS[2], ram_role_arn: "acs:ram::1:role/r" }] }));
    const chain = defaultCredentials({ env: { HOME: home, ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true" }, stsEndpoint: sb.linkedmallEndpoint });
    collect(chain);
    await new LinkedMallClient({ credentials: chain, endpoint: sb.linkedmallEndpoint, retries: 0 })
      .confirmDisburse({ BizId: "b", BizUid: "u", LmOrderId: "1" }).then(collect, collect);
    const expired = { AccessKeyId: "i", AccessKeySecret: SECRETS[2], SecurityToken: SECRETS[3], Expiration: "2020-01-01T00:00:00Z" };
    await fromCredentialsUri({ uri: "http://127.0.0.1:9/", fetch: async () => new Response(JSON.stringify(expired)) })().then(collect, collect);
    await fromCredentialsUri({ uri: "http://127.0.0.1:9/", fetch: async () => new Response(`{"AccessKeySecret":"${SECRETS[2]}"`) })().then(collect, collect);
    rmSync(home, { recursive: true, force: true });
    try { new TopClient({ appKey: "k", appSecret: SECRETS[0], bogus: 1 }); } catch (e) { collect(e); }
    const cli = join(dirname(fileURLToPath(import.meta.resolve("aligate/package.json"))), "js/cli.mjs");
    const dry = spawnSync(process.execPath, [cli, "call", "ConfirmDisburse", "--param", "BizId=b", "--param", "BizUid=u", "--param", "LmOrderId=1", "--dry-run"],
      { env: { ...process.env, ALIBABA_CLOUD_ACCESS_KEY_ID: "i", ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRETS[2], ALIBABA_CLOUD_SECURITY_TOKEN: SECRETS[3] }, encoding: "utf8" });
    texts.push(dry.stdout, dry.stderr);
  } finally {
    await emu.close();
    await sb.close();
  }
  texts.push(...lines);
  assert.ok(texts.length > 100 && lines.length > 5);
  for (const s of SECRETS) {
    const hit = texts.find((t) => t.includes(s));
    assert.equal(hit, undefined, `secret ${s} leaked in: ${hit?.slice(0, 300)}`);
  }
});
