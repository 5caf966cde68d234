#!/usr/bin/env node
// npm test: every suite, one result line each, then a summary. Run after
// scripts/setup.mjs --test and scripts/build.mjs (package.json does both).
// Each suite runs even if an earlier one failed; the exit code is non-zero if any failed.
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, cpSync, readdirSync, readFileSync, rmSync, existsSync, writeFileSync, symlinkSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
process.env.PATH = `${join(homedir(), ".cargo", "bin")}:${process.env.PATH}`;
const only = process.argv.slice(2);
const results = [];

function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd: root, stdio: "inherit", ...opts, env: { ...process.env, ...opts.env } });
    const timer = opts.timeoutMs ? setTimeout(() => p.kill("SIGKILL"), opts.timeoutMs) : null;
    p.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve(code === 0 ? null : `${cmd} ${args.join(" ")} exited ${code ?? signal}`);
    });
    p.on("error", (e) => resolve(`${cmd}: ${e.message}`));
  });
}

/** Runs to the end; resolves to { code, text } with stdout and stderr together. */
/** A command's stdout (empty on failure). */
function captureOut(cmd, args) {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
    let text = "";
    p.stdout.on("data", (d) => (text += d));
    p.on("close", () => resolve(text));
    p.on("error", () => resolve(""));
  });
}

function capture(cmd, args) {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd: root });
    let text = "";
    p.stdout.on("data", (d) => (text += d));
    p.stderr.on("data", (d) => (text += d));
    p.on("close", (code) => resolve({ code, text }));
    p.on("error", (e) => resolve({ code: -1, text: e.message }));
  });
}

async function suite(name, fn) {
  if (only.length && !only.some((o) => name.includes(o))) return;
  console.error(`\n=== ${name}`);
  const t0 = Date.now();
  let failure;
  try {
    failure = await fn();
  } catch (e) {
    failure = e.stack ?? String(e);
  }
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  const line = `${failure ? "FAIL" : "PASS"}  ${name} (${secs} s)${failure ? `: ${failure}` : ""}`;
  results.push(line);
  console.error(line);
}

// The packed package installed into an empty project, as a user would.
let project;
async function installPacked() {
  if (project) return null;
  const dir = mkdtempSync(join(tmpdir(), "aligate-pack-"));
  const err = await run("npm", ["pack", "--silent", "--pack-destination", dir]);
  if (err) return err;
  const tgz = readdirSync(dir).find((f) => f.endsWith(".tgz"));
  const proj = join(dir, "project");
  mkdirSync(proj);
  writeFileSync(join(proj, "package.json"), JSON.stringify({ name: "user-project", private: true, type: "module" }));
  const e2 = await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", join(dir, tgz)], { cwd: proj });
  if (e2) return e2;
  cpSync(join(root, "tests/js"), join(proj, "test"), { recursive: true });
  cpSync(join(root, "tests/vectors"), join(proj, "vectors"), { recursive: true });
  cpSync(join(root, "tests/python"), join(proj, "python"), { recursive: true });
  cpSync(join(root, "tests/runtimes"), join(proj, "runtimes"), { recursive: true });
  // Examples run as a user's code: `aligate` from the project's node_modules (tests/js/queue-consumer.test.mjs).
  cpSync(join(root, "examples/queue-consumer"), join(proj, "examples/queue-consumer"), { recursive: true });
  project = proj;
  return null;
}

const python = join(root, ".tmp/pyenv/bin/python");

// Size is checked, never time. The guard was 72 KB gzip (71.7 measured); the
// hardening of issue 17 (the guarded wasm boundary: catch imports, JsValue
// arguments, option reads that name the option, capped copies; the core's
// control-character, endpoint and signing-time checks) measured 75.1 KB on
// 2026-12-02; linear parsing of hostile bodies (grouping repeated keys by a
// sort, a worst-case O(n log n) sort for the signers, exact-number decisions
// when decoding) 76.5 KB the same day. Issue 18's refactor (models from the
// descriptors, the attempt machine, credentials cache, nonce pool and HTTP
// config in the core, `protocolOf`) took it to 80,336 bytes; messages built
// without core::fmt (−2,005) and an unrolled model search undone (−289) brought
// it to 78,042 bytes (76.2 KB) on 2026-12-04. The fixes of the hostile review
// that day (one scrub of a call's secrets from its errors in every encoding,
// ~1.85 KB of it; error-text escaping; the outcome field; the provider and
// body races) took it to 82,018 bytes (80.1 KB); the core and the binding as
// two crates of one workspace (less inlining before LTO; `#[inline]` on three
// core functions won back 101 bytes) to 82,950 (81.0 KB). This ceiling stops
// growth past 82 KB until the size work wins more back (next: wasm-bindgen's
// hashed import names, measured at −761 bytes). Issue 19's TOP batch API (the
// batch request and its split in the core, the rounds' state machine with its
// per-call retry rules, the `Batch` binding) measured 82,680 → 94,361 bytes
// (`gzip -9c`; 94,602 by this check's zlib: 92.4 KB) on 2026-12-04, after
// keeping core::fmt and the percent-encoding crate's Display out of it: the
// ceiling moves to 93 KB.
const WASM_GZIP_CEILING = 93 * 1024;
await suite(`size: pkg/aligate_bg.wasm ≤ ${WASM_GZIP_CEILING / 1024} KB gzip`, async () => {
  const { gzipSync } = await import("node:zlib");
  const n = gzipSync(readFileSync(join(root, "pkg/aligate_bg.wasm")), { level: 9 }).length;
  console.error(`pkg/aligate_bg.wasm: ${(n / 1024).toFixed(1)} KB gzip`);
  return n > WASM_GZIP_CEILING ? `${n} bytes gzip exceeds ${WASM_GZIP_CEILING}` : null;
});
// Cold start is measured, never asserted; what the build did for it is checked
// (scripts/build.mjs): every export returns at most one value (Node 20 compiles
// a wrapper per multi-value signature when it compiles the module), and every
// JS import declares the parameters of its wasm signature (else V8 compiles an
// arity-mismatch wrapper per signature when it instantiates it).
await suite("shape: single-value exports, imports with matching arity", async () => {
  const { default: binaryen } = await import(join(root, "node_modules/binaryen/index.js"));
  const mod = binaryen.readBinary(readFileSync(join(root, "pkg/aligate_bg.wasm")));
  const bad = [];
  const arity = new Map();
  for (let i = 0; i < mod.getNumFunctions(); i++) {
    const f = binaryen.getFunctionInfo(mod.getFunctionByIndex(i));
    if (f.module) arity.set(f.base, binaryen.expandType(f.params).length);
  }
  for (let i = 0; i < mod.getNumExports(); i++) {
    const e = binaryen.getExportInfo(mod.getExportByIndex(i));
    if (e.kind !== binaryen.ExternalFunction) continue;
    const f = binaryen.getFunctionInfo(mod.getFunction(e.value));
    if (binaryen.expandType(f.results).length > 1) bad.push(`export ${e.name} returns several values`);
  }
  mod.dispose();
  for (const glue of ["pkg/node.cjs", "pkg/aligate.js"]) {
    const text = readFileSync(join(root, glue), "utf8");
    for (const [name, n] of arity) {
      const m = new RegExp(`${name}:function\\(([^)]*)\\)`).exec(text);
      const declared = m ? (m[1] ? m[1].split(",").length : 0) : -1;
      if (declared !== n) bad.push(`${glue}: import ${name} declares ${declared} parameters, its signature has ${n}`);
    }
  }
  return bad.length ? bad.join("; ") : null;
});
// Generated from apis/*.json: the committed README table and the built js/generated/ must match the descriptors.
await suite("generated: README.md's API table and js/generated/ match apis/*.json", async () =>
  (await run(process.execPath, [join(root, "scripts/gen-readme.mjs"), "--check"])) ??
  (await run(process.execPath, [join(root, "scripts/gen-apis.mjs"), "--check"])));
await suite("rust: cargo fmt --check", () => run("cargo", ["fmt", "--check"]));
await suite("rust: cargo clippy -D warnings (native and wasm32)", async () =>
  (await run("cargo", ["clippy", "--quiet", "--workspace", "--all-targets", "--", "-D", "warnings"])) ??
  (await run("cargo", ["clippy", "--quiet", "--workspace", "--target", "wasm32-unknown-unknown", "--all-targets", "--", "-D", "warnings"])) ??
  // The shipped configuration: the core no_std, the binding no_std with our panic handler.
  (await run("cargo", ["clippy", "--quiet", "-p", "aligate", "-p", "aligate-wasm", "--target", "wasm32-unknown-unknown", "--lib", "--no-default-features",
    "--", "-D", "warnings"])));
await suite("rust: cargo test (core, vectors, property tests)", () => run("cargo", ["test", "--quiet", "--workspace"]));
// The core from native Rust (examples/sandbox_native/, HTTP by ureq) against the sandbox on 127.0.0.1: the four
// calls succeed, a 19-digit id comes back exact, and an injected 503 on the read is retried by client::Attempts.
await suite("native Rust example against the sandbox (examples/sandbox_native/)", async () => {
  const built = await run("cargo", ["build", "--quiet", "--example", "sandbox_native"]);
  if (built) return built;
  const { startSandbox } = await import(join(root, "js/sandbox.mjs"));
  const sb = await startSandbox({ port: 0, host: "127.0.0.1", log: () => {} });
  try {
    sb.inject({ fault: "503", count: 1, api: "alibaba.alisports.lianbei.order.notice" });
    const r = await capture(join(root, "target/debug/examples/sandbox_native"), [sb.topEndpoint, sb.linkedmallEndpoint]);
    const want = [/ConfirmDisburse: \{.*"Code":"SUCCESS"/, /"biz_order_id":"1234567890123456789"/, /retry after \d+ ms \(ServerFault\)/,
      /aliyun\.gsc\.funds\.flow\.notify: \{"result":\{"code":"00000000"/, /alibaba\.retail\.commission\.status\.change: \{.*"s_success":true/];
    const missing = want.filter((w) => !w.test(r.text));
    if (r.code !== 0 || missing.length) return `exit ${r.code}; missing ${missing.join(", ")}:\n${r.text}`;
    return null;
  } finally {
    await sb.close();
  }
});
await suite("wasm-bindgen-test in Node", () => run("cargo", ["test", "-p", "aligate-wasm", "--target", "wasm32-unknown-unknown", "--test", "wasm"]));
await suite("node --test on the packed package (ESM)", async () => {
  const err = await installPacked();
  if (err) return err;
  const files = readdirSync(join(project, "test")).filter((f) => f.endsWith(".test.mjs")).map((f) => join("test", f));
  return run(process.execPath, ["--test", "--test-concurrency=1", ...files], {
    cwd: project,
    env: { ALIGATE_PYTHON: python },
    timeoutMs: 20 * 60_000,
  });
});

// The declarations as a TypeScript user meets them (tests/types): a field added to a descriptor reaches them;
// the consumer compiles with tsc --strict
// against the packed package, with and without the DOM lib; then, without its directives, every line after a
// `@ts-expect-error <reason>` in mistakes.ts must fail with the reason in tsc's message, and no other line.
await suite("types: tsc --strict on a consumer of the packed package (tests/types)", async () => {
  // One edit in one descriptor reaches the declarations: a field added to a temporary copy of apis/.
  const { generateTypes } = await import("./gen-types.mjs");
  const apis = mkdtempSync(join(tmpdir(), "aligate-apis-"));
  cpSync(join(root, "apis"), apis, { recursive: true });
  const d = JSON.parse(readFileSync(join(apis, "ConfirmDisburse.json"), "utf8"));
  d.request.push({ name: "GiftTag", type: "string", required: true, values: ["gift", "bulk"], description: "测试" });
  writeFileSync(join(apis, "ConfirmDisburse.json"), JSON.stringify(d));
  const text = generateTypes(apis);
  rmSync(apis, { recursive: true, force: true });
  for (const want of ['/** 测试 */\n  GiftTag: "gift" | "bulk";\n', '  giftTag(value: "gift" | "bulk"): this;\n']) {
    if (!text.includes(want)) return `a field added to apis/ConfirmDisburse.json: the declarations lack ${JSON.stringify(want)}`;
  }
  const err = await installPacked();
  if (err) return err;
  const dir = join(project, "types");
  cpSync(join(root, "tests/types"), dir, { recursive: true });
  const tsc = (config) => capture(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "--pretty", "false", "-p", join(dir, config)]);
  for (const config of ["tsconfig.json", "tsconfig.dom.json"]) {
    const out = await tsc(config);
    if (out.code !== 0) return `tsc -p tests/types/${config} exited ${out.code}:\n${out.text}`;
  }
  const file = join(dir, "mistakes.ts");
  const lines = readFileSync(file, "utf8").split("\n");
  const expected = new Map();
  lines.forEach((line, i) => {
    const m = /\/\/ @ts-expect-error (.+)$/.exec(line);
    if (!m) return;
    expected.set(i + 2, m[1]);
    lines[i] = line.replace("@ts-expect-error", "(expected)");
  });
  writeFileSync(file, lines.join("\n"));
  const out = await tsc("tsconfig.json");
  const got = new Map();
  for (const block of out.text.split(/\n(?=\S)/)) {
    const m = /^(\S+)\((\d+),\d+\): error (.*)$/s.exec(block);
    if (m) got.set(m[1].endsWith("mistakes.ts") ? +m[2] : `${m[1]}:${m[2]}`, m[3]);
  }
  const bad = [];
  for (const [line, reason] of expected) if (!got.get(line)?.includes(reason)) bad.push(`mistakes.ts:${line}: expected an error naming ${reason}; got ${got.get(line) ?? "none"}`);
  for (const [line, message] of got) if (!expected.has(line)) bad.push(`${typeof line === "number" ? `mistakes.ts:${line}` : line}: unexpected ${message}`);
  console.error(`${expected.size} expected type errors checked`);
  return bad.length ? bad.join("\n") : expected.size < 20 ? `only ${expected.size} @ts-expect-error lines found` : null;
});

await suite("fuzz: 5 cargo-fuzz targets × 15 s (nightly)", () =>
  run(process.execPath, [join(root, "scripts/fuzz.mjs"), "--seconds", "15"], { timeoutMs: 30 * 60_000 }));

for (const [name, env] of [["Chromium (headless)", { WASM_BINDGEN_USE_BROWSER: "1" }],
  ["Chromium dedicated worker", { WASM_BINDGEN_USE_DEDICATED_WORKER: "1" }]]) {
  await suite(`wasm-bindgen-test in ${name}`, () =>
    run("cargo", ["test", "-p", "aligate-wasm", "--target", "wasm32-unknown-unknown", "--test", "wasm"], {
      env: { ...env, CHROMEDRIVER: "/usr/bin/chromedriver", WASM_BINDGEN_TEST_TIMEOUT: "120" },
      timeoutMs: 10 * 60_000,
    }));
}

// One line per runtime: the packed package installed as a user would, a real
// fetch to the emulator, a 19-digit id, a validation error.
for (const rt of ["node-esm", "node-cjs", "deno", "bun", "workerd", "chromium"]) {
  await suite(`runtime: ${rt}`, async () => {
    const err = await installPacked();
    if (err) return err;
    return run(process.execPath, ["runtimes/run.mjs", rt], {
      cwd: project,
      env: { ALIGATE_BIN: join(root, "node_modules/.bin"), ALIGATE_NODE_MODULES: join(root, "node_modules") },
      timeoutMs: 5 * 60_000,
    });
  });
}

// Issue 18's acceptance: adding a field is one edit in one descriptor. A temporary copy of the tree gets one new
// field in apis/, is rebuilt, and tests/descriptor_edit/check.mjs shows validation, builder, types, CLI and sandbox
// all follow it (and that the unedited build refuses the field). The copy builds into target/descriptor-edit.
await suite("descriptor edit: one field added in a temporary copy reaches every layer", async () => {
  const copy = mkdtempSync(join(tmpdir(), "aligate-edit-"));
  try {
    const files = (await captureOut("git", ["ls-files", "-z"])).split("\0").filter(Boolean);
    for (const f of files) if (existsSync(join(root, f))) cpSync(join(root, f), join(copy, f));
    symlinkSync(join(root, "node_modules"), join(copy, "node_modules"));
    mkdirSync(join(root, "target/descriptor-edit"), { recursive: true });
    symlinkSync(join(root, "target/descriptor-edit"), join(copy, "target"));
    const file = join(copy, "apis/alibaba.retail.commission.status.change.json");
    const d = JSON.parse(readFileSync(file, "utf8"));
    d.types.UniverseOrderVo.push({ name: "store_code", type: "string", required: false, values: ["S1", "S2"], description: "门店编码 (test field)" });
    writeFileSync(file, JSON.stringify(d, null, 2));
    return (await run(process.execPath, ["scripts/build.mjs"], { cwd: copy })) ??
      (await run(process.execPath, [join(root, "tests/descriptor_edit/check.mjs"), root], { cwd: copy, timeoutMs: 300_000 }));
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
});
await suite("admin page + signing proxy in Chromium (Playwright; screenshots in test-artifacts/)", () =>
  run(process.execPath, ["--test", "tests/admin/"], { timeoutMs: 5 * 60_000 }));

console.error("\n=== summary");
for (const r of results) console.log(r);
if (project) rmSync(dirname(project), { recursive: true, force: true });
process.exitCode = results.some((r) => r.startsWith("FAIL")) ? 1 : 0;
