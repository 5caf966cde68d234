// Runs scenario.mjs in one real runtime against the emulator, from a project
// where the packed aligate is installed (cwd). Usage: node runtimes/run.mjs <runtime>
// Runtimes: node-esm, node-cjs, deno, bun, workerd, chromium.
// Binaries come from ALIGATE_BIN (the repo's node_modules/.bin); Chromium is Debian's.
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, writeFileSync, existsSync, mkdirSync, cpSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, extname, resolve, dirname } from "node:path";
import { pathToFileURL } from "node:url";
import { startEmulator, sendJson, TOP_CREDS, RPC_CREDS } from "../test/emulator.mjs";
import { BIG_ID } from "./scenario.mjs";

const runtime = process.argv[2];
const project = process.cwd();
const bin = process.env.ALIGATE_BIN ?? join(project, "node_modules/.bin");
const work = mkdtempSync(join(tmpdir(), `aligate-${runtime}-`));
const LIMIT_MS = 120_000;

const emu = await startEmulator();
// The lianbei call gets a response carrying a 19-digit integer; other calls the default.
const bigResponder = (ctx, res, id) =>
  ctx.api === "alibaba.alisports.lianbei.order.notice" && ctx.verified
    ? sendJson(res, 200, `{"alibaba_alisports_lianbei_order_notice_response":{"result":{"alisp_code":200,"alisp_data":{"auction_id":${BIG_ID}}},"request_id":"${id}"}}`)
    : emu.succeed(ctx, res, id);
emu.next(...Array.from({ length: 4 }, () => bigResponder));
// Each descriptor's builder, client and shortcut, from the installed package: the scenario checks every entry exports them.
const { APIS } = await import(pathToFileURL(join(project, "node_modules/aligate/js/generated/apis.mjs")).href);
const { clientOf } = await import(pathToFileURL(join(project, "node_modules/aligate/js/descriptors.mjs")).href);
const surface = APIS.map((d) => ({ api: d.api, builder: d.builder, client: clientOf(d), shortcut: d.shortcut }));
const cfg = { topUrl: emu.topUrl, rpcUrl: emu.rpcUrl, top: TOP_CREDS, rpc: RPC_CREDS, surface };

function exec(cmd, args, opts = {}) {
  return new Promise((res) => {
    const p = spawn(cmd, args, { cwd: project, ...opts, env: { ...process.env, ALIGATE_SCENARIO: JSON.stringify(cfg), ...opts.env } });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => p.kill("SIGKILL"), LIMIT_MS);
    p.on("error", (e) => {
      clearTimeout(timer);
      res({ code: -1, out, err: `${err}${e.message}` });
    });
    p.on("close", (code) => {
      clearTimeout(timer);
      res({ code, out, err });
    });
  });
}

const lastJson = (text) => {
  const line = text.trim().split("\n").reverse().find((l) => l.startsWith("["));
  return line ? JSON.parse(line) : null;
};

const ESM_ENTRY = `import * as a from "aligate";
import { scenario } from "./runtimes/scenario.mjs";
const cfg = JSON.parse((globalThis.Deno ? Deno.env.get("ALIGATE_SCENARIO") : process.env.ALIGATE_SCENARIO));
console.log(JSON.stringify(await scenario(a, cfg)));
`;

function resolveExport(condition) {
  const pkg = JSON.parse(readFileSync(join(project, "node_modules/aligate/package.json"), "utf8"));
  const target = pkg.exports["."][condition];
  if (typeof target !== "string") throw new Error(`no "${condition}" export condition`);
  return target.replace(/^\.\//, "");
}

async function viaProcess(cmd, args, entryName, entryText, env) {
  writeFileSync(join(project, entryName), entryText);
  const r = await exec(cmd, args, { env });
  const checks = lastJson(r.out);
  if (!checks) throw new Error(`exit ${r.code}; no result.\nstdout: ${r.out.slice(-2000)}\nstderr: ${r.err.slice(-3000)}`);
  return checks;
}

async function nodeCjs() {
  const require = createRequire(join(project, "x.cjs"));
  const resolved = require.resolve("aligate");
  if (!resolved.endsWith("pkg/node.cjs")) throw new Error(`require resolved ${resolved}`);
  return viaProcess(process.execPath, ["entry.cjs"], "entry.cjs", `const a = require("aligate");
import("./runtimes/scenario.mjs").then(async ({ scenario }) => {
  console.log(JSON.stringify(await scenario(a, JSON.parse(process.env.ALIGATE_SCENARIO))));
});
`);
}

async function workerd() {
  // workerd has no package resolver: apply the "workerd" export condition here
  // and list each module of the installed package in the config.
  const entry = resolveExport("workerd");
  // capnp embeds read paths relative to the config: copy every module next to it.
  const modules = [`(name = "worker.mjs", esModule = embed "worker.mjs")`, `(name = "aligate", esModule = embed "shim.mjs")`,
    `(name = "runtimes/scenario.mjs", esModule = embed "runtimes/scenario.mjs")`];
  mkdirSync(join(work, "runtimes"), { recursive: true });
  cpSync(join(project, "runtimes/scenario.mjs"), join(work, "runtimes/scenario.mjs"));
  // Its bare "aligate" import resolves against the module's own name in workerd, so it sits at the root.
  modules.push(`(name = "aligate-proxy.mjs", esModule = embed "node_modules/aligate/js/proxy.mjs")`);
  for (const f of [...new Set([...importGraph(entry), "js/proxy.mjs"])]) {
    const name = `node_modules/aligate/${f}`;
    mkdirSync(dirname(join(work, name)), { recursive: true });
    cpSync(join(project, name), join(work, name));
    if (f !== "js/proxy.mjs") modules.push(`(name = "${name}", ${f.endsWith(".wasm") ? "wasm" : "esModule"} = embed "${name}")`);
  }
  writeFileSync(join(work, "shim.mjs"), `export * from "./node_modules/aligate/${entry}";\n`);
  writeFileSync(join(work, "worker.mjs"), `import * as a from "aligate";
import { createSigningProxy } from "./aligate-proxy.mjs";
import { scenario } from "./runtimes/scenario.mjs";
export default {
  async fetch(request, env) {
    const cfg = JSON.parse(env.SCENARIO);
    const checks = await scenario(a, cfg);
    // The signing proxy inside a Worker: it signs with Worker-held credentials.
    const proxy = createSigningProxy({ token: "worker-operator-token", allow: ["ConfirmDisburse"],
      linkedmall: { ...cfg.rpc, endpoint: cfg.rpcUrl } });
    const r = await proxy(new Request("http://w/api", { method: "POST", headers: { authorization: "Bearer worker-operator-token" },
      body: JSON.stringify({ api: "ConfirmDisburse", params: { BizId: "b", BizUid: "u", LmOrderId: "2" } }) }));
    const j = await r.json();
    checks.push({ name: "signing proxy inside the Worker", ok: r.status === 200 && j.result?.Code === "SUCCESS", detail: JSON.stringify(j).slice(0, 300) });
    return Response.json(checks);
  },
};
`);
  const port = await freePort();
  writeFileSync(join(work, "config.capnp"), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "loopback", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [${modules.join(",\n    ")}],
  compatibilityDate = "2025-09-01",
  bindings = [(name = "SCENARIO", text = ${JSON.stringify(JSON.stringify(cfg))})],
  globalOutbound = "loopback",
);
`);
  const p = spawn(join(bin, "workerd"), ["serve", join(work, "config.capnp")], { cwd: work });
  let err = "";
  p.stderr.on("data", (d) => (err += d));
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/`);
        const text = await r.text();
        if (!r.ok) throw new Error(`HTTP ${r.status}: ${text.slice(0, 500)}\n${err}`);
        return JSON.parse(text);
      } catch (e) {
        if (Date.now() > deadline || p.exitCode !== null) throw new Error(`${e.message}\nworkerd: ${err.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    p.kill("SIGKILL");
  }
}

/** The entry and every package file it imports, relative ones followed (workerd needs each listed). */
function importGraph(entry) {
  const seen = new Set();
  const visit = (f) => {
    if (seen.has(f)) return;
    seen.add(f);
    if (!f.endsWith(".mjs") && !f.endsWith(".js")) return;
    const text = readFileSync(join(project, "node_modules/aligate", f), "utf8");
    for (const m of text.matchAll(/(?:^|[\s;])(?:import|export)\b[^"';]*?from\s*"(\.{1,2}\/[^"]+)"|(?:^|[\s;])import\s*"(\.{1,2}\/[^"]+)"/g)) {
      visit(join(dirname(f), m[1] ?? m[2]));
    }
  };
  visit(entry);
  return [...seen];
}

function freePort() {
  return new Promise((r) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => r(port));
    });
  });
}

const MIME = { ".html": "text/html", ".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };

async function chromium() {
  // A page on 127.0.0.1 importing the package's "browser" entry through an import map.
  const entry = resolveExport("browser");
  const page = `<!doctype html><meta charset="utf-8"><title>aligate</title>
<script type="importmap">{"imports":{"aligate":"/node_modules/aligate/${entry}"}}</script>
<script type="module">
import * as a from "aligate";
import { scenario } from "/runtimes/scenario.mjs";
window.__result = await scenario(a, ${JSON.stringify(cfg)});
</script>`;
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (path === "/") {
      res.writeHead(200, { "content-type": "text/html" });
      return res.end(page);
    }
    const file = resolve(project, "." + path);
    if (!file.startsWith(project) || !existsSync(file)) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const requireRepo = createRequire(join(process.env.ALIGATE_NODE_MODULES ?? join(project, "node_modules"), "x.cjs"));
  const { chromium: pw } = requireRepo("playwright-core");
  const browser = await pw.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  try {
    const tab = await browser.newPage();
    const logs = [];
    tab.on("console", (m) => logs.push(m.text()));
    tab.on("pageerror", (e) => logs.push(String(e)));
    await tab.goto(`http://127.0.0.1:${server.address().port}/`);
    await tab.waitForFunction(() => window.__result, null, { timeout: 60_000 }).catch((e) => {
      throw new Error(`${e.message}\nconsole: ${logs.join("\n")}`);
    });
    return await tab.evaluate(() => window.__result);
  } finally {
    await browser.close();
    server.close();
  }
}

const RUNTIMES = {
  "node-esm": () => viaProcess(process.execPath, ["entry.mjs"], "entry.mjs", ESM_ENTRY),
  "node-cjs": nodeCjs,
  deno: () => viaProcess(join(bin, "deno"), ["run", "--quiet", "--allow-read", "--allow-net=127.0.0.1", "--allow-env", "entry-deno.mjs"],
    "entry-deno.mjs", ESM_ENTRY, { DENO_DIR: join(work, "deno-cache"), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" }),
  bun: () => viaProcess(join(bin, "bun"), ["entry-bun.mjs"], "entry-bun.mjs", ESM_ENTRY, { BUN_INSTALL_CACHE_DIR: join(work, "bun-cache") }),
  workerd,
  chromium,
};

let code = 1;
try {
  if (!RUNTIMES[runtime]) throw new Error(`unknown runtime ${runtime}; one of ${Object.keys(RUNTIMES).join(", ")}`);
  mkdirSync(work, { recursive: true });
  const checks = await RUNTIMES[runtime]();
  for (const c of checks) console.log(`  ${c.ok ? "ok  " : "FAIL"} ${runtime}: ${c.name}${c.ok ? "" : ` — ${c.detail}`}`);
  const verified = emu.seen.filter((s) => s.verified).length;
  console.log(`  ${runtime}: the emulator verified ${verified}/${emu.seen.length} requests independently (node:crypto)`);
  code = checks.length >= 5 && checks.every((c) => c.ok) && verified === emu.seen.length && verified >= 2 ? 0 : 1;
} catch (e) {
  console.log(`  FAIL ${runtime}: ${e.stack ?? e}`);
} finally {
  await emu.close();
}
process.exit(code);
