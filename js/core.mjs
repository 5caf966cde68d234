// Shared by every entry point. The ESM entries import it; the build bundles it
// into pkg/node.cjs (the Node require entry), so it exists once.
// Keep it free of imports.

/** The one error type: `kind` is validation | api | http | network | timeout | aborted | decode | internal. */
export class AligateError extends Error {
  constructor(message, fields) {
    super(message);
    this.name = "AligateError";
    Object.assign(this, fields);
  }
}

/** JSON.stringify replacer: bigint → decimal string; NaN/±Infinity → a sentinel the core rejects by name. */
export function replacer(_key, value) {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number" && !Number.isFinite(value)) return "\u0000" + value;
  return value;
}

/** `prepare` returns `{ method, url, headers, body }`; wasm hands it over as one line. */
let lastHead = "";
let lastHeaders = {};
export function preparedFromLine(line) {
  const a = line.indexOf("\n");
  const b = line.indexOf("\n", a + 1);
  const c = line.indexOf("\n", b + 1);
  const head = line.slice(b + 1, c);
  // Header lines repeat from call to call: parse each distinct one once.
  if (head !== lastHead) {
    const parsed = {};
    if (head) {
      for (const h of head.split("\t")) {
        const i = h.indexOf(":");
        parsed[h.slice(0, i)] = h.slice(i + 1);
      }
    }
    [lastHead, lastHeaders] = [head, parsed];
  }
  const out = { method: line.slice(0, a), url: line.slice(a + 1, b), headers: { ...lastHeaders } };
  if (c + 1 < line.length) out.body = line.slice(c + 1);
  return out;
}

/**
 * Parameters as JSON text made from JS values, or undefined when the core
 * must do it (bigint, NaN/Infinity hiding behind `null`, cycles: it reports
 * those by name). Stringifying here saves a crossing back into JS.
 */
export function paramsText(p) {
  if (p === null || typeof p !== "object") return undefined;
  try {
    const t = JSON.stringify(p);
    return t.includes("null") ? undefined : t;
  } catch {
    return undefined;
  }
}

/**
 * A trap (a Rust panic: a bug, never bad input) surfaces as
 * WebAssembly.RuntimeError; it becomes an AligateError of kind "internal"
 * carrying the panic message. The instance stays usable for later calls.
 */
function internalError(wasm, e) {
  if (!(e instanceof WebAssembly.RuntimeError)) return e;
  const detail = wasm.__takePanic() ?? e.message;
  return new AligateError(`aligate internal error (please report): ${detail}`, { kind: "internal", retryable: false, attempts: 0 });
}

function guard(wasm, raw, fn) {
  const sp = raw.__aligate_sp;
  return function guarded(...args) {
    const at = sp.value;
    try {
      const r = fn.apply(this, args);
      return r instanceof Promise ? r.catch((e) => Promise.reject(internalError(wasm, e))) : r;
    } catch (e) {
      // A trap left this call's frames on the shadow stack: drop them.
      if (e instanceof WebAssembly.RuntimeError) sp.value = at;
      throw internalError(wasm, e);
    }
  };
}

// ── execute: the IO around the core's decisions ────────────────────────────
// Rust signs each attempt, decodes responses and decides (retry policy, error
// mapping); this side only does what needs the host: fetch, timers, reading
// the body, awaiting the credentials provider.

/** Reads at most `max` bytes; past that, cancels and returns max + 1 bytes (the core reports the overflow). */
async function readCapped(res, max) {
  const stream = res.body;
  if (!stream) {
    const buf = new Uint8Array(await res.arrayBuffer());
    return buf.length > max ? new Uint8Array(max + 1) : buf;
  }
  const reader = stream.getReader();
  const chunks = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (n + value.length > max) {
      reader.cancel().catch(() => {});
      return new Uint8Array(max + 1);
    }
    chunks.push(value);
    n += value.length;
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** One attempt: the decoded outcome from `call` (JSON text or a delay), or it throws. */
async function attempt(call, p, [fetchFn, signal, timeoutMs, maxBody]) {
  if (signal?.aborted) return call.__failed("aborted");
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  signal?.addEventListener("abort", onAbort);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  let stage = "network";
  let res;
  let body;
  try {
    const init = { method: p.method, headers: p.headers, signal: controller.signal };
    if (p.method !== "GET" && p.body) init.body = p.body;
    res = await (fetchFn ?? globalThis.fetch)(p.url, init);
    stage = "body";
    body = await readCapped(res, maxBody);
  } catch (e) {
    return call.__failed(signal?.aborted ? "aborted" : timedOut ? "timeout" : stage, e);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
  return call.__received(res.status, res.headers?.get?.("content-type") ?? "", body);
}

/** Waits `ms`; false when the signal aborted first (or already had). */
function sleep(ms, signal) {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve(!signal?.aborted);
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done);
  });
}

async function credentials(call) {
  let value;
  let ok = true;
  try {
    value = await call.__provider()();
  } catch (e) {
    [ok, value] = [false, e];
  }
  call.__setCredentials(ok, value);
}

async function execute(call) {
  try {
    const io = call.__io();
    for (;;) {
      if (call.__needsCredentials()) await credentials(call);
      const out = await attempt(call, preparedFromLine(call.__sign()), io);
      if (typeof out === "string") return JSON.parse(out);
      // Aborted during the wait: __failed throws the final "aborted" error.
      if (!(await sleep(out, io[1]))) call.__failed("aborted");
    }
  } finally {
    call.free();
  }
}

const SHORTCUTS = {
  TopClient: {
    commissionStatusChange: "alibaba.retail.commission.status.change",
    lianbeiOrderNotice: "alibaba.alisports.lianbei.order.notice",
    fundsFlowNotify: "aliyun.gsc.funds.flow.notify",
  },
  LinkedMallClient: { confirmDisburse: "ConfirmDisburse" },
};

function addCalls(C, shortcuts, Request) {
  C.prototype.execute = function execute_(api, params, options) {
    try {
      return execute(api instanceof Request ? this.__callRequest(api, params) : this.__call(api, params, options));
    } catch (e) {
      return Promise.reject(e);
    }
  };
  for (const [name, api] of Object.entries(shortcuts)) {
    C.prototype[name] = function shortcut(params, options) {
      return this.execute(api, params, options);
    };
  }
  if (C.prototype.__credentials) {
    C.prototype.refreshCredentials = async function refreshCredentials() {
      const call = this.__credentials();
      try {
        if (call.__needsCredentials()) await credentials(call);
      } finally {
        call.free();
      }
    };
  }
}

// ── builders: typed subclasses of the one wasm `Request` class ──────────────
// Setter → wire path: "key", "outer.key", or "+outer.list" (append).
const BUILDERS = {
  CommissionStatusChangeRequest: ["alibaba.retail.commission.status.change", {
    param0: "param0", orderPayTime: "param0.order_pay_time", outerOrderId: "param0.outer_order_id",
    orderStatus: "param0.order_status", orderGoodsTime: "param0.order_goods_time", orderEndTime: "param0.order_end_time",
    bizOrderId: "param0.biz_order_id", orderId: "param0.order_id",
  }],
  LianbeiOrderNoticeRequest: ["alibaba.alisports.lianbei.order.notice", { bizOrderId: "biz_order_id" }],
  FundsFlowNotifyRequest: ["aliyun.gsc.funds.flow.notify", {
    payments: "official_funds_record_request.payments", confirms: "official_funds_record_request.confirms",
    refunds: "official_funds_record_request.refunds", addPayment: "+official_funds_record_request.payments",
    addConfirm: "+official_funds_record_request.confirms", addRefund: "+official_funds_record_request.refunds",
  }],
  ConfirmDisburseRequest: ["ConfirmDisburse", {
    bizId: "BizId", bizUid: "BizUid", lmOrderId: "LmOrderId", useAnonymousTbAccount: "UseAnonymousTbAccount",
    thirdPartyUserId: "ThirdPartyUserId", accountType: "AccountType",
  }],
};
const defined = new WeakMap();

/** The builder classes over a glue module's `Request` (defined once per glue). */
export function defineBuilders(Request) {
  if (defined.has(Request)) return defined.get(Request);
  const out = {};
  for (const [name, [api, setters]] of Object.entries(BUILDERS)) {
    const C = { [name]: class extends Request { constructor() { super(api); } } }[name];
    for (const [method, path] of Object.entries(setters)) {
      const push = path.startsWith("+");
      const parts = (push ? path.slice(1) : path).split(".");
      const [outer, key] = parts.length === 2 ? parts : ["", parts[0]];
      C.prototype[method] = push
        ? function add(v) { const e = this.__push(outer, key, v); if (e !== undefined) throw e; return this; }
        : function set(v) { const e = this.__set(outer, key, v); if (e !== undefined) throw e; return this; };
    }
    out[name] = C;
  }
  defined.set(Request, out);
  return out;
}

const CLASSES = ["TopClient", "LinkedMallClient"];
const FUNCTIONS = ["signTop", "signAliyunRpc", "topTimestamp", "validateParams", "validateWire", "modelledApis",
  "decodeResponse", "__panicForTest"];

/**
 * Wires a glue module (and its instance's raw exports) to the JS side; returns the public API.
 * `random`: the entry's `{ fill(bytes) → boolean }` source of secure random bytes, when cheaper than crypto.getRandomValues.
 */
export function install(wasm, raw, random) {
  const wrap = (C) => {
    for (const m of Object.getOwnPropertyNames(C.prototype)) {
      const d = Object.getOwnPropertyDescriptor(C.prototype, m);
      if (m !== "constructor" && m !== "free" && typeof d.value === "function") C.prototype[m] = guard(wasm, raw, d.value);
    }
  };
  wasm.__setup(AligateError, replacer, random);
  const api = { AligateError };
  for (const name of CLASSES) {
    const C = wasm[name];
    wrap(C);
    addCalls(C, SHORTCUTS[name], wasm.Request);
    // The core returns the prepared line, or the error to throw (`in_band` in src/wasm/mod.rs).
    C.prototype.prepare = function prepare(a, p, o) {
      let r;
      if (a instanceof wasm.Request) r = this.__prepareRequest(a, p);
      else {
        const text = typeof a === "string" ? paramsText(p) : undefined;
        r = text === undefined ? this.__prepare(a, p, o) : this.__prepareText(a, text, o);
      }
      if (typeof r !== "string") throw r;
      return preparedFromLine(r);
    };
    api[name] = C;
  }
  wrap(wasm.Call);
  wrap(wasm.Request);
  Object.assign(api, defineBuilders(wasm.Request));
  for (const name of FUNCTIONS) api[name] = guard(wasm, raw, wasm[name]);
  api.__memoryBytes = wasm.__memoryBytes;
  return api;
}
