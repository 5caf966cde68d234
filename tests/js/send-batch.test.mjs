// `aligate send --batch N` against the sandbox's /router/batch: lines go N per request, each line keeps its own
// answer; an invalid line fails alone; a per-item isp on a write that is not repeat-safe ends in --unknown, and
// the gateway never sees any line twice.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { startSandbox, TEST_CREDENTIALS as C } from "aligate/sandbox";

const pkgDir = dirname(fileURLToPath(import.meta.resolve("aligate/package.json")));
const cli = join(pkgDir, "js", "cli.mjs");
const root = mkdtempSync(join(tmpdir(), "aligate-send-batch-"));
const SESSION = "send-batch-session";
const LIAN = "alibaba.alisports.lianbei.order.notice";
const COMM = "alibaba.retail.commission.status.change";
const NO_CREDS = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TOP_|ALIBABA_CLOUD_|ALIGATE_)/.test(k)));
let sb;
before(async () => (sb = await startSandbox({ session: SESSION, log: () => {} })));
after(async () => {
  await sb.close();
  rmSync(root, { recursive: true, force: true });
});

function send(dir, api, input, extra = []) {
  writeFileSync(join(dir, "in.jsonl"), input);
  const args = [cli, "send", api, "--jsonl", "in.jsonl", "--endpoint", sb.topEndpoint, "--app-key", C.appKey, "--app-secret", C.appSecret,
    "--session", SESSION, "--concurrency", "2", ...extra];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: dir, env: NO_CREDS, stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, err });
    });
  });
}

const records = (dir, name) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), "utf8").split("\n").filter(Boolean) : []);

test("--batch 20: 45 lines in batches, one invalid line failed alone, 19-digit ids exact", async () => {
  const dir = mkdtempSync(join(root, "lian-"));
  const id = (i) => `12345678901234${String(10000 + i)}`;
  const lines = Array.from({ length: 45 }, (_, i) => (i === 29 ? `{"biz_order_id":"not a number"}` : `{"biz_order_id":${id(i)}}`));
  const before = { ...sb.stats.batch };
  const seen = sb.stats.byApi[LIAN] ?? 0;
  const r = await send(dir, LIAN, `${lines.join("\n")}\n`, ["--batch", "20"]);
  assert.equal(r.code, 1, r.err); // the invalid line failed
  const results = records(dir, "in.results.jsonl");
  const failed = records(dir, "in.failed.jsonl").map((l) => JSON.parse(l));
  assert.equal(results.length, 44);
  assert.deepEqual(failed.map((f) => [f.line, f.error.kind]), [[30, "validation"]]);
  for (const l of results) {
    const n = JSON.parse(l).line;
    assert.match(l, new RegExp(`"biz_order_id":"?${id(n - 1)}\\b`), "the id answered is the id sent, exact");
  }
  // Units 1 and 3 went as batches (20 + 5 calls); unit 2 held the invalid line and went line by line.
  assert.equal(sb.stats.batch.requests - before.requests, 2);
  assert.equal(sb.stats.batch.items - before.items, 25);
  assert.equal((sb.stats.byApi[LIAN] ?? 0) - seen, 44, "every valid line reached the gateway once");
});

test("--batch: an isp on one item of a write that is not repeat-safe goes to --unknown, never resent", async () => {
  const dir = mkdtempSync(join(root, "comm-"));
  const lines = Array.from({ length: 10 }, (_, i) => JSON.stringify({ param0: { order_id: `c-${i}`, order_status: 1 } }));
  const seen = sb.stats.byApi[COMM] ?? 0;
  sb.inject({ fault: "isp", item: 3 });
  const r = await send(dir, COMM, `${lines.join("\n")}\n`, ["--batch", "10"]);
  assert.equal(r.code, 1, r.err);
  const unknown = records(dir, "in.unknown.jsonl").map((l) => JSON.parse(l));
  assert.deepEqual(unknown.map((u) => u.line), [4]);
  assert.equal(records(dir, "in.results.jsonl").length, 9);
  assert.equal(records(dir, "in.failed.jsonl").length, 0);
  assert.equal((sb.stats.byApi[COMM] ?? 0) - seen, 10, "each line reached the gateway once");
  // A rerun sends nothing: 9 answered, 1 of unknown outcome left alone.
  const again = await send(dir, COMM, `${lines.join("\n")}\n`, ["--batch", "10"]);
  assert.notEqual(again.code, 0);
  assert.equal((sb.stats.byApi[COMM] ?? 0) - seen, 10);
});

test("--batch is refused for an Aliyun action and outside 1..50", async () => {
  const dir = mkdtempSync(join(root, "flags-"));
  for (const [api, n] of [["ConfirmDisburse", "20"], [LIAN, "0"], [LIAN, "51"], [LIAN, "x"]]) {
    const r = await send(dir, api, "{}\n", ["--batch", n]);
    assert.equal(r.code, 2, `${api} --batch ${n}: ${r.err}`);
    assert.match(r.err, /batch/);
  }
});
