#!/usr/bin/env node
// The aligate command line: call, send, sandbox, demo. Results go to stdout
// as JSON; notes, progress and errors go to stderr.
import { readFileSync, existsSync, createWriteStream, openSync, closeSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { basename, resolve } from "node:path";
import { createHash } from "node:crypto";
import { TopClient, LinkedMallClient, AligateError, modelledApis } from "./node.mjs";
import { startSandbox, TEST_CREDENTIALS, FAULTS } from "./sandbox.mjs";

const HELP = {
  main: `aligate: validated, signed calls to Alibaba's TOP router and LinkedMall

Usage:
  aligate call <api> [--param k=v ...] [--json file|-] [--dry-run] [options]
  aligate send <api> --jsonl file [--concurrency N] [--rate N] [options]
  aligate sandbox [--port N] [--host H] [credentials] [--fault name[:count]]
  aligate demo

Run "aligate <command> --help" for details. Modelled APIs:
  ${"%APIS%"}`,
  call: `aligate call <api> [--param k=v ...] [--json file|-] [--dry-run] [options]

Builds, validates, signs and sends one call; prints the decoded response as JSON.
  --param k=v        a parameter; nested with dots (param0.order_id=1111); a value
                     starting with { or [ is JSON; numbers stay exact (sent as text)
  --json file|-      all parameters as a JSON object from a file or stdin
  --dry-run          print the signed request (credentials redacted), send nothing
${"%COMMON%"}`,
  send: `aligate send <api> --jsonl file [options]

Sends one call per line of a JSONL file (each line: the parameters object).
Results are appended to --results (default ./<file>.results.jsonl) as they
complete, failures to --failed (default ./<file>.failed.jsonl). A rerun skips
lines already in the results file, so it resumes where it stopped.
  --jsonl file       the input
  --concurrency N    calls in flight (default 4)
  --rate N           at most N calls started per second (default unlimited)
  --results file     results file
  --failed file      failed lines with their errors
${"%COMMON%"}`,
  sandbox: `aligate sandbox [options]

Starts the local sandbox gateway: TOP router at /router/rest, LinkedMall
(Aliyun RPC) at /. Verifies signatures, timestamps, nonces and business rules.
  --port N                 port (default 8787; 0 = any free port)
  --host H                 interface (default 127.0.0.1)
  --app-key K --app-secret S                    TOP credentials to accept
  --session S                                   required TOP session
  --access-key-id I --access-key-secret S       Aliyun credentials to accept
  --security-token T                            required STS token
  --fault name[:count]     inject a fault (${FAULTS.join(", ")}); repeatable
Control endpoint: POST /__sandbox/faults {"fault":"503","count":2,"api":"..."},
DELETE /__sandbox/faults, GET /__sandbox/stats.
Without credentials it accepts the fixed test credentials it prints at start.`,
  demo: `aligate demo

Starts the sandbox in-process and runs the four APIs through the CLI's client,
showing each signed request (redacted) and decoded response, then a call with
an injected fault that is retried.`,
};

const COMMON = `Options:
  --endpoint URL           gateway (default: the real one; with no credentials
                           and no endpoint, an in-process sandbox)
  --app-key K --app-secret S --session S       TOP (env TOP_APP_KEY, TOP_APP_SECRET, TOP_SESSION)
  --sign-method md5|hmac|hmac-sha256           TOP sign method (default md5)
  --access-key-id I --access-key-secret S --security-token T
                           LinkedMall (env ALIBABA_CLOUD_ACCESS_KEY_ID,
                           ALIBABA_CLOUD_ACCESS_KEY_SECRET, ALIBABA_CLOUD_SECURITY_TOKEN)
  --http-method GET|POST   LinkedMall HTTP method (default POST)
  --format json|xml        response format (default json)
  --timeout-ms N --retries N`;

class UsageError extends Error {}

const VALUE_FLAGS = new Set(["param", "json", "jsonl", "endpoint", "app-key", "app-secret", "session", "sign-method",
  "access-key-id", "access-key-secret", "security-token", "http-method", "format", "timeout-ms", "retries", "concurrency",
  "rate", "results", "failed", "port", "host", "fault"]);
const BOOL_FLAGS = new Set(["dry-run", "help"]);

function parseArgs(argv) {
  const flags = { param: [], fault: [] };
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-h") {
      flags.help = true;
    } else if (a.startsWith("--")) {
      let [name, value] = a.slice(2).split(/=(.*)/s, 2);
      if (BOOL_FLAGS.has(name)) {
        flags[name] = true;
        continue;
      }
      if (!VALUE_FLAGS.has(name)) throw new UsageError(`unknown option --${name}`);
      if (value === undefined) {
        if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value`);
        value = argv[++i];
      }
      if (Array.isArray(flags[name])) flags[name].push(value);
      else flags[name] = value;
    } else {
      positional.push(a);
    }
  }
  return { flags, positional };
}

function help(cmd) {
  const text = HELP[cmd].replace("%COMMON%", COMMON).replace("%APIS%", modelledApis().join("\n  "));
  process.stdout.write(text + "\n");
}

const note = (m) => process.stderr.write(m + "\n");

function intFlag(flags, name, min, max) {
  if (flags[name] === undefined) return undefined;
  const n = Number(flags[name]);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}`);
  return n;
}

/**
 * `--param k=v` list → exact JSON text. Values are kept as text (decimal
 * strings are valid integers for aligate), so no number is rounded.
 */
export function paramsToJson(list) {
  const root = {};
  for (const item of list) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new UsageError(`bad --param ${JSON.stringify(item)}: expected key=value`);
    const path = item.slice(0, eq).split(".");
    if (path.some((p) => p === "")) throw new UsageError(`bad --param key ${JSON.stringify(item.slice(0, eq))}`);
    const raw = item.slice(eq + 1);
    let node = root;
    for (const p of path.slice(0, -1)) {
      if (typeof node[p] !== "object" || node[p].$raw !== undefined) node[p] = {};
      node = node[p];
    }
    const v = raw.trimStart();
    if (v.startsWith("{") || v.startsWith("[")) {
      try {
        JSON.parse(v);
      } catch (e) {
        throw new UsageError(`bad --param ${path.join(".")}: not valid JSON (${e.message})`);
      }
      node[path.at(-1)] = { $raw: v };
    } else {
      node[path.at(-1)] = { $raw: JSON.stringify(raw) };
    }
  }
  const write = (n) =>
    n.$raw !== undefined ? n.$raw : `{${Object.entries(n).map(([k, v]) => `${JSON.stringify(k)}:${write(v)}`).join(",")}}`;
  return write(root);
}

const isLinkedMall = (api) => api === "ConfirmDisburse" || /^[A-Z]/.test(api);

/** Builds the client for `api`, starting an in-process sandbox when nothing is configured. */
async function clientFor(api, flags, env = process.env) {
  const lmApi = isLinkedMall(api);
  const creds = lmApi
    ? {
        accessKeyId: flags["access-key-id"] ?? env.ALIBABA_CLOUD_ACCESS_KEY_ID,
        accessKeySecret: flags["access-key-secret"] ?? env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
        securityToken: flags["security-token"] ?? env.ALIBABA_CLOUD_SECURITY_TOKEN,
      }
    : {
        appKey: flags["app-key"] ?? env.TOP_APP_KEY,
        appSecret: flags["app-secret"] ?? env.TOP_APP_SECRET,
        session: flags.session ?? env.TOP_SESSION,
      };
  const [idKey, secretKey] = lmApi ? ["accessKeyId", "accessKeySecret"] : ["appKey", "appSecret"];
  let endpoint = flags.endpoint;
  let sandbox = null;
  if (!creds[idKey] && !creds[secretKey] && !endpoint) {
    sandbox = await startSandbox({ log: false });
    endpoint = lmApi ? sandbox.linkedmallEndpoint : sandbox.topEndpoint;
    Object.assign(creds, lmApi
      ? { accessKeyId: TEST_CREDENTIALS.accessKeyId, accessKeySecret: TEST_CREDENTIALS.accessKeySecret, securityToken: undefined }
      : { appKey: TEST_CREDENTIALS.appKey, appSecret: TEST_CREDENTIALS.appSecret, session: creds.session ?? TEST_CREDENTIALS.session });
    note(`note: no credentials or --endpoint given; using an in-process sandbox at ${sandbox.url} with its test credentials`);
  } else if (!creds[idKey] || !creds[secretKey]) {
    const names = lmApi
      ? "--access-key-id/--access-key-secret or ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET"
      : "--app-key/--app-secret or TOP_APP_KEY/TOP_APP_SECRET";
    throw new UsageError(`missing credentials for ${api}: set ${names}`);
  }
  const common = {
    endpoint,
    format: flags.format,
    timeoutMs: intFlag(flags, "timeout-ms", 1, 600_000),
    retries: intFlag(flags, "retries", 0, 10),
  };
  const clean = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ""));
  const client = lmApi
    ? new LinkedMallClient(clean({ ...creds, ...common, httpMethod: flags["http-method"] }))
    : new TopClient(clean({ ...creds, ...common, signMethod: flags["sign-method"] }));
  return { client, sandbox };
}

function errorJson(e) {
  if (!(e instanceof AligateError)) return { kind: "internal", message: String(e?.message ?? e) };
  const { name, stack, ...fields } = Object.assign({}, e);
  return { message: e.message, ...fields };
}

function printError(e) {
  if (e instanceof UsageError) {
    note(`error: ${e.message}`);
    return 2;
  }
  if (e instanceof AligateError) {
    note(`error (${e.kind}): ${e.message}`);
    for (const i of e.issues ?? []) note(`  ${i.path || "(params)"}: ${i.message}`);
    return 1;
  }
  note(`error: ${e?.message ?? e}`);
  return 1;
}

function readParams(flags) {
  if (flags.json !== undefined && flags.param.length) throw new UsageError("use either --json or --param, not both");
  if (flags.json === undefined) return paramsToJson(flags.param);
  try {
    return flags.json === "-" ? readFileSync(0, "utf8") : readFileSync(flags.json, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read ${flags.json === "-" ? "stdin" : flags.json}: ${e.code ?? e.message}`);
  }
}

async function cmdCall(positional, flags) {
  const api = positional[0];
  if (!api) throw new UsageError("call needs an API name, e.g. aligate call alibaba.alisports.lianbei.order.notice --param biz_order_id=1000");
  const params = readParams(flags);
  const { client, sandbox } = await clientFor(api, flags);
  try {
    if (flags["dry-run"]) {
      process.stdout.write(JSON.stringify(client.prepare(api, params, { redact: true }), null, 2) + "\n");
      return 0;
    }
    const result = await client.execute(api, params);
    process.stdout.write(JSON.stringify(result, null, 2) + "\n");
    return 0;
  } finally {
    await sandbox?.close();
  }
}

function progressLine(done, total, ok, failed, tty) {
  const pct = total ? Math.floor((done / total) * 100) : 100;
  if (tty) {
    const width = 30;
    const fill = Math.round((pct / 100) * width);
    return `\r[${"#".repeat(fill)}${"-".repeat(width - fill)}] ${done}/${total} ok ${ok} failed ${failed}`;
  }
  return `progress: ${done}/${total} (${pct}%) ok ${ok} failed ${failed}\n`;
}

async function cmdSend(positional, flags) {
  const api = positional[0];
  if (!api) throw new UsageError("send needs an API name");
  if (!flags.jsonl) throw new UsageError("send needs --jsonl file");
  let text;
  try {
    text = readFileSync(flags.jsonl, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read ${flags.jsonl}: ${e.code ?? e.message}`);
  }
  const concurrency = intFlag(flags, "concurrency", 1, 256) ?? 4;
  const rate = intFlag(flags, "rate", 1, 100_000);
  const stem = basename(flags.jsonl).replace(/\.jsonl?$/, "");
  const resultsPath = resolve(flags.results ?? `${stem}.results.jsonl`);
  const failedPath = resolve(flags.failed ?? `${stem}.failed.jsonl`);

  // Lines already answered (by number and content hash) are not sent again.
  const done = new Set();
  if (existsSync(resultsPath)) {
    for (const l of readFileSync(resultsPath, "utf8").split("\n")) {
      if (!l.trim()) continue;
      try {
        const r = JSON.parse(l);
        done.add(`${r.line}:${r.sha1}`);
      } catch {
        // A line cut short by a crash: that call is simply sent again.
      }
    }
  }
  const lines = text.split("\n");
  const work = [];
  let skipped = 0;
  lines.forEach((l, i) => {
    if (!l.trim()) return;
    const sha1 = createHash("sha1").update(l).digest("hex");
    if (done.has(`${i + 1}:${sha1}`)) skipped++;
    else work.push({ line: i + 1, text: l, sha1 });
  });
  const { client, sandbox } = await clientFor(api, flags);
  const results = createWriteStream(resultsPath, { flags: "a" });
  closeSync(openSync(failedPath, "w"));
  const failedOut = createWriteStream(failedPath, { flags: "a" });
  const tty = process.stderr.isTTY;
  let ok = 0;
  let failed = 0;
  let next = 0;
  let lastPrint = 0;
  const started = Date.now();
  let startedCount = 0;
  const report = (force) => {
    const now = Date.now();
    if (!force && now - lastPrint < (tty ? 100 : 1000)) return;
    lastPrint = now;
    process.stderr.write(progressLine(ok + failed, work.length, ok, failed, tty));
  };
  note(`sending ${work.length} ${api} calls (${skipped} already done in ${resultsPath}), concurrency ${concurrency}${rate ? `, rate ${rate}/s` : ""}`);
  async function worker() {
    while (next < work.length) {
      const item = work[next++];
      if (rate) {
        const at = started + (startedCount++ * 1000) / rate;
        const wait = at - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      try {
        const result = await client.execute(api, item.text);
        results.write(JSON.stringify({ line: item.line, sha1: item.sha1, result }) + "\n");
        ok++;
      } catch (e) {
        failedOut.write(`${JSON.stringify({ line: item.line, error: errorJson(e), params: item.text })}\n`);
        failed++;
      }
      report(false);
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, work.length || 1) }, worker));
  } finally {
    await Promise.all([new Promise((r) => results.end(r)), new Promise((r) => failedOut.end(r))]);
    await sandbox?.close();
  }
  report(true);
  if (tty) process.stderr.write("\n");
  note(`done: ${ok} ok, ${failed} failed, ${skipped} skipped (already done) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  note(`results: ${resultsPath}`);
  note(`failed:  ${failedPath}${failed ? " (rerun the same command to retry them)" : ""}`);
  return failed ? 1 : 0;
}

async function cmdSandbox(positional, flags) {
  const faults = flags.fault.map((f) => {
    const [fault, count] = f.split(":");
    if (!FAULTS.includes(fault)) throw new UsageError(`unknown fault ${fault}; one of ${FAULTS.join(", ")}`);
    return { fault, count: count ? Number(count) : 1 };
  });
  const sb = await startSandbox({
    port: intFlag(flags, "port", 0, 65535) ?? 8787,
    host: flags.host,
    appKey: flags["app-key"],
    appSecret: flags["app-secret"],
    session: flags.session,
    accessKeyId: flags["access-key-id"],
    accessKeySecret: flags["access-key-secret"],
    securityToken: flags["security-token"],
    faults,
  });
  const c = sb.credentials;
  const shown = (given, v) => (given ? "(as given)" : v);
  note(`aligate sandbox listening on ${sb.url}`);
  note(`  TOP router:  ${sb.topEndpoint}   app_key ${c.appKey}  app_secret ${shown(flags["app-secret"], c.appSecret)}  session ${shown(flags.session, c.session)}`);
  note(`  LinkedMall:  ${sb.linkedmallEndpoint}   AccessKeyId ${c.accessKeyId}  AccessKeySecret ${shown(flags["access-key-secret"], c.accessKeySecret)}`);
  note(`  faults: POST ${sb.url}/__sandbox/faults {"fault":"503","count":1}; stats: GET ${sb.url}/__sandbox/stats`);
  await new Promise((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await sb.close();
  return 0;
}

async function cmdDemo() {
  // The demo is read by people: everything goes to stdout, in order.
  const say = (m) => process.stdout.write(m + "\n");
  const sayError = (e) => say(`   error (${e.kind}): ${e.message}`);
  const sb = await startSandbox({ log: (l) => say(`  ${l}`) });
  const c = sb.credentials;
  say(`sandbox on ${sb.url} (test credentials: app_key ${c.appKey}, AccessKeyId ${c.accessKeyId})\n`);
  const top = new TopClient({ appKey: c.appKey, appSecret: c.appSecret, session: c.session, endpoint: sb.topEndpoint, signMethod: "hmac-sha256" });
  const lm = new LinkedMallClient({ accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, endpoint: sb.linkedmallEndpoint });
  const sub = {
    sub_biz_order_id: "SUB-1", auction_id: "A-1", auction_title: "健身月卡", out_item_id: "ITEM-1", price: 9900, freight: 0,
    amount: 9900, amount_type: "currency", pay_type: "alipay", currency_type: "yuan", qty: 1, point_grant: 99,
    uid: "p_MAIN-1_SUB-1", return_point_grant: 0,
  };
  const calls = [
    [top, "alibaba.retail.commission.status.change", { param0: { order_id: "1234567890123456789", order_status: 0, outer_order_id: "OUT-1", order_pay_time: "2026-11-22 10:00:00" } }],
    [top, "alibaba.alisports.lianbei.order.notice", { biz_order_id: 1234567890123456789n }],
    [top, "aliyun.gsc.funds.flow.notify", { official_funds_record_request: { payments: [{ main_biz_order_id: "MAIN-1", create_date: "2026-11-22 09:00:00", biz_date: "2026-11-22 10:00:00", seller_id: "gmall", sale_type: "sell", sub_orders: [sub] }] } }],
    [lm, "ConfirmDisburse", { BizId: "LMALL2019****0009", BizUid: "349***23", LmOrderId: "6012345678901234567" }],
  ];
  let failures = 0;
  for (const [client, api, params] of calls) {
    say(`── ${api}`);
    const p = client.prepare(api, params, { redact: true });
    say(`   ${p.method} ${p.url}`);
    if (p.body) say(`   body: ${p.body.length > 300 ? p.body.slice(0, 300) + "…" : p.body}`);
    try {
      const r = await client.execute(api, params);
      say(`   response: ${JSON.stringify(r, null, 2).replace(/\n/g, "\n   ")}`);
    } catch (e) {
      failures++;
      sayError(e);
    }
  }
  say(`── fault injection: the sandbox answers the next lianbei.order.notice with 503; it is a read, so aligate retries`);
  sb.inject({ fault: "503", count: 1, api: "alibaba.alisports.lianbei.order.notice" });
  const before = sb.stats.requests;
  try {
    const r = await top.lianbeiOrderNotice({ biz_order_id: "1000" }, { retries: 2 });
    say(`   succeeded after ${sb.stats.requests - before} requests; alisp_code ${r.result.alisp_code}`);
  } catch (e) {
    failures++;
    sayError(e);
  }
  say(`── a validation error, caught before anything is sent`);
  try {
    await top.fundsFlowNotify({ official_funds_record_request: { payments: [{ main_biz_order_id: "MAIN-2", create_date: "2026-11-22 09:00:00", biz_date: "2026-11-22", seller_id: "gmall", sale_type: "sell", sub_orders: [{ ...sub, pay_type: "paypal" }] }] } });
    failures++;
  } catch (e) {
    sayError(e);
  }
  await sb.close();
  say(failures ? `demo finished with ${failures} failures` : "demo finished: all calls succeeded");
  return failures ? 1 : 0;
}

export async function main(argv) {
  let parsed;
  try {
    parsed = parseArgs(argv);
  } catch (e) {
    return printError(e);
  }
  const [cmd, ...rest] = parsed.positional;
  const { flags } = parsed;
  const commands = { call: cmdCall, send: cmdSend, sandbox: cmdSandbox, demo: cmdDemo };
  if (!cmd || cmd === "help") {
    help("main");
    return cmd || flags.help ? 0 : 2;
  }
  if (!commands[cmd]) {
    note(`error: unknown command ${cmd}; one of call, send, sandbox, demo`);
    return 2;
  }
  if (flags.help) {
    help(cmd);
    return 0;
  }
  try {
    return await commands[cmd](rest, flags);
  } catch (e) {
    return printError(e);
  }
}

let invoked = "";
try {
  invoked = realpathSync(process.argv[1] ?? "");
} catch {
  // Not started as a script (imported): nothing to run.
}
if (invoked === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
