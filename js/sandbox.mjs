// The local sandbox gateway: an emulator of the TOP router (/router/rest) and
// the Aliyun RPC endpoint (/) for the four APIs. It accepts what the real
// gateways accept from the official SDKs, verifies signatures, timestamps and
// nonces with aligate's Rust signers, validates business parameters with the
// same Rust rules, answers in the reference pages' shapes, and injects faults
// on demand. Node only (node:http).
import { createServer } from "node:http";
import { randomUUID, createHash, createHmac } from "node:crypto";
import { signTop, signAliyunRpc, validateWire } from "./node.mjs";

/** Fixed test credentials, printed at start; used when no others are given. */
export const TEST_CREDENTIALS = Object.freeze({
  appKey: "sandbox-app-key",
  appSecret: "sandbox-app-secret",
  session: "sandbox-session",
  accessKeyId: "sandbox-access-key-id",
  accessKeySecret: "sandbox-access-key-secret",
});

export const FAULTS = ["503", "429", "isp", "code7", "throttling", "slow", "reset", "malformed"];

const TOP_SKEW_MS = 10 * 60_000;
const RPC_SKEW_MS = 15 * 60_000;
const MAX_BODY = 8 * 1024 * 1024;
const NONCE_CAP = 100_000;

const TOP_SYSTEM = new Set(["method", "app_key", "timestamp", "format", "v", "sign_method", "sign", "session", "simplify",
  "partner_id", "target_app_key"]);
const RPC_SYSTEM = new Set(["AccessKeyId", "Action", "Format", "SignatureMethod", "SignatureNonce", "SignatureVersion",
  "Signature", "Timestamp", "Version", "SecurityToken", "RegionId", "SignatureType"]);
const NEEDS_SESSION = new Set(["alibaba.retail.commission.status.change"]);

const TOP_RESULTS = {
  "alibaba.retail.commission.status.change": () => ({ message: "成功", data: true, s_code: "200", s_success: true }),
  "alibaba.alisports.lianbei.order.notice": (p) => ({
    result: {
      alisp_code: 200,
      alisp_data: {
        biz_order_id: p.biz_order_id, gmt_create: "2018-10-15 00:00:00", pay_time: "2018-10-15 00:00:00",
        end_time: "2018-10-15 00:00:00", buyer_nick: "买**称", auction_id: 10000, auction_title: "测试商品",
        auction_pic_url: "http://url", auction_price: 1, buy_amount: 1, discount_fee: 0, tf: 1, mobile: "138****00",
        source: "xpos", sku_id: 0, sku: "sku", nego_price: 0, status: 100, guider_id: "1", guider_name: "导购员名称",
        operator_id: "1", operator_name: "收营员名称", out_id: "业务订单id",
      },
      alisp_msg: "alisp_msg",
    },
  }),
  "aliyun.gsc.funds.flow.notify": () => ({ result: { code: "00000000", message: "成功" } }),
};

function xml(v) {
  if (v === null || typeof v !== "object") {
    return String(v).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }
  return Object.entries(v).map(([k, x]) => `<${k}>${xml(x)}</${k}>`).join("");
}

/** `yyyy-MM-dd HH:mm:ss` in GMT+8, or epoch milliseconds (the Python TOP SDK sends those). */
function topTimeMs(ts) {
  if (/^\d{10,13}$/.test(ts)) return Number(ts);
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)$/.exec(ts ?? "");
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4] - 8, +m[5], +m[6]) : NaN;
}

const rfc3986 = (x) => encodeURIComponent(x).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());

/** `Authorization: ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…`, or null. */
function parseV3(req) {
  const m = /^ACS3-HMAC-SHA256 Credential=([^,]*),SignedHeaders=([^,]*),Signature=([0-9a-f]+)$/.exec(req.headers.authorization ?? "");
  return m ? { credential: m[1], signedHeaders: m[2].split(";"), signature: m[3] } : null;
}

/** V3 signature of a received request, computed independently with node:crypto. */
function v3Signature(req, body, signedHeaders, secret) {
  const url = new URL(req.url, "http://sandbox");
  const query = [...url.searchParams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`).join("&");
  const headers = signedHeaders.map((h) => `${h}:${String(req.headers[h] ?? "").trim()}\n`).join("");
  const canonical = [req.method, url.pathname, query, headers, signedHeaders.join(";"), createHash("sha256").update(body).digest("hex")].join("\n");
  const toSign = `ACS3-HMAC-SHA256\n${createHash("sha256").update(canonical).digest("hex")}`;
  return createHmac("sha256", secret).update(toSign).digest("hex");
}

function redactParams(p) {
  const out = [];
  for (const k of ["app_key", "AccessKeyId", "session", "SecurityToken"]) {
    if (p[k] !== undefined) out.push(`${k}=${k === "session" || k === "SecurityToken" ? "***" : p[k]}`);
  }
  return out.join(" ");
}

/**
 * Starts the sandbox. Options: port (0 = any), host (127.0.0.1), appKey,
 * appSecret, session (required session for APIs that need one; any non-empty
 * value is accepted when omitted), accessKeyId, accessKeySecret,
 * securityToken (required when set), faults ([{ fault, count, api, ms, seconds }]),
 * log (a function taking one line, or false).
 */
export async function startSandbox(options = {}) {
  const creds = {
    appKey: options.appKey ?? TEST_CREDENTIALS.appKey,
    appSecret: options.appSecret ?? TEST_CREDENTIALS.appSecret,
    accessKeyId: options.accessKeyId ?? TEST_CREDENTIALS.accessKeyId,
    accessKeySecret: options.accessKeySecret ?? TEST_CREDENTIALS.accessKeySecret,
    securityToken: options.securityToken,
  };
  const log = options.log === false ? () => {} : options.log ?? ((l) => console.error(l));
  const faults = [];
  const nonces = new Map();
  const stats = { requests: 0, ok: 0, rejected: 0, faults: 0, byApi: {} };
  const sockets = new Set();

  const inject = (f) => {
    if (!FAULTS.includes(String(f.fault))) throw new Error(`unknown fault ${f.fault}; one of ${FAULTS.join(", ")}`);
    faults.push({ fault: String(f.fault), count: Math.max(1, Number(f.count ?? 1) | 0), api: f.api, ms: Number(f.ms ?? 3000),
      seconds: Number(f.seconds ?? 1) });
  };
  for (const f of options.faults ?? []) inject(f);

  const server = createServer((req, res) => {
    const chunks = [];
    let size = 0;
    req.on("data", (c) => {
      size += c.length;
      if (size > MAX_BODY) {
        res.writeHead(413).end();
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      const t0 = performance.now();
      const body = Buffer.concat(chunks).toString("utf8");
      let outcome;
      try {
        outcome = route(req, res, body);
      } catch (e) {
        outcome = { status: 500, note: `sandbox error: ${e.message}` };
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" }).end("sandbox error");
      }
      if (outcome) {
        log(`[sandbox] ${req.method} ${outcome.kind ?? ""} ${outcome.api ?? req.url.split("?")[0]} ${outcome.who ?? ""} -> ${outcome.status} ${outcome.note ?? ""} (${(performance.now() - t0).toFixed(1)} ms)`.replace(/ +/g, " "));
      }
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });

  function send(res, status, type, text) {
    res.writeHead(status, { "content-type": `${type};charset=UTF-8`, "content-length": Buffer.byteLength(text) });
    res.end(text);
  }

  function route(req, res, body) {
    const url = new URL(req.url, "http://sandbox");
    if (url.pathname.startsWith("/__sandbox/")) return control(req, res, url, body);
    const params = {};
    // Query first, body second: system parameters may sit in either.
    for (const [k, v] of url.searchParams) params[k] = v;
    const ct = String(req.headers["content-type"] ?? "");
    if (body && (ct === "" || ct.includes("application/x-www-form-urlencoded"))) {
      for (const [k, v] of new URLSearchParams(body)) params[k] = v;
    }
    stats.requests++;
    const kind = url.pathname === "/router/rest" ? "TOP" : "RPC";
    const api = kind === "TOP" ? params.method : params.Action ?? req.headers["x-acs-action"];
    stats.byApi[api] = (stats.byApi[api] ?? 0) + 1;
    const who = redactParams(params);
    const r = kind === "TOP" ? top(req, res, params) : rpc(req, res, params, body);
    if (r.status === 200 && !r.fault && !r.error) stats.ok++;
    else if (r.fault) stats.faults++;
    else stats.rejected++;
    return { kind, api, who, ...r };
  }

  function takeFault(api) {
    const i = faults.findIndex((f) => !f.api || f.api === api);
    if (i < 0) return null;
    const f = faults[i];
    if (--f.count <= 0) faults.splice(i, 1);
    return f;
  }

  // Applies a fault in the protocol's own shape; returns an outcome or null.
  function fault(res, kind, api, params, requestId) {
    const f = takeFault(api);
    if (!f) return null;
    const note = `fault ${f.fault}`;
    const topErr = (code, msg, sub_code, sub_msg) =>
      send(res, 200, "application/json", JSON.stringify({ error_response: { code, msg, sub_code, sub_msg, request_id: requestId } }));
    const rpcErr = (status, Code, Message) =>
      send(res, status, "application/json", JSON.stringify({ RequestId: requestId, HostId: "sandbox", Code, Message }));
    switch (f.fault) {
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
      case "slow":
        setTimeout(() => {
          if (!res.destroyed) answer(res, kind, api, params, requestId);
        }, f.ms);
        return { status: 200, fault: true, note: `${note} ${f.ms} ms` };
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
      const inner = { ...TOP_RESULTS[api](params), request_id: requestId };
      const root = `${api.replaceAll(".", "_")}_response`;
      if (params.format === "xml") {
        return send(res, 200, "text/xml", `<?xml version="1.0" encoding="utf-8" ?><${root}>${xml(inner)}</${root}>`);
      }
      return send(res, 200, "application/json", JSON.stringify(params.simplify === "true" ? inner : { [root]: inner }));
    }
    const out = { Message: "SUCCESS", Code: "SUCCESS", RequestId: requestId };
    if (params.Format === "XML") {
      return send(res, 200, "text/xml", `<?xml version="1.0" encoding="UTF-8"?><${api}Response>${xml(out)}</${api}Response>`);
    }
    return send(res, 200, "application/json", JSON.stringify(out));
  }

  function top(req, res, p) {
    const requestId = randomUUID().replace(/-/g, "").slice(0, 13);
    const fail = (code, msg, sub_code, sub_msg) => {
      const e = { code, msg, ...(sub_code ? { sub_code, sub_msg } : {}), request_id: requestId };
      if (p.format === "xml") {
        send(res, 200, "text/xml", `<?xml version="1.0" encoding="utf-8" ?><error_response>${xml(e)}</error_response>`);
      } else {
        send(res, 200, "application/json", JSON.stringify({ error_response: e }));
      }
      return { status: 200, error: true, note: `error ${code} ${sub_code ?? msg}${sub_msg ? `: ${sub_msg}` : ""}` };
    };
    if (req.method !== "POST" && req.method !== "GET") return fail(9, "Http Action Not Allowed");
    if (!p.method) return fail(21, "Missing Method");
    if (!p.app_key) return fail(28, "Missing App Key");
    if (p.app_key !== creds.appKey) return fail(29, "Invalid App Key");
    if (!p.timestamp) return fail(30, "Missing Timestamp");
    const ts = topTimeMs(p.timestamp);
    if (!(Math.abs(ts - Date.now()) <= TOP_SKEW_MS)) {
      return fail(31, "Invalid Timestamp", "isv.invalid-timestamp", "timestamp is more than 10 minutes from the server's clock");
    }
    if (!p.v) return fail(32, "Missing Version");
    if (p.v !== "2.0") return fail(33, "Invalid Version");
    if (p.format && p.format !== "json" && p.format !== "xml") return fail(23, "Invalid Format");
    if (!p.sign) return fail(24, "Missing Signature");
    const method = p.sign_method || "md5";
    if (!["md5", "hmac", "hmac-sha256"].includes(method)) return fail(25, "Invalid Signature", "isv.invalid-sign-method", method);
    const expected = signTop(p, creds.appSecret, method);
    if (expected !== String(p.sign).toUpperCase()) return fail(25, "Invalid Signature");
    if (!TOP_RESULTS[p.method]) return fail(22, "Invalid Method");
    if (NEEDS_SESSION.has(p.method) && !p.session) return fail(26, "Missing Session");
    if (NEEDS_SESSION.has(p.method) && options.session && p.session !== options.session) return fail(27, "Invalid Session");
    const f = fault(res, "TOP", p.method, p, requestId);
    if (f) return f;
    const business = Object.fromEntries(Object.entries(p).filter(([k, v]) => !TOP_SYSTEM.has(k) && v.trim() !== ""));
    const issues = validateWire(p.method, business);
    if (issues.length) {
      const missing = issues.every((i) => i.message === "required field is missing");
      return fail(missing ? 40 : 41, missing ? "Missing Required Arguments" : "Invalid Arguments",
        missing ? "isv.missing-parameter" : "isv.invalid-parameter", issues.map((i) => `${i.path}: ${i.message}`).join("; "));
    }
    answer(res, "TOP", p.method, p, requestId);
    return { status: 200, note: "ok" };
  }

  function rpc(req, res, p, body) {
    const requestId = randomUUID().toUpperCase();
    // Signature V3 (ACS3-HMAC-SHA256): system fields arrive as x-acs-* headers.
    const v3 = parseV3(req);
    if (v3) {
      Object.assign(p, { AccessKeyId: v3.credential, Action: req.headers["x-acs-action"], Version: req.headers["x-acs-version"],
        Timestamp: req.headers["x-acs-date"], SignatureNonce: req.headers["x-acs-signature-nonce"], Signature: v3.signature,
        ...(req.headers["x-acs-security-token"] !== undefined ? { SecurityToken: req.headers["x-acs-security-token"] } : {}) });
    }
    const fail = (status, Code, Message) => {
      const e = { RequestId: requestId, HostId: "linkedmall.aliyuncs.com", Code, Message,
        Recommend: `https://api.aliyun.com/troubleshoot?q=${Code}&product=linkedmall` };
      if (p.Format === "XML") {
        send(res, status, "text/xml", `<?xml version="1.0" encoding="UTF-8"?><Error>${xml(e)}</Error>`);
      } else {
        send(res, status, "application/json", JSON.stringify(e));
      }
      return { status, error: true, note: `${Code}: ${Message}` };
    };
    if (req.method !== "POST" && req.method !== "GET") return fail(400, "UnsupportedHTTPMethod", "Specified HTTP method is not supported.");
    for (const k of ["Action", "AccessKeyId", "Signature", "SignatureNonce", "Timestamp", "Version"]) {
      if (!p[k]) return fail(400, `Missing${k}`, `${k} is mandatory for this action.`);
    }
    if (p.AccessKeyId !== creds.accessKeyId) return fail(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.");
    if (!v3 && p.SignatureMethod && p.SignatureMethod !== "HMAC-SHA1") {
      return fail(400, "InvalidSignatureMethod", "Specified signature method is not supported.");
    }
    if (p.SignatureVersion && p.SignatureVersion !== "1.0") return fail(400, "InvalidSignatureVersion", "Specified signature version is not valid.");
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(p.Timestamp)) {
      return fail(400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.");
    }
    if (!(Math.abs(Date.parse(p.Timestamp) - Date.now()) <= RPC_SKEW_MS)) {
      return fail(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.");
    }
    const expected = v3 ? v3Signature(req, body, v3.signedHeaders, creds.accessKeySecret) : signAliyunRpc(p, creds.accessKeySecret, req.method);
    if (v3 && req.headers["x-acs-content-sha256"] !== createHash("sha256").update(body).digest("hex")) {
      return fail(400, "InvalidContentSha256", "x-acs-content-sha256 does not match the body.");
    }
    if (expected !== p.Signature) return fail(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.");
    // Nonces count once a signature is valid (forged requests cannot burn them).
    const now = Date.now();
    if (nonces.has(p.SignatureNonce) && now - nonces.get(p.SignatureNonce) < RPC_SKEW_MS * 2) {
      return fail(400, "SignatureNonceUsed", "Specified signature nonce was used already.");
    }
    if (nonces.size >= NONCE_CAP) {
      for (const [n, t] of nonces) if (now - t > RPC_SKEW_MS * 2 || nonces.size >= NONCE_CAP) nonces.delete(n);
    }
    nonces.set(p.SignatureNonce, now);
    if (creds.securityToken !== undefined && p.SecurityToken !== creds.securityToken) {
      return fail(400, p.SecurityToken ? "InvalidSecurityToken.Mismatch" : "MissingSecurityToken", "The security token you provided does not match.");
    }
    if (creds.securityToken === undefined && p.SecurityToken !== undefined && p.SecurityToken !== "") {
      return fail(400, "InvalidSecurityToken.Malformed", "The security token you provided is malformed.");
    }
    if (p.Version !== "2018-01-16") return fail(400, "InvalidVersion", "Specified parameter Version is not valid.");
    if (p.Action !== "ConfirmDisburse") return fail(404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.");
    const f = fault(res, "RPC", p.Action, p, requestId);
    if (f) return f;
    const business = Object.fromEntries(Object.entries(p).filter(([k]) => !RPC_SYSTEM.has(k)));
    const issues = validateWire(p.Action, business);
    if (issues.length) {
      const missing = issues.find((i) => i.message === "required field is missing");
      return missing
        ? fail(400, "MissingParameter", `The input parameter "${missing.path}" that is mandatory for processing this request is not supplied.`)
        : fail(400, "InvalidParameter", issues.map((i) => `${i.path}: ${i.message}`).join("; "));
    }
    answer(res, "RPC", p.Action, p, requestId);
    return { status: 200, note: "ok" };
  }

  function control(req, res, url, body) {
    const json = (status, v) => send(res, status, "application/json", JSON.stringify(v));
    if (url.pathname === "/__sandbox/faults" && req.method === "POST") {
      try {
        const list = JSON.parse(body || "{}");
        for (const f of Array.isArray(list) ? list : [list]) inject(f);
        json(200, { queued: faults });
      } catch (e) {
        json(400, { error: e.message });
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
    inject,
    clearFaults: () => void (faults.length = 0),
    close: () => new Promise((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}
