// Shared by every entry point. The ESM entries import it; the build writes a
// CommonJS copy (pkg/core.cjs) for the Node require entry, so it exists once.
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
export function preparedFromLine(line) {
  const [method, url, head, body] = line.split("\n");
  const headers = {};
  if (head) {
    for (const h of head.split("\t")) {
      const i = h.indexOf(":");
      headers[h.slice(0, i)] = h.slice(i + 1);
    }
  }
  return body ? { method, url, headers, body } : { method, url, headers };
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

const CLASSES = ["TopClient", "LinkedMallClient", "CommissionStatusChangeRequest", "LianbeiOrderNoticeRequest",
  "FundsFlowNotifyRequest", "ConfirmDisburseRequest"];
const FUNCTIONS = ["signTop", "signAliyunRpc", "topTimestamp", "validateParams", "validateWire", "modelledApis",
  "decodeResponse", "__panicForTest"];

/** Wires a glue module (and its instance's raw exports) to the JS side; returns the public API. */
export function install(wasm, raw) {
  wasm.__setup(AligateError, replacer);
  const api = { AligateError };
  for (const name of CLASSES) {
    const C = wasm[name];
    for (const m of Object.getOwnPropertyNames(C.prototype)) {
      const d = Object.getOwnPropertyDescriptor(C.prototype, m);
      if (m !== "constructor" && m !== "free" && typeof d.value === "function") C.prototype[m] = guard(wasm, raw, d.value);
    }
    if (C.prototype.__prepare) {
      C.prototype.prepare = function prepare(a, p, o) {
        return preparedFromLine(this.__prepare(a, p, o));
      };
    }
    api[name] = C;
  }
  for (const name of FUNCTIONS) api[name] = guard(wasm, raw, wasm[name]);
  api.__memoryBytes = wasm.__memoryBytes;
  return api;
}
