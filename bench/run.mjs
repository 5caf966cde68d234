#!/usr/bin/env node
// npm run bench: aligate beside minimal node:crypto baselines measured in the
// same run, on the packed package installed as a user would. Prints a table and
// writes bench/results.md. Figures are medians over rounds; nothing here asserts.
import { spawnSync, execFileSync } from "node:child_process";
import { createHash, createHmac, randomUUID } from "node:crypto";
import { mkdtempSync, mkdirSync, readdirSync, writeFileSync, readFileSync, statSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, tmpdir, totalmem } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { COMM, LIAN, CONF, FUNDS } from "./requests.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const quick = process.argv.includes("--quick");
const ROUNDS = quick ? 3 : 9;
const OPS = quick ? 20_000 : 100_000;

// ── the packed package, installed into an empty project ─────────────────────
const work = mkdtempSync(join(tmpdir(), "aligate-bench-"));
execFileSync("npm", ["pack", "--silent", "--pack-destination", work], { cwd: root });
const tgz = readdirSync(work).find((f) => f.endsWith(".tgz"));
const project = join(work, "project");
mkdirSync(project);
writeFileSync(join(project, "package.json"), '{"name":"bench","private":true}');
execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", join(work, tgz)], { cwd: project });
const require = createRequire(join(project, "index.cjs"));
const a = require("aligate");
const pkgDir = dirname(require.resolve("aligate/package.json"));

const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

/**
 * µs/op, median of ROUNDS rounds of OPS calls, the two contenders interleaved
 * per round; and the ratio as the median of each round's ratio (pairing
 * cancels the VM's drift between rounds).
 */
function duel(fa, fb, ops = OPS) {
  const ta = [];
  const tb = [];
  for (let w = 0; w < ops / 5; w++) {
    fa(w);
    fb(w);
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const [f, out] of r % 2 ? [[fa, ta], [fb, tb]] : [[fb, tb], [fa, ta]]) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < ops; i++) f(i);
      out.push(Number(process.hrtime.bigint() - t0) / 1e3 / ops);
    }
  }
  return [median(ta), median(tb), median(ta.map((t, i) => t / tb[i]))];
}

// ── baselines: node:crypto, same signed request, no validation ─────────────
const gmt8 = (ms) => new Date(ms + 8 * 3600e3).toISOString().slice(0, 19).replace("T", " ");
function topBaseline(method, biz, secret, signMethod, session) {
  const sys = { app_key: "12345678", format: "json", method, sign_method: signMethod, timestamp: gmt8(Date.now()), v: "2.0" };
  if (session) sys.session = session;
  const wire = {};
  for (const k in biz) wire[k] = typeof biz[k] === "object" ? JSON.stringify(biz[k]) : String(biz[k]);
  const all = { ...sys, ...wire };
  const s = Object.keys(all).sort().map((k) => k + all[k]).join("");
  const sign = signMethod === "md5"
    ? createHash("md5").update(secret + s + secret).digest("hex").toUpperCase()
    : createHmac(signMethod === "hmac" ? "md5" : "sha256", secret).update(s).digest("hex").toUpperCase();
  return { method: "POST", url: `https://gw.api.taobao.com/router/rest?${new URLSearchParams({ ...sys, sign })}`,
    headers: { "content-type": "application/x-www-form-urlencoded;charset=utf-8" }, body: new URLSearchParams(wire).toString() };
}
const pe = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
function rpcBaseline(biz, secret) {
  const p = { AccessKeyId: "testid", Action: "ConfirmDisburse", Format: "JSON", SignatureMethod: "HMAC-SHA1", SignatureNonce: randomUUID(),
    SignatureVersion: "1.0", Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"), Version: "2018-01-16", ...biz };
  const canon = Object.keys(p).sort().map((k) => `${pe(k)}=${pe(p[k])}`).join("&");
  const sig = createHmac("sha1", secret + "&").update(`POST&%2F&${pe(canon)}`).digest("base64");
  return { method: "POST", url: "https://linkedmall.aliyuncs.com/", headers: { "content-type": "application/x-www-form-urlencoded;charset=utf-8" },
    body: `Signature=${pe(sig)}&${canon}` };
}

const rows = [];
const row = (what, [ours, base, ratio]) => {
  rows.push({ what, ours, base, ratio });
  console.log(`${what.padEnd(62)} ${ours.toFixed(2).padStart(7)} µs  ${base.toFixed(2).padStart(7)} µs  ×${ratio.toFixed(2)}`);
};
console.log(`${"prepare (median µs/op)".padEnd(62)} ${"aligate".padStart(10)} ${"baseline".padStart(10)}  ratio`);

const SESSION = "bench-session";
const F1 = FUNDS(1);
const F50 = FUNDS(50);

for (const signMethod of ["md5", "hmac", "hmac-sha256"]) {
  const plain = new a.TopClient({ appKey: "12345678", appSecret: "helloworld", signMethod });
  // commission.status.change needs a user's session (apis/*.json): on both sides for it.
  const withSession = new a.TopClient({ appKey: "12345678", appSecret: "helloworld", signMethod, session: SESSION });
  for (const [api, params, builder] of [
    ["alibaba.alisports.lianbei.order.notice", LIAN, () => new a.LianbeiOrderNoticeRequest().bizOrderId(LIAN.biz_order_id)],
    ["alibaba.retail.commission.status.change", COMM, () => new a.CommissionStatusChangeRequest().param0(COMM.param0)],
    ["aliyun.gsc.funds.flow.notify", F1, () => new a.FundsFlowNotifyRequest().addPayment(F1.official_funds_record_request.payments[0])],
  ]) {
    const session = api === "alibaba.retail.commission.status.change" ? SESSION : undefined;
    const top = session ? withSession : plain;
    row(`${api} ${signMethod} (object)`, duel(() => top.prepare(api, params), () => topBaseline(api, params, "helloworld", signMethod, session)));
    const b = builder();
    row(`${api} ${signMethod} (builder)`, duel(() => top.prepare(b), () => topBaseline(api, params, "helloworld", signMethod, session)));
    b.free();
  }
}
const lm = new a.LinkedMallClient({ accessKeyId: "testid", accessKeySecret: "testsecret" });
row("ConfirmDisburse HMAC-SHA1 (object)", duel(() => lm.prepare("ConfirmDisburse", CONF), () => rpcBaseline(CONF, "testsecret")));
const cb = new a.ConfirmDisburseRequest().bizId(CONF.BizId).bizUid(CONF.BizUid).lmOrderId(CONF.LmOrderId);
row("ConfirmDisburse HMAC-SHA1 (builder)", duel(() => lm.prepare(cb), () => rpcBaseline(CONF, "testsecret")));
const top = new a.TopClient({ appKey: "12345678", appSecret: "helloworld" });
row("funds.flow.notify, 50 sub-orders, md5 (validated vs not)",
  duel(() => top.prepare("aliyun.gsc.funds.flow.notify", F50), () => topBaseline("aliyun.gsc.funds.flow.notify", F50, "helloworld", "md5"), OPS / 20));

// The batch API: one signed request of 20 calls beside 20 single prepares (the "baseline" column here; target ratio ≤ 1).
const BATCH20 = Array.from({ length: 20 }, () => ({ api: "aliyun.gsc.funds.flow.notify", params: F1 }));
row("prepareBatch of 20 funds-flow calls vs 20 × single prepare",
  duel(() => top.prepareBatch(BATCH20), () => { for (const c of BATCH20) top.prepare(c.api, c.params); }, OPS / 20));

// ── end to end against the loopback emulator ────────────────────────────────
const emuMod = await import(join(root, "tests/js/emulator.mjs"));
const emu = await emuMod.startEmulator();
const e2e = [];
for (const conc of [1, 32]) {
  const client = new a.TopClient({ ...emuMod.TOP_CREDS, endpoint: emu.topUrl, retries: 0 });
  const until = Date.now() + (quick ? 1000 : 3000);
  let n = 0;
  let failed = 0;
  await Promise.all(Array.from({ length: conc }, async () => {
    while (Date.now() < until) {
      try {
        await client.lianbeiOrderNotice(LIAN);
        n++;
      } catch {
        failed++;
      }
    }
  }));
  emu.reset();
  const secs = (quick ? 1000 : 3000) / 1000;
  e2e.push({ conc, rate: n / secs, failed });
  console.log(`end-to-end lianbei.order.notice, concurrency ${conc}: ${(n / secs).toFixed(0)} calls/s (${failed} failed)`);
}
await emu.close();

// ── cold start: import + instantiate + first signed request ─────────────────
// The three commands alternate (spawn timings on a VM drift); then where the
// time goes, measured inside fresh processes.
const FIRST = `prepare("alibaba.alisports.lianbei.order.notice",{biz_order_id:1})`;
// LinkedMall's first request also draws the nonce (Node: from /dev/urandom).
const FIRST_LM = `prepare("ConfirmDisburse",{BizId:"b",BizUid:"u",LmOrderId:"1"})`;
// The same as script files, which is how a service starts: `node -e` itself
// loads more of Node (node:crypto among it), so it hides what a script pays.
const script = (name, code) => (writeFileSync(join(project, name), code), [name]);
const TOP_FIRST = `const a=require("aligate");new a.TopClient({appKey:"k",appSecret:"s"}).${FIRST}`;
const LM_FIRST = `const a=require("aligate");new a.LinkedMallClient({accessKeyId:"k",accessKeySecret:"s"}).${FIRST_LM}`;
// Node's own share: the same require and import of a one-line package that
// also has `exports` (resolving `exports` loads Node's ESM resolver, ~2 ms; an
// ESM import starts the ESM loader), paid once per process by any such package.
mkdirSync(join(project, "node_modules/probe"), { recursive: true });
writeFileSync(join(project, "node_modules/probe/package.json"),
  JSON.stringify({ name: "probe", exports: { ".": { import: "./probe.mjs", require: "./probe.cjs" } } }));
writeFileSync(join(project, "node_modules/probe/probe.cjs"), "exports.x = 1;");
writeFileSync(join(project, "node_modules/probe/probe.mjs"), "export const x = 1;");
const coldCases = {
  bare: ["-e", "0"],
  probeRequire: ["-e", `require("probe")`],
  probeImport: ["--input-type=module", "-e", `import "probe"`],
  require: ["-e", TOP_FIRST],
  requireLm: ["-e", LM_FIRST],
  import: ["--input-type=module", "-e", `import {TopClient} from "aligate";new TopClient({appKey:"k",appSecret:"s"}).${FIRST}`],
  bareFile: script("bare.cjs", "0"),
  requireFile: script("top.cjs", TOP_FIRST),
  requireLmFile: script("lm.cjs", LM_FIRST),
  phases: ["-e", `const t0=performance.now();const a=require("aligate");const t1=performance.now();` +
    `const c=new a.TopClient({appKey:"k",appSecret:"s"});const t2=performance.now();c.${FIRST};const t3=performance.now();` +
    `process.stdout.write(JSON.stringify([t1-t0,t2-t1,t3-t2]))`],
  compile: ["-e", `const b=require("fs").readFileSync(require.resolve("aligate/package.json").replace("package.json","pkg/aligate_bg.wasm"));` +
    // The time is taken before touching process.stdout: its first use sets up the stream (~2.5 ms).
    `const t0=performance.now();new WebAssembly.Module(b);const t=performance.now()-t0;process.stdout.write(String(t))`],
};
const coldTimes = Object.fromEntries(Object.keys(coldCases).map((k) => [k, []]));
const coldOut = Object.fromEntries(Object.keys(coldCases).map((k) => [k, []]));
for (let i = 0; i < (quick ? 5 : 31); i++) {
  for (const [k, args] of Object.entries(coldCases)) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd: project });
    if (r.status !== 0) throw new Error(String(r.stderr));
    coldTimes[k].push(Number(process.hrtime.bigint() - t0) / 1e6);
    coldOut[k].push(String(r.stdout));
  }
}
const bare = median(coldTimes.bare);
const cold = median(coldTimes.require);
const coldEsm = median(coldTimes.import);
// The overhead is the median of each round's difference to the bare process of
// the same round: pairing cancels the VM's drift between rounds, which moved
// the difference of two separate medians by ±10 ms here.
const paired = (k, bareK = "bare") => median(coldTimes[k].map((t, i) => t - coldTimes[bareK][i]));
const over = { require: paired("require"), requireLm: paired("requireLm"), import: paired("import"),
  probeRequire: paired("probeRequire"), probeImport: paired("probeImport") };
const overFile = { require: paired("requireFile", "bareFile"), requireLm: paired("requireLmFile", "bareFile") };
const phase = (i) => median(coldOut.phases.map((o) => JSON.parse(o)[i]));
const phases = { require: phase(0), client: phase(1), prepare: phase(2), compile: median(coldOut.compile.map(Number)) };
console.log(`cold start: node -e 0 ${bare.toFixed(1)} ms; require+instantiate+prepare ${cold.toFixed(1)} ms (+${over.require.toFixed(1)}); ` +
  `LinkedMall ${median(coldTimes.requireLm).toFixed(1)} ms (+${over.requireLm.toFixed(1)}); import ${coldEsm.toFixed(1)} ms (+${over.import.toFixed(1)})`);
console.log(`  Node's own share (a one-line package with exports): require +${over.probeRequire.toFixed(1)} ms; import +${over.probeImport.toFixed(1)} ms`);
console.log(`  as script files: node bare.cjs ${median(coldTimes.bareFile).toFixed(1)} ms; TOP +${overFile.require.toFixed(1)} ms; LinkedMall +${overFile.requireLm.toFixed(1)} ms`);
console.log(`  inside the process: require("aligate") ${phases.require.toFixed(1)} ms (of which compiling the module ${phases.compile.toFixed(1)} ms), ` +
  `first client ${phases.client.toFixed(1)} ms, first prepare ${phases.prepare.toFixed(1)} ms`);

// ── parsers and validators: time per byte, 1 KB to 4 MB ────────────────────
const { parserRows, parserTable } = await import("./parsers.mjs");
const parsers = parserRows(a);
for (const r of parsers) console.log(`${r.what.padEnd(62)} ${r.ours.map((x) => x.toFixed(2)).join(" / ")} ns/byte`);

// ── memory across 10^6 prepare calls ───────────────────────────────────────
const memTop = new a.TopClient({ appKey: "12345678", appSecret: "helloworld", signMethod: "hmac-sha256", session: SESSION });
const N = quick ? 200_000 : 1_000_000;
for (let i = 0; i < 50_000; i++) memTop.prepare("alibaba.retail.commission.status.change", COMM);
global.gc?.();
const wasm0 = a.__memoryBytes();
const rss0 = process.memoryUsage().rss;
for (let i = 0; i < N; i++) {
  memTop.prepare("alibaba.retail.commission.status.change", COMM);
  if (i % 97 === 0) lm.prepare("ConfirmDisburse", CONF);
  if (i % 1009 === 0) { try { memTop.prepare("aliyun.gsc.funds.flow.notify", {}); } catch {} }
}
global.gc?.();
const wasm1 = a.__memoryBytes();
const rss1 = process.memoryUsage().rss;
console.log(`memory after ${N} prepare calls (post warm-up): wasm ${wasm0 / 1024} KiB → ${wasm1 / 1024} KiB; RSS ${(rss0 / 2 ** 20).toFixed(1)} → ${(rss1 / 2 ** 20).toFixed(1)} MiB`);

// ── size ────────────────────────────────────────────────────────────────────
const gz = (f) => gzipSync(readFileSync(f), { level: 9 }).length;
const wasmFile = join(pkgDir, "pkg/aligate_bg.wasm");
const nodeFiles = ["pkg/aligate_bg.wasm", "pkg/node.cjs", "js/node.mjs"].map((f) => join(pkgDir, f));
const nodeGz = gzipSync(Buffer.concat(nodeFiles.map((f) => readFileSync(f))), { level: 9 }).length;
const size = {
  wasm: statSync(wasmFile).size, wasmGz: gz(wasmFile), glueGz: gz(join(pkgDir, "pkg/node.cjs")), webGlueGz: gz(join(pkgDir, "pkg/aligate.js")),
  nodeGz, tarball: statSync(join(work, tgz)).size,
};
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`size: .wasm ${kb(size.wasm)} (${kb(size.wasmGz)} gzip); Node JS (glue + core) ${kb(size.glueGz)} gzip (web glue ${kb(size.webGlueGz)}); Node entry total ${kb(size.nodeGz)} gzip; tarball ${kb(size.tarball)}`);

// ── results.md ──────────────────────────────────────────────────────────────
const md = [`# aligate benchmark results`, ``,
  `Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on ${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, single thread; ` +
  `medians of ${ROUNDS} interleaved rounds of ${OPS} calls (\`npm run bench\`${quick ? " --quick" : ""}). Baselines are minimal node:crypto builders of the same signed request ` +
  `(sorted concat + createHash/createHmac + URLSearchParams; Aliyun with randomUUID and RFC 3986 encoding), measured in the same run, without validation; each row's ratio is the median of its rounds' ratios.`, ``,
  `| prepare | aligate µs/op | aligate ops/s | baseline µs/op | ratio |`, `| --- | ---: | ---: | ---: | ---: |`,
  ...rows.map((r) => `| ${r.what} | ${r.ours.toFixed(2)} | ${Math.round(1e6 / r.ours).toLocaleString("en")} | ${r.base.toFixed(2)} | ${r.ratio.toFixed(2)} |`), ``,
  `| other | figure |`, `| --- | --- |`,
  ...e2e.map((e) => `| end-to-end calls/s, loopback emulator, concurrency ${e.conc} | ${e.rate.toFixed(0)} (${e.failed} failed) |`),
  `| cold start, \`node -e 0\` | ${bare.toFixed(1)} ms |`,
  `| cold start, require + instantiate + first prepare (+ median paired difference to \`node -e 0\`) | ${cold.toFixed(1)} ms (+${over.require.toFixed(1)} ms) |`,
  `| cold start, ESM import + instantiate + first prepare (same) | ${coldEsm.toFixed(1)} ms (+${over.import.toFixed(1)} ms) |`,
  `| cold start, require + instantiate + first ConfirmDisburse prepare (same) | ${median(coldTimes.requireLm).toFixed(1)} ms (+${over.requireLm.toFixed(1)} ms) |`,
  `| the same as script files (\`node file.cjs\`; \`-e\` preloads node:crypto): bare / + TOP / + ConfirmDisburse | ` +
    `${median(coldTimes.bareFile).toFixed(1)} ms / +${overFile.require.toFixed(1)} ms / +${overFile.requireLm.toFixed(1)} ms |`,
  `| the same for a one-line package with \`exports\` (what Node itself adds for any such package): require / import | +${over.probeRequire.toFixed(1)} ms / +${over.probeImport.toFixed(1)} ms |`,
  `| inside a fresh process: \`require("aligate")\` / first client / first prepare | ${phases.require.toFixed(1)} / ${phases.client.toFixed(1)} / ${phases.prepare.toFixed(1)} ms |`,
  `| of which compiling the .wasm (\`new WebAssembly.Module\`, first in its process) | ${phases.compile.toFixed(1)} ms |`,
  `| wasm memory across ${N.toLocaleString("en")} prepare calls after warm-up | ${wasm0 / 1024} KiB → ${wasm1 / 1024} KiB |`,
  `| RSS across the same calls | ${(rss0 / 2 ** 20).toFixed(1)} → ${(rss1 / 2 ** 20).toFixed(1)} MiB |`,
  `| .wasm | ${kb(size.wasm)} raw, ${kb(size.wasmGz)} gzip |`,
  `| JS: Node entry (glue + core, pkg/node.cjs) / web glue | ${kb(size.glueGz)} / ${kb(size.webGlueGz)} gzip |`,
  `| everything the Node entry loads | ${kb(size.nodeGz)} gzip |`,
  `| packed tarball | ${kb(size.tarball)} |`, ``, ...parserTable(parsers), ``];
writeFileSync(join(root, "bench/results.md"), md.join("\n"));
console.log(`\nwrote bench/results.md`);
rmSync(work, { recursive: true, force: true });
