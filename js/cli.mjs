#!/usr/bin/env node
// The aligate command line: call, send, sandbox, demo. Results go to stdout
// as JSON; notes, progress and errors go to stderr.
import { realpathSync } from "node:fs";
import { open } from "node:fs/promises";
import { isIP } from "node:net";
import { fileURLToPath } from "node:url";
import { TopClient, LinkedMallClient, AligateError, protocolOf } from "./node.mjs";
import { startSandbox, TEST_CREDENTIALS, FAULTS } from "./sandbox.mjs";
import { APIS as DESCRIPTORS, API_BY_NAME } from "./generated/apis.mjs";
import { clientOf } from "./descriptors.mjs";
import { runSend } from "./send.mjs";

const HELP = {
  main: `aligate: validated, signed calls to Alibaba's TOP router and LinkedMall

Usage:
  aligate call <api> [--param k=v ...] [--json file|-] [--dry-run] [options]
  aligate send <api> --jsonl file [--concurrency N] [--rate N] [options]
  aligate sandbox [--port N] [--host H] [credentials] [--fault name[:count]]
  aligate demo

Run "aligate <command> --help" for details.

Modelled APIs (validated; from apis/*.json):
${"%APIS%"}

${"%ROUTING%"}`,
  call: `aligate call <api> [--param k=v ...] [--json file|-] [--dry-run] [options]

Builds, validates, signs and sends one call; prints the decoded response as JSON.
  --param k=v        a parameter; nested with dots (${"%NESTED%"}). For a
                     modelled API the value is read as its field's type: int as
                     exact digits (19-digit ids stay exact), bool as true/false,
                     object and list as JSON, anything else as text. For other
                     APIs a value starting with { or [ is JSON, the rest text
  --json file|-      all parameters as a JSON object from a file or stdin
  --dry-run          print the signed request (credentials redacted), send nothing
${"%COMMON%"}`,
  send: `aligate send <api> --jsonl file|- [options]

Sends one call per line of a JSONL file (each line: the parameters object),
streamed. Every line ends in one of three files, appended as answers arrive:
--results (default ./<file>.results.jsonl), --failed (not applied, or safe to
send again: a rerun retries them; the earlier runs' failed lines move to
<failed>.earlier.jsonl) and --unknown (may have been applied and not
repeat-safe: never sent again unless --resend-unknown). A journal beside the
results (<file>.journal) records each call before it leaves, so a run killed
at any moment resumes with the same command: answered lines are skipped, calls
in flight are resent only when repeat-safe, the others go to --unknown.
Lines are known by content (SHA-1 and occurrence), so editing the input
between runs is safe. CRLF and a UTF-8 BOM are accepted; a line that is not
UTF-8 or not JSON goes to --failed, unsent. A throttle or ban from the gateway
pauses every call, then concurrency ramps back up. Ctrl-C (or SIGTERM) starts
no new calls and waits for those in flight; a second one stops at once.
  --jsonl file|-     the input (- : standard input)
  --concurrency N    calls in flight (default 4)
  --rate N           at most N calls started per second (default unlimited)
  --batch N          TOP only: N lines (1-50) per request to /router/batch (the batch
                     API; each line keeps its own answer, journal entry and retries)
  --results file     results file
  --failed file      lines that failed, with their errors
  --unknown file     lines of unknown outcome (default ./<file>.unknown.jsonl)
  --resend-unknown   send the lines in --unknown again (after checking them)
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

/** An error the user can act on: one line, no stack; `exit` 2 for usage, 1 for a failure while running. */
class UsageError extends Error {
  constructor(message, exit = 2) {
    super(message);
    this.exit = exit;
  }
}

// ── Text shown to the user: one line per message, no raw control characters,
// no secret value. Every message passes through `line()` before stderr.
const SECRETS = new Set();
// C0, DEL, C1, the JS line/paragraph separators and the bidi embeddings, overrides and isolates.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const hasControl = (s) => /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(s);
const escapeControl = (s) =>
  s.replace(CONTROL, (c) => (c.charCodeAt(0) < 0x100 ? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}` : `\\u${c.charCodeAt(0).toString(16)}`));
function redact(s) {
  for (const secret of SECRETS) if (secret.length >= 4) s = s.split(secret).join("***");
  return s;
}
const MAX_LINE = 2000;
function line(s) {
  const t = escapeControl(redact(String(s)));
  return t.length > MAX_LINE ? `${t.slice(0, MAX_LINE)}… (${t.length - MAX_LINE} more characters)` : t;
}
/** A user value for a message: cut short (`short`), and quoted (`quote`); `line` escapes it. */
const short = (s) => (s.length > 80 ? `${s.slice(0, 80)}… (${s.length} characters)` : s);
const quote = (s) => escapeControl(JSON.stringify(short(s)));
/** JSON for stdout: what JSON.stringify leaves raw (DEL, C1, U+2028/9, bidi controls) as `\uXXXX`, still valid JSON. */
const jsonOut = (v) =>
  JSON.stringify(v, null, 2).replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
/** One message, one line: a newline inside it is escaped like any control character. */
const note = (m) => {
  try {
    process.stderr.write(line(m) + "\n");
  } catch {
    // stderr is gone: nothing left to tell.
  }
};
/** stdout write that reports failure (EPIPE, ENOSPC) as an error instead of an 'error' event. */
function out(text) {
  return new Promise((resolve, reject) =>
    process.stdout.write(text, (e) => (e ? reject(new UsageError(`cannot write to standard output: ${errno(e)}`, 1)) : resolve())),
  );
}

const CODES = {
  ENOENT: "no such file or directory", EACCES: "permission denied", EPERM: "operation not permitted",
  EISDIR: "is a directory", ENOTDIR: "a part of the path is not a directory", ENOSPC: "no space left on device",
  EROFS: "read-only file system", EDQUOT: "disk quota exceeded", EIO: "input/output error", EMFILE: "too many open files",
  ENAMETOOLONG: "name too long", ELOOP: "too many symbolic links", EEXIST: "already exists", EFBIG: "file too large",
  EADDRINUSE: "address already in use", EADDRNOTAVAIL: "address not available", ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed", ERR_STRING_TOO_LONG: "too large to decode", EPIPE: "the reader closed the pipe",
};
const errno = (e) => (e?.code ? `${e.code}${Object.hasOwn(CODES, e.code) ? ` (${CODES[e.code]})` : ""}` : String(e?.message ?? e));

// ── Flags. Each takes a value of one kind; which command takes which flag is listed below.
const KINDS = {
  param: "list", json: "path", jsonl: "path", results: "path", failed: "path", unknown: "path", fault: "list",
  endpoint: "url", host: "host", "app-key": "text", "access-key-id": "text",
  "app-secret": "secret", session: "secret", "access-key-secret": "secret", "security-token": "secret",
  "sign-method": ["md5", "hmac", "hmac-sha256"], "http-method": ["GET", "POST"], format: ["json", "xml"],
  "timeout-ms": [1, 600_000], retries: [0, 10], concurrency: [1, 256], batch: [1, 50], rate: [1, 100_000], port: [0, 65535],
};
const BOOL_FLAGS = new Set(["dry-run", "help", "resend-unknown"]);
const CLIENT_FLAGS = ["endpoint", "app-key", "app-secret", "session", "sign-method", "access-key-id", "access-key-secret",
  "security-token", "http-method", "format", "timeout-ms", "retries"];
const COMMAND_FLAGS = {
  call: new Set([...CLIENT_FLAGS, "param", "json", "dry-run"]),
  send: new Set([...CLIENT_FLAGS, "jsonl", "concurrency", "rate", "results", "failed", "unknown", "resend-unknown", "batch"]),
  sandbox: new Set(["port", "host", "app-key", "app-secret", "session", "access-key-id", "access-key-secret", "security-token", "fault"]),
  demo: new Set(),
};
const ENV_CREDS = { TOP_APP_KEY: "text", TOP_APP_SECRET: "secret", TOP_SESSION: "secret", ALIBABA_CLOUD_ACCESS_KEY_ID: "text",
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: "secret", ALIBABA_CLOUD_SECURITY_TOKEN: "secret" };

/**
 * argv → { flags, positional }. `flags` has no prototype, so no user text can
 * reach Object.prototype; names are checked against KINDS before use.
 */
export function parseArgs(argv) {
  const flags = Object.assign(Object.create(null), { param: [], fault: [] });
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const a = String(argv[i]);
    if (a === "-h" || a === "--help") {
      flags.help = true;
    } else if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      let value = eq < 0 ? undefined : a.slice(eq + 1);
      if (BOOL_FLAGS.has(name)) {
        if (value !== undefined) throw new UsageError(`--${name} takes no value`);
        flags[name] = true;
        continue;
      }
      if (!Object.hasOwn(KINDS, name)) throw new UsageError(`unknown option --${short(name)}; see aligate --help`);
      if (value === undefined) {
        if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value`);
        const next = String(argv[i + 1]);
        if (next.startsWith("--") && next.length > 2) {
          throw new UsageError(`--${name} needs a value (the next argument is an option; for a value starting with --, write --${name}=VALUE)`);
        }
        value = next;
        i++;
      }
      if (KINDS[name] === "list") flags[name].push(value);
      else if (flags[name] !== undefined) throw new UsageError(`--${name} is given twice; give it once`);
      else flags[name] = value;
    } else if (a.startsWith("-") && a !== "-") {
      throw new UsageError(`unknown option ${short(a)}; see aligate --help`);
    } else {
      positional.push(a);
    }
  }
  return { flags, positional };
}

function intValue(name, s, [min, max]) {
  if (!/^[0-9]{1,10}$/.test(s) || Number(s) < min || Number(s) > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (got ${quote(s)})`);
  }
  return Number(s);
}

/**
 * Checks every flag value (and credential variable) before anything is started
 * or sent, and returns the typed values. Secrets are remembered for redaction
 * and never echoed.
 */
export function checkFlags(cmd, flags, env = process.env) {
  for (const [k, kind] of Object.entries(ENV_CREDS)) {
    const v = env[k];
    if (typeof v !== "string" || v === "") continue;
    if (kind === "secret") SECRETS.add(v);
    if (hasControl(v)) throw new UsageError(`environment variable ${k} contains a control character; fix its value`);
  }
  const opts = Object.create(null);
  for (const name of Object.keys(flags)) {
    const value = flags[name];
    if (name === "param" || name === "fault") {
      if (value.length && !COMMAND_FLAGS[cmd].has(name)) throw new UsageError(`--${name} is not an option of ${cmd}; see aligate ${cmd} --help`);
      continue;
    }
    if (name === "help") continue;
    if (!COMMAND_FLAGS[cmd].has(name)) throw new UsageError(`--${name} is not an option of ${cmd}; see aligate ${cmd} --help`);
    if (value === true) {
      opts[name] = true;
      continue;
    }
    const kind = KINDS[name];
    if (kind === "secret") SECRETS.add(value);
    if (value === "") throw new UsageError(`--${name} needs a non-empty value`);
    if (hasControl(value)) {
      throw new UsageError(`--${name} ${kind === "secret" ? "" : `${quote(value)} `}contains a control character; remove it`);
    }
    if (Array.isArray(kind) && typeof kind[0] === "number") {
      opts[name] = intValue(name, value, kind);
    } else if (Array.isArray(kind)) {
      const hit = kind.find((k) => k.toLowerCase() === value.toLowerCase());
      if (!hit || (name === "sign-method" && hit !== value)) throw new UsageError(`--${name} must be one of ${kind.join(", ")} (got ${quote(value)})`);
      opts[name] = hit;
    } else if (kind === "url") {
      let u;
      try {
        u = new URL(value);
      } catch {
        throw new UsageError(`--endpoint ${quote(value)} is not a URL; give one like https://gw.api.taobao.com/router/rest`);
      }
      if (u.protocol !== "http:" && u.protocol !== "https:") throw new UsageError(`--endpoint must be an http: or https: URL (got ${quote(value)})`);
      if (value.includes("#")) throw new UsageError(`--endpoint must not contain a fragment (#)`);
      opts[name] = value;
    } else if (kind === "host") {
      // A literal address: the sandbox listens locally, and no name lookup can stall the start.
      if (value !== "localhost" && !isIP(value)) throw new UsageError(`--host must be an IP address or localhost (got ${quote(value)})`);
      opts[name] = value;
    } else {
      if (value.length > 4096) throw new UsageError(`--${name} is longer than 4096 characters`);
      opts[name] = value;
    }
  }
  opts.params = flags.param;
  opts.faults = flags.fault.map((f) => {
    const [fault, count, ...rest] = f.split(":");
    if (!FAULTS.includes(fault) || rest.length) throw new UsageError(`unknown fault ${quote(f)}; give name[:count] with a name from ${FAULTS.join(", ")}`);
    return { fault, count: count === undefined ? 1 : intValue(`fault ${fault}:count`, count, [1, 1_000_000]) };
  });
  return opts;
}

// How the core's protocolOf reads a name it does not model (src/models/mod.rs `protocol_of`), for messages.
const TOP_SHAPE = "a TOP method (lower-case, dotted: taobao.item.seller.get)";
const RPC_SHAPE = "an Aliyun action (capitalised letters and digits: DescribeRegions)";
const wrap = (text, width = 78) => text.split(" ").reduce((lines, w) => {
  const last = lines[lines.length - 1];
  if (last && last.length + 1 + w.length <= width) lines[lines.length - 1] = `${last} ${w}`;
  else lines.push(w);
  return lines;
}, []).join("\n");
const ROUTING = wrap(`Any other name is signed and sent unvalidated: ${TOP_SHAPE} goes to the TOP router, ${RPC_SHAPE} to the LinkedMall endpoint; other names are refused.`);

/** The protocol of a name ("top" | "aliyun-rpc"), or null: the core's protocolOf, the one answer. */
function protocolOfName(api) {
  try {
    return protocolOf(api);
  } catch {
    return null; // a name the core refuses outright (too long)
  }
}

function checkApi(cmd, api) {
  if (api === undefined) {
    throw new UsageError(cmd === "call" ? `call needs an API name, e.g. ${exampleCall()}` : "send needs an API name");
  }
  if (protocolOfName(api) === null) throw new UsageError(`API name ${quote(api)} is not valid: it is neither ${TOP_SHAPE} nor ${RPC_SHAPE}`);
  return api;
}

/** The shortest `aligate call` of a modelled API's example request given as --param flags. */
function exampleCall() {
  const flat = DESCRIPTORS.map((d) => [d.api, Object.entries(d.examples.request)])
    .filter(([, e]) => e.length && e.every(([, v]) => v === null || typeof v !== "object"))
    .map(([api, e]) => `aligate call ${api}${e.map(([k, v]) => ` --param ${k}=${v}`).join("")}`);
  return flat.sort((a, b) => a.length - b.length)[0] ?? "aligate call taobao.item.seller.get --param fields=title --param num_iid=1";
}

/** A nested --param of a modelled API (`outer.inner=example`), for the help. */
function nestedExample() {
  for (const d of DESCRIPTORS) {
    for (const f of d.request.filter((x) => x.type === "object")) {
      const c = d.types[f.of].find((x) => typeof x.example === "string" && !/\s/.test(x.example) && x.type !== "object" && x.type !== "list");
      if (c) return `${f.name}.${c.name}=${c.example}`;
    }
  }
  return "outer.inner=1";
}

const SESSION = { required: "session required", optional: "session optional", none: "no session" };
function apiList() {
  const width = Math.max(...DESCRIPTORS.map((d) => d.api.length));
  return DESCRIPTORS.map((d) => `  ${d.api.padEnd(width)}  ${d.protocol.padEnd(10)}  ${SESSION[d.session].padEnd(16)}  ${d.title}`).join("\n");
}

function help(cmd) {
  const text = HELP[cmd].replace("%COMMON%", COMMON).replace("%APIS%", apiList()).replace("%ROUTING%", ROUTING)
    .replace("%NESTED%", nestedExample());
  return out(text + "\n");
}

const MAX_DEPTH = 64;
const INTEGER = /^-?(0|[1-9][0-9]*)$/;

/**
 * A `--param` value as JSON text, typed by its field (`field` undefined: not
 * modelled): int digits become a number written as given (never a JS number,
 * so no id is rounded), bool true/false a boolean, an object or list JSON,
 * anything else a string. What does not fit its type stays a string, for the
 * validators to name.
 */
function leafJson(key, raw, field) {
  const type = field?.type;
  if (type === "int" && INTEGER.test(raw)) return raw;
  if (type === "bool" && (raw === "true" || raw === "false")) return raw;
  const v = raw.trimStart();
  if ((type === undefined || type === "object" || type === "list") && (v.startsWith("{") || v.startsWith("["))) {
    try {
      JSON.parse(v);
    } catch (e) {
      throw new UsageError(`bad --param ${quote(key)}: not valid JSON (${e.message})`);
    }
    return v;
  }
  return JSON.stringify(raw);
}

/** The descriptor field at a dotted path of a modelled API, or undefined. */
function fieldAt(d, path) {
  let fields = d?.request;
  let f;
  for (const name of path) {
    f = fields?.find((x) => x.name === name || x.alias === name);
    if (!f) return undefined;
    fields = f.type === "object" ? d.types[f.of] : undefined;
  }
  return f;
}

/**
 * `--param k=v` list → exact JSON text. For a modelled `api` each value is
 * read as its field's type (leafJson); otherwise a value starting with { or [
 * is JSON and the rest is text (decimal strings are valid integers for
 * aligate), so no number is rounded. The tree is built from Maps: a key such
 * as `__proto__` or `constructor` is an ordinary key.
 */
export function paramsToJson(list, api) {
  const d = typeof api === "string" ? API_BY_NAME.get(api) : undefined;
  const root = new Map();
  for (const item of list) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new UsageError(`bad --param ${quote(item)}: expected key=value`);
    const key = item.slice(0, eq);
    const path = key.split(".");
    if (path.some((p) => p === "")) throw new UsageError(`bad --param key ${quote(key)}: empty part between dots`);
    if (path.length > MAX_DEPTH) throw new UsageError(`bad --param key ${quote(key)}: more than ${MAX_DEPTH} levels`);
    const leaf = leafJson(key, item.slice(eq + 1), d ? fieldAt(d, path) : undefined);
    let node = root;
    path.forEach((p, depth) => {
      const have = node.get(p);
      if (depth === path.length - 1) {
        if (have !== undefined) throw new UsageError(`--param ${quote(key)} is given twice (or also has nested keys); give it once`);
        node.set(p, leaf);
      } else if (have === undefined) {
        node.set(p, (node = new Map()));
      } else if (have instanceof Map) {
        node = have;
      } else {
        throw new UsageError(`--param ${quote(key)}: ${quote(path.slice(0, depth + 1).join("."))} already has a value`);
      }
    });
  }
  const write = (n) => (n instanceof Map ? `{${[...n].map(([k, v]) => `${JSON.stringify(k)}:${write(v)}`).join(",")}}` : n);
  return write(root);
}

// ── Input files: bounded reads, BOM stripped, CRLF accepted, invalid UTF-8 found by line.
const MAX_JSON = 8 * 1024 * 1024 + 1024;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function fileError(flag, path, e, verb) {
  if (e instanceof UsageError) return e;
  const what = path === "-" ? "standard input" : path;
  return new UsageError(`cannot ${verb} ${what}: ${errno(e)}; check the --${flag} path`);
}

async function readInput(flag, path, limit) {
  if (path === "-") {
    const chunks = [];
    let size = 0;
    try {
      for await (const c of process.stdin) {
        size += c.length;
        if (size > limit) throw new UsageError(`--${flag}: standard input is larger than ${limit >> 20} MiB`);
        chunks.push(c);
      }
    } catch (e) {
      throw fileError(flag, path, e, "read");
    } finally {
      process.stdin.destroy();
    }
    return Buffer.concat(chunks);
  }
  let fh;
  try {
    fh = await open(path, "r");
    if ((await fh.stat()).isDirectory()) throw new UsageError(`cannot read ${path}: it is a directory; give a file to --${flag}`);
    const chunks = [];
    let size = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(1 << 20);
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (!bytesRead) break;
      size += bytesRead;
      if (size > limit) throw new UsageError(`cannot read ${path}: larger than ${limit >> 20} MiB; split it`);
      chunks.push(buf.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks);
  } catch (e) {
    throw fileError(flag, path, e, "read");
  } finally {
    await fh?.close().catch(() => {});
  }
}

/**
 * Splits bytes into lines: line numbers from 1, `raw` without the LF (and
 * without the BOM on line 1), `text` decoded with a trailing CR removed, or
 * `text === null` when the line is not valid UTF-8.
 */
function splitLines(buf) {
  const lines = [];
  let start = buf.subarray(0, 3).equals(BOM) ? 3 : 0;
  for (let n = 1; ; n++) {
    let end = buf.indexOf(10, start);
    const last = end < 0;
    if (last) end = buf.length;
    const raw = buf.subarray(start, end);
    let text;
    try {
      text = utf8.decode(raw[raw.length - 1] === 13 ? raw.subarray(0, -1) : raw);
    } catch {
      text = null;
    }
    lines.push({ n, raw, text });
    if (last) return lines;
    start = end + 1;
  }
}

/** Why `text` is not JSON (with its line and column when several lines), or null. */
function jsonProblem(text, multiline) {
  try {
    JSON.parse(text);
    return null;
  } catch (e) {
    const at = /position (\d+)/.exec(e.message);
    if (!at) return `not valid JSON (${short(e.message)})`;
    const before = text.slice(0, Number(at[1]));
    const column = before.length - before.lastIndexOf("\n");
    return multiline ? `not valid JSON at line ${before.split("\n").length}, column ${column}` : `not valid JSON at column ${column}`;
  }
}

async function readParams(opts, api) {
  if (opts.json !== undefined && opts.params.length) throw new UsageError("use either --json or --param, not both");
  if (opts.json === undefined) return paramsToJson(opts.params, api);
  const buf = await readInput("json", opts.json, MAX_JSON);
  const lines = splitLines(buf);
  const bad = lines.find((l) => l.text === null);
  const name = opts.json === "-" ? "standard input" : opts.json;
  if (bad) throw new UsageError(`--json ${name}: line ${bad.n} is not valid UTF-8; save the file as UTF-8`);
  const text = lines.map((l) => l.text).join("\n");
  const problem = jsonProblem(text, true);
  if (problem) throw new UsageError(`--json ${name}: ${problem}`);
  return text;
}

/** Credentials for `api` from flags or the environment; `sandbox: true` when nothing is configured. */
function resolveCreds(api, opts, env = process.env) {
  const lmApi = protocolOfName(api) === "aliyun-rpc";
  const pick = (flag, name) => opts[flag] ?? (env[name] || undefined);
  const creds = lmApi
    ? { accessKeyId: pick("access-key-id", "ALIBABA_CLOUD_ACCESS_KEY_ID"), accessKeySecret: pick("access-key-secret", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"),
        securityToken: pick("security-token", "ALIBABA_CLOUD_SECURITY_TOKEN") }
    : { appKey: pick("app-key", "TOP_APP_KEY"), appSecret: pick("app-secret", "TOP_APP_SECRET"), session: pick("session", "TOP_SESSION") };
  const [id, secret] = lmApi ? [creds.accessKeyId, creds.accessKeySecret] : [creds.appKey, creds.appSecret];
  if (!id && !secret && !opts.endpoint) return { lmApi, creds, sandbox: true };
  if (!id || !secret) {
    const names = lmApi
      ? "--access-key-id/--access-key-secret or ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET"
      : "--app-key/--app-secret or TOP_APP_KEY/TOP_APP_SECRET";
    throw new UsageError(`missing credentials for ${api}: set ${names}`);
  }
  return { lmApi, creds, sandbox: false };
}

async function startSandboxOr(options, what) {
  try {
    return await startSandbox(options);
  } catch (e) {
    const where = `${options.host ?? "127.0.0.1"}:${options.port ?? 0}`;
    throw new UsageError(`cannot start ${what} on ${where}: ${errno(e)}${options.port ? "; choose another --port or --host" : ""}`);
  }
}

/**
 * Builds the client for `api`, starting an in-process sandbox when nothing is
 * configured. Every flag is checked before this runs; the caller closes the
 * sandbox (also when building the client throws: it is returned via `held`).
 */
async function clientFor(api, opts, held, extra = {}) {
  const { lmApi, creds, sandbox: embedded } = resolveCreds(api, opts);
  let endpoint = opts.endpoint;
  if (embedded) {
    const fresh = !held.sandbox;
    const sandbox = (held.sandbox ??= await startSandboxOr({ log: false }, "the in-process sandbox"));
    endpoint = lmApi ? sandbox.linkedmallEndpoint : sandbox.topEndpoint;
    Object.assign(creds, lmApi
      ? { accessKeyId: TEST_CREDENTIALS.accessKeyId, accessKeySecret: TEST_CREDENTIALS.accessKeySecret, securityToken: undefined }
      : { appKey: TEST_CREDENTIALS.appKey, appSecret: TEST_CREDENTIALS.appSecret, session: creds.session ?? TEST_CREDENTIALS.session });
    if (fresh) note(`note: no credentials or --endpoint given; using an in-process sandbox at ${sandbox.url} with its test credentials`);
  }
  const common = { endpoint, format: opts.format, timeoutMs: opts["timeout-ms"], retries: opts.retries, ...extra };
  const clean = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ""));
  return lmApi
    ? new LinkedMallClient(clean({ ...creds, ...common, httpMethod: opts["http-method"] }))
    : new TopClient(clean({ ...creds, ...common, signMethod: opts["sign-method"] }));
}

const redactDeep = (v) =>
  typeof v === "string" ? redact(v) : Array.isArray(v) ? v.map(redactDeep) : v && typeof v === "object"
    ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactDeep(x)])) : v;

function errorJson(e) {
  if (!(e instanceof AligateError)) return { kind: "internal", message: redact(String(e?.message ?? e)) };
  const { name, stack, ...fields } = Object.assign({}, e);
  return redactDeep({ message: e.message, ...fields });
}

function printError(e) {
  if (e instanceof UsageError) {
    note(`error: ${e.message}`);
    return e.exit;
  }
  if (e instanceof AligateError) {
    note(`error (${e.kind}): ${e.message}`);
    for (const i of e.issues ?? []) note(`  ${i.path || "(params)"}: ${i.message}`);
    return 1;
  }
  note(`error: ${e?.message ?? e}`);
  return 1;
}

function noExtra(positional, n) {
  if (positional.length > n) throw new UsageError(`unexpected argument ${quote(positional[n])}; see aligate --help`);
}

async function cmdCall(positional, opts) {
  const api = checkApi("call", positional[0]);
  noExtra(positional, 1);
  const params = await readParams(opts, api);
  resolveCreds(api, opts);
  const held = {};
  try {
    const client = await clientFor(api, opts, held);
    const result = opts["dry-run"] ? client.prepare(api, params, { redact: true }) : await client.execute(api, params);
    await out(jsonOut(result) + "\n");
    return 0;
  } finally {
    await held.sandbox?.close();
  }
}

const listLines = (ns) => (ns.length > 10 ? `${ns.slice(0, 10).join(", ")} and ${ns.length - 10} more` : ns.join(", "));

async function cmdSend(positional, opts) {
  const api = checkApi("send", positional[0]);
  noExtra(positional, 1);
  if (!opts.jsonl) throw new UsageError("send needs --jsonl file");
  if (opts.batch !== undefined && protocolOfName(api) !== "top") throw new UsageError(`--batch is for TOP APIs (the TOP batch API); ${short(api)} is not one`);
  resolveCreds(api, opts);
  const held = {};
  try {
    const progress = (text) => {
      try {
        process.stderr.write(text);
      } catch {
        // Progress is only a courtesy.
      }
    };
    const client = (extra) => clientFor(api, opts, held, extra);
    return await runSend(api, opts, { note, progress, errorJson, UsageError, errno, short, listLines, client });
  } finally {
    await held.sandbox?.close();
  }
}

async function cmdSandbox(positional, opts) {
  noExtra(positional, 0);
  // Listening before the start: a signal that arrives while it starts must stop it, not kill the process unclosed.
  let stopped;
  const stop = new Promise((resolve) => (stopped = resolve));
  process.once("SIGINT", stopped);
  process.once("SIGTERM", stopped);
  let sb;
  try {
    sb = await startSandboxOr({
      port: opts.port ?? 8787,
      host: opts.host,
      appKey: opts["app-key"],
      appSecret: opts["app-secret"],
      session: opts.session,
      accessKeyId: opts["access-key-id"],
      accessKeySecret: opts["access-key-secret"],
      securityToken: opts["security-token"],
      faults: opts.faults,
    }, "the sandbox");
    const c = sb.credentials;
    const shown = (given, v) => (given ? "(as given)" : v);
    note(`aligate sandbox listening on ${sb.url}`);
    note(`  TOP router:  ${sb.topEndpoint}   app_key ${c.appKey}  app_secret ${shown(opts["app-secret"], c.appSecret)}  session ${shown(opts.session, c.session)}`);
    note(`  LinkedMall:  ${sb.linkedmallEndpoint}   AccessKeyId ${c.accessKeyId}  AccessKeySecret ${shown(opts["access-key-secret"], c.accessKeySecret)}`);
    note(`  faults: POST ${sb.url}/__sandbox/faults {"fault":"503","count":1}; stats: GET ${sb.url}/__sandbox/stats`);
    await stop;
    return 0;
  } finally {
    process.off("SIGINT", stopped);
    process.off("SIGTERM", stopped);
    await sb?.close();
  }
}

async function cmdDemo(positional) {
  noExtra(positional, 0);
  // The demo is read by people: everything goes to stdout, in order.
  const say = (m) => process.stdout.write(m + "\n");
  const sayError = (e) => say(`   error (${e.kind}): ${e.message}`);
  const sb = await startSandboxOr({ log: (l) => say(`  ${l}`) }, "the demo sandbox");
  try {
    return await runDemo(sb, say, sayError);
  } finally {
    await sb.close();
  }
}

/**
 * A copy of `d`'s example request with one value outside its field's value
 * set (null when no field has one): the demo's validation error.
 */
function outsideValueSet(d) {
  let done = false;
  const walk = (v, fields) => {
    if (Array.isArray(v)) return v.map((x) => walk(x, fields));
    if (v === null || typeof v !== "object") return v;
    const out = {};
    for (const [k, x] of Object.entries(v)) {
      const f = fields?.find((g) => g.name === k);
      if (!done && f?.values && (x === null || typeof x !== "object")) {
        done = true;
        out[k] = typeof x === "number" ? Math.max(...f.values) + 1 : `${x}-x`;
      } else {
        out[k] = walk(x, f?.of ? d.types[f.of] : undefined);
      }
    }
    return out;
  };
  const params = walk(d.examples.request, d.request);
  return done ? params : null;
}

// The demo runs every modelled API's example request (apis/*.json), then a
// read with an injected fault, then a call with a value outside its value set.
async function runDemo(sb, say, sayError) {
  const c = sb.credentials;
  say(`sandbox on ${sb.url} (test credentials: app_key ${c.appKey}, AccessKeyId ${c.accessKeyId})\n`);
  const clients = {
    TopClient: new TopClient({ appKey: c.appKey, appSecret: c.appSecret, session: c.session, endpoint: sb.topEndpoint, signMethod: "hmac-sha256" }),
    LinkedMallClient: new LinkedMallClient({ accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, endpoint: sb.linkedmallEndpoint }),
  };
  let failures = 0;
  for (const d of DESCRIPTORS) {
    const client = clients[clientOf(d)];
    const params = d.examples.request;
    say(`── ${d.api} (${d.title})`);
    const p = client.prepare(d.api, params, { redact: true });
    say(`   ${p.method} ${p.url}`);
    if (p.body) say(`   body: ${p.body.length > 300 ? p.body.slice(0, 300) + "…" : p.body}`);
    try {
      const r = await client.execute(d.api, params);
      say(`   response: ${jsonOut(r).replace(/\n/g, "\n   ")}`);
    } catch (e) {
      failures++;
      sayError(e);
    }
  }
  const read = DESCRIPTORS.find((d) => d.repeatSafe?.read);
  if (read) {
    say(`── fault injection: the sandbox answers the next ${read.api} with 503; it is a read, so aligate retries`);
    sb.inject({ fault: "503", count: 1, api: read.api });
    const before = sb.stats.requests;
    try {
      await clients[clientOf(read)][read.shortcut](read.examples.request, { retries: 2 });
      say(`   succeeded after ${sb.stats.requests - before} requests`);
    } catch (e) {
      failures++;
      sayError(e);
    }
  }
  const bad = DESCRIPTORS.map((d) => [d, outsideValueSet(d)]).find(([, params]) => params);
  if (bad) {
    say(`── a validation error, caught before anything is sent`);
    const before = sb.stats.requests;
    try {
      await clients[clientOf(bad[0])].execute(bad[0].api, bad[1]);
      failures++;
    } catch (e) {
      sayError(e);
      if (e.kind !== "validation" || sb.stats.requests !== before) failures++;
    }
  }
  say(failures ? `demo finished with ${failures} failures` : "demo finished: all calls succeeded");
  return failures ? 1 : 0;
}

const COMMANDS = { __proto__: null, call: cmdCall, send: cmdSend, sandbox: cmdSandbox, demo: cmdDemo };

export async function main(argv) {
  try {
    const { flags, positional } = parseArgs(argv);
    const [cmd, ...rest] = positional;
    if (cmd === undefined || cmd === "help") {
      await help("main");
      return cmd !== undefined || flags.help ? 0 : 2;
    }
    if (!COMMANDS[cmd]) {
      note(`error: unknown command ${short(cmd)}; one of call, send, sandbox, demo`);
      return 2;
    }
    if (flags.help) {
      await help(cmd);
      return 0;
    }
    return await COMMANDS[cmd](rest, checkFlags(cmd, flags));
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
  // Errors on stdout are reported through out()'s callback, stderr ones cannot be; neither may crash.
  process.stdout.on("error", () => {});
  process.stderr.on("error", () => {});
  const die = (e) => {
    note(`error: internal error: ${e?.message ?? e}`);
    process.exit(1);
  };
  process.on("uncaughtException", die);
  process.on("unhandledRejection", die);
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    // Everything the CLI opened is closed by now; if anything else holds the loop
    // (a keep-alive socket of a real gateway), it must not keep the process alive.
    setTimeout(() => process.exit(code), 2000).unref();
  });
}
