// The JS layers read the API descriptors (apis/*.json, shipped as
// js/generated/apis.mjs): every entry exports each descriptor's builder and
// shortcut, the CLI's help and --param typing and the sandbox's answers come
// from them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esm from "aligate";
import { startSandbox, TEST_CREDENTIALS as C } from "aligate/sandbox";

const pkgDir = dirname(fileURLToPath(import.meta.resolve("aligate/package.json")));
const load = (f) => import(pathToFileURL(join(pkgDir, f)).href);
const { APIS, API_BY_NAME } = await load("js/generated/apis.mjs");
const { clientOf, builderSetters } = await load("js/descriptors.mjs");
const cli = join(pkgDir, "js/cli.mjs");
const cjs = createRequire(join(pkgDir, "x.cjs"))("aligate");

test("the shipped descriptors are the modelled APIs, deep-frozen, with a read-only by-name Map", () => {
  assert.deepEqual(APIS.map((d) => d.api).sort(), esm.modelledApis().slice().sort());
  for (const d of APIS) {
    assert.equal(API_BY_NAME.get(d.api), d);
    assert.ok(Object.isFrozen(d) && Object.isFrozen(d.request) && Object.isFrozen(d.request[0]) && Object.isFrozen(d.examples.response), d.api);
  }
  assert.throws(() => API_BY_NAME.set("x", {}), TypeError);
  assert.throws(() => API_BY_NAME.delete(APIS[0].api), TypeError);
  assert.equal(API_BY_NAME.size, APIS.length);
});

// Named ES exports are written by hand in each entry (they must be static): a new descriptor must not be forgotten.
test("every entry exports each descriptor's builder, and its client has the shortcut and every setter", async () => {
  for (const entry of ["node.mjs", "browser.mjs", "deno.mjs", "workerd.mjs"]) {
    const text = readFileSync(join(pkgDir, "js", entry), "utf8");
    const exported = new Set([...text.matchAll(/export\s+(?:const|let|var)?\s*\{([^}]*)\}/g)].flatMap((m) => m[1].split(",").map((s) => s.trim().split(/\s+as\s+/).pop())));
    for (const d of APIS) assert.ok(exported.has(d.builder), `js/${entry} does not export ${d.builder} (${d.api})`);
  }
  // Loaded: the Node ESM and CJS entries, and the browser entry (its classes exist before init).
  const browser = await load("js/browser.mjs");
  for (const [name, a] of [["node ESM", esm], ["node CJS", cjs], ["browser", browser]]) {
    for (const d of APIS) {
      assert.equal(typeof a[d.builder], "function", `${name}: ${d.builder}`);
      assert.equal(typeof a[clientOf(d)].prototype[d.shortcut], "function", `${name}: ${clientOf(d)}.${d.shortcut}`);
      for (const [method] of builderSetters(d)) assert.equal(typeof a[d.builder].prototype[method], "function", `${name}: ${d.builder}.${method}`);
    }
  }
});

test("a builder filled through its top-level setters prepares its descriptor's API", () => {
  const top = new esm.TopClient({ appKey: "k", appSecret: "s", session: "x", endpoint: "http://127.0.0.1:9/router/rest" });
  const lm = new esm.LinkedMallClient({ accessKeyId: "i", accessKeySecret: "s", endpoint: "http://127.0.0.1:9/" });
  const clients = { TopClient: top, LinkedMallClient: lm };
  for (const d of APIS) {
    const b = new esm[d.builder]();
    for (const [method, path] of builderSetters(d)) {
      if (Object.hasOwn(d.examples.request, path)) b[method](d.examples.request[path]);
    }
    const p = clients[clientOf(d)].prepare(b);
    const wire = decodeURIComponent(`${p.url}&${p.body ?? ""}`);
    assert.ok(wire.includes(d.protocol === "top" ? `method=${d.api}` : `Action=${d.api}`), `${d.builder}: ${wire}`);
  }
});

function run(args, input) {
  return new Promise((resolve) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TOP_|ALIBABA_CLOUD_)/.test(k)));
    const p = spawn(process.execPath, [cli, ...args], { env });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => p.kill("SIGKILL"), 60_000);
    p.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    p.stdin.end(input ?? "");
  });
}

test("CLI --help lists each modelled API with its title, protocol and session rule, and how other names are routed", async () => {
  const r = await run(["--help"]);
  assert.equal(r.code, 0, r.stderr);
  for (const d of APIS) {
    const line = r.stdout.split("\n").find((l) => l.trim().startsWith(`${d.api} `));
    assert.ok(line, `${d.api} is not listed`);
    assert.ok(line.includes(d.title) && line.includes(d.protocol), line);
    assert.match(line, d.session === "required" ? /session required/ : /session optional|no session/);
  }
  assert.match(r.stdout, /TOP method .*\n?.*TOP router/);
  assert.match(r.stdout, /Aliyun action[\s\S]*LinkedMall endpoint/);
});

test("CLI --param is typed by the descriptor's field types; unmodelled APIs keep text and JSON", async () => {
  const { paramsToJson } = await load("js/cli.mjs");
  // Find fields of each type in the shipped descriptors (no API's field is named here).
  const fields = [];
  for (const d of APIS) {
    for (const f of d.request) fields.push([d, [f.name], f]);
    for (const f of d.request.filter((x) => x.type === "object")) for (const c of d.types[f.of]) fields.push([d, [f.name, c.name], c]);
  }
  const pick = (type) => fields.find(([, , f]) => f.type === type) ?? assert.fail(`no ${type} field in the descriptors`);
  const [di, pi] = pick("int");
  const nest = (path, v) => path.reduceRight((inner, k) => `{${JSON.stringify(k)}:${inner}}`, v);
  // A 19-digit integer is written as given, never through a JS number.
  assert.equal(paramsToJson([`${pi.join(".")}=1234567890123456789`], di.api), nest(pi, "1234567890123456789"));
  assert.equal(paramsToJson([`${pi.join(".")}=-7`], di.api), nest(pi, "-7"));
  // Not an integer: a string, for the validator to name (with its path).
  assert.equal(paramsToJson([`${pi.join(".")}=1.5`], di.api), nest(pi, '"1.5"'));
  const [db, pb, fb] = pick("bool");
  assert.equal(paramsToJson([`${pb.join(".")}=true`], db.api), nest(pb, "true"));
  assert.equal(paramsToJson([`${pb.join(".")}=false`], db.api), nest(pb, "false"));
  if (fb.alias) assert.equal(paramsToJson([`${fb.alias}=true`], db.api), nest([fb.alias], "true"));
  const [ds, ps] = pick("string");
  assert.equal(paramsToJson([`${ps.join(".")}=6012345678901234567`], ds.api), nest(ps, '"6012345678901234567"'));
  assert.equal(paramsToJson([`${ps.join(".")}={"a":1}`], ds.api), nest(ps, JSON.stringify('{"a":1}')), "a string field takes { as text");
  const [dobj, pobj] = pick("object");
  assert.equal(paramsToJson([`${pobj.join(".")}={"a":1}`], dobj.api), nest(pobj, '{"a":1}'));
  // Unmodelled: as before (text, or JSON for { and [).
  assert.equal(paramsToJson(["num_iid=1234567890123456789", "x={\"a\":[1]}", "flag=true"], "taobao.item.seller.get"),
    '{"num_iid":"1234567890123456789","x":{"a":[1]},"flag":"true"}');
  // End to end: the int and bool values reach the wire exactly.
  const r = await run(["call", di.api, "--param", `${pi.join(".")}=1234567890123456789`, "--dry-run"]);
  if (r.code === 0) assert.ok(decodeURIComponent(`${JSON.parse(r.stdout).url}&${JSON.parse(r.stdout).body ?? ""}`).includes("1234567890123456789"), r.stdout);
  else assert.match(r.stderr, /error \(validation\)/, "only other required fields may be missing");
});

test("sandbox answers are the descriptors' example responses; a leaf named like a request field echoes it exactly", async () => {
  const sb = await startSandbox({ log: false });
  try {
    const top = new esm.TopClient({ appKey: C.appKey, appSecret: C.appSecret, session: C.session, endpoint: sb.topEndpoint });
    const lm = new esm.LinkedMallClient({ accessKeyId: C.accessKeyId, accessKeySecret: C.accessKeySecret, endpoint: sb.linkedmallEndpoint });
    const clients = { TopClient: top, LinkedMallClient: lm };
    let echoed = 0;
    for (const d of APIS) {
      // Each top-level request field that is a scalar gets a distinct 19-digit value where its type allows.
      const params = structuredClone(d.examples.request);
      const sent = new Map();
      for (const f of d.request) {
        if (f.type === "int" || f.type === "string") {
          const v = `12345678901234567${String(sent.size).padStart(2, "0")}`;
          params[f.name] = f.type === "int" ? BigInt(v) : v;
          sent.set(f.name, v);
        }
      }
      const got = await clients[clientOf(d)].execute(d.api, params, { retries: 0 });
      const walk = (want, have, path) => {
        if (want !== null && typeof want === "object") {
          for (const k of Object.keys(want)) walk(want[k], have?.[k], `${path}.${k}`);
          return;
        }
        const key = path.split(".").pop();
        if (sent.has(key)) {
          echoed++;
          assert.equal(String(have), sent.get(key), `${d.api}${path} echoes the request`);
        } else if (key !== "RequestId") {
          assert.equal(String(have), String(want), `${d.api}${path}`);
        }
      };
      walk(d.examples.response, got, "");
    }
    assert.ok(echoed > 0, "some descriptor echoes a request field (the rule is exercised)");
  } finally {
    await sb.close();
  }
});

// The echo rule for an int leaf (no shipped descriptor has one): a copy of the package whose descriptors make a
// response leaf an int named like a request field; the sandbox writes the echoed value as the digits sent.
test("sandbox echo of an int leaf keeps a 19-digit value exact (JSON and XML), from an edited copy of the descriptors", async () => {
  const dir = mkdtempSync(join(tmpdir(), "aligate-descriptors-"));
  try {
    cpSync(pkgDir, join(dir, "aligate"), { recursive: true });
    const file = join(dir, "aligate/js/generated/apis.mjs");
    const text = readFileSync(file, "utf8");
    const m = /export const APIS = freeze\((.*)\);\n/.exec(text);
    const list = JSON.parse(m[1]);
    // A TOP API with a scalar top-level request field: its response gains an int leaf of that name.
    const d = list.find((x) => x.protocol === "top" && x.request.some((f) => f.type === "int" || f.type === "string"));
    const f = d.request.find((x) => x.type === "int" || x.type === "string");
    d.response.push({ name: f.name, type: "int" });
    d.examples.response[f.name] = 1;
    writeFileSync(file, text.replace(m[1], JSON.stringify(list)));
    const { startSandbox: start } = await import(pathToFileURL(join(dir, "aligate/js/sandbox.mjs")).href);
    const sb = await start({ log: false });
    try {
      const params = structuredClone(d.examples.request);
      params[f.name] = f.type === "int" ? 1234567890123456789n : "1234567890123456789";
      for (const format of ["json", "xml"]) {
        const top = new esm.TopClient({ appKey: C.appKey, appSecret: C.appSecret, session: C.session, endpoint: sb.topEndpoint, format });
        const p = top.prepare(d.api, params);
        const body = await (await fetch(p.url, { method: p.method, headers: p.headers, body: p.body })).text();
        const want = format === "json" ? `"${f.name}":1234567890123456789` : `<${f.name}>1234567890123456789</${f.name}>`;
        assert.ok(body.includes(want), `${format}: ${body.slice(0, 300)}`);
      }
    } finally {
      await sb.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("aligate demo runs every descriptor's example request against the embedded sandbox", async () => {
  const r = await run(["demo"]);
  assert.equal(r.code, 0, r.stdout.slice(-3000) + r.stderr);
  for (const d of APIS) assert.ok(r.stdout.includes(`── ${d.api}`), d.api);
  assert.match(r.stdout, /error \(validation\)/);
  assert.match(r.stdout, /demo finished: all calls succeeded/);
});
