// Aliyun credentials (issue 20): each source of the default chain against loopback emulators written here
// (ECS metadata with IMDSv2, STS AssumeRole whose RPC v1 signature is verified with node:crypto, STS
// AssumeRoleWithOIDC, a credentials URI), temp HOME dirs and env objects; precedence; the error listing each
// source; refresh before expiry with one STS request under 32 concurrent calls (the clock is shifted, never waited).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import * as aligate from "aligate";
import { startSandbox } from "aligate/sandbox";

const { LinkedMallClient, AligateError, defaultCredentials, fromEnv, fromCredentialsUri, assumeRole, assumeRoleWithOIDC,
  fromOidcRole, fromCliProfile, fromProfileFile, fromEcsMetadata, chainCredentials } = aligate;

const RAM = { id: "LTAI-ram-user", secret: "RAM-SECRET-0123456789abcdef" };
const ISSUED = { AccessKeyId: "STS.issued-id", AccessKeySecret: "ISSUED-SECRET-abcdef0123456789", SecurityToken: "ISSUED-TOKEN-zyxwvu9876543210" };
const ECS_CREDS = { AccessKeyId: "STS.ecs-id", AccessKeySecret: "ECS-SECRET-1111222233334444", SecurityToken: "ECS-TOKEN-5555666677778888" };
const URI_CREDS = { AccessKeyId: "STS.uri-id", AccessKeySecret: "URI-SECRET-aaaabbbbccccdddd", SecurityToken: "URI-TOKEN-eeeeffffgggghhhh" };
const OIDC_TOKEN = "eyJOIDC-TOKEN-secret-part.payload.sig";
const SECRETS = [RAM.secret, ISSUED.AccessKeySecret, ISSUED.SecurityToken, ECS_CREDS.AccessKeySecret, ECS_CREDS.SecurityToken,
  URI_CREDS.AccessKeySecret, URI_CREDS.SecurityToken, OIDC_TOKEN];
const expiresIn = (ms) => new Date(Date.now() + ms).toISOString().replace(/\.\d+Z$/, "Z");

/** Aliyun RPC v1, written here from the documentation: HMAC-SHA1(secret + "&", METHOD&%2F&encode(sorted pairs)). */
const pct = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
function rpcSignature(params, secret, method) {
  const canon = Object.keys(params).filter((k) => k !== "Signature").sort().map((k) => `${pct(k)}=${pct(params[k])}`).join("&");
  return createHmac("sha1", `${secret}&`).update(`${method}&${pct("/")}&${pct(canon)}`).digest("base64");
}

async function listen(handler) {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => handler(req, res, body));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  after(() => server.close());
  return `http://127.0.0.1:${server.address().port}`;
}
const send = (res, status, value) => {
  res.writeHead(status, { "content-type": "application/json;charset=utf-8" });
  res.end(typeof value === "string" ? value : JSON.stringify(value));
};

/** STS: AssumeRole (signature verified) and AssumeRoleWithOIDC (no signature; the token checked). */
const sts = { requests: [], expiresMs: 3600_000, fail: null, issued: ISSUED, keys: new Map([[RAM.id, RAM.secret]]) };
const stsUrl = await listen((req, res, body) => {
  const p = Object.fromEntries(new URLSearchParams(body));
  sts.requests.push(p);
  const fail = (status, Code) => send(res, status, { RequestId: "req-1", HostId: "sts.aliyuncs.com", Code, Message: `${Code} at the emulator` });
  if (p.Version !== "2015-04-01" || p.Format !== "JSON" || !p.Timestamp || !p.SignatureNonce) return fail(400, "MissingParameter");
  if (Math.abs(Date.parse(p.Timestamp) - Date.now()) > 15 * 60_000) return fail(400, "InvalidTimeStamp.Expired");
  if (p.Action === "AssumeRole") {
    const secret = sts.keys.get(p.AccessKeyId);
    if (!secret) return fail(404, "InvalidAccessKeyId.NotFound");
    if (p.SignatureMethod !== "HMAC-SHA1" || p.SignatureVersion !== "1.0") return fail(400, "InvalidSignatureMethod");
    if (p.Signature !== rpcSignature(p, secret, req.method)) return fail(400, "SignatureDoesNotMatch");
    if (sts.token !== undefined && p.SecurityToken !== sts.token) return fail(400, "InvalidSecurityToken.Mismatch");
  } else if (p.Action === "AssumeRoleWithOIDC") {
    if (p.Signature !== undefined || p.AccessKeyId !== undefined) return fail(400, "UnexpectedSignature");
    if (p.OIDCToken !== sts.oidcToken || !p.OIDCProviderArn) return fail(400, "AuthenticationFail.OIDCToken.Invalid");
  } else return fail(404, "InvalidAction.NotFound");
  if (!p.RoleArn || !p.RoleSessionName || +p.DurationSeconds < 900) return fail(400, "MissingParameter");
  if (sts.fail) return fail(403, sts.fail);
  send(res, 200, { RequestId: "req-2", AssumedRoleUser: { Arn: p.RoleArn, AssumedRoleId: "300000000000000001:s" },
    Credentials: { ...sts.issued, Expiration: expiresIn(sts.expiresMs) } });
});
sts.oidcToken = OIDC_TOKEN;

/** ECS metadata: IMDSv2 token required unless `v1`; role "ecs-role". */
const md = { requests: [], v1: false, noToken: false, role: "ecs-role" };
const metadataUrl = await listen((req, res) => {
  md.requests.push(`${req.method} ${req.url}`);
  if (req.url === "/latest/api/token") {
    if (md.noToken || req.method !== "PUT") return send(res, 404, "not found");
    return req.headers["x-aliyun-ecs-metadata-token-ttl-seconds"] === "21600" ? send(res, 200, "imds-token-1") : send(res, 400, "ttl");
  }
  if (!md.v1 && req.headers["x-aliyun-ecs-metadata-token"] !== "imds-token-1") return send(res, 401, "token required");
  const base = "/latest/meta-data/ram/security-credentials/";
  if (req.url === base) return md.role ? send(res, 200, `${md.role}\n`) : send(res, 404, "none");
  if (req.url === base + md.role) return send(res, 200, { Code: "Success", ...ECS_CREDS, Expiration: expiresIn(3600_000), LastUpdated: "x" });
  send(res, 404, "not found");
});

/** Credentials URI. */
const uri = { requests: 0, body: null };
const uriUrl = await listen((req, res) => {
  uri.requests++;
  if (uri.body !== null) return send(res, 200, uri.body);
  send(res, 200, { Code: "Success", ...URI_CREDS, Expiration: expiresIn(3600_000) });
});

const dirs = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
/** A temp HOME with ~/.aliyun/config.json and/or ~/.alibabacloud/credentials. */
function home({ config, ini } = {}) {
  const h = mkdtempSync(join(tmpdir(), "aligate-home-"));
  dirs.push(h);
  if (config !== undefined) {
    mkdirSync(join(h, ".aliyun"));
    writeFileSync(join(h, ".aliyun", "config.json"), typeof config === "string" ? config : JSON.stringify(config));
  }
  if (ini !== undefined) {
    mkdirSync(join(h, ".alibabacloud"));
    writeFileSync(join(h, ".alibabacloud", "credentials"), ini);
  }
  return h;
}
const NO_METADATA = { ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true" };

/** No secret anywhere in what an error shows. */
function clean(e) {
  for (const text of [e.message, JSON.stringify(e), inspect(e), String(e.stack)]) {
    for (const s of SECRETS) assert.ok(!text.includes(s), `secret ${s.slice(0, 8)}… in ${text}`);
  }
  return true;
}
const credErr = (re, extra = () => true) => (e) => e instanceof AligateError && e.kind === "credentials" && re.test(e.message) && clean(e) && extra(e);

test("environment: keys from an env object; missing ones are skipped by name", async () => {
  const c = await fromEnv({ env: { ALIBABA_CLOUD_ACCESS_KEY_ID: "env-id", ALIBABA_CLOUD_ACCESS_KEY_SECRET: RAM.secret, ALIBABA_CLOUD_SECURITY_TOKEN: "tok" } })();
  assert.deepEqual([c.accessKeyId, c.accessKeySecret, c.securityToken], ["env-id", RAM.secret, "tok"]);
  assert.ok(!inspect(c).includes(RAM.secret) && !JSON.stringify(c).includes(RAM.secret), "printing credentials shows no secret");
  await assert.rejects(fromEnv({ env: { ALIBABA_CLOUD_ACCESS_KEY_ID: "x" } })(), credErr(/ALIBABA_CLOUD_ACCESS_KEY_SECRET is not set/, (e) => e.found === false));
});

test("AssumeRole: signed with the RAM user's keys (verified with node:crypto); STS errors name the source", async () => {
  sts.requests.length = 0;
  const p = assumeRole({ credentials: { accessKeyId: RAM.id, accessKeySecret: RAM.secret }, roleArn: "acs:ram::1:role/r", stsEndpoint: `${stsUrl}/`, externalId: "ext" });
  const c = await p();
  assert.equal(c.accessKeyId, ISSUED.AccessKeyId);
  assert.ok(c.expiration > Date.now());
  const [r] = sts.requests;
  assert.deepEqual([r.Action, r.AccessKeyId, r.RoleArn, r.ExternalId, r.DurationSeconds], ["AssumeRole", RAM.id, "acs:ram::1:role/r", "ext", "3600"]);
  sts.fail = "NoPermission";
  try {
    await assert.rejects(p(), credErr(/^AssumeRole: STS AssumeRole at http:\/\/127\.0\.0\.1:\d+ failed: .*NoPermission/, (e) => e.code === "NoPermission" && e.status === 403));
  } finally {
    sts.fail = null;
  }
  const wrongKey = assumeRole({ credentials: { accessKeyId: RAM.id, accessKeySecret: "not-the-secret" }, roleArn: "r", stsEndpoint: `${stsUrl}/` });
  await assert.rejects(wrongKey(), credErr(/SignatureDoesNotMatch/));
  assert.throws(() => assumeRole({ credentials: { accessKeyId: "a", accessKeySecret: "b" }, roleArn: "r", durationSeconds: 60 }), /durationSeconds/);
  assert.throws(() => assumeRole({ credentials: { accessKeyId: "a", accessKeySecret: "b" } }), /roleArn: is required/);
});

test("OIDC role: AssumeRoleWithOIDC without a signature, the token file read at every refresh", async () => {
  const h = home();
  const file = join(h, "token");
  writeFileSync(file, "stale-token");
  const env = { ALIBABA_CLOUD_ROLE_ARN: "acs:ram::1:role/k8s", ALIBABA_CLOUD_OIDC_PROVIDER_ARN: "acs:ram::1:oidc-provider/ack", ALIBABA_CLOUD_OIDC_TOKEN_FILE: file };
  const p = fromOidcRole({ env, stsEndpoint: `${stsUrl}/` });
  await assert.rejects(p(), credErr(/^OIDC role \(token file .*\): STS AssumeRoleWithOIDC .*AuthenticationFail\.OIDCToken\.Invalid/));
  writeFileSync(file, `${OIDC_TOKEN}\n`);
  sts.requests.length = 0;
  assert.equal((await p()).accessKeyId, ISSUED.AccessKeyId);
  assert.equal(sts.requests[0].Action, "AssumeRoleWithOIDC");
  assert.equal(sts.requests[0].Signature, undefined);
  await assert.rejects(fromOidcRole({ env: { ALIBABA_CLOUD_ROLE_ARN: "r" } })(), credErr(/ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE are not set/, (e) => e.found === false));
  // The fetch-only form: the token given.
  const direct = assumeRoleWithOIDC({ roleArn: "r", oidcProviderArn: "p", oidcToken: OIDC_TOKEN, stsEndpoint: `${stsUrl}/` });
  assert.equal((await direct()).securityToken, ISSUED.SecurityToken);
});

test("~/.aliyun/config.json: AK, StsToken, RamRoleArn, EcsRamRole, current vs ALIBABA_CLOUD_PROFILE; bad JSON names the path", async () => {
  const config = { current: "ak", profiles: [
    { name: "ak", mode: "AK", access_key_id: "cli-ak", access_key_secret: RAM.secret },
    { name: "sts", mode: "StsToken", access_key_id: "cli-sts", access_key_secret: RAM.secret, sts_token: "cli-token" },
    { name: "role", mode: "RamRoleArn", access_key_id: RAM.id, access_key_secret: RAM.secret, ram_role_arn: "acs:ram::1:role/cli", ram_session_name: "cli-s" },
    { name: "ecs", mode: "EcsRamRole", ram_role_name: "ecs-role" },
    { name: "weird", mode: "External" },
  ] };
  const h = home({ config });
  const opts = (env = {}) => ({ env: { HOME: h, ...env }, stsEndpoint: `${stsUrl}/`, metadataUrl });
  assert.equal((await fromCliProfile(opts())()).accessKeyId, "cli-ak");
  const s = await fromCliProfile(opts({ ALIBABA_CLOUD_PROFILE: "sts" }))();
  assert.deepEqual([s.accessKeyId, s.securityToken], ["cli-sts", "cli-token"]);
  sts.requests.length = 0;
  assert.equal((await fromCliProfile({ ...opts(), profile: "role" })()).accessKeyId, ISSUED.AccessKeyId);
  assert.deepEqual([sts.requests[0].RoleArn, sts.requests[0].RoleSessionName], ["acs:ram::1:role/cli", "cli-s"]);
  md.requests.length = 0;
  assert.equal((await fromCliProfile({ ...opts(), profile: "ecs" })()).accessKeyId, ECS_CREDS.AccessKeyId);
  assert.ok(md.requests.includes("GET /latest/meta-data/ram/security-credentials/ecs-role"));
  await assert.rejects(fromCliProfile({ ...opts(), profile: "weird" })(), credErr(/profile "weird" .*mode "External" is not supported/));
  await assert.rejects(fromCliProfile({ ...opts(), profile: "none" })(), credErr(/profile "none" is not in/, (e) => e.found === false));
  const bad = home({ config: `{"profiles": [{"access_key_secret": "${RAM.secret}"` });
  await assert.rejects(fromCliProfile({ env: { HOME: bad } })(), credErr(new RegExp(`config\\.json \\(${bad}/\\.aliyun/config\\.json\\): the answer is not JSON`)));
  await assert.rejects(fromCliProfile({ env: { HOME: home() } })(), credErr(/config\.json does not exist/, (e) => e.found === false));
});

test("~/.alibabacloud/credentials (ini): access_key, ram_role_arn, ecs_ram_role; ALIBABA_CLOUD_CREDENTIALS_FILE", async () => {
  const ini = `; comment\n[default]\ntype = access_key\naccess_key_id = ini-ak\naccess_key_secret = ${RAM.secret}\n\n` +
    `[role]\ntype = ram_role_arn\naccess_key_id = ${RAM.id}\naccess_key_secret = ${RAM.secret}\nrole_arn = acs:ram::1:role/ini\n\n[ecs]\ntype = ecs_ram_role\nrole_name = ecs-role\n`;
  const h = home({ ini });
  const opts = { env: { HOME: h }, stsEndpoint: `${stsUrl}/`, metadataUrl };
  assert.equal((await fromProfileFile(opts)()).accessKeyId, "ini-ak");
  assert.equal((await fromProfileFile({ ...opts, profile: "role" })()).accessKeyId, ISSUED.AccessKeyId);
  assert.equal((await fromProfileFile({ ...opts, profile: "ecs" })()).accessKeyId, ECS_CREDS.AccessKeyId);
  const elsewhere = join(home({ ini }), ".alibabacloud", "credentials");
  assert.equal((await fromProfileFile({ env: { HOME: home(), ALIBABA_CLOUD_CREDENTIALS_FILE: elsewhere } })()).accessKeyId, "ini-ak");
  const broken = home({ ini: "[default]\ntype = access_key\naccess_key_id = x\n" });
  await assert.rejects(fromProfileFile({ env: { HOME: broken } })(), credErr(/profile "default" \(.*credentials\): access_key_secret is missing/));
});

test("ECS metadata: IMDSv2 token, role discovery, IMDSv1 fallback unless disabled, disabled by env, silent host skipped", async () => {
  md.requests.length = 0;
  const c = await fromEcsMetadata({ metadataUrl, env: {} })();
  assert.equal(c.securityToken, ECS_CREDS.SecurityToken);
  assert.deepEqual(md.requests, ["PUT /latest/api/token", "GET /latest/meta-data/ram/security-credentials/",
    "GET /latest/meta-data/ram/security-credentials/ecs-role"]);
  md.noToken = md.v1 = true;
  try {
    assert.equal((await fromEcsMetadata({ metadataUrl, env: {} })()).accessKeyId, ECS_CREDS.AccessKeyId);
    await assert.rejects(fromEcsMetadata({ metadataUrl, env: { ALIBABA_CLOUD_IMDSV1_DISABLED: "true" } })(), credErr(/no IMDSv2 token \(HTTP 404\) and IMDSv1 is disabled/));
  } finally {
    md.noToken = md.v1 = false;
  }
  await assert.rejects(fromEcsMetadata({ metadataUrl, env: NO_METADATA })(), credErr(/disabled by ALIBABA_CLOUD_ECS_METADATA_DISABLED/, (e) => e.found === false));
  // A port nobody listens on: no answer, skipped (found: false), quickly.
  const silent = await listen((req, res) => res.destroy());
  await assert.rejects(fromEcsMetadata({ metadataUrl: silent, env: {}, metadataTimeoutMs: 300 })(), credErr(/no answer/, (e) => e.found === false));
});

test("credentials URI: the answer checked (Code, fields, an expired one refused)", async () => {
  const env = { ALIBABA_CLOUD_CREDENTIALS_URI: `${uriUrl}/creds?token=${OIDC_TOKEN}` };
  assert.equal((await fromCredentialsUri({ env })()).accessKeyId, URI_CREDS.AccessKeyId);
  try {
    uri.body = `{"AccessKeyId": "x", "AccessKeySecret": "${RAM.secret}"`;
    await assert.rejects(fromCredentialsUri({ env })(), credErr(/^credentials URI \(http:\/\/127\.0\.0\.1:\d+\): the answer is not JSON$/));
    uri.body = { Code: "Success", ...URI_CREDS, Expiration: "2020-01-01T00:00:00Z" };
    await assert.rejects(fromCredentialsUri({ env })(), credErr(/the answer expired at 2020-01-01T00:00:00.000Z/));
    uri.body = { Code: "Failed" };
    await assert.rejects(fromCredentialsUri({ env })(), credErr(/Code is "Failed"/));
  } finally {
    uri.body = null;
  }
});

test("precedence: environment → OIDC → config.json → ini → ECS metadata → credentials URI; nothing found lists each", async () => {
  const tokenHome = home();
  const tokenFile = join(tokenHome, "token");
  writeFileSync(tokenFile, OIDC_TOKEN);
  const h = home({ config: { current: "a", profiles: [{ name: "a", mode: "AK", access_key_id: "cli-ak", access_key_secret: RAM.secret }] },
    ini: `[default]\ntype = access_key\naccess_key_id = ini-ak\naccess_key_secret = ${RAM.secret}\n` });
  const all = { ALIBABA_CLOUD_ACCESS_KEY_ID: "env-ak", ALIBABA_CLOUD_ACCESS_KEY_SECRET: RAM.secret,
    ALIBABA_CLOUD_ROLE_ARN: "acs:ram::1:role/k8s", ALIBABA_CLOUD_OIDC_PROVIDER_ARN: "p", ALIBABA_CLOUD_OIDC_TOKEN_FILE: tokenFile,
    HOME: h, ALIBABA_CLOUD_CREDENTIALS_URI: `${uriUrl}/` };
  const first = (env) => defaultCredentials({ env, stsEndpoint: `${stsUrl}/`, metadataUrl })().then((c) => c.accessKeyId);
  const without = (env, ...keys) => Object.fromEntries(Object.entries(env).filter(([k]) => !keys.includes(k)));
  assert.equal(await first(all), "env-ak");
  let env = without(all, "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET");
  assert.equal(await first(env), ISSUED.AccessKeyId);
  env = without(env, "ALIBABA_CLOUD_ROLE_ARN");
  assert.equal(await first(env), "cli-ak");
  assert.equal(await first({ ...env, ALIBABA_CLOUD_CLI_PROFILE_DISABLED: "true" }), "ini-ak");
  env = { ...env, HOME: home() };
  assert.equal(await first(env), ECS_CREDS.AccessKeyId);
  assert.equal(await first({ ...env, ...NO_METADATA }), URI_CREDS.AccessKeyId);
  const none = { HOME: home(), ...NO_METADATA };
  await assert.rejects(defaultCredentials({ env: none })(), credErr(/^no Aliyun credentials found: environment: .*; OIDC role: .*; ~\/\.aliyun\/config\.json: .*does not exist; ~\/\.alibabacloud\/credentials: .*does not exist; ECS instance metadata: disabled .*; credentials URI: ALIBABA_CLOUD_CREDENTIALS_URI is not set$/,
    (e) => e.sources.length === 6));
  // A configured source that fails ends the chain (never silently another identity).
  const badJson = home({ config: "{" });
  await assert.rejects(defaultCredentials({ env: { HOME: badJson, ALIBABA_CLOUD_CREDENTIALS_URI: `${uriUrl}/` } })(), credErr(/config\.json.*not JSON/));
  // Composed by hand.
  const mine = chainCredentials([fromEnv({ env: {} }), fromCredentialsUri({ uri: `${uriUrl}/` })]);
  assert.equal((await mine()).accessKeyId, URI_CREDS.AccessKeyId);
});

test("a LinkedMallClient without credentials uses the default chain (here: a credentials URI) against the sandbox", async () => {
  const sb = await startSandbox({ log: false, accessKeyId: URI_CREDS.AccessKeyId, accessKeySecret: URI_CREDS.AccessKeySecret, securityToken: URI_CREDS.SecurityToken });
  try {
    const env = { HOME: home(), ...NO_METADATA, ALIBABA_CLOUD_CREDENTIALS_URI: `${uriUrl}/` };
    const lm = new LinkedMallClient({ endpoint: sb.linkedmallEndpoint, env });
    const r = await lm.confirmDisburse({ BizId: "b", BizUid: "u", LmOrderId: "6012345678901234567" });
    assert.equal(r.Code, "SUCCESS");
    const nothing = new LinkedMallClient({ endpoint: sb.linkedmallEndpoint, env: { HOME: home(), ...NO_METADATA } });
    await assert.rejects(nothing.confirmDisburse({ BizId: "b", BizUid: "u", LmOrderId: "1" }),
      credErr(/^no Aliyun credentials found: environment: ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET are not set; /));
  } finally {
    await sb.close();
  }
});

test("32 concurrent ConfirmDisburse: one AssumeRole; refreshed once inside the margin, never used past expiry", async () => {
  const sb = await startSandbox({ log: false, accessKeyId: ISSUED.AccessKeyId, accessKeySecret: ISSUED.AccessKeySecret, securityToken: ISSUED.SecurityToken });
  const realNow = Date.now;
  let shift = 0;
  Date.now = () => realNow() + shift; // the core, the sandbox and STS all read this clock
  try {
    const h = home({ config: { current: "role", profiles: [{ name: "role", mode: "RamRoleArn", access_key_id: RAM.id,
      access_key_secret: RAM.secret, ram_role_arn: "acs:ram::1:role/app" }] } });
    const lm = new LinkedMallClient({ endpoint: sb.linkedmallEndpoint, credentials: defaultCredentials({ env: { HOME: h, ...NO_METADATA }, stsEndpoint: `${stsUrl}/` }) });
    const stsCalls = () => sts.requests.filter((r) => r.Action === "AssumeRole").length;
    const burst = () => Promise.all(Array.from({ length: 32 }, (_, i) => lm.confirmDisburse({ BizId: "b", BizUid: "u", LmOrderId: `60123456789012345${10 + i}` })));
    sts.requests.length = 0;
    sts.expiresMs = 3600_000;
    for (const r of await burst()) assert.equal(r.Code, "SUCCESS");
    assert.equal(stsCalls(), 1, "one AssumeRole for 32 concurrent calls on a cold cache");
    await burst();
    assert.equal(stsCalls(), 1, "cached while fresh");
    shift += 3600_000 - 5_000; // inside the 10 s refresh margin, not yet expired
    await burst();
    assert.equal(stsCalls(), 2, "one refresh for 32 concurrent calls");
    shift += 3600_000 + 60_000; // past expiry
    await burst();
    assert.equal(stsCalls(), 3);
    // STS hands out credentials that are already expired: refused, nothing sent with them.
    shift += 3600_000 + 60_000;
    sts.expiresMs = -60_000;
    const before = sb.stats.requests;
    await assert.rejects(lm.confirmDisburse({ BizId: "b", BizUid: "u", LmOrderId: "1" }), credErr(/profile "role".*the answer expired at/));
    assert.equal(sb.stats.requests, before);
    assert.equal(sb.stats.ok, 32 * 4);
  } finally {
    Date.now = realNow;
    sts.expiresMs = 3600_000;
    await sb.close();
  }
});

test("no secret in the providers, their answers or any chain error when inspected or serialised", async () => {
  const p = assumeRole({ credentials: { accessKeyId: RAM.id, accessKeySecret: RAM.secret }, roleArn: "r", stsEndpoint: `${stsUrl}/` });
  const c = await p();
  for (const text of [inspect(p, { showHidden: true }), inspect(c), JSON.stringify(c), String(p)]) clean({ message: text, stack: "" });
  assert.equal(c.accessKeySecret, ISSUED.AccessKeySecret, "the value itself is there for the client");
});
