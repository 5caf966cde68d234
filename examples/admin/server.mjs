#!/usr/bin/env node
// npm run admin: the admin page, the signing proxy and the sandbox on 127.0.0.1.
//   node examples/admin/server.mjs [--port 8788]
// Prints the page URL (with the operator token in its fragment, for local use).
import { createServer } from "node:http";
import { readFileSync, existsSync, statSync } from "node:fs";
import { dirname, extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { createSigningProxy, toNodeHandler } from "aligate/proxy";
import { startSandbox, TEST_CREDENTIALS as C } from "aligate/sandbox";

const here = dirname(fileURLToPath(import.meta.url));
const pkgRoot = dirname(fileURLToPath(import.meta.resolve("aligate/package.json")));
const MIME = { ".html": "text/html;charset=utf-8", ".mjs": "text/javascript", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm" };

export async function startAdmin({ port = 8788, host = "127.0.0.1", log = (l) => console.error(l) } = {}) {
  const sandbox = await startSandbox({ log: (l) => log(`  ${l}`) });
  const token = randomBytes(18).toString("base64url");
  const proxy = toNodeHandler(createSigningProxy({
    token,
    allow: ["alibaba.retail.commission.status.change", "alibaba.alisports.lianbei.order.notice", "aliyun.gsc.funds.flow.notify", "ConfirmDisburse"],
    top: { appKey: C.appKey, appSecret: C.appSecret, session: C.session, endpoint: sandbox.topEndpoint },
    linkedmall: { accessKeyId: C.accessKeyId, accessKeySecret: C.accessKeySecret, endpoint: sandbox.linkedmallEndpoint },
  }));
  const serveFile = (res, file) => {
    res.writeHead(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
    res.end(readFileSync(file));
  };
  const server = createServer((req, res) => {
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    } catch {
      // A malformed target or escape (`/%ff`) must not end the server.
      res.writeHead(400);
      return res.end("bad request");
    }
    if (path === "/api") return proxy(req, res);
    // The page and, under /aligate/, the package's browser build.
    const [base, rel] = path.startsWith("/aligate/") ? [pkgRoot, path.slice(9)] : [here, path === "/" ? "index.html" : path.slice(1)];
    const file = resolve(base, rel);
    const inside = file.startsWith(base) && (base === here || rel.startsWith("js/") || rel.startsWith("pkg/"));
    if (!inside || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404);
      return res.end("not found");
    }
    serveFile(res, file);
  });
  await new Promise((r) => server.listen(port, host, r));
  const url = `http://${host}:${server.address().port}/`;
  return {
    url,
    token,
    pageUrl: `${url}#token=${token}`,
    close: async () => {
      await new Promise((r) => server.close(r));
      await sandbox.close();
    },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf("--port");
  const admin = await startAdmin({ port: i > 0 ? Number(process.argv[i + 1]) : 8788 });
  console.error(`aligate admin: ${admin.pageUrl}`);
  console.error("(signing proxy at /api, sandbox gateway in-process; Ctrl-C to stop)");
  process.once("SIGINT", () => admin.close().then(() => process.exit(0)));
}
