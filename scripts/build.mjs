#!/usr/bin/env node
// npm run build: one optimised .wasm and two wasm-bindgen glues (web ESM and
// nodejs CJS) in pkg/. The .wasm is identical across targets, so one ships.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { writeGenerated } from "./gen-apis.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
process.env.PATH = `${join(homedir(), ".cargo", "bin")}:${process.env.PATH}`;
const quiet = process.argv.includes("--quiet");

// From apis/*.json: js/generated/ (the descriptors for JS) and README.md's API table.
writeGenerated();
run(process.execPath, [join(root, "scripts/gen-readme.mjs")]);

function run(cmd, argv) {
  if (!quiet) console.error(`[build] $ ${cmd} ${argv.join(" ")}`);
  const r = spawnSync(cmd, argv, { stdio: "inherit", cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// js/index.d.ts from apis/*.json (not in git: generated here only).
run(process.execPath, ["scripts/gen-types.mjs"]);

// The binding crate (wasm/), without the default `std` feature: the shipped
// module is no_std (see wasm/Cargo.toml).
// LLVM's inline threshold at 120 instead of opt-level 2's 225: −3.5 KB gzip for
// ~1% on `prepare` (bench/ab.mjs; 100 was larger, 75 was 10% slower).
// Without multi-value (see withoutMultivalue).
const flags = "-Cllvm-args=-inline-threshold=120 -Ctarget-feature=-multivalue";
process.env.RUSTFLAGS = process.env.RUSTFLAGS ? `${process.env.RUSTFLAGS} ${flags}` : flags;
run("cargo", ["build", "--quiet", "--release", "-p", "aligate-wasm", "--lib", "--target", "wasm32-unknown-unknown", "--no-default-features"]);
mkdirSync(join(root, "target/wbg"), { recursive: true });
const raw = join(root, "target/wbg/aligate_rustc.wasm");
writeFileSync(raw, withoutMultivalue(readFileSync(join(root, "target/wasm32-unknown-unknown/release/aligate_wasm.wasm"))));
const web = join(root, "target/wbg/web");
const node = join(root, "target/wbg/node");
run("wasm-bindgen", ["--target", "web", "--out-dir", web, "--out-name", "aligate", raw]);
run("wasm-bindgen", ["--target", "nodejs", "--out-dir", node, "--out-name", "aligate", raw]);
const a = readFileSync(join(web, "aligate_bg.wasm"));
const b = readFileSync(join(node, "aligate_bg.wasm"));
if (!a.equals(b)) throw new Error("web and nodejs .wasm differ; cannot ship one module");

const pkg = join(root, "pkg");
mkdirSync(pkg, { recursive: true });

// Export the shadow-stack pointer so the JS guard can restore it after a trap
// (a Rust panic aborts mid-call and would otherwise leak that call's stack).
const { default: binaryen } = await import(join(root, "node_modules/binaryen/index.js"));
const mod = binaryen.readBinary(readFileSync(join(web, "aligate_bg.wasm")));
const sp = binaryen.getGlobalInfo(mod.getGlobalByIndex(0));
if (sp.name !== "__stack_pointer" || !sp.mutable) throw new Error(`global 0 is ${sp.name}, not the stack pointer`);
mod.addGlobalExport("__stack_pointer", "__aligate_sp");
writeFileSync(join(root, "target/wbg/aligate_sp.wasm"), mod.emitBinary());
mod.dispose();
// The npm binaryen's wasm-opt: Debian's v108 emits modules that fail to instantiate.
const wasmOpt = join(root, "node_modules/binaryen/bin/wasm-opt");
run(wasmOpt, ["-Oz", "--converge", "--strip-producers", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
  "--enable-mutable-globals", "--enable-reference-types",
  join(root, "target/wbg/aligate_sp.wasm"), "-o", join(pkg, "aligate_bg.wasm")]);
// The shipped JS is whitespace- and syntax-minified (esbuild; identifiers and
// function/class names stay, so stack traces and `.name` read as in the
// source): the glue and core were 10.5 of the Node entry's 85 KB gzip (issue 5),
// and less JS to parse is less cold start.
const CREDENTIALS_EXPORTS = ["defaultCredentials", "fromEnv", "fromCredentialsUri", "assumeRole", "assumeRoleWithOIDC",
  "chainCredentials", "fromOidcRole", "fromCliProfile", "fromProfileFile", "fromEcsMetadata"];
const { transformSync, buildSync } = await import(join(root, "node_modules/esbuild/lib/main.js"));
const ship = (file, code, format) =>
  writeFileSync(join(pkg, file), transformSync(code, { minifyWhitespace: true, minifySyntax: true, format, legalComments: "none" }).code);
ship("aligate.js", matchImportArity(readFileSync(join(web, "aligate.js"), "utf8")), "esm");
// The Node require entry is ONE file: the nodejs glue, js/core.mjs with what it
// imports (the descriptor rules and data, bundled by esbuild) and
// js/node-random.cjs (Node's nonce source), each in its own function scope.
// Every further CommonJS module costs a resolve, a read and a compile: three
// files were ~1.3 ms more cold start.
// The glue keeps the instance's exports private; expose them (for the stack pointer).
const glue = matchImportArity(readFileSync(join(node, "aligate.js"), "utf8"));
const core = buildSync({ entryPoints: [join(root, "js/core.mjs")], bundle: true, format: "iife", globalName: "core", write: false,
  platform: "neutral", legalComments: "none" }).outputFiles[0].text;
const random = readFileSync(join(root, "js/node-random.cjs"), "utf8");
// The Aliyun credentials sources (js/credentials*.mjs) are pkg/credentials.cjs, required on first use: ~20 KB of JS
// that most processes never run stayed out of every cold start (+0.4 ms measured when bundled in). It takes the
// entry's core module (one AligateError, one vetted-error set) in place of its import of ./core.mjs.
const creds = buildSync({ entryPoints: [join(root, "js/credentials-node.mjs")], bundle: true, format: "cjs", write: false,
  platform: "neutral", external: ["./core.mjs"], legalComments: "none" }).outputFiles[0].text;
if (!creds.includes('require("./core.mjs")')) throw new Error("credentials bundle: its import of ./core.mjs changed shape");
ship("credentials.cjs", `"use strict";
// Generated by scripts/build.mjs from js/credentials-node.mjs and js/credentials.mjs; loaded by pkg/node.cjs on first use.
module.exports = function credentials(core) { const module = { exports: {} };\n${creds.replaceAll('require("./core.mjs")', "core")}\nreturn module.exports; };
`, "cjs");
ship("node.cjs", `"use strict";
// Node require entry, generated by scripts/build.mjs from the nodejs glue, js/core.mjs (bundled) and js/node-random.cjs.
const glue = (() => { const exports = {};\n${glue}\nexports.__wasmExports = wasm; return exports; })();
const core = (() => {\n${core}\nreturn core; })();
const nodeRandom = (() => {\n${random}\nreturn nodeRandom; })();
const api = core.install(glue, glue.__wasmExports, nodeRandom);
let sources;
const credentials = () => (sources ??= require("./credentials.cjs")(core).nodeCredentials(api, require));
core.setDefaultCredentials((o) => credentials().defaultCredentials(o));
const lazy = {};
for (const name of ${JSON.stringify(CREDENTIALS_EXPORTS)}) lazy[name] = { [name]: (...a) => credentials()[name](...a) }[name];
module.exports = { init: async () => {}, ...api, ...lazy };
`, "cjs");

const wasm = readFileSync(join(pkg, "aligate_bg.wasm"));
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
if (!quiet) {
  console.error(`[build] pkg/aligate_bg.wasm ${kb(wasm.length)} (${kb(gzipSync(wasm, { level: 9 }).length)} gzip), ` +
    `raw ${kb(statSync(raw).size)}`);
}

// V8 calls a JS import through a wrapper compiled for its wasm signature and
// for whether the function declares as many parameters; a mismatch needs its
// own wrapper, compiled when the module is instantiated: Node 20 spent ~0.5 ms
// of every cold start on the 7 that wasm-bindgen's `catch` imports needed,
// declared as `function() { return handleError(function (arg0, …) {…},
// arguments); }`. The outer function gets the inner one's parameters.
function matchImportArity(glue) {
  const pattern = /: function\(\) \{ return handleError\(function \(([^)]*)\)/g;
  const out = glue.replace(pattern, (_, params) => `: function(${params}) { return handleError(function (${params})`);
  if (/function\(\) \{ return handleError/.test(out) || !out.includes("handleError(function (arg0")) {
    throw new Error("wasm-bindgen's catch imports changed shape; update matchImportArity");
  }
  return out;
}

// wasm-bindgen gives exports several return values (a `Result`, a string's
// pointer and length) when the module's target_features list multivalue,
// and Rust's precompiled core lists it whatever our flags say. Node 20's V8
// cannot call those through its generic wrapper: compiling the module then
// compiles one wrapper per such signature, 18 of them, ~1.4 ms of cold start
// (issue 5). Without the entry, the glue reads such returns back from memory;
// the hot exports return one value anyway (`in_band` in wasm/src/lib.rs).
// wasm-opt runs without multivalue enabled, so a use of it fails the build.
function withoutMultivalue(b) {
  const uleb = (buf, p) => {
    let r = 0, shift = 0, x;
    do { x = buf[p++]; r |= (x & 127) << shift; shift += 7; } while (x & 128);
    return [r >>> 0, p];
  };
  const leb = (n) => {
    const o = [];
    do { const x = n & 127; n >>>= 7; o.push(n ? x | 128 : x); } while (n);
    return o;
  };
  const str = (s) => [...leb(Buffer.byteLength(s)), ...Buffer.from(s)];
  const out = [b.subarray(0, 8)];
  for (let p = 8; p < b.length;) {
    const start = p;
    const id = b[p++];
    let size;
    [size, p] = uleb(b, p);
    const body = b.subarray(p, p + size);
    p += size;
    const [nameLen, q0] = uleb(body, 0);
    if (id === 0 && body.subarray(q0, q0 + nameLen).toString() === "target_features") {
      // Custom section: name, then count × (prefix byte, feature name).
      let [count, q] = uleb(body, q0 + nameLen);
      const kept = [];
      let n = 0;
      for (let i = 0; i < count; i++) {
        const prefix = body[q++];
        let len;
        [len, q] = uleb(body, q);
        const feature = body.subarray(q, q + len).toString();
        q += len;
        if (feature === "multivalue") continue;
        kept.push(prefix, ...str(feature));
        n++;
      }
      const section = [...str("target_features"), ...leb(n), ...kept];
      out.push(Buffer.from([0, ...leb(section.length), ...section]));
    } else {
      out.push(b.subarray(start, p));
    }
  }
  return Buffer.concat(out);
}
