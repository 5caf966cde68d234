// createSigningProxy: lets browser admin tools call the gateways without ever
// holding a secret. The browser POSTs { api, params } (unsigned); the proxy
// checks an operator-set bearer token and an API allow-list, validates in Rust,
// signs with server-held credentials, calls the gateway and returns the decoded
// result or the AligateError as JSON. Fetch-style (Request → Response), so it
// runs in Node (see toNodeHandler) and in Workers.
// Every request is hostile: nothing a client sends may throw out of the
// handler or the adapter, and no response may carry a credential.
import { TopClient, LinkedMallClient, AligateError, modelledApis, protocolOf, __scrub } from "aligate";

// Maps, not object literals: a kind such as "constructor" must not find Object.prototype.
const STATUS_BY_KIND = new Map([["validation", 422], ["api", 502], ["http", 502], ["network", 502], ["timeout", 504],
  ["decode", 502], ["credentials", 502], ["aborted", 499], ["internal", 500]]);
// These kinds' messages can carry a runtime exception's text (fetch's TypeError quotes the header value it
// refused; a panic quotes what it likes) or a cut snippet of the gateway's body (which may echo the request,
// and a cut secret escapes scrubbing): the proxy answers fixed text instead; `status` stays.
const FIXED_MESSAGE = new Map([["network", "the gateway could not be reached"], ["timeout", "the gateway did not answer in time"],
  ["aborted", "the call was aborted"], ["internal", "internal error"], ["http", "the gateway answered an HTTP error"],
  ["decode", "the gateway's answer could not be decoded"]]);
const STRING_FIELDS = ["code", "msg", "apiMessage", "subCode", "subMsg", "requestId", "hostId", "recommend", "outcome"];
const WITHHELD = "[withheld: the text quoted a credential]";
const UNCHECKED = "[withheld: the proxy was given a client instance, whose secrets it cannot check results against; pass its options instead]";
const JSON_TYPE = "application/json;charset=utf-8";

function constantTimeEqual(a, b) {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** Reads at most `max` bytes of a body: the text, null when it is larger, undefined when the read failed. */
async function readCapped(request, max) {
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d{1,16}$/.test(declared) && Number(declared) > max) return null;
  if (!request.body) return "";
  let reader;
  try {
    reader = request.body.getReader();
    const chunks = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!(value instanceof Uint8Array)) throw new TypeError("body chunk is not bytes");
      size += value.byteLength;
      if (size > max) {
        reader.cancel().catch(() => {});
        return null;
      }
      chunks.push(value);
    }
    const all = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      all.set(c, at);
      at += c.byteLength;
    }
    return new TextDecoder().decode(all);
  } catch {
    reader?.cancel().catch(() => {});
    return undefined;
  }
}

/**
 * The secrets to look for, newline-separated for the core's scrub (`__scrub`: raw, percent-encoded in any
 * case with `+` for space, JSON- and HTML-escaped): each secret and each piece of it between header syntax
 * (control characters, ":"), where a value that split a header line would be cut before a gateway echoes it.
 */
function secretForms(secrets) {
  const pieces = secrets.flatMap((s) => (typeof s === "string" ? [s, ...s.split(/[\x00-\x1f\x7f:]+/)] : []));
  // Pieces too short to be told from ordinary words are skipped by the core's scrub itself.
  return [...new Set(pieces)].filter((s) => s !== "" && !s.includes("\n")).join("\n");
}

/** The secrets a client configuration names (explicitly or through its environment). */
function configuredSecrets(top, lm) {
  const out = [];
  const pick = (o, ...keys) => {
    if (o && typeof o === "object") for (const k of keys) if (typeof o[k] === "string") out.push(o[k]);
  };
  pick(top, "appSecret", "session");
  pick(lm, "accessKeySecret", "securityToken");
  if (lm && typeof lm === "object" && !(lm instanceof LinkedMallClient)) {
    pick(lm.env ?? globalThis.process?.env, "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN");
  }
  return out;
}

/**
 * LinkedMall options whose `credentials` provider reports each answer's secrets to `record` before the client
 * sees them (so the proxy knows them by the time a result could echo them). Other options pass unchanged.
 */
function watched(lm, record) {
  const provider = lm && typeof lm === "object" ? lm.credentials : undefined;
  if (typeof provider !== "function") return lm;
  const credentials = async () => {
    const v = await provider();
    const s = [];
    try {
      for (const k of ["accessKeySecret", "securityToken"]) if (typeof v?.[k] === "string") s.push(v[k]);
    } catch {
      // A throwing getter: the client refuses the answer by name.
    }
    if (s.length) record(s);
    return v;
  };
  return { ...lm, credentials };
}

/** The AligateError's public fields, by whitelist; each string passes `scrub`. Anything else: generic text. */
function errorBody(e, scrub) {
  if (!(e instanceof AligateError)) return { kind: "internal", message: "internal proxy error" };
  const kind = typeof e.kind === "string" && STATUS_BY_KIND.has(e.kind) ? e.kind : "internal";
  const out = { kind, message: FIXED_MESSAGE.get(kind) ?? scrub(String(e.message)) };
  if (typeof e.retryable === "boolean") out.retryable = e.retryable;
  for (const f of ["attempts", "status"]) if (Number.isSafeInteger(e[f])) out[f] = e[f];
  for (const f of STRING_FIELDS) if (typeof e[f] === "string") out[f] = scrub(e[f]);
  if (Array.isArray(e.issues)) {
    out.issues = e.issues.slice(0, 1000).map((i) => ({ path: scrub(String(i?.path ?? "")), message: scrub(String(i?.message ?? "")) }));
  }
  return out;
}

/** IPv4-mapped IPv6 → IPv4; other IPv6 → its /64 (one host holds a whole /64, so rotating inside it is one client). */
function addressKey(a) {
  a = a.trim().toLowerCase();
  if (a.length > 64 || !a.includes(":")) return a.slice(0, 256);
  const mapped = /^(?:::ffff:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(a);
  if (mapped) return mapped[1];
  const parts = a.replace(/^\[|\]$/g, "").split("%")[0].split("::");
  if (parts.length > 2) return a;
  const head = parts[0] ? parts[0].split(":") : [];
  const tail = parts.length === 2 && parts[1] ? parts[1].split(":") : [];
  const groups = parts.length === 2 ? [...head, ...Array(Math.max(0, 8 - head.length - tail.length)).fill("0"), ...tail] : head;
  return `${groups.slice(0, 4).map((g) => (parseInt(g, 16) || 0).toString(16)).join(":")}::/64`;
}

/**
 * Fixed windows per key, at most `capacity` keys. Keys sit in the Map in the order their window started
 * (a restarted window is re-inserted), so expired ones are at the front and are dropped first. When every
 * window is live, new keys share one overflow window: evicting a live window instead would let whoever can
 * mint keys (addresses) reset other clients' counts, which is the bypass this must prevent.
 */
function windowLimiter(limit, perMs, capacity) {
  const windows = new Map();
  let overflow = { start: -Infinity, count: 0 };
  const now = () => globalThis.performance?.now() ?? Date.now();
  function windowOf(key, t) {
    let w = windows.get(key);
    if (w && t - w.start < perMs) return w;
    if (w) windows.delete(key);
    for (const [k, old] of windows) {
      if (t - old.start < perMs) break;
      windows.delete(k);
    }
    if (windows.size >= capacity) {
      if (t - overflow.start >= perMs) overflow = { start: t, count: 0 };
      return overflow;
    }
    w = { start: t, count: 0 };
    windows.set(key, w);
    return w;
  }
  const waitOf = (w, t) => Math.max(1, Math.ceil((w.start + perMs - t) / 1000));
  return {
    /** Counts one request; seconds to wait when that is over the limit, else 0. */
    hit(key) {
      const t = now();
      const w = windowOf(key, t);
      return ++w.count > limit ? waitOf(w, t) : 0;
    },
    /** Seconds to wait when the key has used its budget, else 0; counts nothing. */
    exhausted(key) {
      const t = now();
      const w = windows.get(key) ?? (windows.size >= capacity ? overflow : undefined);
      return w && t - w.start < perMs && w.count >= limit ? waitOf(w, t) : 0;
    },
  };
}

const positive = (v, name) => {
  if (!Number.isSafeInteger(v) || v <= 0) throw new TypeError(`createSigningProxy: ${name} must be a positive integer`);
  return v;
};

/**
 * Options:
 *   token        the bearer token clients must send (required)
 *   allow        API names clients may call (required); each a TOP method or an Aliyun action (protocolOf)
 *   top          TopClient options or a TopClient (for TOP methods)
 *   linkedmall   LinkedMallClient options or a LinkedMallClient (for Aliyun actions); an instance's results are
 *                withheld (its secrets are not known here to check them against)
 *   origins      origins allowed by CORS (default none)
 *   maxBodyBytes request body cap (default 256 KiB)
 *   rateLimit    { requests, perMs, maxClients } per client (default 60 per 60 s, 10,000 clients tracked)
 *   authFailures { requests, perMs } wrong-token attempts per client before 429 (default 10 per 10 min)
 *   trustedClientHeader  a header the deployment's own front sets to the client's address (e.g.
 *                "cf-connecting-ip"; for x-forwarded-for the last entry counts). Default none: the socket
 *                address from toNodeHandler, else one shared key.
 *   clientKey    (request) => string identifying a client (overrides both)
 */
export function createSigningProxy(options) {
  const { token, allow } = options ?? {};
  if (typeof token !== "string" || token.length < 16) throw new TypeError("createSigningProxy: token must be a string of at least 16 characters");
  if (!Array.isArray(allow) || allow.length === 0 || !allow.every((a) => typeof a === "string")) {
    throw new TypeError("createSigningProxy: allow must list the APIs clients may call");
  }
  // Each allowed name goes to the client of its protocol (the core's protocolOf, as everywhere).
  const allowed = new Map();
  for (const a of allow) {
    const p = a.length <= 256 ? protocolOf(a) : null;
    if (p === null) throw new TypeError(`createSigningProxy: allow lists ${JSON.stringify(a.slice(0, 100))}, which is neither a TOP method nor an Aliyun action`);
    allowed.set(a, p);
  }
  // A client instance keeps its secrets inside wasm: the proxy cannot check its results, so it withholds them
  // (its errors are scrubbed by the core). A provider's answers are recorded as they pass (`watched`).
  const provided = [];
  const top = options.top instanceof TopClient ? options.top : options.top ? new TopClient(options.top) : null;
  const lm = options.linkedmall instanceof LinkedMallClient ? options.linkedmall
    : options.linkedmall ? new LinkedMallClient(watched(options.linkedmall, (s) => {
      // The latest answers only (a rotating provider would otherwise grow the list without end).
      provided.push(...s);
      provided.splice(0, provided.length - 8);
      forms = secretForms([token, ...configuredSecrets(options.top, options.linkedmall), ...provided]);
    })) : null;
  const opaque = new Set([top, lm].filter((c) => c && (c === options.top || c === options.linkedmall)));
  const origins = new Set(options.origins ?? []);
  const maxBody = positive(options.maxBodyBytes ?? 256 * 1024, "maxBodyBytes");
  const { requests = 60, perMs = 60_000, maxClients = 10_000 } = options.rateLimit ?? {};
  const fails = options.authFailures ?? {};
  const capacity = positive(maxClients, "rateLimit.maxClients");
  const limiter = windowLimiter(positive(requests, "rateLimit.requests"), positive(perMs, "rateLimit.perMs"), capacity);
  const authLimiter = windowLimiter(positive(fails.requests ?? 10, "authFailures.requests"), positive(fails.perMs ?? 600_000, "authFailures.perMs"), capacity);
  const trusted = options.trustedClientHeader;
  if (trusted !== undefined && (typeof trusted !== "string" || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(trusted))) {
    throw new TypeError("createSigningProxy: trustedClientHeader must be a header name");
  }
  if (options.clientKey !== undefined && typeof options.clientKey !== "function") throw new TypeError("createSigningProxy: clientKey must be a function");
  let forms = secretForms([token, ...configuredSecrets(options.top, options.linkedmall)]);
  const leaks = (text) => forms !== "" && __scrub(text, forms) !== undefined;
  const scrub = (text) => (leaks(text) ? WITHHELD : text);

  function clientKeyOf(request) {
    if (options.clientKey) {
      try {
        const k = options.clientKey(request);
        return typeof k === "string" ? `k:${k.slice(0, 256)}` : "unknown";
      } catch {
        return "unknown";
      }
    }
    const h = trusted ? request.headers.get(trusted)?.split(",").pop().trim() : "";
    if (h) return `h:${addressKey(h)}`;
    const a = clientAddresses.get(request);
    return typeof a === "string" && a ? `s:${addressKey(a)}` : "anonymous";
  }

  function cors(request) {
    const origin = request.headers.get("origin");
    return origin && origins.has(origin)
      ? { "access-control-allow-origin": origin, vary: "origin", "access-control-allow-headers": "authorization, content-type",
          "access-control-allow-methods": "POST, OPTIONS", "access-control-max-age": "600" }
      : {};
  }

  function reply(request, status, body, extra = {}) {
    let text = JSON.stringify(body, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
    // Last line: whatever a gateway echoed (an error quoting the session, a result) never reaches the client.
    if (leaks(text)) [status, text] = [500, JSON.stringify({ ok: false, error: { kind: "internal", message: WITHHELD } })];
    return new Response(text, { status, headers: { "content-type": JSON_TYPE, ...cors(request), ...extra } });
  }
  const fail = (request, status, kind, message, extra) => reply(request, status, { ok: false, error: { kind, message } }, extra);

  async function handle(request) {
    if (request.method === "OPTIONS") {
      const h = cors(request);
      return Object.keys(h).length ? new Response(null, { status: 204, headers: h }) : fail(request, 403, "forbidden", "origin not allowed");
    }
    if (request.method !== "POST") return fail(request, 405, "method", "use POST", { allow: "POST, OPTIONS" });
    const key = clientKeyOf(request);
    // The shared key (no socket address, header or clientKey) is every client: a lockout there would let anyone
    // lock out the token holder, so it has none (a 16+ character token is not guessed; the rate limit stays).
    const shared = key === "anonymous" || key === "unknown";
    const locked = !shared && authLimiter.exhausted(key);
    if (locked) return fail(request, 429, "rate_limited", `too many failed authentications; retry in ${locked} s`, { "retry-after": String(locked) });
    const auth = request.headers.get("authorization") ?? "";
    if (!auth.startsWith("Bearer ") || !constantTimeEqual(auth.slice(7), token)) {
      if (!shared) authLimiter.hit(key);
      return fail(request, 401, "unauthorized", "missing or wrong bearer token", { "www-authenticate": "Bearer" });
    }
    const wait = limiter.hit(key);
    if (wait) return fail(request, 429, "rate_limited", `too many requests; retry in ${wait} s`, { "retry-after": String(wait) });
    const text = await readCapped(request, maxBody);
    if (text === null) return fail(request, 413, "too_large", `request body over ${maxBody} bytes`);
    if (text === undefined) return fail(request, 400, "bad_request", "the request body could not be read");
    let call;
    try {
      call = JSON.parse(text);
    } catch {
      return fail(request, 400, "bad_request", "body must be JSON: { api, params }");
    }
    if (call === null || typeof call !== "object" || Array.isArray(call)) return fail(request, 400, "bad_request", "body must be a JSON object: { api, params }");
    const own = (k) => (Object.hasOwn(call, k) ? call[k] : undefined);
    const api = own("api");
    if (typeof api !== "string") return fail(request, 400, "bad_request", "api must be a string");
    // Named back only when it looks like an API name: the client's text is never copied into a response.
    if (!allowed.has(api)) return fail(request, 403, "forbidden", /^[\w.]{1,100}$/.test(api) ? `api ${api} is not allowed here` : "api is not allowed here");
    const client = allowed.get(api) === "aliyun-rpc" ? lm : top;
    if (!client) return fail(request, 501, "not_configured", `no credentials configured for ${api}`);
    try {
      // Params pass as an object: JSON.parse has made numbers JS numbers, so an
      // integer beyond 2^53 (already rounded) is refused instead of sent wrong.
      const params = own("params") ?? {};
      if (own("dryRun") === true) return reply(request, 200, { ok: true, prepared: client.prepare(api, params, { redact: true }) });
      const result = await client.execute(api, params, { signal: request.signal });
      if (opaque.has(client)) return fail(request, 500, "internal", UNCHECKED);
      return reply(request, 200, { ok: true, result });
    } catch (e) {
      const body = errorBody(e, scrub);
      return reply(request, STATUS_BY_KIND.get(body.kind) ?? 500, { ok: false, error: body });
    }
  }

  return async function signingProxy(request) {
    try {
      return await handle(request);
    } catch {
      return new Response('{"ok":false,"error":{"kind":"internal","message":"internal proxy error"}}', { status: 500, headers: { "content-type": JSON_TYPE } });
    }
  };
}

// The socket address of each Request toNodeHandler builds. A WeakMap, not a header: a client can send
// any header, but cannot reach this.
const clientAddresses = new WeakMap();

/** The peer address toNodeHandler saw for this Request (undefined for Requests it did not build). */
export function clientAddress(request) {
  return clientAddresses.get(request);
}

const HOST = /^(?:\[[0-9A-Fa-f:.]{2,45}\]|[A-Za-z0-9._~-]{1,253})(?::\d{1,5})?$/;

/** The absolute URL for req, or null when its Host or target is malformed (absolute-form and `*` included). */
function requestUrl(req) {
  const host = req.headers.host;
  if (typeof req.url !== "string" || !req.url.startsWith("/")) return null;
  if (host && (typeof host !== "string" || !HOST.test(host))) return null;
  try {
    return new URL(`http://${host || "localhost"}${req.url}`).href;
  } catch {
    return null;
  }
}

/** req's body as a byte stream with backpressure; errors once past `max` bytes or when the client leaves. */
function bodyStream(req, max, onOver) {
  let size = 0;
  let settled = false;
  return new ReadableStream({
    start(c) {
      const settle = (f) => {
        if (settled) return;
        settled = true;
        f();
      };
      req.on("data", (chunk) => {
        if (settled) return;
        size += chunk.length;
        if (size > max) {
          onOver();
          req.pause();
          return settle(() => c.error(new RangeError("request body too large")));
        }
        c.enqueue(chunk);
        if (c.desiredSize <= 0) req.pause();
      });
      req.on("end", () => settle(() => c.close()));
      const cut = () => settle(() => c.error(new Error("request body interrupted")));
      req.on("error", cut);
      req.on("aborted", cut);
      req.on("close", cut);
    },
    pull() {
      if (!settled) req.resume();
    },
    cancel() {
      settled = true;
    },
  }, { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength });
}

const jsonResponse = (status, kind, message) =>
  new Response(JSON.stringify({ ok: false, error: { kind, message } }), { status, headers: { "content-type": JSON_TYPE } });

/** Resolves when res can take more (or is gone). */
const drained = (res) => new Promise((resolve) => {
  if (res.destroyed || !res.writableNeedDrain) return resolve(); // 'close' may already have been emitted
  const done = () => {
    res.off("drain", done);
    res.off("close", done);
    resolve();
  };
  res.on("drain", done);
  res.on("close", done);
});

async function send(req, res, response) {
  const reader = response.body?.getReader();
  if (res.destroyed || res.headersSent) return void reader?.cancel().catch(() => {});
  const head = [];
  for (const [k, v] of response.headers) head.push(k, v);
  // An unread request body would stall the next request on this connection: close it instead.
  if (!req.complete) head.push("connection", "close");
  try {
    res.writeHead(response.status, head);
    if (reader) {
      for (;;) {
        if (res.destroyed) return void reader.cancel().catch(() => {});
        const { done, value } = await reader.read();
        if (done) break;
        if (!res.write(value)) await drained(res);
      }
    }
    res.end();
  } catch {
    reader?.cancel().catch(() => {});
    res.destroy();
  }
}

async function serve(handler, maxBodyBytes, req, res) {
  // Without listeners these events would be thrown; each is handled through the body stream or res state.
  req.on("error", () => {});
  res.on("error", () => {});
  const gone = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) gone.abort();
  });
  const url = requestUrl(req);
  if (!url) return send(req, res, jsonResponse(400, "bad_request", "malformed Host or request target"));
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      headers.append(raw[i], raw[i + 1]);
    } catch {
      return send(req, res, jsonResponse(400, "bad_request", "malformed header"));
    }
  }
  const declared = req.headers["content-length"];
  if (declared !== undefined && !(Number(declared) <= maxBodyBytes)) {
    return send(req, res, jsonResponse(413, "too_large", `request body over ${maxBodyBytes} bytes`));
  }
  const method = req.method;
  const hasBody = method !== "GET" && method !== "HEAD" && (declared !== undefined ? declared !== "0" : req.headers["transfer-encoding"] !== undefined);
  let over = false;
  let request;
  try {
    request = new Request(url, { method, headers, signal: gone.signal, duplex: "half",
      body: hasBody ? bodyStream(req, maxBodyBytes, () => (over = true)) : undefined });
  } catch {
    // URL and headers were checked above: what Request refuses here is the method (CONNECT, TRACE, TRACK).
    return send(req, res, jsonResponse(405, "method", `method ${method} is not supported`));
  }
  clientAddresses.set(request, req.socket?.remoteAddress);
  let response;
  try {
    response = await handler(request);
  } catch {
    response = undefined;
  }
  if (over) {
    response?.body?.cancel().catch(() => {});
    response = jsonResponse(413, "too_large", `request body over ${maxBodyBytes} bytes`);
  }
  if (!(response instanceof Response)) response = jsonResponse(500, "internal", "internal error");
  return send(req, res, response);
}

/**
 * Adapter for node:http: `http.createServer(toNodeHandler(proxy))`. Streams the request body to the
 * handler (capped at maxBodyBytes) and the response back with backpressure; never throws or rejects.
 * The socket address is available to the handler through clientAddress(request).
 */
export function toNodeHandler(handler, { maxBodyBytes = 1024 * 1024 } = {}) {
  if (typeof handler !== "function") throw new TypeError("toNodeHandler: handler must be a function");
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 0) throw new TypeError("toNodeHandler: maxBodyBytes must be a non-negative integer");
  return (req, res) => {
    serve(handler, maxBodyBytes, req, res).catch(() => {
      try {
        res.destroy();
      } catch {
        // nothing left to do for this connection
      }
    });
  };
}

export { modelledApis };
