// One answer to "which protocol is this name": protocolOf (the core). The
// clients (prepare, validateParams), the CLI, the signing proxy (over node:http
// on 127.0.0.1) and the sandbox must each agree with it, for the modelled APIs,
// unmodelled TOP methods, unmodelled Aliyun actions and names of neither shape.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { TopClient, LinkedMallClient, AligateError, protocolOf, validateParams } from "aligate";
import { createSigningProxy, toNodeHandler } from "aligate/proxy";
import { startSandbox, TEST_CREDENTIALS as C } from "aligate/sandbox";
import { topSign, rpcSign } from "./emulator.mjs";

const pkgDir = dirname(fileURLToPath(import.meta.resolve("aligate/package.json")));
const { APIS } = await import(pathToFileURL(join(pkgDir, "js/generated/apis.mjs")).href);
const cli = join(pkgDir, "js/cli.mjs");

const UNMODELLED_TOP = ["taobao.item.seller.get", "taobao.trade.fullinfo.get"];
const UNMODELLED_RPC = ["DescribeRegions", "QueryOrderList"];
const NEITHER = ["x", "Foo.bar", "taobao..get", "Describe_Regions", "1abc.def", "taobao.item get", "describe-regions"];
const NAMES = [...APIS.map((d) => d.api), ...UNMODELLED_TOP, ...UNMODELLED_RPC, ...NEITHER];
const byName = new Map(APIS.map((d) => [d.api, d]));
const paramsOf = (name) => byName.get(name)?.examples.request ?? {};

test("protocolOf: each descriptor's own protocol; otherwise by the name's shape", () => {
  for (const d of APIS) assert.equal(protocolOf(d.api), d.protocol, d.api);
  for (const n of UNMODELLED_TOP) assert.equal(protocolOf(n), "top", n);
  for (const n of UNMODELLED_RPC) assert.equal(protocolOf(n), "aliyun-rpc", n);
  for (const n of NEITHER) assert.equal(protocolOf(n), null, n);
});

let sb;
let top;
let lm;
before(async () => {
  sb = await startSandbox({ log: false });
  top = new TopClient({ appKey: C.appKey, appSecret: C.appSecret, session: C.session, endpoint: sb.topEndpoint });
  lm = new LinkedMallClient({ accessKeyId: C.accessKeyId, accessKeySecret: C.accessKeySecret, endpoint: sb.linkedmallEndpoint });
});
after(() => sb?.close());

const CLIENT = { top: () => top, "aliyun-rpc": () => lm };
const other = (p) => (p === "top" ? "aliyun-rpc" : "top");
const issuesOf = (fn) => {
  try {
    fn();
    return [];
  } catch (e) {
    assert.ok(e instanceof AligateError && e.kind === "validation", String(e));
    return e.issues;
  }
};

test("prepare through the client of protocolOf's answer; validateParams agrees with it", () => {
  for (const name of NAMES) {
    const p = protocolOf(name);
    if (p === null) continue;
    const params = paramsOf(name);
    const prepared = CLIENT[p]().prepare(name, params);
    assert.ok(prepared.url.startsWith(p === "top" ? sb.topEndpoint : sb.linkedmallEndpoint), `${name}: ${prepared.url}`);
    assert.deepEqual(validateParams(name, params), [], name);
    // The same issues from validateParams as from preparing through that client.
    const bad = { ...params, no_such_field_xyz: "1" };
    assert.deepEqual(validateParams(name, bad), issuesOf(() => CLIENT[p]().prepare(name, bad)), name);
  }
});

test("a modelled API prepared through the other client is a validation error at path api", () => {
  for (const d of APIS) {
    const issues = issuesOf(() => CLIENT[other(d.protocol)]().prepare(d.api, d.examples.request));
    assert.ok(issues.some((i) => i.path === "api"), `${d.api}: ${JSON.stringify(issues)}`);
  }
});

// An unmodelled name prepared through the client of the other protocol, and a name of neither shape
// through either client, is a validation error at path `api` (src/prepare.rs).
test("an unmodelled name through the wrong client, or a name of neither shape, is refused at path api", () => {
  for (const name of [...UNMODELLED_TOP, ...UNMODELLED_RPC, ...NEITHER]) {
    const p = protocolOf(name);
    for (const q of p === null ? ["top", "aliyun-rpc"] : [other(p)]) {
      const issues = issuesOf(() => CLIENT[q]().prepare(name, {}));
      assert.ok(issues.some((i) => i.path === "api"), `${name} via ${q}: ${JSON.stringify(issues)}`);
    }
  }
});

function runCli(args, env = {}) {
  return new Promise((resolve) => {
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TOP_|ALIBABA_CLOUD_)/.test(k)));
    const p = spawn(process.execPath, [cli, ...args], { env: { ...base, ...env } });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => p.kill("SIGKILL"), 60_000);
    p.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    p.stdin.end(JSON.stringify(paramsOf(args[1])));
  });
}

test("CLI: call --dry-run sends each name to the gateway of its protocol; a name of neither shape is a one-line usage error", async () => {
  const env = { TOP_APP_KEY: "k", TOP_APP_SECRET: "top-secret", TOP_SESSION: "sess", ALIBABA_CLOUD_ACCESS_KEY_ID: "id",
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: "ak-secret" };
  // The clients' default gateways, as the CLI would use them.
  const gateway = {
    top: new URL(new TopClient({ appKey: "k", appSecret: "s" }).prepare("taobao.item.seller.get", {}).url).host,
    "aliyun-rpc": new URL(new LinkedMallClient({ accessKeyId: "i", accessKeySecret: "s" }).prepare("DescribeRegions", {}).url).host,
  };
  assert.notEqual(gateway.top, gateway["aliyun-rpc"]);
  for (const name of NAMES) {
    const p = protocolOf(name);
    const r = await runCli(["call", name, "--json", "-", "--dry-run"], env);
    if (p === null) {
      assert.equal(r.code, 2, `${name}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.ok(r.stderr.includes(JSON.stringify(name)), r.stderr);
      assert.match(r.stderr, /neither a TOP method .* nor an Aliyun action/);
    } else {
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      assert.equal(new URL(JSON.parse(r.stdout).url).host, gateway[p], name);
    }
  }
});

test("proxy (over node:http on 127.0.0.1): each allowed name goes to the client of its protocol", async () => {
  const TOKEN = "operator-token-0123456789";
  const allowed = NAMES.filter((n) => protocolOf(n) !== null);
  const proxy = createSigningProxy({ token: TOKEN, allow: allowed, rateLimit: { requests: 1000 },
    top: { appKey: C.appKey, appSecret: C.appSecret, session: C.session, endpoint: sb.topEndpoint },
    linkedmall: { accessKeyId: C.accessKeyId, accessKeySecret: C.accessKeySecret, endpoint: sb.linkedmallEndpoint } });
  const server = createServer(toNodeHandler(proxy));
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const post = async (body) => {
    const r = await fetch(`http://127.0.0.1:${server.address().port}/`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(body) });
    return { status: r.status, json: await r.json() };
  };
  try {
    for (const name of allowed) {
      const p = protocolOf(name);
      const dry = await post({ api: name, params: paramsOf(name), dryRun: true });
      assert.equal(dry.status, 200, `${name}: ${JSON.stringify(dry.json)}`);
      assert.ok(dry.json.prepared.url.startsWith(p === "top" ? sb.topEndpoint : sb.linkedmallEndpoint), `${name}: ${dry.json.prepared.url}`);
      if (byName.has(name)) {
        const sent = await post({ api: name, params: paramsOf(name) });
        assert.equal(sent.status, 200, `${name}: ${JSON.stringify(sent.json)}`);
      }
    }
  } finally {
    server.close();
  }
  for (const name of NEITHER) {
    assert.throws(() => createSigningProxy({ token: TOKEN, allow: [name] }), /neither a TOP method nor an Aliyun action/, name);
  }
});

const gmt8 = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 19).replace("T", " ");
const isoNow = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");
const RPC_VERSION = APIS.find((d) => d.protocol === "aliyun-rpc").version;

/** `name` to the sandbox's TOP router and its Aliyun endpoint, signed (node:crypto), no business parameters. */
async function toBoth(name) {
  const t = { method: name, app_key: C.appKey, format: "json", v: "2.0", sign_method: "md5", timestamp: gmt8(), session: C.session };
  t.sign = topSign(t, C.appSecret, "md5");
  const r = { AccessKeyId: C.accessKeyId, Action: name, Format: "JSON", SignatureMethod: "HMAC-SHA1", SignatureNonce: crypto.randomUUID(),
    SignatureVersion: "1.0", Timestamp: isoNow(), Version: RPC_VERSION };
  r.Signature = rpcSign(r, C.accessKeySecret, "POST");
  const send = async (url, body) => {
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(body) });
    return { status: res.status, json: await res.json() };
  };
  return { top: await send(sb.topEndpoint, t), rpc: await send(sb.linkedmallEndpoint, r) };
}

test("sandbox: exactly the endpoint of a modelled name's protocol accepts it; refusals say which protocol the name is", async () => {
  for (const name of NAMES) {
    const p = protocolOf(name);
    if (byName.has(name)) {
      // Accepted where its client sends it, with its example request.
      const answer = await CLIENT[p]().execute(name, paramsOf(name), { retries: 0 });
      assert.ok(answer && typeof answer === "object", name);
    }
    const { top: t, rpc: r } = await toBoth(name);
    if (p !== "top" || !byName.has(name)) {
      assert.equal(t.json.error_response?.code, 22, `${name} at the TOP router: ${JSON.stringify(t.json)}`);
      const why = p === "aliyun-rpc" ? /Aliyun RPC action/ : p === "top" ? /TOP method the sandbox does not model/ : /not a TOP method name/;
      assert.match(t.json.error_response.sub_msg, why, name);
    }
    if (p !== "aliyun-rpc" || !byName.has(name)) {
      assert.equal(r.status, 404, `${name} at the Aliyun endpoint: ${JSON.stringify(r.json)}`);
      assert.equal(r.json.Code, "InvalidAction.NotFound", name);
      const why = p === "top" ? /a TOP method/ : p === "aliyun-rpc" ? /Aliyun action the sandbox does not model/ : /not an Aliyun action name/;
      assert.match(r.json.Message, why, name);
    }
  }
});

// The session rule is the descriptor's `session`: the sandbox refuses a call without one exactly for the
// `required` APIs; the core refuses such a call before sending (the test after this one).
test("sandbox: a TOP call without a session is refused exactly for the session-required APIs", async () => {
  for (const d of APIS.filter((x) => x.protocol === "top")) {
    const plain = new TopClient({ appKey: C.appKey, appSecret: C.appSecret, endpoint: sb.topEndpoint });
    const t = { method: d.api, app_key: C.appKey, format: "json", v: "2.0", sign_method: "md5", timestamp: gmt8() };
    t.sign = topSign(t, C.appSecret, "md5");
    const res = await fetch(sb.topEndpoint, { method: "POST", body: new URLSearchParams(t) });
    const j = await res.json();
    assert.equal(j.error_response?.code === 26, d.session === "required", `${d.api}: ${JSON.stringify(j)}`);
    if (d.session !== "required") assert.ok(plain.prepare(d.api, d.examples.request).url.startsWith(sb.topEndpoint));
  }
});

test("the core refuses a session-required TOP API without a session before sending", () => {
  const plain = new TopClient({ appKey: C.appKey, appSecret: C.appSecret, endpoint: sb.topEndpoint });
  for (const d of APIS.filter((x) => x.session === "required")) {
    assert.throws(() => plain.prepare(d.api, d.examples.request), (e) => e instanceof AligateError && e.kind === "validation", d.api);
  }
});
