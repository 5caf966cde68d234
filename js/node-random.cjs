// Node's random source for nonces, bundled into pkg/node.cjs by scripts/build.mjs.
// The first use of globalThis.crypto (or node:crypto) loads Node's crypto
// modules: ~3 ms of a LinkedMall cold start (issue 5). /dev/urandom is the
// same OS generator, read through the already loaded fs. `fill` writes into
// the view it is given (wasm memory) and says whether it filled all of it;
// false, and the core uses crypto.getRandomValues (Windows, a permission
// model that denies the read, …).
const fs = require("node:fs");

const nodeRandom = {
  fill(view) {
    let fd;
    try {
      fd = fs.openSync("/dev/urandom", "r");
      return fs.readSync(fd, view, 0, view.length, null) === view.length;
    } catch {
      return false;
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  },
};
