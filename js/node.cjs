"use strict";
// Node (require) entry; node.mjs re-exports this module so `import` and
// `require` share one wasm instance. The .wasm loads synchronously here.
const wasm = require("../pkg/aligate.cjs");

class AligateError extends Error {
  constructor(message, fields) {
    super(message);
    this.name = "AligateError";
    Object.assign(this, fields);
  }
}

function replacer(_key, value) {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number" && !Number.isFinite(value)) return "\u0000" + value;
  return value;
}

wasm.__setup(AligateError, replacer);

// prepare: wasm returns one line (method, url, content type, body); see core.mjs.
function preparedFromLine(line) {
  const [method, url, contentType, body] = line.split("\n");
  return method === "GET"
    ? { method, url, headers: {} }
    : { method, url, headers: { "content-type": contentType }, body };
}
for (const C of [wasm.TopClient, wasm.LinkedMallClient]) {
  C.prototype.prepare = function prepare(api, params, options) {
    return preparedFromLine(this.__prepare(api, params, options));
  };
}

module.exports = {
  init: async () => {},
  AligateError,
  TopClient: wasm.TopClient,
  LinkedMallClient: wasm.LinkedMallClient,
  CommissionStatusChangeRequest: wasm.CommissionStatusChangeRequest,
  LianbeiOrderNoticeRequest: wasm.LianbeiOrderNoticeRequest,
  FundsFlowNotifyRequest: wasm.FundsFlowNotifyRequest,
  ConfirmDisburseRequest: wasm.ConfirmDisburseRequest,
  signTop: wasm.signTop,
  signAliyunRpc: wasm.signAliyunRpc,
  topTimestamp: wasm.topTimestamp,
  validateParams: wasm.validateParams,
  validateWire: wasm.validateWire,
  modelledApis: wasm.modelledApis,
  decodeResponse: wasm.decodeResponse,
  // Internal: linear memory size, for the memory benchmark.
  __memoryBytes: wasm.__memoryBytes,
};
