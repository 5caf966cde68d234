// Issue 17, item 5: the CLI under hostile flags and files. Every run is a child
// process killed after a bound, so a hang fails the test instead of hanging it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync, readFileSync, rmSync, mkdirSync, existsSync, openSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startSandbox } from "aligate/sandbox";

const pkgDir = dirname(fileURLToPath(import.meta.resolve("aligate/package.json")));
const cli = join(pkgDir, "js", "cli.mjs");
const dir = mkdtempSync(join(tmpdir(), "aligate-cli-hard-"));
const NO_CREDS = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TOP_|ALIBABA_CLOUD_)/.test(k)));
const BOUND_MS = 20_000;
const API = "alibaba.alisports.lianbei.order.notice";
// Runs in the child before the CLI and reports, at exit, whether Object.prototype gained a key.
const PROTO_PROBE = `data:text/javascript,${encodeURIComponent(
  `const before = Object.getOwnPropertyNames(Object.prototype).join();
   process.on("exit", () => { if (Object.getOwnPropertyNames(Object.prototype).join() !== before || ({}).x !== undefined) process.stderr.write("PROTOTYPE POLLUTED\\n"); });`,
)}`;

// killOn: [regex, signal] sends the signal once, when stderr first matches.
function run(args, { env = {}, input, cwd = dir, stdout, onStderr, killOn, probe = false } = {}) {
  return new Promise((resolve) => {
    const node = probe ? ["--import", PROTO_PROBE] : [];
    const p = spawn(process.execPath, [...node, cli, ...args], { cwd, env: { ...NO_CREDS, ...env }, stdio: ["pipe", stdout ?? "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout?.on("data", (d) => (out += d));
    let killed = false;
    p.stderr.on("data", (d) => {
      err += d;
      onStderr?.(err, p);
      if (killOn && !killed && killOn[0].test(err)) {
        killed = true;
        p.kill(killOn[1]);
      }
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      p.kill("SIGKILL");
    }, BOUND_MS);
    p.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut, stdout: out, stderr: err });
    });
    p.stdin.on("error", () => {});
    p.stdin.end(input);
  });
}

/** Exited in time, no stack trace, no raw control character, exactly one `error` line. */
function assertOneCleanError(r, what, code) {
  assert.equal(r.timedOut, false, `${what}: hung (killed after ${BOUND_MS} ms)`);
  if (code !== undefined) assert.equal(r.code, code, `${what}: exit code; stderr: ${r.stderr}`);
  else assert.notEqual(r.code, 0, `${what}: must fail; stderr: ${r.stderr}`);
  assertCleanText(r, what);
  const errors = r.stderr.split("\n").filter((l) => /^error\b/.test(l));
  assert.equal(errors.length, 1, `${what}: one error line, got: ${JSON.stringify(r.stderr)}`);
  return errors[0];
}

function assertCleanText(r, what) {
  assert.ok(!/^\s+at /m.test(r.stderr), `${what}: stack trace: ${r.stderr}`);
  assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.test(r.stderr), `${what}: raw control character: ${JSON.stringify(r.stderr)}`);
  assert.ok(!r.stderr.includes("PROTOTYPE POLLUTED"), `${what}: Object.prototype changed`);
}

let sb;
before(async () => {
  sb = await startSandbox({ log: false });
});
after(async () => {
  await sb.close();
  rmSync(dir, { recursive: true, force: true });
});
const TOP_ENV = { TOP_APP_KEY: "sandbox-app-key", TOP_APP_SECRET: "sandbox-app-secret", TOP_SESSION: "sandbox-session" };
const file = (name, content) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};
const lines = (p) => (existsSync(p) ? readFileSync(p, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)) : []);

// ── The cases found in the review.

test("a bad --timeout-ms with the in-process sandbox: clear error, exit 2, no hang", async () => {
  const r = await run(["call", API, "--param", "biz_order_id=1", "--timeout-ms", "abc"]);
  assert.match(assertOneCleanError(r, "timeout-ms", 2), /--timeout-ms must be a whole number from 1 to 600000/);
  assert.doesNotMatch(r.stderr, /in-process sandbox/, "flags are checked before the sandbox starts");
});

test("an unwritable --failed or --results: clear error naming the file, nothing sent, no hang, no stack", async () => {
  const input = file("one.jsonl", '{"biz_order_id":"1"}\n');
  const notADir = file("plain.txt", "x");
  const before = sb.stats.requests;
  for (const flag of ["--failed", "--results"]) {
    for (const target of [join(dir, "no-such-dir", "x.jsonl"), dir, join(notADir, "x.jsonl")]) {
      for (const endpoint of [[], ["--endpoint", sb.topEndpoint]]) {
        const r = await run(["send", API, "--jsonl", input, flag, target, ...endpoint], { env: endpoint.length ? TOP_ENV : {} });
        const e = assertOneCleanError(r, `${flag} ${target}`, 2);
        assert.ok(e.includes(target) && e.includes(flag), e);
      }
    }
  }
  assert.equal(sb.stats.requests, before, "nothing is sent when an output cannot be opened");
});

test("a disk error mid-run (/dev/full): one error line, stops, names the lines sent but not recorded", { skip: !existsSync("/dev/full") }, async () => {
  const input = file("three.jsonl", ['{"biz_order_id":"1"}', '{"biz_order_id":"2"}', '{"biz_order_id":"3"}'].join("\n"));
  const r = await run(["send", API, "--jsonl", input, "--results", "/dev/full", "--concurrency", "1", "--endpoint", sb.topEndpoint], { env: TOP_ENV });
  const e = assertOneCleanError(r, "results /dev/full", 1);
  assert.match(e, /cannot write \/dev\/full: ENOSPC.*line\(s\) 1 succeeded but are not in the results file/);
  assert.match(r.stderr, /2 not sent/, "no call is started after the write failed");
  const f = await run(["send", API, "--jsonl", file("bad.jsonl", '{"biz_order_id":"x"}\n'), "--failed", "/dev/full"]);
  assert.match(assertOneCleanError(f, "failed /dev/full", 1), /cannot write \/dev\/full: ENOSPC/);
  const o = await run(["call", API, "--param", "biz_order_id=1", "--dry-run"], { stdout: openSync("/dev/full", "w") });
  assert.match(assertOneCleanError(o, "stdout /dev/full", 1), /cannot write to standard output: ENOSPC/);
});

test("a UTF-8 BOM and CRLF: line 1 is sent, every line succeeds, hashes are of the line as in the file", async () => {
  const body = '{"biz_order_id":"1"}\r\n{"biz_order_id":"2"}\r\n';
  const input = file("bom.jsonl", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)]));
  const r = await run(["send", API, "--jsonl", input, "--endpoint", sb.topEndpoint], { env: TOP_ENV });
  assert.equal(r.code, 0, r.stderr);
  assertCleanText(r, "bom");
  const ok = lines(join(dir, "bom.results.jsonl"));
  assert.deepEqual(ok.map((l) => l.line).sort(), [1, 2]);
  assert.equal(ok.find((l) => l.line === 1).sha1, createHash("sha1").update('{"biz_order_id":"1"}\r').digest("hex"));
  assert.deepEqual(lines(join(dir, "bom.failed.jsonl")), []);
  const again = await run(["send", API, "--jsonl", input, "--endpoint", sb.topEndpoint], { env: TOP_ENV });
  assert.match(again.stderr, /2 skipped/);
  const j = await run(["call", API, "--json", file("bom.json", `\ufeff{\r\n"biz_order_id": "7"\r\n}\r\n`), "--dry-run"], { env: TOP_ENV });
  assert.equal(j.code, 0, j.stderr);
  assert.match(j.stdout, /biz_order_id=7/);
});

test("--param __proto__.x=1 (and constructor/prototype paths) leaves Object.prototype alone", async () => {
  const { paramsToJson, parseArgs } = await import(pathToFileURL(cli).href);
  const keys = Object.getOwnPropertyNames(Object.prototype).join();
  const text = paramsToJson(["__proto__.x=1", "constructor.prototype.y=2", "a.__proto__.z=3", "toString=4", "hasOwnProperty.q=5"]);
  assert.equal(Object.getOwnPropertyNames(Object.prototype).join(), keys);
  assert.equal(({}).x, undefined);
  assert.equal(({}).y, undefined);
  assert.equal(text, '{"__proto__":{"x":"1"},"constructor":{"prototype":{"y":"2"}},"a":{"__proto__":{"z":"3"}},"toString":"4","hasOwnProperty":{"q":"5"}}');
  assert.throws(() => parseArgs(["--__proto__", "1"]), /unknown option --__proto__/);
  assert.throws(() => parseArgs(["--constructor=1"]), /unknown option --constructor/);
  assert.equal(Object.getOwnPropertyNames(Object.prototype).join(), keys);
  // In a child: the key reaches the validator as an ordinary (unknown) field, the prototype is untouched.
  const r = await run(["call", API, "--param", "__proto__.x=1", "--param", "biz_order_id=1", "--dry-run"], { env: TOP_ENV, probe: true });
  assertCleanText(r, "child __proto__");
  assert.match(r.stderr, /__proto__: unknown field/);
  for (const cmd of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
    assert.match(assertOneCleanError(await run([cmd], { probe: true }), cmd, 2), /unknown command/);
  }
});

test("SIGTERM during send: no new calls, the one in flight is recorded, exit 130", async () => {
  const input = file("slow.jsonl", Array.from({ length: 5 }, (_, i) => `{"biz_order_id":"${i + 1}"}`).join("\n"));
  sb.inject({ fault: "slow", count: 1, ms: 1500, api: API });
  const before = sb.stats.requests;
  let signalled = false;
  const r = await run(["send", API, "--jsonl", input, "--concurrency", "1", "--endpoint", sb.topEndpoint], {
    env: TOP_ENV,
    onStderr: (err, p) => {
      if (!signalled && /sending 5/.test(err)) {
        signalled = true;
        setTimeout(() => p.kill("SIGTERM"), 200);
      }
    },
  });
  assert.equal(r.timedOut, false);
  assert.equal(r.code, 130, r.stderr);
  assertCleanText(r, "sigterm");
  assert.deepEqual(lines(join(dir, "slow.results.jsonl")).map((l) => l.line), [1], "the call in flight finished and was recorded");
  assert.equal(sb.stats.requests - before, 1, "no call started after the signal");
  sb.clearFaults();
});

test("the sandbox command stops on SIGINT and SIGTERM with exit 0", async () => {
  for (const sig of ["SIGINT", "SIGTERM"]) {
    const r = await run(["sandbox", "--port", "0"], { killOn: [/listening on/, sig] });
    assert.equal(r.timedOut, false, sig);
    assert.equal(r.code, 0, `${sig}: ${r.stderr}`);
  }
});

// ── Generators.

const HOSTILE = ["", "NaN", "-1", "1e309", "0x10", "9".repeat(5000), "a\nb", "a\rb", "a\tb", "\u001b[31mred"];
// A flag, the command that takes it, and the arguments that make an accepted value finish (not wait or send).
const FLAGS = {
  call: ["param", "json", "endpoint", "app-key", "app-secret", "session", "sign-method", "access-key-id", "access-key-secret",
    "security-token", "http-method", "format", "timeout-ms", "retries"],
  send: ["jsonl", "concurrency", "rate", "results", "failed", "unknown"],
  sandbox: ["port", "host", "fault"],
};
const STRICT = new Set(["param", "json", "jsonl", "endpoint", "sign-method", "http-method", "format", "timeout-ms", "retries", "concurrency",
  "rate", "port", "host", "fault"]);
const mustFail = (flag, v) => STRICT.has(flag) || v === "" || v.length > 4096 || /[\u0000-\u001f\u001b]/.test(v);

async function pool(jobs, n = 2) {
  const results = [];
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  }));
  return results;
}

function baseArgs(cmd, flag, workDir) {
  if (cmd === "call") return ["call", API, ...(flag === "param" || flag === "json" ? [] : ["--param", "biz_order_id=1"]), "--dry-run"];
  if (cmd === "send") return ["send", API, ...(flag === "jsonl" ? [] : ["--jsonl", join(workDir, "in.jsonl")])];
  return ["sandbox", ...(flag === "port" ? [] : ["--port", "0"])];
}

test("generator: every flag × hostile values, and missing values, exits in time with one clean error line", async () => {
  const jobs = [];
  let n = 0;
  for (const [cmd, flags] of Object.entries(FLAGS)) {
    for (const flag of flags) {
      const cases = [...HOSTILE.map((v) => [`--${flag}`, v]), ...HOSTILE.slice(1, 3).map((v) => [`--${flag}=${v}`]), [`--${flag}`], [`--${flag}`, "--retries", "1"]];
      for (const extra of cases) {
        const workDir = join(dir, `gen-${n++}`);
        jobs.push(async () => {
          mkdirSync(workDir);
          writeFileSync(join(workDir, "in.jsonl"), '{"biz_order_id":"1"}\n');
          const args = [...baseArgs(cmd, flag, workDir), ...extra];
          const value = extra.length === 2 ? extra[1] : extra[0].includes("=") ? extra[0].split("=")[1] : undefined;
          const r = await run(args, {
            cwd: workDir,
            probe: flag === "param",
            killOn: cmd === "sandbox" ? [/listening on/, "SIGTERM"] : undefined,
          });
          const what = `${cmd} ${JSON.stringify(extra).slice(0, 60)}`;
          assert.equal(r.timedOut, false, `${what}: hung`);
          assertCleanText(r, what);
          if (value === undefined || mustFail(flag, value)) {
            const e = assertOneCleanError(r, what);
            assert.match(e, new RegExp(`--${flag}\\b|cannot read|unknown fault`), `${what}: the error names the flag or file: ${e}`);
          } else if (r.code !== 0) {
            assertOneCleanError(r, what);
          }
          return r;
        });
      }
    }
  }
  const results = await pool(jobs);
  assert.equal(results.length, jobs.length);
  // Not vacuous: most values are refused, and the plausible ones (a session "NaN", a results file "-1") run through.
  const passed = results.filter((r) => r.code === 0).length;
  assert.ok(passed >= 10 && results.length - passed >= 200, `${passed} of ${results.length} accepted`);
});

test("generator: NUL and control characters (argv cannot carry NUL, so checked in-process and via files and env)", async () => {
  const { parseArgs, checkFlags, paramsToJson } = await import(pathToFileURL(cli).href);
  for (const [cmd, flags] of Object.entries(FLAGS)) {
    for (const flag of flags) {
      for (const v of ["a\u0000b", "\u0085", "\u2028", "\u007f"]) {
        const { flags: f } = parseArgs([`--${flag}=${v}`]);
        // --param values are parameters (the validators judge them); a --param without "=" is refused.
        assert.throws(() => (flag === "param" ? paramsToJson(f.param) : checkFlags(cmd, f, {})), (e) => {
          assert.ok(!e.message.includes(v), `${flag}: raw control character in the message`);
          return flag === "param" || flag === "fault" || e.message.includes(`--${flag}`);
        }, `${cmd} --${flag}`);
      }
    }
  }
  const env = await run(["call", API, "--param", "biz_order_id=1"], { env: { TOP_APP_KEY: "k", TOP_APP_SECRET: "s\u001b[31m" } });
  assert.match(assertOneCleanError(env, "env secret", 2), /TOP_APP_SECRET contains a control character/);
  assert.ok(!env.stderr.includes("[31m"), "the secret is not echoed");
});

test("generator: hostile input files for --json and --jsonl", async () => {
  const long = `{"biz_order_id":"${"1".repeat(9 * 1024 * 1024)}"}`;
  const inputs = {
    missing: [join(dir, "nope.json"), /cannot read .*nope\.json: ENOENT/],
    directory: [dir, /is a directory/],
    "under a missing dir": [join(dir, "no-dir", "x.json"), /ENOENT/],
    "under a file": [join(file("afile", "x"), "x.json"), /ENOTDIR/],
  };
  for (const [name, [path, re]] of Object.entries(inputs)) {
    for (const args of [["call", API, "--json", path], ["send", API, "--jsonl", path]]) {
      assert.match(assertOneCleanError(await run(args), `${args[0]} ${name}`, 2), re);
    }
  }
  // --json: invalid UTF-8 and invalid JSON name their line; a NUL/ESC is escaped; over 8 MiB is refused.
  const badUtf8 = file("bad-utf8.json", Buffer.concat([Buffer.from('{\n"biz_order_id":\n"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]));
  assert.match(assertOneCleanError(await run(["call", API, "--json", badUtf8]), "json utf8", 2), /line 3 is not valid UTF-8/);
  const badJson = file("bad.json", '{\r\n"biz_order_id": 1,\r\n\u0000\u001b[31m}');
  assert.match(assertOneCleanError(await run(["call", API, "--json", badJson]), "json syntax", 2), /not valid JSON at line 3, column 1/);
  assert.match(assertOneCleanError(await run(["call", API, "--json", file("huge.json", long)]), "json huge", 2), /larger than 8 MiB/);
  assert.match(assertOneCleanError(await run(["call", API, "--json", "-"], { input: Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0xff, 0x7d]) }), "stdin", 2),
    /standard input: line 1 is not valid UTF-8/);
  // --jsonl: each bad line goes to the failed file with its number; the good ones are sent.
  const mixed = file("mixed.jsonl", Buffer.concat([
    Buffer.from('{"biz_order_id":"1"}\r\n'), Buffer.from([0x7b, 0xc3, 0x28, 0x7d, 0x0a]), Buffer.from("{not json\u001b[31m}\n"),
    Buffer.from(`${long}\n`), Buffer.from('{"biz_order_id":"5"}\n'),
  ]));
  const r = await run(["send", API, "--jsonl", mixed, "--endpoint", sb.topEndpoint], { env: TOP_ENV });
  assert.equal(r.timedOut, false);
  assert.equal(r.code, 1, r.stderr);
  assertCleanText(r, "mixed jsonl");
  assert.match(r.stderr, /line 2 not valid UTF-8; line 3 not valid JSON at column 2/);
  assert.deepEqual(lines(join(dir, "mixed.results.jsonl")).map((l) => l.line).sort(), [1, 5]);
  const failed = lines(join(dir, "mixed.failed.jsonl"));
  assert.deepEqual(failed.map((l) => l.line).sort(), [2, 3, 4]);
  assert.ok(failed.every((l) => l.error.kind === "validation" && typeof l.params === "string"));
});

test("outputs: the same file twice or the input as an output is refused before anything is sent", async () => {
  const input = file("same.jsonl", '{"biz_order_id":"1"}\n');
  const before = sb.stats.requests;
  for (const extra of [["--results", input], ["--failed", input], ["--results", join(dir, "x.jsonl"), "--failed", join(dir, "x.jsonl")]]) {
    const r = await run(["send", API, "--jsonl", input, "--endpoint", sb.topEndpoint, ...extra], { env: TOP_ENV });
    assert.match(assertOneCleanError(r, extra.join(" "), 2), /same file|is the input/);
  }
  assert.equal(readFileSync(input, "utf8"), '{"biz_order_id":"1"}\n', "the input is untouched");
  assert.equal(sb.stats.requests, before);
});

test("usage: unknown flags, flags of another command, extra arguments, repeated flags, bad API names", async () => {
  const cases = [
    [["call", API, "--nope"], /unknown option --nope/],
    [["call", API, "-x"], /unknown option -x/],
    [["call", API, "--port", "1"], /--port is not an option of call/],
    [["demo", "--retries", "1"], /--retries is not an option of demo/],
    [["send", API, "--dry-run", "--jsonl", "x"], /--dry-run is not an option of send/],
    [["call", API, "extra"], /unexpected argument "extra"/],
    [["call", API, "--retries", "1", "--retries", "2"], /--retries is given twice/],
    [["call", API, "--dry-run=yes"], /--dry-run takes no value/],
    [["call", "a b\u001b[31m"], /API name .* is not valid/],
    [["call", API, "--param", "a=1", "--param", "a.b=2"], /already has a value/],
    [["call", API, "--param", `${"a.".repeat(100)}b=1`], /more than 64 levels/],
    [["sandbox", "--fault", "503:0"], /--fault 503:count must be a whole number/],
    [["sandbox", "--fault", "nope"], /unknown fault "nope"/],
  ];
  for (const [args, re] of cases) assert.match(assertOneCleanError(await run(args), args.join(" "), 2), re);
});

test("secrets never appear in error lines", async () => {
  const secret = "s3cret-value-xyz";
  const r = await run(["call", API, "--param", "biz_order_id=1", "--app-secret", secret, "--app-key", "k", "--endpoint", "http://127.0.0.1:9/#x"]);
  assertOneCleanError(r, "endpoint", 2);
  const c = await run(["call", API, "--app-secret", `${secret}\n`, "--app-key", "k"]);
  assert.match(assertOneCleanError(c, "control in secret", 2), /--app-secret contains a control character/);
  for (const t of [r, c]) assert.ok(!(t.stderr + t.stdout).includes(secret));
});
