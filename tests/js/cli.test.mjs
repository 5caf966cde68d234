// The CLI driven as a user would: spawned processes, a real sandbox process
// on 127.0.0.1, files in a temp directory.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const pkgDir = dirname(fileURLToPath(import.meta.resolve("aligate/package.json")));
const cli = join(pkgDir, "js", "cli.mjs");
const dir = mkdtempSync(join(tmpdir(), "aligate-cli-"));
const NO_CREDS = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TOP_|ALIBABA_CLOUD_)/.test(k)));

function run(args, { env = {}, input, timeout = 60_000 } = {}) {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [cli, ...args], { cwd: dir, env: { ...NO_CREDS, ...env } });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => p.kill("SIGKILL"), timeout);
    p.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    if (input !== undefined) p.stdin.end(input);
    else p.stdin.end();
  });
}

let sandbox;
let sandboxUrl;
before(async () => {
  sandbox = spawn(process.execPath, [cli, "sandbox", "--port", "0"], { cwd: dir, env: NO_CREDS });
  sandboxUrl = await new Promise((resolve, reject) => {
    let err = "";
    const timer = setTimeout(() => reject(new Error(`sandbox did not start: ${err}`)), 20_000);
    sandbox.stderr.on("data", (d) => {
      err += d;
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
});
after(() => {
  sandbox.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
});

const TOP_ENV = () => ({ TOP_APP_KEY: "sandbox-app-key", TOP_APP_SECRET: "sandbox-app-secret", TOP_SESSION: "sandbox-session" });
const fault = (body) => fetch(`${sandboxUrl}/__sandbox/faults`, { method: "POST", body: JSON.stringify(body) });

test("--help for every command", async () => {
  for (const cmd of [[], ["call"], ["send"], ["sandbox"], ["demo"]]) {
    const r = await run([...cmd, "--help"]);
    assert.equal(r.code, 0, cmd.join(" "));
    assert.match(r.stdout, /Usage|aligate (call|send|sandbox|demo)/);
  }
});

test("clear messages for user errors", async () => {
  const cases = [
    [["frobnicate"], /unknown command frobnicate/],
    [["call"], /call needs an API name/],
    [["call", "alibaba.alisports.lianbei.order.notice", "--param", "biz_order_id"], /bad --param "biz_order_id": expected key=value/],
    [["call", "alibaba.alisports.lianbei.order.notice", "--json", "missing.json"], /cannot read missing.json: ENOENT/],
    [["call", "alibaba.alisports.lianbei.order.notice", "--endpoint", "http://127.0.0.1:9/router/rest"], /missing credentials.*TOP_APP_KEY/],
    [["call", "ConfirmDisburse", "--endpoint", "http://127.0.0.1:9/"], /ALIBABA_CLOUD_ACCESS_KEY_ID/],
    [["call", "x", "--bogus"], /unknown option --bogus/],
    [["send", "aliyun.gsc.funds.flow.notify"], /send needs --jsonl file/],
  ];
  for (const [args, re] of cases) {
    const r = await run(args);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.stderr, re);
  }
  const v = await run(["call", "alibaba.alisports.lianbei.order.notice", "--param", "biz_order_id=1.5"]);
  assert.equal(v.code, 1);
  assert.match(v.stderr, /error \(validation\).*\n  biz_order_id: expected an integer/);
});

test("embedded default: no credentials, no endpoint → in-process sandbox; ids stay exact", async () => {
  const r = await run(["call", "alibaba.alisports.lianbei.order.notice", "--param", "biz_order_id=1234567890123456789"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /in-process sandbox/);
  assert.equal(JSON.parse(r.stdout).result.alisp_data.biz_order_id, "1234567890123456789");
  const j = await run(["call", "ConfirmDisburse", "--json", "-"], { input: '{"BizId":"b","BizUid":"u","LmOrderId":6012345678901234567}' });
  assert.equal(j.code, 0, j.stderr);
  assert.equal(JSON.parse(j.stdout).Code, "SUCCESS");
});

test("call against the sandbox process with credentials from the environment and nested params", async () => {
  const r = await run(["call", "alibaba.retail.commission.status.change", "--endpoint", `${sandboxUrl}/router/rest`,
    "--param", "param0.order_id=1111", "--param", "param0.order_status=1", "--sign-method", "hmac"], { env: TOP_ENV() });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).s_success, true);
});

test("--dry-run prints the signed request with credentials redacted", async () => {
  const env = { TOP_APP_KEY: "k", TOP_APP_SECRET: "top-secret-value", TOP_SESSION: "session-secret-value",
    ALIBABA_CLOUD_ACCESS_KEY_ID: "id", ALIBABA_CLOUD_ACCESS_KEY_SECRET: "ak-secret-value", ALIBABA_CLOUD_SECURITY_TOKEN: "sts-secret-value" };
  const t = await run(["call", "alibaba.alisports.lianbei.order.notice", "--param", "biz_order_id=1", "--dry-run"], { env });
  const l = await run(["call", "ConfirmDisburse", "--param", "BizId=b", "--param", "BizUid=u", "--param", "LmOrderId=1", "--dry-run", "--http-method", "GET"], { env });
  for (const r of [t, l]) {
    assert.equal(r.code, 0, r.stderr);
    const all = r.stdout + r.stderr;
    for (const s of Object.values(env).filter((v) => v.includes("secret"))) assert.ok(!all.includes(s), s);
    assert.ok(JSON.parse(r.stdout).url.includes("%2A%2A%2A"));
  }
  assert.ok(JSON.parse(t.stdout).url.startsWith("https://gw.api.taobao.com/router/rest?"));
});

test("send: 1,000 funds-flow lines with faults; nothing lost; a rerun sends only the rest", async () => {
  const sub = (i) => ({ sub_biz_order_id: `S${i}`, auction_id: "A", auction_title: "t", out_item_id: "I", price: 1, freight: 0, amount: 1,
    amount_type: "currency", pay_type: "weixin", currency_type: "yuan", qty: 1, point_grant: 0, uid: `u${i}`, return_point_grant: 0 });
  const lines = [];
  for (let i = 1; i <= 1000; i++) {
    const bad = i % 100 === 0; // ten lines the validators refuse
    lines.push(JSON.stringify({ official_funds_record_request: { payments: [{ main_biz_order_id: `M${i}`, create_date: "2026-11-22 09:00:00",
      biz_date: "2026-11-22 10:00:00", seller_id: "gmall", sale_type: bad ? "resell" : "sell", sub_orders: [sub(i)] }] } }));
  }
  writeFileSync(join(dir, "day.jsonl"), lines.join("\n") + "\n");
  await fault([{ fault: "503", count: 15 }, { fault: "malformed", count: 12 }, { fault: "reset", count: 5 }]);
  const before = await (await fetch(`${sandboxUrl}/__sandbox/stats`)).json();
  const args = ["send", "aliyun.gsc.funds.flow.notify", "--jsonl", "day.jsonl", "--endpoint", `${sandboxUrl}/router/rest`, "--concurrency", "8", "--retries", "0"];
  const first = await run(args, { env: TOP_ENV(), timeout: 120_000 });
  assert.equal(first.code, 1, "failures make the exit code non-zero");
  const ok1 = readFileSync(join(dir, "day.results.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const bad1 = readFileSync(join(dir, "day.failed.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const seen = new Set([...ok1, ...bad1].map((r) => r.line));
  assert.equal(ok1.length + bad1.length, 1000);
  assert.equal(seen.size, 1000, "every line is in exactly one file");
  assert.equal(bad1.length, 10 + 15 + 12 + 5);
  assert.equal(bad1.filter((b) => b.error.kind === "validation").length, 10);
  assert.ok(bad1.every((b) => typeof b.params === "string" && b.error.kind));
  assert.match(first.stderr, /done: 958 ok, 42 failed/);
  // Rerun after the faults are gone: only the 42 failed lines are sent (10 are still invalid, never sent).
  const mid = await (await fetch(`${sandboxUrl}/__sandbox/stats`)).json();
  assert.equal(mid.requests - before.requests, 990, "validation failures never reach the server");
  const second = await run(args, { env: TOP_ENV(), timeout: 120_000 });
  const after2 = await (await fetch(`${sandboxUrl}/__sandbox/stats`)).json();
  assert.equal(after2.requests - mid.requests, 32, "only the lines that failed in flight are resent");
  assert.match(second.stderr, /958 skipped/);
  const ok2 = readFileSync(join(dir, "day.results.jsonl"), "utf8").trim().split("\n");
  assert.equal(ok2.length, 990);
  assert.equal(readFileSync(join(dir, "day.failed.jsonl"), "utf8").trim().split("\n").length, 10);
  assert.equal(second.code, 1);
});
