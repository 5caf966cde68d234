"use strict";
// Node (require) entry; node.mjs re-exports this module so `import` and
// `require` share one wasm instance. The .wasm loads synchronously here.
const wasm = require("../pkg/aligate.cjs");
const { install } = require("../pkg/core.cjs");

module.exports = { init: async () => {}, ...install(wasm, wasm.__wasmExports) };
