// Aliyun credentials where the platform puts them (README "Aliyun credentials"; the order of
// @alicloud/credentials). Each source is a provider for LinkedMallClient's `credentials` option: it fetches on
// every call, and the client caches its answer in the core (client::CredentialCache: asked again 10 s before
// `expiration`, never used past it, one call at a time: askProvider in core.mjs). No second cache here.
// Sources over fetch (every runtime) live here; files and the ECS metadata service in credentials-node.mjs.
import { AligateError, credentialsError, isVetted, setDefaultCredentials } from "./core.mjs";

const STS_VERSION = "2015-04-01";
const MAX_ANSWER_BYTES = 64 * 1024;

/** The entry's LinkedMallClient and decodeResponse (set by `credentialsApi`). */
let lib;

/** A source with nothing to offer: a chain notes `why` and asks the next one. */
export const notFound = (source, why) => credentialsError(`${source}: ${why}`, { source, found: false });
/** A source that is configured but failed: a chain stops there (never silently another identity). */
export const failed = (source, why, fields) => credentialsError(`${source}: ${why}`, { source, ...fields });

export function invalidOption(path, message) {
  return new AligateError(`invalid request: ${path}: ${message}`, { kind: "validation", retryable: false, attempts: 0,
    issues: [{ path, message }] });
}

/** Refuses option names a function does not know (a typo would otherwise be silent). */
export function checkOptions(o, allowed, what) {
  if (o === undefined) return {};
  if (o === null || typeof o !== "object") throw invalidOption(what, "expected an object");
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw invalidOption(`${what}.${/^\w{1,64}$/.test(k) ? k : "?"}`, `unknown option; expected one of ${allowed.join(", ")}`);
  }
  return o;
}

const text = (v) => (typeof v === "string" && v !== "" && v.length <= 65536 ? v : undefined);

/** Name-safe text from a file or an answer (a profile name, a mode, a code): short printable ASCII, else "?". */
export const shown = (v) => (typeof v === "string" && /^[\x20-\x7e]{1,64}$/.test(v) ? JSON.stringify(v) : "?");

/** `name → value` of the environment: `env` (a Worker's bindings, a test's object), else process.env, else Deno.env. */
export function envOf(env) {
  return (k) => {
    try {
      if (env != null) return text(env[k]);
      const pe = globalThis.process?.env;
      return text(pe ? pe[k] : globalThis.Deno?.env?.get(k));
    } catch {
      return undefined; // Deno without --allow-env, a throwing getter: unset
    }
  };
}
export const truthy = (v) => v !== undefined && v.toLowerCase() === "true";

/** What a provider returns; printing it (inspect, JSON) shows no secret. */
function credentials(id, secret, token, expiration) {
  const c = { accessKeyId: id, accessKeySecret: secret };
  if (token) c.securityToken = token;
  if (expiration !== undefined) c.expiration = expiration;
  const redacted = () => ({ accessKeyId: id, accessKeySecret: "***", ...(token ? { securityToken: "***" } : {}),
    ...(expiration !== undefined ? { expiration: new Date(expiration).toISOString() } : {}) });
  Object.defineProperty(c, "toJSON", { value: redacted });
  Object.defineProperty(c, Symbol.for("nodejs.util.inspect.custom"), { value: redacted });
  return c;
}

/**
 * A source's answer checked: id and secret present; fetched temporary ones (with a token) carry an Expiration that
 * is still in the future (an expired answer is refused here, not signed with). `fetched` false: keys from a file.
 */
export function answer(source, id, secret, token, expiration, fetched = true) {
  if (!text(id) || !text(secret)) throw failed(source, "the answer has no AccessKeyId or AccessKeySecret");
  if (token !== undefined && token !== null && !text(token)) throw failed(source, "the answer's SecurityToken is not a string");
  if (expiration === undefined || expiration === null) {
    // Fetched temporary keys without an end would be cached forever; a token the user wrote down is theirs.
    if (token && fetched) throw failed(source, "the answer has a SecurityToken but no Expiration");
    return credentials(id, secret, token);
  }
  const ms = typeof expiration === "number" ? expiration : typeof expiration === "string" ? Date.parse(expiration) : NaN;
  if (!Number.isFinite(ms)) throw failed(source, "the answer's Expiration is not a time");
  if (ms <= Date.now()) throw failed(source, `the answer expired at ${new Date(ms).toISOString()}`);
  return credentials(id, secret, token || undefined, ms);
}

/** Where a URL points, for messages: its origin only (a query or path may carry a token). */
export function origin(url) {
  try {
    return new URL(url).origin;
  } catch {
    return "(not a URL)";
  }
}

/** Why a fetch failed, without its message (which may quote the URL): a timeout, or the error's code or name. */
const why = (e, ms) => (e === TIMEOUT ? `no answer within ${ms} ms` : shown(e?.cause?.code ?? e?.code ?? e?.name ?? "error").replace(/"/g, ""));
const TIMEOUT = Symbol("timeout");

/**
 * One HTTP exchange bounded by `timeoutMs` (a fetch that ignores its signal cannot hold it): `{ status, type, bytes,
 * text }` with at most 64 KiB read. Throws `{ unreachable: why }` when there was no answer.
 */
export async function exchange(fetchFn, url, init, timeoutMs) {
  const ac = new AbortController();
  let timer;
  const gone = new Promise((_, reject) => {
    timer = setTimeout(() => {
      ac.abort();
      reject(TIMEOUT);
    }, timeoutMs);
  });
  gone.catch(() => {});
  try {
    const res = await Promise.race([(fetchFn ?? globalThis.fetch)(url, { ...init, signal: ac.signal }), gone]);
    const status = res.status;
    let type = "";
    try {
      type = res.headers.get("content-type") ?? "";
    } catch {
      // unreadable headers: no type
    }
    const bytes = await Promise.race([readCapped(res), gone]);
    return { status, type, bytes, text: new TextDecoder().decode(bytes) };
  } catch (e) {
    throw { unreachable: why(e, timeoutMs) };
  } finally {
    clearTimeout(timer);
  }
}

async function readCapped(res) {
  if (!res.body) return new Uint8Array(await res.arrayBuffer()).slice(0, MAX_ANSWER_BYTES);
  const reader = res.body.getReader();
  const chunks = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!(value instanceof Uint8Array)) throw new TypeError("not bytes");
    n += value.length;
    if (n > MAX_ANSWER_BYTES) {
      reader.cancel().catch(() => {});
      throw new RangeError("answer too large");
    }
    chunks.push(value);
  }
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** JSON of an answer, or a failure naming the source (never the text: it may hold half a secret). */
export function json(source, t) {
  try {
    return JSON.parse(t);
  } catch {
    throw failed(source, "the answer is not JSON");
  }
}

// ── environment ──────────────────────────────────────────────────────────
const ENV = "environment";

/** ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET and ALIBABA_CLOUD_SECURITY_TOKEN. */
export function fromEnv(options) {
  const o = checkOptions(options, ["env"], "options");
  const env = envOf(o.env);
  return async function environment() {
    const id = env("ALIBABA_CLOUD_ACCESS_KEY_ID");
    const secret = env("ALIBABA_CLOUD_ACCESS_KEY_SECRET");
    if (!id && !secret) throw notFound(ENV, "ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET are not set");
    if (!secret) throw notFound(ENV, "ALIBABA_CLOUD_ACCESS_KEY_SECRET is not set");
    if (!id) throw notFound(ENV, "ALIBABA_CLOUD_ACCESS_KEY_ID is not set");
    return credentials(id, secret, env("ALIBABA_CLOUD_SECURITY_TOKEN"));
  };
}

// ── credentials URI ──────────────────────────────────────────────────────
const URI = "credentials URI";

/** GET ALIBABA_CLOUD_CREDENTIALS_URI (or `uri`): `{ AccessKeyId, AccessKeySecret, SecurityToken, Expiration }`. */
export function fromCredentialsUri(options) {
  const o = checkOptions(options, ["env", "uri", "fetch", "timeoutMs"], "options");
  const env = envOf(o.env);
  return async function credentialsUri() {
    const uri = text(o.uri) ?? env("ALIBABA_CLOUD_CREDENTIALS_URI");
    if (!uri) throw notFound(URI, "ALIBABA_CLOUD_CREDENTIALS_URI is not set");
    if (!/^https?:\/\/[^\s]+$/i.test(uri) || origin(uri) === "(not a URL)") throw failed(URI, "ALIBABA_CLOUD_CREDENTIALS_URI is not an http(s) URL");
    const source = `${URI} (${origin(uri)})`;
    let r;
    try {
      r = await exchange(o.fetch, uri, { method: "GET" }, o.timeoutMs ?? 5000);
    } catch (e) {
      throw failed(source, e.unreachable ?? "the request failed");
    }
    if (r.status !== 200) throw failed(source, `HTTP ${r.status}`, { status: r.status });
    const a = json(source, r.text);
    if (a?.Code !== undefined && a.Code !== "Success") throw failed(source, `the answer's Code is ${shown(a.Code)}`);
    return answer(source, a?.AccessKeyId, a?.AccessKeySecret, a?.SecurityToken, a?.Expiration);
  };
}

// ── STS ──────────────────────────────────────────────────────────────────
/** The STS endpoint URL: `stsEndpoint` (URL or host), else sts[-vpc].<region>.aliyuncs.com, else sts.aliyuncs.com. */
export function stsUrl(o, env) {
  const e = text(o.stsEndpoint);
  if (e) return e.includes("://") ? e : `https://${e}/`;
  const region = text(o.stsRegion) ?? env("ALIBABA_CLOUD_STS_REGION");
  const vpc = o.enableVpc === true || truthy(env("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED"));
  return region ? `https://sts${vpc ? "-vpc" : ""}.${region}.aliyuncs.com/` : "https://sts.aliyuncs.com/";
}

function duration(o, path) {
  const d = o.durationSeconds ?? 3600;
  if (!Number.isInteger(d) || d < 900 || d > 43200) throw invalidOption(path, "expected whole seconds from 900 to 43200");
  return d;
}

function required(o, key, what) {
  if (!text(o[key])) throw invalidOption(`${what}.${key}`, "is required");
  return o[key];
}

/** The params STS takes for a role session. */
function roleParams(o, what) {
  const p = { RoleArn: required(o, "roleArn", what), RoleSessionName: text(o.roleSessionName) ?? `aligate-${Date.now()}`,
    DurationSeconds: duration(o, `${what}.durationSeconds`) };
  if (text(o.policy)) p.Policy = o.policy;
  return p;
}

/** An STS failure as a credentials error naming the source, the action and the endpoint (no secret: scrubbed). */
function stsFailure(source, action, url, e, secrets) {
  if (isVetted(e)) return e;
  let m = typeof e?.message === "string" ? e.message : "the request failed";
  for (const s of secrets) if (s && s.length >= 4) m = m.split(s).join("***");
  return failed(source, `STS ${action} at ${origin(url)} failed: ${m}`,
    { code: e?.code, status: e?.status, requestId: e?.requestId });
}

const ASSUME_ROLE_KEYS = ["credentials", "roleArn", "roleSessionName", "durationSeconds", "policy", "externalId",
  "stsEndpoint", "stsRegion", "enableVpc", "env", "fetch", "timeoutMs", "source"];

/**
 * STS AssumeRole with a RAM user's keys (`credentials`: `{ accessKeyId, accessKeySecret, securityToken? }` or a
 * provider), signed by aligate's own RPC v1 signer: a LinkedMallClient pointed at STS (Version 2015-04-01) runs the
 * unmodelled action, so the keys' own refresh, retries, timeouts and error decoding are the client's.
 */
export function assumeRole(options) {
  const o = checkOptions(options ?? {}, ASSUME_ROLE_KEYS, "options");
  const params = roleParams(o, "options");
  if (text(o.externalId)) params.ExternalId = o.externalId;
  const c = o.credentials;
  const keys = typeof c === "function" ? { credentials: c }
    : { accessKeyId: required(c ?? {}, "accessKeyId", "options.credentials"), accessKeySecret: required(c, "accessKeySecret", "options.credentials"),
      ...(text(c.securityToken) ? { securityToken: c.securityToken } : {}) };
  const url = stsUrl(o, envOf(o.env));
  const source = text(o.source) ?? "AssumeRole";
  let client;
  return async function assumeRoleCredentials() {
    // Made on first use (after init() in a browser); `env: {}`: nothing from the environment mixes in.
    client ??= new lib.LinkedMallClient({ ...keys, endpoint: url, version: STS_VERSION, env: {}, fetch: o.fetch,
      timeoutMs: o.timeoutMs ?? 10_000 });
    let r;
    try {
      r = await client.execute("AssumeRole", params);
    } catch (e) {
      throw stsFailure(source, "AssumeRole", url, e, [keys.accessKeySecret, keys.securityToken]);
    }
    const k = r?.Credentials;
    return answer(`${source} (STS ${origin(url)})`, k?.AccessKeyId, k?.AccessKeySecret, k?.SecurityToken, k?.Expiration);
  };
}

const OIDC_KEYS = ["oidcToken", "oidcProviderArn", "roleArn", "roleSessionName", "durationSeconds", "policy",
  "stsEndpoint", "stsRegion", "enableVpc", "env", "fetch", "timeoutMs", "source"];

/**
 * STS AssumeRoleWithOIDC: sent without an AccessKey signature (the OIDC token is the proof), with Timestamp and
 * SignatureNonce. `oidcToken`: the token, or a function returning it (read afresh at every refresh).
 */
export function assumeRoleWithOIDC(options) {
  const o = checkOptions(options ?? {}, OIDC_KEYS, "options");
  const base = { ...roleParams(o, "options"), OIDCProviderArn: required(o, "oidcProviderArn", "options") };
  if (typeof o.oidcToken !== "function") required(o, "oidcToken", "options");
  const url = stsUrl(o, envOf(o.env));
  const source = text(o.source) ?? "AssumeRoleWithOIDC";
  return async function oidcRoleCredentials() {
    const token = typeof o.oidcToken === "function" ? await o.oidcToken() : o.oidcToken;
    if (!text(token?.trim?.())) throw failed(source, "the OIDC token is empty");
    const form = new URLSearchParams({ Action: "AssumeRoleWithOIDC", Format: "JSON", Version: STS_VERSION,
      Timestamp: new Date().toISOString().replace(/\.\d+Z$/, "Z"), SignatureNonce: nonce(), ...base, OIDCToken: token.trim() });
    let r;
    try {
      r = await exchange(o.fetch, url, { method: "POST", body: form.toString(),
        headers: { "content-type": "application/x-www-form-urlencoded;charset=utf-8" } }, o.timeoutMs ?? 10_000);
    } catch (e) {
      throw failed(source, `STS AssumeRoleWithOIDC at ${origin(url)} failed: ${e.unreachable ?? "the request failed"}`);
    }
    let a;
    try {
      a = lib.decodeResponse("AssumeRoleWithOIDC", r.status, r.type, r.bytes);
    } catch (e) {
      throw stsFailure(source, "AssumeRoleWithOIDC", url, e, [token.trim()]);
    }
    const k = a?.Credentials;
    return answer(`${source} (STS ${origin(url)})`, k?.AccessKeyId, k?.AccessKeySecret, k?.SecurityToken, k?.Expiration);
  };
}

function nonce() {
  try {
    return globalThis.crypto.randomUUID();
  } catch {
    return `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  }
}

// ── chains ───────────────────────────────────────────────────────────────
/**
 * The first provider that has credentials; the one that answered is asked first at the next refresh (the SDK's
 * "last used provider"). A source with nothing (`found: false`) is skipped and noted; any other failure ends the
 * chain with that source's error. Nothing found: one error listing each source and why it was skipped.
 */
export function chainCredentials(providers) {
  if (!Array.isArray(providers) || providers.some((p) => typeof p !== "function")) {
    throw invalidOption("providers", "expected an array of provider functions");
  }
  const list = [...providers];
  let chosen;
  return async function chainedCredentials() {
    if (chosen) {
      try {
        return await chosen();
      } catch (e) {
        if (!(isVetted(e) && e.found === false)) throw e;
        chosen = undefined; // gone (an unset variable, a removed file): look again
      }
    }
    const skipped = [];
    for (const p of list) {
      try {
        const c = await p();
        chosen = p;
        return c;
      } catch (e) {
        if (!(isVetted(e) && e.found === false)) throw e;
        skipped.push({ source: e.source, reason: e.message });
      }
    }
    throw credentialsError(`no Aliyun credentials found: ${skipped.map((s) => s.reason).join("; ")}`, { found: false,
      source: "default chain", sources: skipped });
  };
}

const DEFAULT_KEYS = ["env", "fetch", "timeoutMs", "credentialsUri", "roleArn", "roleSessionName", "durationSeconds",
  "policy", "externalId", "stsEndpoint", "stsRegion", "enableVpc"];

/** The chain without files or instance metadata (Workers, browsers, Deno): environment → credentials URI. */
export function defaultCredentials(options) {
  const o = checkOptions(options, DEFAULT_KEYS, "options");
  return withRole(o, chainCredentials([fromEnv({ env: o.env }),
    fromCredentialsUri({ env: o.env, fetch: o.fetch, timeoutMs: o.timeoutMs, uri: o.credentialsUri })]));
}

/** With `roleArn`: whatever the chain found assumes that role (AssumeRole), else the chain itself. */
export function withRole(o, chain) {
  if (o.roleArn === undefined) return chain;
  return assumeRole({ credentials: chain, roleArn: o.roleArn, roleSessionName: o.roleSessionName, durationSeconds: o.durationSeconds,
    policy: o.policy, externalId: o.externalId, stsEndpoint: o.stsEndpoint, stsRegion: o.stsRegion, enableVpc: o.enableVpc,
    env: o.env, fetch: o.fetch, timeoutMs: o.timeoutMs });
}

/**
 * The credentials functions over an entry's API (`LinkedMallClient`, `decodeResponse`); sets the chain a
 * LinkedMallClient without credentials uses (`defaultFor`, default the fetch-only chain above).
 */
export function credentialsApi(api, defaultFor = defaultCredentials) {
  lib = api;
  setDefaultCredentials((o) => defaultFor(o));
  return { defaultCredentials: defaultFor, fromEnv, fromCredentialsUri, assumeRole, assumeRoleWithOIDC, chainCredentials };
}
