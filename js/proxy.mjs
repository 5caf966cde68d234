// createSigningProxy: lets browser admin tools call the gateways without ever
// holding a secret. The browser POSTs { api, params } (unsigned); the proxy
// checks an operator-set bearer token and an API allow-list, validates in Rust,
// signs with server-held credentials, calls the gateway and returns the decoded
// result or the AligateError as JSON. Fetch-style (Request → Response), so it
// runs in Node (see toNodeHandler) and in Workers. No secret is ever returned.
import { TopClient, LinkedMallClient, AligateError, modelledApis } from "aligate";

const LINKEDMALL_APIS = new Set(["ConfirmDisburse"]);

function constantTimeEqual(a, b) {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** Reads at most `max` bytes of a body; null when it is larger. */
async function readCapped(request, max) {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > max) return null;
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
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
}

/** The error as JSON: its public fields only (AligateError never holds secrets). */
function errorBody(e) {
  if (e instanceof AligateError) {
    const { name, stack, ...fields } = { ...e };
    return { message: e.message, ...fields };
  }
  return { kind: "internal", message: "internal proxy error" };
}

const STATUS_BY_KIND = { validation: 422, api: 502, http: 502, network: 502, timeout: 504, decode: 502, aborted: 499, internal: 500 };

/**
 * Options:
 *   token        the bearer token clients must send (required)
 *   allow        API names clients may call (required)
 *   top          TopClient options or a TopClient (for TOP APIs)
 *   linkedmall   LinkedMallClient options or a LinkedMallClient (for ConfirmDisburse)
 *   origins      origins allowed by CORS (default none)
 *   maxBodyBytes request body cap (default 256 KiB)
 *   rateLimit    { requests, perMs } per client (default 60 per 60 s)
 *   clientKey    (request) => string identifying a client (default: the
 *                x-forwarded-for / cf-connecting-ip address, else "anonymous")
 */
export function createSigningProxy(options) {
  const { token, allow } = options ?? {};
  if (typeof token !== "string" || token.length < 16) throw new TypeError("createSigningProxy: token must be a string of at least 16 characters");
  if (!Array.isArray(allow) || allow.length === 0) throw new TypeError("createSigningProxy: allow must list the APIs clients may call");
  const allowed = new Set(allow);
  const top = options.top instanceof TopClient ? options.top : options.top ? new TopClient(options.top) : null;
  const lm = options.linkedmall instanceof LinkedMallClient ? options.linkedmall : options.linkedmall ? new LinkedMallClient(options.linkedmall) : null;
  const origins = new Set(options.origins ?? []);
  const maxBody = options.maxBodyBytes ?? 256 * 1024;
  const { requests: limit = 60, perMs = 60_000 } = options.rateLimit ?? {};
  const clientKey = options.clientKey ?? ((r) => r.headers.get("cf-connecting-ip") ?? r.headers.get("x-forwarded-for")?.split(",")[0].trim() ?? "anonymous");
  const windows = new Map();

  function cors(request) {
    const origin = request.headers.get("origin");
    return origin && origins.has(origin)
      ? { "access-control-allow-origin": origin, vary: "origin", "access-control-allow-headers": "authorization, content-type",
          "access-control-allow-methods": "POST, OPTIONS", "access-control-max-age": "600" }
      : {};
  }

  const reply = (request, status, body, extra = {}) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json;charset=utf-8", ...cors(request), ...extra } });

  function rateLimited(key) {
    const now = Date.now();
    const w = windows.get(key);
    if (!w || now - w.start >= perMs) {
      if (windows.size > 10_000) windows.clear();
      windows.set(key, { start: now, count: 1 });
      return 0;
    }
    w.count++;
    return w.count > limit ? Math.ceil((w.start + perMs - now) / 1000) : 0;
  }

  return async function signingProxy(request) {
    if (request.method === "OPTIONS") {
      const h = cors(request);
      return new Response(null, { status: Object.keys(h).length ? 204 : 403, headers: h });
    }
    if (request.method !== "POST") return reply(request, 405, { ok: false, error: { kind: "method", message: "use POST" } }, { allow: "POST, OPTIONS" });
    const auth = request.headers.get("authorization") ?? "";
    if (!auth.startsWith("Bearer ") || !constantTimeEqual(auth.slice(7), token)) {
      return reply(request, 401, { ok: false, error: { kind: "unauthorized", message: "missing or wrong bearer token" } }, { "www-authenticate": "Bearer" });
    }
    const wait = rateLimited(clientKey(request));
    if (wait) return reply(request, 429, { ok: false, error: { kind: "rate_limited", message: `too many requests; retry in ${wait} s` } }, { "retry-after": String(wait) });
    const text = await readCapped(request, maxBody);
    if (text === null) return reply(request, 413, { ok: false, error: { kind: "too_large", message: `request body over ${maxBody} bytes` } });
    let call;
    try {
      call = JSON.parse(text);
    } catch {
      return reply(request, 400, { ok: false, error: { kind: "bad_request", message: "body must be JSON: { api, params }" } });
    }
    const api = call?.api;
    if (typeof api !== "string" || !allowed.has(api)) {
      return reply(request, 403, { ok: false, error: { kind: "forbidden", message: `api ${JSON.stringify(api)} is not allowed here` } });
    }
    const client = LINKEDMALL_APIS.has(api) ? lm : top;
    if (!client) return reply(request, 501, { ok: false, error: { kind: "not_configured", message: `no credentials configured for ${api}` } });
    try {
      // Params pass as an object: JSON.parse has made numbers JS numbers, so an
      // integer beyond 2^53 (already rounded) is refused instead of sent wrong.
      const params = call.params ?? {};
      if (call.dryRun === true) return reply(request, 200, { ok: true, prepared: client.prepare(api, params, { redact: true }) });
      return reply(request, 200, { ok: true, result: await client.execute(api, params, { signal: request.signal }) });
    } catch (e) {
      return reply(request, STATUS_BY_KIND[e?.kind] ?? 500, { ok: false, error: errorBody(e) });
    }
  };
}

/** Adapter for node:http: `http.createServer(toNodeHandler(proxy))`. */
export function toNodeHandler(handler, { maxBodyBytes = 1024 * 1024 } = {}) {
  return (req, res) => {
    const chunks = [];
    let size = 0;
    let over = false;
    req.on("data", (c) => {
      size += c.length;
      if (size > maxBodyBytes) over = true;
      else chunks.push(c);
    });
    req.on("end", async () => {
      if (over) {
        res.writeHead(413, { "content-type": "application/json;charset=utf-8" });
        res.end(JSON.stringify({ ok: false, error: { kind: "too_large", message: `request body over ${maxBodyBytes} bytes` } }));
        return;
      }
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      headers.set("x-forwarded-for", req.socket.remoteAddress ?? "unknown");
      const hasBody = req.method !== "GET" && req.method !== "HEAD" && req.method !== "OPTIONS";
      const request = new Request(`http://${req.headers.host ?? "localhost"}${req.url}`, {
        method: req.method, headers, body: hasBody ? Buffer.concat(chunks) : undefined });
      let response;
      try {
        response = await handler(request);
      } catch {
        response = new Response('{"ok":false,"error":{"kind":"internal"}}', { status: 500 });
      }
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    });
  };
}

export { modelledApis };
