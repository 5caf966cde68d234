#!/usr/bin/env node
// npm run fuzz [-- --seconds N]: each cargo-fuzz target for a bounded time on
// the nightly toolchain, with a corpus (fuzz/corpus, kept between runs) seeded
// from fuzz/seeds (the reference pages' examples and the shared vectors).
// Prints executions and crashes per target; a crash fails the run and its input
// is in fuzz/artifacts/<target>/ (copy it to tests/fuzz_regressions/<target>/).
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, existsSync } from "node:fs";
import { homedir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
process.env.PATH = `${join(homedir(), ".cargo", "bin")}:${process.env.PATH}`;
const argSecs = process.argv.indexOf("--seconds");
const seconds = argSecs > 0 ? Number(process.argv[argSecs + 1]) : 60;
const TARGETS = ["validate_models", "decode_response", "percent_encode", "canonicalize", "wide_deep"];

const has = spawnSync("cargo", ["fuzz", "--version"], { encoding: "utf8" });
if (has.status !== 0) {
  console.error("[fuzz] installing cargo-fuzz from crates.io");
  if (spawnSync("cargo", ["install", "cargo-fuzz", "--locked"], { stdio: "inherit" }).status !== 0) process.exit(1);
}

const results = [];
for (const t of TARGETS) {
  const corpus = join(root, "fuzz/corpus", t);
  mkdirSync(corpus, { recursive: true });
  const args = ["+nightly", "fuzz", "run", "--fuzz-dir", join(root, "fuzz"), t, corpus, join(root, "fuzz/seeds", t), "--",
    `-max_total_time=${seconds}`, "-print_final_stats=1", "-max_len=65536", "-rss_limit_mb=2048", "-timeout=20"];
  const out = await new Promise((resolve) => {
    const p = spawn("cargo", args, { cwd: root });
    let err = "";
    p.stderr.on("data", (d) => (err += d));
    p.stdout.on("data", (d) => (err += d));
    const timer = setTimeout(() => p.kill("SIGKILL"), (seconds + 600) * 1000);
    p.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, err });
    });
  });
  const execs = /stat::number_of_executed_units:\s*(\d+)/.exec(out.err)?.[1] ?? "?";
  const artifacts = existsSync(join(root, "fuzz/artifacts", t)) ? readdirSync(join(root, "fuzz/artifacts", t)) : [];
  const crashed = out.code !== 0;
  if (crashed) console.error(out.err.slice(-4000));
  const line = `${crashed ? "CRASH" : "ok   "} ${t}: ${execs} executions in ${seconds} s, ${crashed ? `crash (${artifacts.join(", ")})` : "0 crashes"}`;
  console.log(line);
  results.push(crashed);
}
process.exitCode = results.some(Boolean) ? 1 : 0;
