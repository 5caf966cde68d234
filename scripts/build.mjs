#!/usr/bin/env node
// npm run build: one optimised .wasm and two wasm-bindgen glues (web ESM and
// nodejs CJS) in pkg/. The .wasm is identical across targets, so one ships.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
process.env.PATH = `${join(homedir(), ".cargo", "bin")}:${process.env.PATH}`;
const quiet = process.argv.includes("--quiet");

function run(cmd, argv) {
  if (!quiet) console.error(`[build] $ ${cmd} ${argv.join(" ")}`);
  const r = spawnSync(cmd, argv, { stdio: "inherit", cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// Without the default `std` feature: the shipped module is no_std (see Cargo.toml).
// LLVM's inline threshold at 120 instead of opt-level 2's 225: −3.5 KB gzip for
// ~1% on `prepare` (bench/ab.mjs; 100 was larger, 75 was 10% slower).
const inline = "-Cllvm-args=-inline-threshold=120";
process.env.RUSTFLAGS = process.env.RUSTFLAGS ? `${process.env.RUSTFLAGS} ${inline}` : inline;
run("cargo", ["build", "--quiet", "--release", "--lib", "--target", "wasm32-unknown-unknown", "--no-default-features"]);
const raw = join(root, "target/wasm32-unknown-unknown/release/aligate.wasm");
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
  "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue",
  join(root, "target/wbg/aligate_sp.wasm"), "-o", join(pkg, "aligate_bg.wasm")]);
// The shipped JS is whitespace- and syntax-minified (esbuild; identifiers and
// function/class names stay, so stack traces and `.name` read as in the
// source): the glue and core were 10.5 of the Node entry's 85 KB gzip (issue 5),
// and less JS to parse is less cold start.
const { transformSync } = await import(join(root, "node_modules/esbuild/lib/main.js"));
const ship = (file, code, format) =>
  writeFileSync(join(pkg, file), transformSync(code, { minifyWhitespace: true, minifySyntax: true, format, legalComments: "none" }).code);
ship("aligate.js", readFileSync(join(web, "aligate.js"), "utf8"), "esm");
// The nodejs glue keeps the instance's exports private; expose them (for the stack pointer).
ship("aligate.cjs", readFileSync(join(node, "aligate.js"), "utf8") + "\nexports.__wasmExports = wasm;\n", "cjs");
// js/core.mjs once, as CommonJS for the require entry (it has no imports).
const core = readFileSync(join(root, "js/core.mjs"), "utf8");
const names = [...core.matchAll(/^export (?:function|class|const) (\w+)/gm)].map((m) => m[1]);
ship("core.cjs", `"use strict";\n${core.replace(/^export /gm, "")}\nmodule.exports = { ${names.join(", ")} };\n`, "cjs");

const wasm = readFileSync(join(pkg, "aligate_bg.wasm"));
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
if (!quiet) {
  console.error(`[build] pkg/aligate_bg.wasm ${kb(wasm.length)} (${kb(gzipSync(wasm, { level: 9 }).length)} gzip), ` +
    `raw ${kb(statSync(raw).size)}`);
}
