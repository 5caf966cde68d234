// A gateway emulator for the test suites: node:http on 127.0.0.1, verifying
// every request independently of aligate (node:crypto signatures, timestamp
// skew, nonce reuse), then answering with a scripted response per request.
import { createServer } from "node:http";
import { createHash, createHmac } from "node:crypto";

export const TOP_CREDS = { appKey: "emu-app", appSecret: "emu-secret-天猫 *~+/&=" };
export const RPC_CREDS = { accessKeyId: "emu-id", accessKeySecret: "emu-key *~+/&=秘", securityToken: "emu-sts+/=" };

const rfc3986 = (s) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());

export function topSign(params, secret, method) {
  const s = Object.keys(params)
    .filter((k) => k !== "sign" && params[k].trim() !== "")
    .sort()
    .map((k) => k + params[k])
    .join("");
  if (method === "md5") return createHash("md5").update(secret + s + secret, "utf8").digest("hex").toUpperCase();
  const algo = method === "hmac" ? "md5" : "sha256";
  return createHmac(algo, secret).update(s, "utf8").digest("hex").toUpperCase();
}

/** Extra Aliyun key pairs the emulator accepts (rotating credentials in tests). */
export const EXTRA_KEYS = new Map([["rot-id-1", "rot-secret-1"], ["rot-id-2", "rot-secret-2"]]);
const secretFor = (id) => (id === RPC_CREDS.accessKeyId ? RPC_CREDS.accessKeySecret : EXTRA_KEYS.get(id));

/** Aliyun V3 (ACS3-HMAC-SHA256) over a received request, per the public documentation. */
export function v3Sign(req, url, body, signedHeaders, secret = "") {
  const query = [...url.searchParams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`).join("&");
  const headers = signedHeaders.map((h) => `${h}:${String(req.headers[h] ?? "").trim()}\n`).join("");
  const canonical = [req.method, url.pathname, query, headers, signedHeaders.join(";"), createHash("sha256").update(body).digest("hex")].join("\n");
  return createHmac("sha256", secret).update(`ACS3-HMAC-SHA256\n${createHash("sha256").update(canonical).digest("hex")}`).digest("hex");
}

export function rpcSign(params, secret, httpMethod) {
  const canon = Object.keys(params)
    .filter((k) => k !== "Signature")
    .sort()
    .map((k) => `${rfc3986(k)}=${rfc3986(params[k])}`)
    .join("&");
  const sts = `${httpMethod}&%2F&${rfc3986(canon)}`;
  return createHmac("sha1", secret + "&").update(sts, "utf8").digest("base64");
}

function parseForm(s) {
  const out = {};
  for (const [k, v] of new URLSearchParams(s)) out[k] = v;
  return out;
}

function topTimeMs(ts) {
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)$/.exec(ts);
  if (!m) return NaN;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4] - 8, +m[5], +m[6]);
}

const SUCCESS = {
  "alibaba.retail.commission.status.change": () => ({ message: "成功", data: true, s_code: "200", s_success: true }),
  "alibaba.alisports.lianbei.order.notice": (p) => ({
    result: {
      alisp_code: 200,
      alisp_msg: "ok",
      alisp_data: { biz_order_id: p.biz_order_id, auction_id: 10000, buy_amount: 1, status: 100, buyer_nick: "买**称" },
    },
  }),
  "aliyun.gsc.funds.flow.notify": () => ({ result: { code: "00000000", message: "成功" } }),
};

let reqCounter = 0;

/**
 * Starts the emulator. `next(handler)` queues a responder for the next
 * request: `(ctx, res) => void`, where ctx = { kind, api, params, verified }.
 */
export async function startEmulator() {
  const queue = [];
  const seen = [];
  const nonces = new Set();
  const sockets = new Set();
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => handle(req, res, Buffer.concat(chunks).toString("utf8")));
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });

  function handle(req, res, body) {
    // Browsers call from another origin: answer CORS (form posts need no preflight).
    res.setHeader("access-control-allow-origin", "*");
    if (req.method === "OPTIONS") {
      res.writeHead(204, { "access-control-allow-methods": "GET, POST", "access-control-allow-headers": "content-type" });
      return res.end();
    }
    const url = new URL(req.url, "http://127.0.0.1");
    const params = { ...parseForm(url.search.slice(1)), ...parseForm(body) };
    const ctx = { method: req.method, path: url.pathname, params, headers: req.headers, problems: [] };
    const requestId = `emu-${++reqCounter}`;
    if (url.pathname === "/router/rest") {
      ctx.kind = "top";
      ctx.api = params.method;
      const expected = topSign(params, TOP_CREDS.appSecret, params.sign_method);
      if (params.app_key !== TOP_CREDS.appKey) ctx.problems.push("app_key");
      if (params.sign !== expected) ctx.problems.push("sign");
      if (Math.abs(topTimeMs(params.timestamp) - Date.now()) > 10 * 60_000) ctx.problems.push("timestamp");
      if (req.method !== "POST" || !/^application\/x-www-form-urlencoded/.test(req.headers["content-type"] ?? ""))
        ctx.problems.push("transport");
      for (const k of ["app_key", "method", "sign", "sign_method", "timestamp", "v", "format"])
        if (!url.searchParams.has(k)) ctx.problems.push(`query:${k}`);
    } else if (/^ACS3-HMAC-SHA256 /.test(req.headers.authorization ?? "")) {
      ctx.kind = "rpc";
      ctx.v3 = true;
      const m = /^ACS3-HMAC-SHA256 Credential=([^,]*),SignedHeaders=([^,]*),Signature=([0-9a-f]+)$/.exec(req.headers.authorization) ?? [];
      const h = (n) => req.headers[n];
      ctx.api = h("x-acs-action");
      ctx.accessKeyId = m[1];
      ctx.securityToken = h("x-acs-security-token");
      ctx.nonce = h("x-acs-signature-nonce");
      ctx.params.Format = "JSON";
      if (!secretFor(m[1])) ctx.problems.push("Credential");
      const signed = (m[2] ?? "").split(";");
      for (const need of ["host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"]) {
        if (!signed.includes(need)) ctx.problems.push(`unsigned:${need}`);
      }
      if (h("x-acs-security-token") !== undefined && !signed.includes("x-acs-security-token")) ctx.problems.push("unsigned:token");
      if (m[3] !== v3Sign(req, url, body, signed, secretFor(m[1]))) ctx.problems.push("Signature");
      if (h("x-acs-content-sha256") !== createHash("sha256").update(body).digest("hex")) ctx.problems.push("content-sha256");
      if (Math.abs(Date.parse(h("x-acs-date")) - Date.now()) > 15 * 60_000) ctx.problems.push("Timestamp");
      if (nonces.has(ctx.nonce)) ctx.problems.push("SignatureNonceUsed");
      nonces.add(ctx.nonce);
      if (h("x-acs-version") !== "2018-01-16") ctx.problems.push("system");
    } else {
      ctx.kind = "rpc";
      ctx.api = params.Action;
      ctx.accessKeyId = params.AccessKeyId;
      ctx.securityToken = params.SecurityToken;
      const expected = rpcSign(params, secretFor(params.AccessKeyId), req.method);
      if (!secretFor(params.AccessKeyId)) ctx.problems.push("AccessKeyId");
      if (params.Signature !== expected) ctx.problems.push("Signature");
      if (Math.abs(Date.parse(params.Timestamp) - Date.now()) > 15 * 60_000) ctx.problems.push("Timestamp");
      if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(params.Timestamp ?? "")) ctx.problems.push("TimestampFormat");
      if (nonces.has(params.SignatureNonce)) ctx.problems.push("SignatureNonceUsed");
      nonces.add(params.SignatureNonce);
      if (params.Version !== "2018-01-16" || params.SignatureVersion !== "1.0" || params.SignatureMethod !== "HMAC-SHA1")
        ctx.problems.push("system");
    }
    ctx.verified = ctx.problems.length === 0;
    seen.push(ctx);
    const responder = queue.shift();
    if (responder) return responder(ctx, res, requestId);
    if (!ctx.verified) return reject(ctx, res, requestId);
    return succeed(ctx, res, requestId);
  }

  function reject(ctx, res, requestId) {
    if (ctx.kind === "top") {
      return sendJson(res, 200, {
        error_response: { code: 25, msg: "Invalid signature", sub_msg: ctx.problems.join(","), request_id: requestId },
      });
    }
    return sendJson(res, 400, { RequestId: requestId, HostId: "emu", Code: "SignatureDoesNotMatch", Message: ctx.problems.join(",") });
  }

  function succeed(ctx, res, requestId) {
    if (ctx.kind === "top") {
      const make = SUCCESS[ctx.api];
      if (!make) return sendJson(res, 200, { error_response: { code: 22, msg: "Invalid method", request_id: requestId } });
      const inner = { ...make(ctx.params), request_id: requestId };
      if (ctx.params.simplify === "true") return sendJson(res, 200, inner);
      if (ctx.params.format === "xml") return sendXml(res, `${ctx.api.replaceAll(".", "_")}_response`, inner);
      return sendJson(res, 200, { [`${ctx.api.replaceAll(".", "_")}_response`]: inner });
    }
    const body = { Message: "SUCCESS", Code: "SUCCESS", RequestId: requestId };
    if (ctx.params.Format === "XML") return sendXml(res, `${ctx.api}Response`, body);
    return sendJson(res, 200, body);
  }

  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    topUrl: `${base}/router/rest`,
    rpcUrl: `${base}/`,
    seen,
    next: (...handlers) => queue.push(...handlers),
    reset() {
      queue.length = 0;
      seen.length = 0;
    },
    succeed,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

export function sendJson(res, status, obj, type = "application/json;charset=UTF-8") {
  const body = typeof obj === "string" ? obj : JSON.stringify(obj);
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function toXml(v) {
  if (v === null || typeof v !== "object") return String(v).replace(/&/g, "&amp;").replace(/</g, "&lt;");
  return Object.entries(v).map(([k, x]) => `<${k}>${toXml(x)}</${k}>`).join("");
}

export function sendXml(res, root, obj) {
  const body = `<?xml version="1.0" encoding="utf-8" ?><${root}>${toXml(obj)}</${root}>`;
  res.writeHead(200, { "content-type": "text/xml;charset=UTF-8", "content-length": Buffer.byteLength(body) });
  res.end(body);
}
