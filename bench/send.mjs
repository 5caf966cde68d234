#!/usr/bin/env node
// npm run bench (after bench/run.mjs): `aligate send` beside a bare fetch loop,
// both against one minimal node:http server (its own process), same run, same
// concurrency. Then the peak RSS of a send of 10^5 and of 10^6 lines. Appends
// its section to bench/results.md. Nothing here asserts.
//   node bench/send.mjs [--quick] [--lines N] [--rss-only] [--no-rss]
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, writeFileSync, readFileSync, rmSync, existsSync, createWriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const cli = join(root, "js/cli.mjs");
const arg = (name, d) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? d : Number(process.argv[i + 1]);
};
const quick = process.argv.includes("--quick");
const LINES = arg("--lines", 20_000);
const CONC = 32;
const ROUNDS = quick ? 1 : 3;
const API = "alibaba.alisports.lianbei.order.notice";
const CREDS = ["--app-key", "12345678", "--app-secret", "helloworld"];
const ANSWER = JSON.stringify({ alibaba_alisports_lianbei_order_notice_response: { result: { alisp_code: 200, alisp_data: { biz_order_id: "1" } } } });

async function startServer() {
  const p = spawn(process.execPath, [fileURLToPath(import.meta.url), "--server"], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise((resolve) => p.stdout.once("data", (d) => resolve(Number(String(d).trim()))));
  return { url: `http://127.0.0.1:${port}/router/rest`, close: () => p.kill() };
}

const SEP = "\r\n-S-\r\n";
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Bare fetch: `n` precomputed signed requests posted by `CONC` workers; calls/s. */
async function fetchLoop(url, n) {
  const { TopClient } = await import(join(root, "js/node.mjs"));
  const top = new TopClient({ appKey: "12345678", appSecret: "helloworld", endpoint: url });
  const reqs = Array.from({ length: n }, (_, i) => top.prepare(API, { biz_order_id: String(i + 1) }));
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONC }, async () => {
    while (next < n) {
      const p = reqs[next++];
      const res = await fetch(p.url, { method: p.method, headers: p.headers, body: p.body });
      await res.text();
    }
  }));
  return n / ((performance.now() - t0) / 1000);
}

/** `aligate send` of `file` in a fresh directory; wall calls/s (process start to exit), the send phase's, peak RSS. */
function sendRun(url, file, n, extra = []) {
  const dir = mkdtempSync(join(tmpdir(), "aligate-bench-send-"));
  const probe = join(dir, "rss.cjs");
  writeFileSync(probe, `process.on("exit",()=>process.stderr.write("maxrss "+process.resourceUsage().maxRSS+"\\n"))`);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, ["--require", probe, cli, "send", API, "--jsonl", file, "--endpoint", url, "--concurrency", String(CONC), ...CREDS, ...extra],
      { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    p.stderr.on("data", (d) => (err += d));
    p.on("close", (code) => {
      const wall = (performance.now() - t0) / 1000;
      rmSync(dir, { recursive: true, force: true });
      const done = /done: (\d+) ok, (\d+) failed.* in ([\d.]+) s/.exec(err);
      if (code !== 0 || !done || Number(done[1]) !== n) return reject(new Error(`send exited ${code}: ${err.slice(-500)}`));
      resolve({ wall: n / wall, phase: n / Number(done[3]), rssMb: Number(/maxrss (\d+)/.exec(err)[1]) / 1024 });
    });
  });
}

function linesFile(dir, n) {
  const file = join(dir, `lianbei-${n}.jsonl`);
  if (existsSync(file)) return file;
  const out = createWriteStream(file);
  let chunk = "";
  for (let i = 1; i <= n; i++) {
    chunk += `{"biz_order_id":"${1234567890123000000n + BigInt(i)}"}\n`;
    if (chunk.length > 1 << 20) {
      out.write(chunk);
      chunk = "";
    }
  }
  out.end(chunk);
  return new Promise((r) => out.on("finish", () => r(file)));
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), "aligate-bench-lines-"));
  const server = await startServer();
  const md = ["", "## aligate send (bench/send.mjs)", ""];
  try {
    if (!process.argv.includes("--rss-only")) {
      const file = await linesFile(work, LINES);
      await fetchLoop(server.url, 2000); // warm the server and the connection pool
      const f = [];
      const s = [];
      const b = [];
      for (let r = 0; r < ROUNDS; r++) {
        f.push(await fetchLoop(server.url, LINES));
        s.push(await sendRun(server.url, file, LINES));
        b.push(await sendRun(server.url, file, LINES, ["--batch", "20"]));
        console.log(`round ${r + 1}: fetch ${f[r].toFixed(0)} calls/s; send ${s[r].wall.toFixed(0)} calls/s (process start to exit), ${s[r].phase.toFixed(0)} calls/s (sending); send --batch 20 ${b[r].wall.toFixed(0)} records/s`);
      }
      const fm = median(f);
      const sw = median(s.map((x) => x.wall));
      const sp = median(s.map((x) => x.phase));
      const bw = median(b.map((x) => x.wall));
      const bp = median(b.map((x) => x.phase));
      console.log(`aligate send ${LINES} lianbei lines, concurrency ${CONC}: ${sw.toFixed(0)} calls/s (×${(sw / fm).toFixed(2)} of bare fetch ${fm.toFixed(0)}); sending phase ${sp.toFixed(0)} (×${(sp / fm).toFixed(2)})`);
      console.log(`aligate send --batch 20: ${bw.toFixed(0)} records/s (×${(bw / fm).toFixed(2)} of bare single-call fetch); sending phase ${bp.toFixed(0)} (×${(bp / fm).toFixed(2)})`);
      md.push(`| ${LINES} lianbei lines, concurrency ${CONC}, journal on, loopback node:http | calls/s |`, "| --- | --- |",
        `| bare fetch loop, precomputed bodies | ${fm.toFixed(0)} |`,
        `| aligate send, process start to exit | ${sw.toFixed(0)} (×${(sw / fm).toFixed(2)}) |`,
        `| aligate send, sending phase (its "done … in s") | ${sp.toFixed(0)} (×${(sp / fm).toFixed(2)}) |`,
        `| aligate send --batch 20 (records/s), process start to exit | ${bw.toFixed(0)} (×${(bw / fm).toFixed(2)}) |`,
        `| aligate send --batch 20 (records/s), sending phase | ${bp.toFixed(0)} (×${(bp / fm).toFixed(2)}) |`, "");
    }
    if (!process.argv.includes("--no-rss")) {
      const rows = [];
      for (const n of quick ? [10_000, 100_000] : [100_000, 1_000_000]) {
        const r = await sendRun(server.url, await linesFile(work, n), n, ["--concurrency", "64"].slice(2));
        rows.push([n, r.rssMb, r.wall]);
        console.log(`aligate send ${n} lines: peak RSS ${r.rssMb.toFixed(1)} MB (${r.wall.toFixed(0)} calls/s)`);
      }
      md.push("| aligate send, lines | peak RSS | calls/s |", "| --- | --- | --- |", ...rows.map(([n, m, w]) => `| ${n} | ${m.toFixed(1)} MB | ${w.toFixed(0)} |`), "");
    }
  } finally {
    server.close();
    rmSync(work, { recursive: true, force: true });
  }
  const path = join(root, "bench/results.md");
  const old = existsSync(path) ? readFileSync(path, "utf8") : "";
  const cut = old.indexOf("\n## aligate send (bench/send.mjs)");
  writeFileSync(path, (cut < 0 ? old : old.slice(0, cut)).replace(/\n*$/, "\n") + md.join("\n"));
  console.log("appended to bench/results.md");
}

// ── the server: a child process of this same file, so neither contender shares its event loop.
if (process.argv[2] === "--server") {
  const s = createServer((req, res) => {
    // /router/batch: one answer per call part (the #PUBLIC# part is none), joined by the default separator.
    const batch = req.url.startsWith("/router/batch");
    let body = "";
    if (batch) req.on("data", (d) => (body += d));
    else req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json;charset=UTF-8" });
      if (!batch) return res.end(ANSWER);
      const parts = body.split(SEP).filter((p) => !p.startsWith("#PUBLIC#")).length;
      res.end(Array(parts).fill(ANSWER).join(SEP));
    });
  });
  s.keepAliveTimeout = 60_000;
  s.listen(0, "127.0.0.1", () => process.stdout.write(`${s.address().port}\n`));
} else {
  await main();
}
