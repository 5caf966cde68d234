// Shared by the ESM entry points (browser, workerd, deno). The Node entry
// (node.cjs) carries the same two definitions for CommonJS.

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
  const [method, url, contentType, body] = line.split("\n");
  return method === "GET"
    ? { method, url, headers: {} }
    : { method, url, headers: { "content-type": contentType }, body };
}

/** Wires the glue module to the JS side: error class, replacer, `prepare`. */
export function install(wasm) {
  wasm.__setup(AligateError, replacer);
  for (const C of [wasm.TopClient, wasm.LinkedMallClient]) {
    C.prototype.prepare = function prepare(api, params, options) {
      return preparedFromLine(this.__prepare(api, params, options));
    };
  }
}
