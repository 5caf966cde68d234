// The local sandbox gateway: an emulator of the TOP router (/router/rest, and
// /router/batch whose calls each take the /router/rest path) and
// the Aliyun RPC endpoint (/) for the modelled APIs (apis/*.json: which endpoint
// takes each, its session rule, version and example answer). It accepts what the real
// gateways accept from the official SDKs, verifies signatures, timestamps and
// nonces with aligate's Rust signers, validates business parameters with the
// same Rust rules, answers in the reference pages' shapes, and injects faults
// on demand. Node only (node:http).
//
// Every request is hostile: client text is only ever a Map/Set key or compared
// with own constants (never an object property lookup), every store is bounded,
// sizes are refused before any hashing, and nothing a client sends can throw
// outside a handler or split a log line.
import { createServer } from "node:http";
import { randomUUID, createHash, createHmac } from "node:crypto";
import { signTop, signAliyunRpc, validateWire, protocolOf } from "./node.mjs";
import { APIS as DESCRIPTORS, API_BY_NAME } from "./generated/apis.mjs";

/** Fixed test credentials, printed at start; used when no others are given. */
export const TEST_CREDENTIALS = Object.freeze({
  appKey: "sandbox-app-key",
  appSecret: "sandbox-app-secret",
  session: "sandbox-session",
  accessKeyId: "sandbox-access-key-id",
  accessKeySecret: "sandbox-access-key-secret",
});

export const FAULTS = ["503", "429", "isp", "code7", "throttling", "slow", "reset", "malformed", "signature"];
/** Faults one item of a batch can have (the others concern the whole HTTP exchange: `batch: true` or none). */
const ITEM_FAULTS = new Set(["isp", "code7", "throttling", "malformed"]);

const TOP_SKEW_MS = 10 * 60_000;
const RPC_SKEW_MS = 15 * 60_000;
/** Defaults of `options.limits`; see startSandbox. */
export const LIMITS = Object.freeze({
  urlBytes: 8 * 1024, // request target (path + query), like a front proxy's URL buffer
  bodyBytes: 1024 * 1024,
  params: 256, // name=value pairs, query and body together
  paramBytes: 1024 * 1024, // decoded names + values (UTF-16 units), query and body together
  nonceChars: 128,
  nonces: 100_000, // remembered for 2 × the timestamp skew, oldest evicted first
  faults: 100, // queued fault entries
  faultCount: 1_000_000, // count of one entry
  faultMs: 60_000, // `slow` delay
  controlBytes: 64 * 1024, // body of POST /__sandbox/faults
  connections: 512,
  batchParts: 50, // calls in one POST /router/batch
});

/** `POST /router/batch`: parts joined by this unless the `top-api-separator` header names another. */
const DEFAULT_SEPARATOR = "\r\n-S-\r\n";
// It travels in a header: printable ASCII, bounded, no space at either end (HTTP would trim it).
const SEPARATOR = /^[\x21-\x7e](?:[\x20-\x7e]{0,62}[\x21-\x7e])?$/;
const PUBLIC = "#PUBLIC#";
// Parameters of the batch as a whole: they belong in its URL (they are signed there), not in a part.
const BATCH_ONLY = new Set(["app_key", "timestamp", "v", "sign_method", "sign", "format", "simplify", "partner_id"]);

const TOP_SYSTEM = new Set(["method", "app_key", "timestamp", "format", "v", "sign_method", "sign", "session", "simplify",
  "partner_id", "target_app_key"]);
const RPC_SYSTEM = new Set(["AccessKeyId", "Action", "Format", "SignatureMethod", "SignatureNonce", "SignatureVersion",
  "Signature", "Timestamp", "Version", "SecurityToken", "RegionId", "SignatureType"]);
const TOP_SIGN_METHODS = new Set(["md5", "hmac", "hmac-sha256"]);
const FAULT_FIELDS = new Set(["fault", "count", "api", "ms", "seconds", "item", "batch"]);
const OTHER = "other";

// What the sandbox knows of each API comes from its descriptor.
const namesWhere = (keep) => new Set(DESCRIPTORS.filter(keep).map((d) => d.api));
const TOP_METHODS = namesWhere((d) => d.endpoint === "top");
const RPC_ACTIONS = namesWhere((d) => d.endpoint === "linkedmall");
const RPC_VERSIONS = new Set(DESCRIPTORS.filter((d) => d.endpoint === "linkedmall").map((d) => d.version));
const NEEDS_SESSION = namesWhere((d) => d.session === "required");
const APIS = new Set([...TOP_METHODS, ...RPC_ACTIONS]);

/** `protocolOf` for client text: null for a name it refuses (over 256 characters). */
function protocol(api) {
  try {
    return typeof api === "string" ? protocolOf(api) : null;
  } catch {
    return null;
  }
}

/** A JSON number written as given (a 19-digit id stays exact); `xml` and `json` write its text. */
class RawNumber {
  constructor(text) {
    this.text = text;
  }
  toString() {
    return this.text;
  }
}

/**
 * The success answer of a modelled API: its descriptor's `examples.response`,
 * where a leaf named like a top-level request field echoes the value the
 * client sent (typed as the response field: an order id comes back as sent).
 */
function exampleAnswer(api, params) {
  const d = API_BY_NAME.get(api);
  const sent = new Set(d.request.map((f) => f.name));
  const typed = (field, value) => {
    if (field?.type === "int" && /^-?\d{1,19}$/.test(value)) return new RawNumber(value);
    if (field?.type === "bool" && (value === "true" || value === "false")) return value === "true";
    return value;
  };
  const walk = (v, fields) => {
    if (Array.isArray(v)) return v.map((x) => walk(x, fields));
    if (v === null || typeof v !== "object") return v;
    const out = {};
    for (const [k, x] of Object.entries(v)) {
      const f = fields.find((g) => g.name === k);
      if (x !== null && typeof x === "object") out[k] = walk(x, f?.of ? d.types[f.of] ?? [] : []);
      else out[k] = sent.has(k) && params.has(k) ? typed(f, params.get(k)) : x;
    }
    return out;
  };
  return walk(d.examples.response, d.response);
}

/** JSON text of an answer (RawNumber written as its digits). */
function json(v) {
  if (v instanceof RawNumber) return v.text;
  if (Array.isArray(v)) return `[${v.map(json).join(",")}]`;
  if (v !== null && typeof v === "object") return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${json(x)}`).join(",")}}`;
  return JSON.stringify(v);
}

function xml(v) {
  if (v === null || typeof v !== "object" || v instanceof RawNumber) {
    return String(v).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }
  return Object.entries(v).map(([k, x]) => `<${k}>${xml(x)}</${k}>`).join("");
}

/** `yyyy-MM-dd HH:mm:ss` in GMT+8, or epoch milliseconds (the Python TOP SDK sends those). */
function topTimeMs(ts) {
  if (/^\d{10,13}$/.test(ts)) return Number(ts);
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)$/.exec(ts);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4] - 8, +m[5], +m[6]) : NaN;
}

const rfc3986 = (x) => encodeURIComponent(x).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());

/** A request header by name, own properties only (a client may send `constructor: x` or sign `__proto__`). */
const header = (req, name) => (Object.hasOwn(req.headers, name) ? req.headers[name] : undefined);

// Control, bidi and separator characters become \xNN / \uNNNN (and `\` becomes `\\`), so one request is one log
// line that reads as it was sent; long client text is cut.
const UNSAFE = /[\\\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;
function logSafe(v, max = 200) {
  const s = String(v);
  const cut = s.length > max ? s.slice(0, max) : s;
  const out = cut.replace(UNSAFE, (c) => {
    if (c === "\\") return "\\\\";
    const n = c.charCodeAt(0);
    return n < 256 ? `\\x${n.toString(16).padStart(2, "0")}` : `\\u${n.toString(16).padStart(4, "0")}`;
  });
  return s.length > max ? `${out}…(${s.length} chars)` : out;
}

/** `Authorization: ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…`, or null. */
function parseV3(req) {
  const m = /^ACS3-HMAC-SHA256 Credential=([^,]*),SignedHeaders=([^,]*),Signature=([0-9a-f]+)$/.exec(header(req, "authorization") ?? "");
  return m ? { credential: m[1], signedHeaders: m[2].split(";"), signature: m[3] } : null;
}

/** V3 signature of a received request, computed independently with node:crypto. */
function v3Signature(req, url, body, signedHeaders, secret) {
  const query = [...url.searchParams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`).join("&");
  const headers = signedHeaders.map((h) => `${h}:${String(header(req, h) ?? "").trim()}\n`).join("");
  const canonical = [req.method, url.pathname, query, headers, signedHeaders.join(";"), createHash("sha256").update(body).digest("hex")].join("\n");
  const toSign = `ACS3-HMAC-SHA256\n${createHash("sha256").update(canonical).digest("hex")}`;
  return createHmac("sha256", secret).update(toSign).digest("hex");
}

class FaultError extends Error {}

/** Where the answer of one call of a batch goes instead of a socket: `send` keeps the first text written. */
class PartSink {
  text = null;
}

/** TOP sign over the batch's query parameters with the raw body appended (node:crypto, independent of aligate's signer). */
function batchSign(q, body, secret, method) {
  const pairs = [...q].filter(([k, v]) => k !== "sign" && v.trim() !== "").map(([k, v]) => [Buffer.from(k), k, v]);
  pairs.sort((a, b) => Buffer.compare(a[0], b[0]));
  const s = pairs.map(([, k, v]) => k + v).join("") + body;
  const h = method === "md5" ? createHash("md5").update(secret + s + secret, "utf8")
    : createHmac(method === "hmac" ? "md5" : "sha256", secret).update(s, "utf8");
  return h.digest("hex").toUpperCase();
}

/** A validated fault entry; throws FaultError with a message built from known text. */
function parseFault(f, limits) {
  if (f === null || typeof f !== "object" || Array.isArray(f)) throw new FaultError("a fault is an object {fault, count?, api?, ms?, seconds?, item?, batch?}");
  for (const k of Object.keys(f)) if (!FAULT_FIELDS.has(k)) throw new FaultError(`unknown fault field "${logSafe(k, 40)}"`);
  const own = (k) => (Object.hasOwn(f, k) ? f[k] : undefined);
  const name = own("fault");
  if (typeof name !== "string" || !FAULTS.includes(name)) {
    throw new FaultError(`unknown fault ${typeof name === "string" ? `"${logSafe(name, 40)}"` : `(${name === null ? "null" : typeof name})`}; one of ${FAULTS.join(", ")}`);
  }
  const int = (k, dflt, min, max) => {
    const v = own(k);
    if (v === undefined) return dflt;
    const n = typeof v === "string" && /^\d{1,16}$/.test(v) ? Number(v) : v;
    if (!Number.isInteger(n) || n < min || n > max) throw new FaultError(`fault ${k} must be an integer from ${min} to ${max}`);
    return n;
  };
  const api = own("api");
  if (api !== undefined && (typeof api !== "string" || !APIS.has(api))) {
    throw new FaultError(`fault api must be one of ${[...APIS].join(", ")}`);
  }
  // Ban seconds stay as given (digits), huge ones included: clients must cope with what a gateway may say.
  const s = own("seconds");
  let seconds = 1;
  if (s !== undefined) {
    if ((typeof s === "string" && /^\d{1,30}$/.test(s)) || (Number.isInteger(s) && s >= 0 && s < 1e21)) seconds = s;
    else throw new FaultError("fault seconds must be a non-negative integer (up to 30 digits)");
  }
  // `item: k` hits the k-th call (from 0) of a batch only; `batch: true` hits whole batches only; neither: any request.
  const item = int("item", undefined, 0, limits.batchParts - 1);
  const batch = own("batch");
  if (batch !== undefined && typeof batch !== "boolean") throw new FaultError("fault batch must be true or false");
  if (item !== undefined && batch) throw new FaultError("a fault has either item (one call of a batch) or batch: true (the whole batch)");
  if (item !== undefined && !ITEM_FAULTS.has(name)) throw new FaultError(`a batch item's fault is one of ${[...ITEM_FAULTS].join(", ")}`);
  if ((item !== undefined || batch) && api !== undefined && !TOP_METHODS.has(api)) throw new FaultError("a batch fault's api must be a TOP method");
  return { fault: name, count: int("count", 1, 1, limits.faultCount), ...(api === undefined ? {} : { api }),
    ms: int("ms", 3000, 0, limits.faultMs), seconds, ...(item === undefined ? {} : { item }), ...(batch ? { batch } : {}) };
}

function readLimits(given) {
  const out = { ...LIMITS };
  if (given === undefined) return out;
  if (given === null || typeof given !== "object") throw new TypeError("options.limits must be an object");
  for (const k of Object.keys(given)) {
    if (!Object.hasOwn(LIMITS, k)) throw new TypeError(`options.limits.${logSafe(k, 40)} is not a known limit; one of ${Object.keys(LIMITS).join(", ")}`);
    const v = given[k];
    if (!Number.isSafeInteger(v) || v < 1) throw new TypeError(`options.limits.${k} must be a positive integer`);
    out[k] = v;
  }
  return out;
}

const SIZE_TEXT = { 413: "413 Request Entity Too Large", 414: "414 Request-URI Too Large" };

/**
 * Starts the sandbox. Options: port (0 = any), host (127.0.0.1), appKey,
 * appSecret, session (required session for APIs that need one; any non-empty
 * value is accepted when omitted), accessKeyId, accessKeySecret,
 * securityToken (required when set), faults ([{ fault, count, api, ms, seconds }]),
 * limits (overrides of LIMITS), log (a function taking one line, or false).
 */
export async function startSandbox(options = {}) {
  const creds = {
    appKey: options.appKey ?? TEST_CREDENTIALS.appKey,
    appSecret: options.appSecret ?? TEST_CREDENTIALS.appSecret,
    accessKeyId: options.accessKeyId ?? TEST_CREDENTIALS.accessKeyId,
    accessKeySecret: options.accessKeySecret ?? TEST_CREDENTIALS.accessKeySecret,
    securityToken: options.securityToken,
  };
  const limits = readLimits(options.limits);
  // The sandbox knows its secrets: any client text that contains one (a secret pasted into a key id, method or
  // option) is masked before it reaches the log.
  const secrets = [creds.appSecret, creds.accessKeySecret, options.session ?? TEST_CREDENTIALS.session, creds.securityToken].filter((x) => typeof x === "string" && x !== "");
  const clean = (v, max) => logSafe(secrets.reduce((t, x) => t.split(x).join("***"), String(v)), max);
  const userLog = options.log === false ? () => {} : options.log ?? ((l) => console.error(l));
  const log = (line) => {
    try {
      userLog(line);
    } catch {
      // A throwing log sink must not take a request down with it.
    }
  };
  const faults = [];
  const nonces = new Map(); // nonce → first seen (ms); insertion order = age order
  const timers = new Set(); // pending `slow` answers
  // byApi counts authenticated requests per modelled API; everything else is `other`: its keys are ours, never a client's.
  // `batch`: POST /router/batch requests that passed the signature and their calls (each call is also in byApi).
  const stats = { requests: 0, ok: 0, rejected: 0, faults: 0, byApi: Object.create(null),
    batch: { requests: 0, items: 0, ok: 0, rejected: 0, faults: 0 } };
  const counters = { signatures: 0 };
  const sockets = new Set();
  const bump = (api) => {
    const k = APIS.has(api) ? api : OTHER;
    stats.byApi[k] = (stats.byApi[k] ?? 0) + 1;
  };
  // Size refusals answer like the front proxy of a real gateway: before any parsing or hashing.
  const refuse = (res, status, note) => {
    stats.requests++;
    stats.rejected++;
    bump(OTHER);
    send(res, status, "text/html", `<html><body><h1>${SIZE_TEXT[status]}</h1></body></html>`, { connection: "close" });
    return { status, note };
  };

  const inject = (f) => injectAll([f]);
  // All or nothing: a list with one bad entry queues none of it.
  function injectAll(list) {
    const parsed = list.map((f) => parseFault(f, limits));
    if (faults.length + parsed.length > limits.faults) throw new FaultError(`at most ${limits.faults} fault entries may be queued`);
    faults.push(...parsed);
  }
  injectAll([...(options.faults ?? [])]);

  const server = createServer((req, res) => {
    res.on("error", () => {}); // a client gone mid-answer is not the sandbox's failure
    req.on("error", () => {});
    const t0 = performance.now();
    const done = (outcome) => {
      if (!outcome) return;
      const path = clean(String(req.url).split("?")[0], 100);
      const parts = ["[sandbox]", clean(req.method, 20), outcome.kind ?? "", outcome.api === undefined ? path : clean(outcome.api),
        outcome.who ?? "", "->", String(outcome.status), clean(outcome.note ?? "", 300), `(${(performance.now() - t0).toFixed(1)} ms)`];
      log(parts.filter((x) => x !== "").join(" "));
    };
    const maxBody = req.url.startsWith("/__sandbox/") ? limits.controlBytes : limits.bodyBytes;
    const tooLarge = () => done(refuse(res, 413, `body over ${maxBody} bytes`));
    const chunks = [];
    let size = 0;
    // Refused before reading when the target or the declared length is over; then (or once the cap is passed
    // while reading) the body is drained, not kept, so the client can read the answer; a client that keeps
    // sending far past the cap is cut off.
    let over = true;
    if (req.url.length > limits.urlBytes) done(refuse(res, 414, `request target over ${limits.urlBytes} bytes`));
    else if (Number(header(req, "content-length") ?? 0) > maxBody) tooLarge();
    else over = false;
    req.on("data", (c) => {
      size += c.length;
      if (over) {
        if (size > 4 * maxBody + (1 << 20)) req.socket?.destroy();
        return;
      }
      if (size > maxBody) {
        over = true;
        chunks.length = 0;
        return tooLarge();
      }
      chunks.push(c);
    });
    req.on("end", () => {
      if (over) return;
      let outcome;
      try {
        outcome = route(req, res, Buffer.concat(chunks).toString("utf8"));
      } catch (e) {
        // Text we know; an exception's message may quote what the client sent.
        outcome = { status: 500, note: `sandbox error (${e?.constructor?.name ?? typeof e})` };
        if (!res.headersSent) send(res, 500, "text/plain", "sandbox error");
      }
      done(outcome);
    });
  });
  server.maxConnections = limits.connections;
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("error", () => {});
    s.on("close", () => sockets.delete(s));
  });
  // Requests node:http itself cannot parse (bad request line, header overflow, NUL in a header).
  server.on("clientError", (err, socket) => {
    const status = err?.code === "HPE_HEADER_OVERFLOW" ? "431 Request Header Fields Too Large"
      : err?.code === "ERR_HTTP_REQUEST_TIMEOUT" ? "408 Request Timeout" : "400 Bad Request";
    if (socket.writable && err?.code !== "ECONNRESET") {
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    } else {
      socket.destroy();
    }
    if (err?.code !== "ECONNRESET") log(`[sandbox] malformed request -> ${status.slice(0, 3)} ${logSafe(err?.code ?? "", 40)}`);
  });

  function send(res, status, type, text, extra = {}) {
    if (res instanceof PartSink) {
      res.text ??= text;
      return;
    }
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { "content-type": `${type};charset=UTF-8`, "content-length": Buffer.byteLength(text), ...extra });
    res.end(text);
  }

  /** Query then body pairs into a Map (later wins), or null when a limit is passed (URLSearchParams is linear). */
  function readParams(url, req, body) {
    const p = new Map();
    let count = 0;
    let chars = 0;
    const add = (pairs) => {
      for (const [k, v] of pairs) {
        count++;
        chars += k.length + v.length;
        if (count > limits.params || chars > limits.paramBytes) return false;
        p.set(k, v);
      }
      return true;
    };
    if (!add(url.searchParams)) return null;
    const ct = String(header(req, "content-type") ?? "");
    if (body && (ct === "" || ct.includes("application/x-www-form-urlencoded")) && !add(new URLSearchParams(body))) return null;
    return p;
  }

  function route(req, res, body) {
    let url;
    try {
      url = new URL(req.url, "http://sandbox.invalid");
    } catch {
      stats.requests++;
      stats.rejected++;
      bump(OTHER);
      send(res, 400, "text/plain", "bad request target");
      return { status: 400, note: "bad request target" };
    }
    if (url.pathname.startsWith("/__sandbox/")) return control(req, res, url, body);
    if (url.pathname === "/router/batch") {
      // The body is the batch's parts, not a form: only the query holds parameters.
      const q = readParams(url, req, "");
      if (q === null) return { kind: "BATCH", ...refuse(res, 413, `over ${limits.params} parameters or ${limits.paramBytes} parameter characters`) };
      stats.requests++;
      const r = batch(req, res, q, body);
      if (!r.authenticated) bump(OTHER);
      if (r.status === 200 && !r.fault && !r.error) stats.ok++;
      else if (r.fault) stats.faults++;
      else stats.rejected++;
      return { kind: "BATCH", who: who(q), status: r.status, note: r.note };
    }
    const kind = url.pathname === "/router/rest" ? "TOP" : "RPC";
    const p = readParams(url, req, body);
    if (p === null) return { kind, ...refuse(res, 413, `over ${limits.params} parameters or ${limits.paramBytes} parameter characters`) };
    stats.requests++;
    const r = kind === "TOP" ? top(req, res, p) : rpc(req, res, url, p, body);
    bump(r.authenticated ? r.api : OTHER);
    if (r.status === 200 && !r.fault && !r.error) stats.ok++;
    else if (r.fault) stats.faults++;
    else stats.rejected++;
    return { kind, api: r.api, who: who(p), status: r.status, note: r.note };
  }

  // Key ids only when they are the sandbox's own (a wrong one may be a secret pasted in the wrong field).
  function who(p) {
    const out = [];
    const id = (k, mine) => p.has(k) && out.push(`${k}=${p.get(k) === mine ? mine : "(unknown)"}`);
    id("app_key", creds.appKey);
    id("AccessKeyId", creds.accessKeyId);
    for (const k of ["session", "SecurityToken"]) if (p.has(k)) out.push(`${k}=***`);
    return clean(out.join(" "));
  }

  /** The first queued fault that `hits` and names no other API (`api` may be a Set: a batch's APIs). */
  function takeFault(api, hits = (f) => f.item === undefined && !f.batch) {
    const i = faults.findIndex((f) => hits(f) && (f.api === undefined || (api instanceof Set ? api.has(f.api) : f.api === api)));
    if (i < 0) return null;
    const f = faults[i];
    if (--f.count <= 0) faults.splice(i, 1);
    return f;
  }

  // Applies a fault in the protocol's own shape; returns an outcome or null. `api` is a modelled one; `f` the fault
  // taken; `later` sends the real answer of a `slow` one.
  function fault(res, kind, api, params, requestId, f = takeFault(api), later = () => answer(res, kind, api, params, requestId)) {
    if (!f) return null;
    const note = `fault ${f.fault}`;
    const topErr = (code, msg, sub_code, sub_msg) =>
      send(res, 200, "application/json", JSON.stringify({ error_response: { code, msg, sub_code, sub_msg, request_id: requestId } }));
    const rpcErr = (status, Code, Message) =>
      send(res, status, "application/json", JSON.stringify({ RequestId: requestId, HostId: "sandbox", Code, Message }));
    switch (f.fault) {
      case "signature":
        if (kind === "TOP") topErr(25, "Invalid Signature");
        else rpcErr(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.");
        return { status: kind === "TOP" ? 200 : 400, fault: true, note };
      case "503":
        send(res, 503, "text/html", "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>");
        return { status: 503, fault: true, note };
      case "429":
        send(res, 429, "text/plain", "Too Many Requests");
        return { status: 429, fault: true, note };
      case "isp":
        if (kind === "TOP") topErr(15, "Remote service error", "isp.remote-service-unavailable", "服务暂不可用");
        else rpcErr(503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server.");
        return { status: kind === "TOP" ? 200 : 503, fault: true, note };
      case "code7":
      case "throttling":
        if (kind === "TOP") topErr(7, "App Call Limited", "accesscontrol.limited-by-app-access-count", `This ban will last ${f.seconds} more seconds`);
        else rpcErr(400, "Throttling.User", "Request was denied due to user flow control.");
        return { status: kind === "TOP" ? 200 : 400, fault: true, note };
      case "slow": {
        const t = setTimeout(() => {
          timers.delete(t);
          try {
            later();
          } catch {
            send(res, 500, "text/plain", "sandbox error");
          }
        }, f.ms);
        timers.add(t);
        res.on("close", () => {
          clearTimeout(t);
          timers.delete(t);
        });
        return { status: 200, fault: true, note: `${note} ${f.ms} ms` };
      }
      case "reset":
        res.socket?.destroy();
        return { status: 0, fault: true, note };
      case "malformed":
        send(res, 200, "application/json", '{"error_response":{"code":');
        return { status: 200, fault: true, note };
    }
    return null;
  }

  function answer(res, kind, api, params, requestId) {
    if (kind === "TOP") {
      const inner = { ...exampleAnswer(api, params), request_id: requestId };
      const root = `${api.replaceAll(".", "_")}_response`;
      if (params.get("format") === "xml") {
        return send(res, 200, "text/xml", `<?xml version="1.0" encoding="utf-8" ?><${root}>${xml(inner)}</${root}>`);
      }
      return send(res, 200, "application/json", json(params.get("simplify") === "true" ? inner : { [root]: inner }));
    }
    const out = { ...exampleAnswer(api, params), RequestId: requestId };
    if (params.get("Format") === "XML") {
      return send(res, 200, "text/xml", `<?xml version="1.0" encoding="UTF-8"?><${api}Response>${xml(out)}</${api}Response>`);
    }
    return send(res, 200, "application/json", json(out));
  }

  /** Business pairs as a plain object for the wasm (fromEntries makes `__proto__` an own key, never a prototype). */
  const business = (p, system, keep = () => true) => Object.fromEntries([...p].filter(([k, v]) => !system.has(k) && keep(v)));

  /** A TOP `error_response` in the request's format; the outcome to log. */
  function topFail(res, p, requestId, code, msg, sub_code, sub_msg) {
    const e = { code, msg, ...(sub_code ? { sub_code, sub_msg } : {}), request_id: requestId };
    if (p.get("format") === "xml") {
      send(res, 200, "text/xml", `<?xml version="1.0" encoding="utf-8" ?><error_response>${xml(e)}</error_response>`);
    } else {
      send(res, 200, "application/json", JSON.stringify({ error_response: e }));
    }
    return { status: 200, error: true, note: `error ${code} ${sub_code ?? msg}${sub_msg ? `: ${sub_msg}` : ""}` };
  }

  /**
   * `POST /router/batch` (TOOLCHAIN.md "TOP batch API"): the batch's system parameters and sign in the query, the
   * sign over them plus the raw body; the body an optional `#PUBLIC#` part and one part per call, joined by the
   * separator. Whatever concerns the batch as a whole is answered with one `error_response` (a part count that
   * differs from the call count tells the client the batch was rejected); then each call goes through `top` as a
   * /router/rest call would, and the answers are joined with the same separator, in order.
   */
  function batch(req, res, q, body) {
    const requestId = randomUUID().replace(/-/g, "").slice(0, 13);
    const fail = (code, msg, sub_code, sub_msg) => topFail(res, q, requestId, code, msg, sub_code, sub_msg);
    const invalid = (why) => fail(41, "Invalid Arguments", "isv.invalid-parameter", why);
    // Cheap checks first, as for one call: nothing is hashed before the key, clock and version are right.
    if (req.method !== "POST") return fail(9, "Http Action Not Allowed");
    if (!q.get("app_key")) return fail(28, "Missing App Key");
    if (q.get("app_key") !== creds.appKey) return fail(29, "Invalid App Key");
    if (!q.get("timestamp")) return fail(30, "Missing Timestamp");
    if (!(Math.abs(topTimeMs(q.get("timestamp")) - Date.now()) <= TOP_SKEW_MS)) {
      return fail(31, "Invalid Timestamp", "isv.invalid-timestamp", "timestamp is more than 10 minutes from the server's clock");
    }
    if (!q.get("v")) return fail(32, "Missing Version");
    if (q.get("v") !== "2.0") return fail(33, "Invalid Version");
    const format = q.get("format");
    if (format && format !== "json" && format !== "xml") return fail(23, "Invalid Format");
    const given = header(req, "top-api-separator");
    const sep = given === undefined ? DEFAULT_SEPARATOR : given;
    if (typeof sep !== "string" || !(sep === DEFAULT_SEPARATOR || SEPARATOR.test(sep))) {
      return invalid("top-api-separator must be 1 to 64 printable ASCII characters, without a space at either end");
    }
    if (!q.get("sign")) return fail(24, "Missing Signature");
    const method = q.get("sign_method") || "md5";
    if (!TOP_SIGN_METHODS.has(method)) return fail(25, "Invalid Signature", "isv.invalid-sign-method", "sign_method must be md5, hmac or hmac-sha256");
    counters.signatures++;
    if (batchSign(q, body, creds.appSecret, method) !== q.get("sign").toUpperCase()) return fail(25, "Invalid Signature");
    const auth = { authenticated: true };
    // A bounded split (at most the public part, the calls and one more to see an excess): linear in the body.
    const parts = body === "" ? [] : body.split(sep, limits.batchParts + 2);
    const shared = parts[0]?.startsWith(PUBLIC) ? parts.shift().slice(PUBLIC.length) : "";
    if (parts.length === 0) return { ...invalid("the batch holds no call"), ...auth };
    if (parts.length > limits.batchParts) return { ...invalid(`a batch holds at most ${limits.batchParts} calls`), ...auth };
    // Each call's parameters: the query's (but the sign), then #PUBLIC#'s, then its own part's (later wins, an
    // empty value does not erase a shared one): a part's session > the public one > the query's.
    // Each part within the parameter count of one /router/rest request.
    const read = (text, into) => {
      let pairs = 0;
      for (const [k, v] of new URLSearchParams(text)) {
        if (++pairs > limits.params) return false;
        if (v !== "" || !into.has(k)) into.set(k, v);
      }
      return true;
    };
    const tooMany = () => ({ ...invalid(`a part holds over ${limits.params} parameters`), ...auth });
    const base = new Map([...q].filter(([k]) => k !== "sign"));
    const common = new Map();
    if (!read(shared, common)) return tooMany();
    const calls = [];
    for (const part of parts) {
      const own = new Map();
      if (!read(part, own)) return tooMany();
      const p = new Map(base);
      for (const layer of [common, own]) for (const [k, v] of layer) if (v !== "" || !p.has(k)) p.set(k, v);
      // Names that only the (signed) query may carry: a part that sets one is refused, not silently overridden.
      const misplaced = [...common.keys(), ...own.keys()].find((k) => BATCH_ONLY.has(k));
      calls.push({ p, misplaced });
    }
    const apis = new Set(calls.map((c) => c.p.get("method")).filter((m) => TOP_METHODS.has(m)));
    const type = format === "xml" ? "text/xml" : "application/json";
    let sent = null;
    const answerAll = () => {
      const out = { ok: 0, error: 0, fault: 0 };
      const texts = calls.map(({ p, misplaced }, item) => {
        const sink = new PartSink();
        const r = misplaced !== undefined
          ? topFail(sink, q, requestId, 41, "Invalid Arguments", "isv.invalid-parameter", `${misplaced} belongs in the batch's URL, not in a part`)
          : top(req, sink, p, item);
        if (r.authenticated) bump(r.api);
        stats.batch.items++;
        const k = r.fault ? "fault" : r.error ? "error" : "ok";
        out[k]++;
        stats.batch[k === "error" ? "rejected" : k === "fault" ? "faults" : "ok"]++;
        return sink.text ?? "";
      });
      sent = texts.join(sep);
      return `${calls.length} calls: ${out.ok} ok, ${out.error} errors, ${out.fault} item faults`;
    };
    stats.batch.requests++;
    // A whole-batch fault: answered before any call is processed, except `slow` (processed, answered late).
    const f = apis.size ? takeFault(apis, (x) => x.item === undefined) : null;
    if (f) {
      const note = f.fault === "slow" ? answerAll() : "";
      const r = fault(res, "TOP", undefined, q, requestId, f, () => send(res, 200, type, sent));
      return { ...r, ...auth, note: `whole batch: ${r.note}${note ? `; ${note}` : ""}` };
    }
    const note = answerAll();
    send(res, 200, type, sent);
    return { status: 200, note, ...auth };
  }

  /**
   * One TOP call, from /router/rest or as call `item` (its index) of a batch: a batch item was authenticated with
   * its batch (its signature covers the body) and takes only the faults queued for its index.
   */
  function top(req, res, p, item) {
    const requestId = randomUUID().replace(/-/g, "").slice(0, 13);
    const api = p.get("method");
    const modelled = TOP_METHODS.has(api);
    const fail = (code, msg, sub_code, sub_msg, extra = {}) => ({ ...topFail(res, p, requestId, code, msg, sub_code, sub_msg), api, ...extra });
    // Cheap checks first: nothing is hashed before the key, clock, version, method and session are right.
    if (req.method !== "POST" && req.method !== "GET") return fail(9, "Http Action Not Allowed");
    if (!api) return fail(21, "Missing Method");
    if (!p.get("app_key")) return fail(28, "Missing App Key");
    if (p.get("app_key") !== creds.appKey) return fail(29, "Invalid App Key");
    if (!p.get("timestamp")) return fail(30, "Missing Timestamp");
    if (!(Math.abs(topTimeMs(p.get("timestamp")) - Date.now()) <= TOP_SKEW_MS)) {
      return fail(31, "Invalid Timestamp", "isv.invalid-timestamp", "timestamp is more than 10 minutes from the server's clock");
    }
    if (!p.get("v")) return fail(32, "Missing Version");
    if (p.get("v") !== "2.0") return fail(33, "Invalid Version");
    const format = p.get("format");
    if (format && format !== "json" && format !== "xml") return fail(23, "Invalid Format");
    if (!modelled) {
      // The name's protocol (protocolOf) says whether it was sent to the wrong endpoint or is simply not modelled here.
      const other = protocol(api);
      return fail(22, "Invalid Method", "isv.invalid-method", other === "aliyun-rpc"
        ? "an Aliyun RPC action: send it to the LinkedMall endpoint (/)"
        : other === "top" ? "a TOP method the sandbox does not model" : "not a TOP method name");
    }
    const session = p.get("session");
    if (NEEDS_SESSION.has(api) && !session) return fail(26, "Missing Session");
    if (NEEDS_SESSION.has(api) && options.session && session !== options.session) return fail(27, "Invalid Session");
    if (item === undefined) {
      if (!p.get("sign")) return fail(24, "Missing Signature");
      const method = p.get("sign_method") || "md5";
      if (!TOP_SIGN_METHODS.has(method)) return fail(25, "Invalid Signature", "isv.invalid-sign-method", "sign_method must be md5, hmac or hmac-sha256");
      let expected;
      try {
        counters.signatures++;
        expected = signTop(Object.fromEntries(p), creds.appSecret, method);
      } catch {
        // The wasm signer refuses what aligate never sends (e.g. one value over 64 KiB).
        return fail(41, "Invalid Arguments", "isv.invalid-parameter", "a parameter is larger than the gateway accepts");
      }
      if (expected !== p.get("sign").toUpperCase()) return fail(25, "Invalid Signature");
    }
    const ok = { authenticated: true, api };
    const f = item === undefined ? fault(res, "TOP", api, p, requestId)
      : fault(res, "TOP", api, p, requestId, takeFault(api, (x) => x.item === item));
    if (f) return { ...f, ...ok };
    const issues = validateWire(api, business(p, TOP_SYSTEM, (v) => v.trim() !== ""));
    if (issues.length) {
      const missing = issues.every((i) => i.message === "required field is missing");
      return fail(missing ? 40 : 41, missing ? "Missing Required Arguments" : "Invalid Arguments",
        missing ? "isv.missing-parameter" : "isv.invalid-parameter", issues.map((i) => `${i.path}: ${i.message}`).join("; "), ok);
    }
    answer(res, "TOP", api, p, requestId);
    return { status: 200, note: "ok", ...ok };
  }

  function rpc(req, res, url, p, body) {
    const requestId = randomUUID().toUpperCase();
    // Signature V3 (ACS3-HMAC-SHA256): system fields arrive as x-acs-* headers.
    const v3 = parseV3(req);
    if (v3) {
      const h = (k) => header(req, k);
      for (const [k, v] of [["AccessKeyId", v3.credential], ["Action", h("x-acs-action")], ["Version", h("x-acs-version")],
        ["Timestamp", h("x-acs-date")], ["SignatureNonce", h("x-acs-signature-nonce")], ["Signature", v3.signature]]) p.set(k, v);
      if (h("x-acs-security-token") !== undefined) p.set("SecurityToken", h("x-acs-security-token"));
    }
    const api = p.get("Action");
    const fail = (status, Code, Message, extra = {}) => {
      const e = { RequestId: requestId, HostId: "linkedmall.aliyuncs.com", Code, Message,
        Recommend: `https://api.aliyun.com/troubleshoot?q=${Code}&product=linkedmall` };
      if (p.get("Format") === "XML") {
        send(res, status, "text/xml", `<?xml version="1.0" encoding="UTF-8"?><Error>${xml(e)}</Error>`);
      } else {
        send(res, status, "application/json", JSON.stringify(e));
      }
      return { status, error: true, api, note: `${Code}: ${Message}`, ...extra };
    };
    if (req.method !== "POST" && req.method !== "GET") return fail(400, "UnsupportedHTTPMethod", "Specified HTTP method is not supported.");
    for (const k of ["Action", "AccessKeyId", "Signature", "SignatureNonce", "Timestamp", "Version"]) {
      if (!p.get(k)) return fail(400, `Missing${k}`, `${k} is mandatory for this action.`);
    }
    if (p.get("SignatureNonce").length > limits.nonceChars) {
      return fail(400, "InvalidParameter", `SignatureNonce is longer than ${limits.nonceChars} characters.`);
    }
    if (p.get("AccessKeyId") !== creds.accessKeyId) return fail(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.");
    if (!v3 && p.get("SignatureMethod") && p.get("SignatureMethod") !== "HMAC-SHA1") {
      return fail(400, "InvalidSignatureMethod", "Specified signature method is not supported.");
    }
    if (p.get("SignatureVersion") && p.get("SignatureVersion") !== "1.0") {
      return fail(400, "InvalidSignatureVersion", "Specified signature version is not valid.");
    }
    const ts = p.get("Timestamp");
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(ts)) {
      return fail(400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.");
    }
    if (!(Math.abs(Date.parse(ts) - Date.now()) <= RPC_SKEW_MS)) {
      return fail(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.");
    }
    if (!RPC_VERSIONS.has(p.get("Version"))) return fail(400, "InvalidVersion", "Specified parameter Version is not valid.");
    if (!RPC_ACTIONS.has(api)) {
      const other = protocol(api);
      return fail(404, "InvalidAction.NotFound", other === "top"
        ? "Specified api is a TOP method: send it to the TOP router (/router/rest)."
        : other === "aliyun-rpc" ? "Specified api is not found (an Aliyun action the sandbox does not model)."
          : "Specified api is not found: not an Aliyun action name.");
    }
    if (p.get("Version") !== API_BY_NAME.get(api).version) return fail(400, "InvalidVersion", "Specified parameter Version is not valid.");
    counters.signatures++;
    if (v3 && header(req, "x-acs-content-sha256") !== createHash("sha256").update(body).digest("hex")) {
      return fail(400, "InvalidContentSha256", "x-acs-content-sha256 does not match the body.");
    }
    let expected;
    try {
      expected = v3 ? v3Signature(req, url, body, v3.signedHeaders, creds.accessKeySecret)
        : signAliyunRpc(Object.fromEntries(p), creds.accessKeySecret, req.method);
    } catch {
      return fail(400, "InvalidParameter", "A parameter is larger than the gateway accepts.");
    }
    if (expected !== p.get("Signature")) return fail(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.");
    const ok = { authenticated: true };
    // Nonces count once a signature is valid (forged requests cannot burn them).
    const nonce = p.get("SignatureNonce");
    const now = Date.now();
    const window = RPC_SKEW_MS * 2;
    if (nonces.has(nonce) && now - nonces.get(nonce) < window) {
      return fail(400, "SignatureNonceUsed", "Specified signature nonce was used already.", ok);
    }
    // Oldest first: stop at the first entry that is young enough and under the cap (amortised O(1) per request).
    for (const [n, t] of nonces) {
      if (now - t < window && nonces.size < limits.nonces) break;
      nonces.delete(n);
    }
    nonces.delete(nonce);
    nonces.set(nonce, now);
    if (creds.securityToken !== undefined && p.get("SecurityToken") !== creds.securityToken) {
      return fail(400, p.get("SecurityToken") ? "InvalidSecurityToken.Mismatch" : "MissingSecurityToken", "The security token you provided does not match.", ok);
    }
    if (creds.securityToken === undefined && p.get("SecurityToken") !== undefined && p.get("SecurityToken") !== "") {
      return fail(400, "InvalidSecurityToken.Malformed", "The security token you provided is malformed.", ok);
    }
    const f = fault(res, "RPC", api, p, requestId);
    if (f) return { ...f, api, ...ok };
    const issues = validateWire(api, business(p, RPC_SYSTEM));
    if (issues.length) {
      const missing = issues.find((i) => i.message === "required field is missing");
      return missing
        ? fail(400, "MissingParameter", `The input parameter "${missing.path}" that is mandatory for processing this request is not supplied.`, ok)
        : fail(400, "InvalidParameter", issues.map((i) => `${i.path}: ${i.message}`).join("; "), ok);
    }
    answer(res, "RPC", api, p, requestId);
    return { status: 200, note: "ok", api, ...ok };
  }

  function control(req, res, url, body) {
    const json = (status, v) => send(res, status, "application/json", JSON.stringify(v));
    if (url.pathname === "/__sandbox/faults" && req.method === "POST") {
      let list;
      try {
        list = JSON.parse(body || "{}");
      } catch {
        json(400, { error: "the body is not JSON; send a fault object or an array of them" });
        return null;
      }
      try {
        injectAll(Array.isArray(list) ? list : [list]);
        json(200, { queued: faults });
      } catch (e) {
        json(400, { error: e instanceof FaultError ? e.message : "invalid fault list" });
      }
    } else if (url.pathname === "/__sandbox/faults" && req.method === "DELETE") {
      faults.length = 0;
      json(200, { queued: [] });
    } else if (url.pathname === "/__sandbox/faults") {
      json(200, { queued: faults });
    } else if (url.pathname === "/__sandbox/stats") {
      json(200, stats);
    } else {
      json(404, { error: "unknown control path; use /__sandbox/faults or /__sandbox/stats" });
    }
    return null;
  }

  const host = options.host ?? "127.0.0.1";
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address();
  const base = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  return {
    url: base,
    port,
    topEndpoint: `${base}/router/rest`,
    linkedmallEndpoint: `${base}/`,
    /** Credentials this sandbox accepts (secrets included: they are test values or the caller's own). */
    credentials: { ...creds, session: options.session ?? TEST_CREDENTIALS.session },
    stats,
    limits: Object.freeze({ ...limits }),
    inject,
    clearFaults: () => void (faults.length = 0),
    /** Sizes of the per-request stores and the count of signatures computed (for tests of the bounds). */
    introspect: () => ({ byApi: Object.keys(stats.byApi).length, nonces: nonces.size, faults: faults.length, timers: timers.size,
      sockets: sockets.size, signatures: counters.signatures }),
    close: () => new Promise((r) => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}
