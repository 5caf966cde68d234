// Shared by every entry point. The ESM entries import it; the build bundles it
// (with what it imports) into pkg/node.cjs (the Node require entry), so it
// exists once. Its one import: the shortcut methods and builder setters,
// generated from apis/*.json by the rules in descriptors.mjs.
import { SHORTCUTS, BUILDERS } from "./generated/surface.mjs";

/** The one error type: `kind` is validation | api | http | network | timeout | aborted | decode | credentials | internal. */
export class AligateError extends Error {
  constructor(message, fields) {
    super(message);
    this.name = "AligateError";
    Object.assign(this, fields);
  }
}

/**
 * Errors of the credentials sources (js/credentials.mjs), built from fixed text and names only, never a secret or a
 * file's contents: `execute()` may show their message where it shows only a provider error's name otherwise.
 */
const vetted = new WeakSet();
export function credentialsError(message, fields) {
  const e = new AligateError(message, { kind: "credentials", retryable: false, attempts: 0, ...fields });
  vetted.add(e);
  return e;
}
export const isVetted = (e) => vetted.has(e);

/** The entry's default chain for a LinkedMallClient given no credentials (set by js/credentials*.mjs). */
let defaultChain;
export function setDefaultCredentials(f) {
  defaultChain = f;
}
const ENV_KEYS = ["ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"];
const OWN_KEYS = ["accessKeyId", "accessKeySecret", "securityToken", "credentials"];

/**
 * LinkedMallClient options with `credentials: defaultChain(...)` when they name no credentials at all (neither
 * options nor ALIBABA_CLOUD_ACCESS_KEY_* in the environment). Anything odd passes unchanged: the core names it.
 */
function withDefaultChain(o) {
  if (!defaultChain || (o !== undefined && (o === null || typeof o !== "object"))) return o;
  try {
    // One read of each own option (a getter runs once); inherited ones stay reachable through the prototype.
    const copy = Object.assign(Object.create(o === undefined ? Object.prototype : Object.getPrototypeOf(o)), o);
    if (OWN_KEYS.some((k) => copy[k] !== undefined && copy[k] !== "")) return o;
    const env = copy.env ?? globalThis.process?.env;
    const deno = env == null ? globalThis.Deno?.env : undefined;
    const set = (k) => {
      const v = deno ? deno.get(k) : env?.[k];
      return typeof v === "string" && v !== "";
    };
    if (ENV_KEYS.some(set)) return o;
    copy.credentials = defaultChain({ env: copy.env, fetch: copy.fetch });
    return copy;
  } catch {
    return o;
  }
}

/** The door for an API aligate does not model (typed `Unmodelled` in index.d.ts): the name, unchanged. */
export const unmodelled = (name) => name;

/**
 * JSON.stringify replacer: bigint → decimal string; NaN/±Infinity and invalid
 * Dates (whose toJSON gives null, which would drop an optional field) → a
 * sentinel the core rejects by name.
 */
export function replacer(key, value) {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number" && !Number.isFinite(value)) return "\u0000" + value;
  if (value === null && invalidDate(this[key])) return "\u0000Invalid Date";
  return value;
}

const getTime = Date.prototype.getTime;
function invalidDate(v) {
  try {
    return v instanceof Date && Number.isNaN(getTime.call(v));
  } catch {
    return false;
  }
}

/**
 * `prepare` returns `{ method, url, headers, body }`; wasm hands it over as one
 * line, `method \n url \n name:value\tname:value \n body` (grammar and the
 * control-character rule: src/line.rs).
 */
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

// ── the boundary into wasm ────────────────────────────────────────────────
// A JS exception that unwinds through wasm frames (a trap, or a throw from the
// glue) skips their epilogues: the shadow-stack pointer stays where the deepest
// frame left it, and a few thousand such calls exhaust the stack for the whole
// instance. Every entry into wasm goes through `enter`, which puts the pointer
// back whatever was thrown. The binding itself never lets caller code throw
// through wasm (wasm/src/js.rs); this is the second line.

/** Each wasm-backed object → its pointer, while it is alive (not freed, not forged). */
const live = new WeakMap();
/** The instance's `__stack_pointer` global (exported as `__aligate_sp` by the build). */
let sp = null;
let takePanic = () => undefined;

function misuse(message) {
  return new AligateError(message, { kind: "validation", retryable: false, attempts: 0, issues: [{ path: "this", message }] });
}

/** A validation error at `path`, shaped as the core's. */
function invalidAt(path, message) {
  const issues = [{ path, message }];
  return new AligateError(`invalid request: ${path}: ${message}`, { kind: "validation", retryable: false, attempts: 0, outcome: "not-applied", issues });
}

/** What crossed the boundary, as an AligateError: a trap is a bug ("internal", with the panic message). */
function crossing(e) {
  if (e instanceof AligateError) return e;
  const detail = e instanceof WebAssembly.RuntimeError ? takePanic() ?? e.message : `a ${e?.name ?? "value"} was thrown inside wasm`;
  return new AligateError(`aligate internal error (please report): ${detail}`, { kind: "internal", retryable: false, attempts: 0 });
}

function enter(fn, self, args) {
  const at = sp?.value;
  try {
    return fn.apply(self, args);
  } catch (e) {
    if (sp) sp.value = at;
    throw crossing(e);
  }
}

/** Throws unless `o` is a live object made by this module (a freed or forged one would hand wasm a dangling pointer). */
function assertLive(o) {
  const ptr = live.get(o);
  if (ptr === undefined) throw misuse("not a live aligate object: it was freed, or was not made by its constructor");
  if (o.__wbg_ptr !== ptr) throw misuse("the object's internal pointer was changed");
}

/** A class's methods and getters, each checked and guarded; `free` idempotent. */
function guardClass(C) {
  for (const m of Object.getOwnPropertyNames(C.prototype)) {
    const d = Object.getOwnPropertyDescriptor(C.prototype, m);
    // __destroy_into_raw is the glue's own JS step inside free.
    if (m === "constructor" || m === "__destroy_into_raw") continue;
    if (m === "free") {
      const free = d.value;
      C.prototype.free = function freeOnce() {
        const ptr = live.get(this);
        if (ptr === undefined) return;
        live.delete(this);
        this.__wbg_ptr = ptr;
        enter(free, this, []);
      };
      if (Symbol.dispose) C.prototype[Symbol.dispose] = C.prototype.free;
    } else if (typeof d.value === "function") {
      const fn = d.value;
      C.prototype[m] = function guarded(...args) {
        assertLive(this);
        return enter(fn, this, args);
      };
    } else if (d.get) {
      const get = d.get;
      Object.defineProperty(C.prototype, m, { ...d, get() { assertLive(this); return enter(get, this, []); } });
    }
  }
}

/** A subclass whose constructor enters wasm guarded and records the new object as live. */
function constructible(Base, name, fixedArg) {
  const C = { [name]: class extends Base {
    constructor(arg) {
      if (!sp) throw misuse("aligate is not initialised yet: await init() first");
      const at = sp.value;
      try {
        super(fixedArg ?? (name === "LinkedMallClient" ? withDefaultChain(arg) : arg));
      } catch (e) {
        sp.value = at;
        throw crossing(e);
      }
      live.set(this, this.__wbg_ptr);
    }
  } }[name];
  return C;
}

const guardFunction = (fn) => function guarded(...args) {
  return enter(fn, undefined, args);
};

// ── execute: the IO around the core's decisions ────────────────────────────
// Rust signs each attempt, decodes responses and decides (retry policy, error
// mapping); this side only does what needs the host: fetch, timers, reading
// the body, awaiting the credentials provider.

// Caller bytes are read through %TypedArray%'s own accessors: the glue copies
// `arg.length` bytes into wasm, so a subclass whose `length` getter lies would
// make wasm read stale heap, and a Proxy leaks what the glue allocated.
const TA = Object.getPrototypeOf(Uint8Array.prototype);
const taLength = Object.getOwnPropertyDescriptor(TA, "length").get;
const taTag = Object.getOwnPropertyDescriptor(TA, Symbol.toStringTag).get;
const taSet = TA.set;
const abLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength").get;

/** The real length of a real Uint8Array (internal slots, no getter), or -1 (a Proxy, another type, a detached buffer). */
function bytesLength(v) {
  try {
    return taTag.call(v) === "Uint8Array" ? taLength.call(v) : -1;
  } catch {
    return -1;
  }
}

/** Copies the chunks (each checked by `bytesLength`) into one plain Uint8Array of `n` bytes; throws on a detached one. */
function concatBytes(chunks, n) {
  const out = new Uint8Array(n);
  let at = 0;
  for (const [c, len] of chunks) {
    taSet.call(out, c, at);
    at += len;
  }
  return out;
}

/**
 * Reads at most `max` bytes; past that, cancels and returns max + 1 bytes (the core reports the overflow).
 * `expired()` is asked after each chunk: a stream that yields only in microtasks never lets the timeout
 * timer run, so the deadline is also checked by the clock (it throws LOST, as the timer would have).
 */
async function readCapped(res, max, expired) {
  const stream = res.body;
  if (!stream) {
    const ab = await res.arrayBuffer();
    // Throws unless it is a real ArrayBuffer (an array-like would be copied element by element).
    if (abLength.call(ab) > max) return new Uint8Array(max + 1);
    return new Uint8Array(ab);
  }
  const reader = stream.getReader();
  const chunks = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    // A custom `fetch` may hand back any stream: only bytes are bytes.
    const len = bytesLength(value);
    if (len < 0) throw new TypeError("the response body yielded a chunk that is not a Uint8Array");
    if (expired()) {
      reader.cancel().catch(() => {});
      throw LOST;
    }
    if (n + len > max) {
      reader.cancel().catch(() => {});
      return new Uint8Array(max + 1);
    }
    chunks.push([value, len]);
    n += len;
  }
  return concatBytes(chunks, n);
}

// The caller's signal is read through these: a throwing getter or listener
// method counts as aborted (nothing more is sent) instead of escaping raw.
function isAborted(signal) {
  try {
    return signal != null && signal.aborted === true;
  } catch {
    return true;
  }
}
function listen(signal, add, fn) {
  try {
    if (signal != null) signal[add ? "addEventListener" : "removeEventListener"]("abort", fn);
  } catch {
    // Not observable: the timeout still bounds the attempt.
  }
}

/** What a (possibly custom) fetch answered: status, content type; throws when it is not a response. */
function responseHead(res) {
  const status = res?.status;
  if (!Number.isInteger(status) || status < 100 || status > 599) throw new TypeError("fetch resolved to something that is not a Response");
  let type = "";
  try {
    type = res.headers?.get?.("content-type") ?? "";
  } catch {
    // Unreadable headers: decoded as no content type (the core refuses it).
  }
  return [status, typeof type === "string" ? type : ""];
}

/** What an await lost to: the attempt's deadline or the caller's signal (see `bound`). */
const LOST = Symbol("lost");

/**
 * The bound on one attempt (or one credentials call): `timeoutMs` and the caller's signal. `race(p)` settles
 * like `p`, or rejects with LOST when the bound ends first: a fetch that ignores its signal, a body that never
 * ends or a provider that never settles cannot hold the call open. `why(stage)` names what ended it.
 */
function bound(signal, timeoutMs) {
  const controller = new AbortController();
  // `gone` is rejected by whoever aborts, not by a listener on our own signal (one costs ~5 µs a call in Node 20).
  let lose;
  const gone = new Promise((_, reject) => (lose = reject));
  gone.catch(() => {});
  const onAbort = () => {
    lose(LOST);
    controller.abort();
  };
  listen(signal, true, onAbort);
  let timedOut = false;
  const deadline = Date.now() + timeoutMs;
  const timer = setTimeout(() => {
    timedOut = true;
    onAbort();
  }, timeoutMs);
  return {
    signal: controller.signal,
    race(p) {
      const q = Promise.resolve(p);
      q.catch(() => {});
      return Promise.race([q, gone]);
    },
    /** True (and counted as the timeout) once the deadline has passed by the clock. */
    expired() {
      if (!timedOut && Date.now() >= deadline) timedOut = true;
      return timedOut;
    },
    why: (stage) => (isAborted(signal) ? "aborted" : timedOut ? "timeout" : stage),
    end() {
      clearTimeout(timer);
      listen(signal, false, onAbort);
    },
  };
}

/** One attempt: the decoded outcome from `call` (JSON text or a delay), or it throws. */
async function attempt(call, p, [fetchFn, signal, timeoutMs, maxBody]) {
  if (isAborted(signal)) return call.__failed("aborted");
  const b = bound(signal, timeoutMs);
  let stage = "network";
  let head;
  let body;
  try {
    const init = { method: p.method, headers: p.headers, signal: b.signal };
    if (p.method !== "GET" && p.body) init.body = p.body;
    const res = await b.race((fetchFn ?? globalThis.fetch)(p.url, init));
    head = responseHead(res);
    stage = "body";
    body = await b.race(readCapped(res, maxBody, b.expired));
  } catch (e) {
    return call.__failed(b.why(stage), e);
  } finally {
    b.end();
  }
  return call.__received(head[0], head[1], body);
}

/** Waits `ms`; false when the signal aborted first (or already had). */
function sleep(ms, signal) {
  if (isAborted(signal)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      listen(signal, false, done);
      resolve(!isAborted(signal));
    };
    const timer = setTimeout(done, ms);
    listen(signal, true, done);
  });
}

/**
 * Awaits the credentials provider, bounded like an attempt: undefined, or (the bound ended first) the wait
 * `__failed` gives before trying again; it throws the final error.
 */
async function credentials(call, [, signal, timeoutMs] = call.__io()) {
  if (isAborted(signal)) return call.__failed("aborted");
  const b = bound(signal, timeoutMs);
  let outcome;
  try {
    outcome = await b.race(askProvider(call.__provider()));
  } catch (e) {
    // LOST only: askProvider never rejects. "credentials": a timeout that counts as an attempt, so the retry bound holds.
    return call.__failed(b.why("credentials") === "aborted" ? "aborted" : "credentials");
  } finally {
    b.end();
  }
  try {
    call.__setCredentials(outcome[0], outcome[1]);
  } catch (e) {
    // A credentials source's own error (no secrets by construction): its text, the core's fields.
    if (!outcome[0] && vetted.has(outcome[1]) && e instanceof AligateError) {
      const src = outcome[1];
      for (const k of ["source", "found", "sources", "code", "status", "requestId"]) if (src[k] !== undefined) e[k] = src[k];
      e.message = src.message;
      vetted.add(e);
    }
    throw e;
  }
}

/** Each provider's call in flight: concurrent calls on a cold cache share one (each keeps its own bound). */
const inFlight = new WeakMap();

/** `[ok, value]` of one provider call, shared while it is in flight; a settled one (even a rejection) is not kept. */
function askProvider(provider) {
  if (typeof provider !== "function") return Promise.resolve([false, new TypeError("the credentials provider is not a function")]);
  let p = inFlight.get(provider);
  if (!p) {
    p = (async () => provider())().then((v) => [true, v], (e) => [false, e]);
    inFlight.set(provider, p);
    p.then(() => inFlight.delete(provider));
  }
  return p;
}

async function execute(call) {
  try {
    const io = call.__io();
    for (;;) {
      if (call.__needsCredentials()) {
        const wait = await credentials(call, io);
        if (wait !== undefined) {
          if (!(await sleep(wait, io[1]))) call.__failed("aborted");
          continue;
        }
      }
      const out = await attempt(call, preparedFromLine(call.__sign()), io);
      if (typeof out === "string") return JSON.parse(out);
      // Aborted during the wait: __failed throws the final "aborted" error.
      if (!(await sleep(out, io[1]))) call.__failed("aborted");
    }
  } finally {
    call.free();
  }
}

/**
 * `top.batch`: the core signs each round (the pending calls, `batchSize` at a time), decodes its answer and
 * decides which calls go again; this side sends, waits and watches the signal. Resolves to every call's
 * `{ ok, result | error }` in request order; rejects only when the batch cannot start (an invalid call).
 */
async function executeBatch(batch) {
  try {
    const io = batch.__start();
    for (;;) {
      if (isAborted(io[1])) batch.__abort();
      const line = batch.__sign();
      if (line === undefined) return batch.__results().map((r) => (typeof r === "string" ? { ok: true, result: JSON.parse(r) } : { ok: false, error: r }));
      const wait = await attempt(batch, preparedFromLine(line), io);
      if (wait > 0 && !(await sleep(wait, io[1]))) batch.__abort();
    }
  } finally {
    batch.free();
  }
}

const CALL_KEYS = ["api", "params", "session"];

/** `[api, params, session]` of a call object, read once; an unknown field (a typo of `session`) is refused. */
function callFields(c, i) {
  if (c === null || typeof c !== "object") return [undefined, undefined, undefined];
  let fields;
  try {
    const unknown = Object.keys(c).find((k) => !CALL_KEYS.includes(k));
    if (unknown !== undefined) fields = unknown;
    else return [c.api, c.params, c.session];
  } catch {
    throw invalidAt(`[${i}]`, "reading it threw");
  }
  const name = /^[A-Za-z_$][\w$]*$/.test(fields) ? fields : "?";
  throw invalidAt(`[${i}].${name}`, "unknown field of a call; expected api, params, session");
}

/** Adds `calls` (builders or `{ api, params, session? }`) to a new batch; frees it when that throws. */
function fillBatch(batch, calls, Request) {
  try {
    if (!Array.isArray(calls)) throw invalidAt("calls", "expected an array of calls");
    const n = calls.length;
    for (let i = 0; i < n; i++) {
      let c;
      try {
        c = calls[i];
      } catch {
        throw invalidAt(`[${i}]`, "reading it threw");
      }
      if (asBuilder(c, Request)) batch.__addRequest(c);
      else batch.__add(...callFields(c, i));
    }
    return batch;
  } catch (e) {
    batch.free();
    throw e;
  }
}

/** `a instanceof C`, false when a Proxy's getPrototypeOf trap throws. */
function isInstance(a, C) {
  try {
    return a instanceof C;
  } catch {
    return false;
  }
}

/** A builder passed as the request: checked live before its pointer reaches wasm. */
function asBuilder(a, Request) {
  if (!isInstance(a, Request)) return false;
  assertLive(a);
  return true;
}

function addCalls(C, shortcuts, Request) {
  C.prototype.execute = function execute_(api, params, options) {
    try {
      return execute(asBuilder(api, Request) ? this.__callRequest(api, params) : this.__call(api, params, options));
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
        // A provider that did not answer in time is retried by the client's policy (nothing was sent).
        const io = call.__io();
        while (call.__needsCredentials()) {
          const wait = await credentials(call, io);
          if (wait === undefined) break;
          if (!(await sleep(wait, io[1]))) call.__failed("aborted");
        }
      } finally {
        call.free();
      }
    };
  }
  if (C.prototype.__batch) {
    C.prototype.batch = function batch(calls, options) {
      try {
        return executeBatch(fillBatch(this.__batch(options, false), calls, Request));
      } catch (e) {
        return Promise.reject(e);
      }
    };
    C.prototype.prepareBatch = function prepareBatch(calls, options) {
      const b = fillBatch(this.__batch(options, true), calls, Request);
      try {
        const r = b.__prepare();
        if (typeof r !== "string") throw r;
        return preparedFromLine(r);
      } finally {
        b.free();
      }
    };
  }
  // The core returns the prepared line, or the error to throw (`in_band` in wasm/src/lib.rs).
  C.prototype.prepare = function prepare(a, p, o) {
    let r;
    if (asBuilder(a, Request)) r = this.__prepareRequest(a, p);
    else {
      const text = typeof a === "string" ? paramsText(p) : undefined;
      r = text === undefined ? this.__prepare(a, p, o) : this.__prepareText(a, text, o);
    }
    if (typeof r !== "string") throw r;
    return preparedFromLine(r);
  };
}

// ── builders: typed subclasses of the one wasm `Request` class (BUILDERS: generated/surface.mjs) ──
const defined = new WeakMap();

/**
 * The public classes over a glue module (defined once per glue, before its
 * instance exists, so the browser entry can export them): the clients and
 * builders as guarded subclasses, and the glue's own prototypes guarded.
 */
export function defineClasses(wasm) {
  if (defined.has(wasm.Request)) return defined.get(wasm.Request);
  for (const C of [wasm.TopClient, wasm.LinkedMallClient, wasm.Call, wasm.Batch, wasm.Request]) guardClass(C);
  // Calls and batches are made inside wasm (`__wrap`), not by a constructor.
  for (const C of [wasm.Call, wasm.Batch]) {
    const wrap = C.__wrap;
    C.__wrap = function __wrap(ptr) {
      const made = wrap.call(this, ptr);
      live.set(made, ptr);
      return made;
    };
  }
  const out = {};
  for (const name of CLASSES) {
    addCalls(wasm[name], SHORTCUTS[name], wasm.Request);
    out[name] = constructible(wasm[name], name);
  }
  for (const [name, [api, setters]] of Object.entries(BUILDERS)) {
    const C = constructible(wasm.Request, name, api);
    for (const [method, path] of setters) {
      const push = path.startsWith("+");
      const parts = (push ? path.slice(1) : path).split(".");
      const [outer, key] = parts.length === 2 ? parts : ["", parts[0]];
      C.prototype[method] = push
        ? function add(v) { const e = this.__push(outer, key, v); if (e !== undefined) throw e; return this; }
        : function set(v) { const e = this.__set(outer, key, v); if (e !== undefined) throw e; return this; };
    }
    out[name] = C;
  }
  defined.set(wasm.Request, out);
  return out;
}

const CLASSES = ["TopClient", "LinkedMallClient"];
const FUNCTIONS = ["signTop", "signAliyunRpc", "topTimestamp", "validateParams", "validateWire", "modelledApis", "protocolOf",
  "decodeResponse", "__panicForTest", "__scrub"];

/**
 * Wires a glue module (and its instance's raw exports) to the JS side; returns the public API.
 * `random`: the entry's `{ fill(bytes) → boolean }` source of secure random bytes, when cheaper than crypto.getRandomValues.
 */
export function install(wasm, raw, random) {
  sp = raw.__aligate_sp;
  takePanic = wasm.__takePanic;
  wasm.__setup(AligateError, replacer, random);
  const api = { AligateError, unmodelled, ...defineClasses(wasm) };
  for (const name of FUNCTIONS) api[name] = guardFunction(wasm[name]);
  // The body crosses as bytes (the glue copies a typed array): a plain copy
  // made here (see `bytesLength`); anything else is refused, not coerced.
  const decode = api.decodeResponse;
  api.decodeResponse = function decodeResponse(api_, status, contentType, body, options) {
    const len = bytesLength(body);
    let bytes;
    try {
      bytes = len < 0 ? undefined : concatBytes([[body, len]], len);
    } catch {
      // Detached meanwhile: refused below like any other non-bytes.
    }
    if (!bytes) {
      const message = "expected a Uint8Array (not a Proxy, another typed array or a detached buffer)";
      throw new AligateError(`invalid request: body: ${message}`, { kind: "validation", retryable: false, attempts: 0, issues: [{ path: "body", message }] });
    }
    return decode(api_, status, contentType, bytes, options);
  };
  api.__memoryBytes = wasm.__memoryBytes;
  return api;
}
