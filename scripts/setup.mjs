#!/usr/bin/env node
// Installs what the build and tests need, idempotently, from package
// registries only: the wasm target (rustup), wasm-bindgen-cli at the exact
// version Cargo.lock pins (crates.io), npm dependencies, and with --test the
// Debian packages for browser tests (chromium, chromium-driver).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = new Set(process.argv.slice(2));
const quiet = args.has("--quiet");
const log = (m) => quiet || console.error(`[setup] ${m}`);
process.env.PATH = `${join(homedir(), ".cargo", "bin")}:${process.env.PATH}`;

function run(cmd, argv, opts = {}) {
  log(`$ ${cmd} ${argv.join(" ")}`);
  const r = spawnSync(cmd, argv, { stdio: "inherit", cwd: root, ...opts });
  return r.status === 0;
}

function out(cmd, argv) {
  try {
    return execFileSync(cmd, argv, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return "";
  }
}

// 1. wasm32 target.
if (!out("rustup", ["target", "list", "--installed"]).split("\n").includes("wasm32-unknown-unknown")) {
  if (!run("rustup", ["target", "add", "wasm32-unknown-unknown"])) process.exit(1);
}

// 2. wasm-bindgen-cli pinned to the crate version in Cargo.lock.
const lock = readFileSync(join(root, "Cargo.lock"), "utf8");
const m = lock.match(/name = "wasm-bindgen"\nversion = "([^"]+)"/);
if (!m) throw new Error("wasm-bindgen not found in Cargo.lock");
const want = m[1];
const have = out("wasm-bindgen", ["--version"]).trim().split(" ")[1];
if (have !== want) {
  log(`wasm-bindgen-cli ${have ?? "missing"}; installing ${want}`);
  // Without --locked: its lockfile pins a crate version this registry lacks.
  if (!run("cargo", ["install", "wasm-bindgen-cli", "--version", `=${want}`, "--force"])) process.exit(1);
}

// 3. npm dependencies (dev tools: binaryen's wasm-opt, test runtimes).
const stamp = join(root, "node_modules", ".package-lock.json");
const lockFile = join(root, "package-lock.json");
if (!existsSync(stamp) || statSync(stamp).mtimeMs < statSync(lockFile).mtimeMs) {
  // `npm install`, not `npm ci`: this registry mirror lacks the other platforms'
  // optional binaries (@deno/darwin-*, …), which npm ci insists on finding in the
  // lockfile. npm install still follows package-lock.json and leaves it unchanged.
  if (!run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"])) process.exit(1);
}

// 4. Browser tests: Debian's chromium and chromium-driver (never a downloaded browser).
if (args.has("--test") && !existsSync("/usr/bin/chromium")) {
  const sudo = process.getuid && process.getuid() === 0 ? [] : ["sudo"];
  const apt = (a) => run(sudo[0] ?? "apt-get", sudo.length ? ["apt-get", ...a] : a, {
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  if (!apt(["update", "-qq"]) || !apt(["install", "-y", "-qq", "chromium", "chromium-driver"])) {
    console.error("[setup] could not install chromium; browser tests will report the failure");
  }
}
// 5. The official Alibaba Cloud Python SDK for the sandbox interoperability
// test, from PyPI into a private venv (pinned).
if (args.has("--test")) {
  const venv = join(root, ".tmp", "pyenv");
  const py = join(venv, "bin", "python");
  const want = ["aliyun-python-sdk-core==2.16.1", "aliyun-python-sdk-linkedmall==1.0.0"];
  const stampFile = join(venv, ".aligate-stamp");
  if (!existsSync(stampFile) || readFileSync(stampFile, "utf8") !== want.join(" ")) {
    if (!existsSync(py) && !run("python3", ["-m", "venv", venv])) {
      console.error("[setup] python3 -m venv failed; the official-SDK test will report it");
    } else if (run(py, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", ...want])) {
      writeFileSync(stampFile, want.join(" "));
    }
  }
}
log("ready");
