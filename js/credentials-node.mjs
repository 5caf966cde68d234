// The Node-only credentials sources (bundled into pkg/node.cjs, the Node entry): the OIDC token file (RRSA),
// ~/.aliyun/config.json, ~/.alibabacloud/credentials and the ECS instance metadata service, and the full default
// chain in @alicloud/credentials' order. Node's modules are loaded on first use (no cold-start cost).
import {
  answer, assumeRole, assumeRoleWithOIDC, chainCredentials, checkOptions, credentialsApi, envOf, exchange, failed,
  fromCredentialsUri, fromEnv, json, notFound, shown, truthy, withRole,
} from "./credentials.mjs";

/** The entry's CommonJS `require`. */
let load;
const MAX_FILE_BYTES = 1024 * 1024;

function home(o, env) {
  const h = o.home ?? env("HOME") ?? env("USERPROFILE") ?? load("node:os").homedir();
  if (typeof h !== "string" || h === "") throw notFound("home directory", "none is known (set HOME or pass home)");
  return h;
}
const join = (...p) => load("node:path").join(...p);

/** A file's text; missing → `found: false`; unreadable or too large → a failure naming the path. */
async function readText(source, path) {
  const fs = load("node:fs/promises");
  try {
    const st = await fs.stat(path);
    if (st.size > MAX_FILE_BYTES) throw failed(source, `${path} is larger than 1 MiB`);
    return await fs.readFile(path, "utf8");
  } catch (e) {
    if (e?.code === "ENOENT" || e?.code === "ENOTDIR") throw notFound(source, `${path} does not exist`);
    if (e?.source) throw e;
    throw failed(source, `${path} cannot be read (${shown(e?.code ?? "error").replace(/"/g, "")})`);
  }
}

// ── OIDC role (RRSA) ─────────────────────────────────────────────────────
const OIDC = "OIDC role";
const OIDC_VARS = ["ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "ALIBABA_CLOUD_OIDC_TOKEN_FILE"];

/** ALIBABA_CLOUD_ROLE_ARN + ALIBABA_CLOUD_OIDC_PROVIDER_ARN + ALIBABA_CLOUD_OIDC_TOKEN_FILE → AssumeRoleWithOIDC. */
export function fromOidcRole(options) {
  const o = checkOptions(options, ["env", "fetch", "timeoutMs", "roleArn", "oidcProviderArn", "oidcTokenFile",
    "roleSessionName", "durationSeconds", "policy", "stsEndpoint", "stsRegion", "enableVpc"], "options");
  const env = envOf(o.env);
  let made;
  return async function oidcRole() {
    const [roleArn, providerArn, file] = [o.roleArn ?? env(OIDC_VARS[0]), o.oidcProviderArn ?? env(OIDC_VARS[1]), o.oidcTokenFile ?? env(OIDC_VARS[2])];
    const missing = OIDC_VARS.filter((_, i) => ![roleArn, providerArn, file][i]);
    if (missing.length) throw notFound(OIDC, `${missing.join(", ")} ${missing.length > 1 ? "are" : "is"} not set`);
    const key = `${roleArn}\n${providerArn}\n${file}`;
    if (made?.key !== key) {
      const source = `${OIDC} (token file ${file})`;
      made = { key, provider: assumeRoleWithOIDC({ roleArn, oidcProviderArn: providerArn, source,
        // Read at every refresh: Kubernetes rotates the projected token.
        oidcToken: () => readText(source, file).catch((e) => { throw e.found === false ? failed(source, `${file} does not exist`) : e; }),
        roleSessionName: o.roleSessionName ?? env("ALIBABA_CLOUD_ROLE_SESSION_NAME"), durationSeconds: o.durationSeconds, policy: o.policy,
        stsEndpoint: o.stsEndpoint, stsRegion: o.stsRegion, enableVpc: o.enableVpc, env: o.env, fetch: o.fetch, timeoutMs: o.timeoutMs }) };
    }
    return made.provider();
  };
}

// ── ~/.aliyun/config.json (the CLI's profiles) ────────────────────────────
const CLI = "~/.aliyun/config.json";
const COMMON = ["env", "fetch", "timeoutMs", "home", "profile", "stsEndpoint", "stsRegion", "metadataUrl", "metadataTimeoutMs", "imdsv1"];

/** A profile of the Alibaba Cloud CLI: modes AK, StsToken, RamRoleArn, EcsRamRole, OIDC, ChainableRamRoleArn. */
export function fromCliProfile(options) {
  const o = checkOptions(options, COMMON, "options");
  const env = envOf(o.env);
  let made;
  return async function cliProfile() {
    if (truthy(env("ALIBABA_CLOUD_CLI_PROFILE_DISABLED"))) throw notFound(CLI, "disabled by ALIBABA_CLOUD_CLI_PROFILE_DISABLED");
    const path = join(home(o, env), ".aliyun", "config.json");
    const t = await readText(CLI, path);
    const conf = json(`${CLI} (${path})`, t);
    const name = o.profile ?? env("ALIBABA_CLOUD_PROFILE") ?? conf?.current;
    const key = `${t}\n${name}`;
    if (made?.key !== key) made = { key, provider: cliProvider(o, conf, name, path, 0) };
    return made.provider();
  };
}

function cliProvider(o, conf, name, path, depth) {
  const profiles = Array.isArray(conf?.profiles) ? conf.profiles : [];
  const p = profiles.find((x) => x?.name === name);
  const source = `${CLI} profile ${shown(name)} (${path})`;
  if (!p || typeof p !== "object") throw notFound(CLI, `profile ${shown(name)} is not in ${path}`);
  const field = (k) => (typeof p[k] === "string" && p[k] !== "" ? p[k] : undefined);
  const need = (k) => field(k) ?? (() => { throw failed(source, `${k} is missing`); })();
  const sts = { stsRegion: field("sts_region"), stsEndpoint: field("sts_endpoint") ?? o.stsEndpoint, env: o.env, fetch: o.fetch, timeoutMs: o.timeoutMs, source };
  const role = () => ({ roleArn: need("ram_role_arn"), roleSessionName: field("ram_session_name"),
    durationSeconds: Number.isInteger(p.expired_seconds) && p.expired_seconds >= 900 ? p.expired_seconds : undefined });
  switch (p.mode) {
    case "AK":
    case "StsToken": {
      const c = answer(source, need("access_key_id"), need("access_key_secret"), p.mode === "StsToken" ? need("sts_token") : undefined, undefined, false);
      return async () => c;
    }
    case "RamRoleArn":
      return assumeRole({ ...sts, ...role(), credentials: { accessKeyId: need("access_key_id"), accessKeySecret: need("access_key_secret") } });
    case "ChainableRamRoleArn":
      if (depth >= 8) throw failed(source, "source_profile chains more than 8 profiles");
      return assumeRole({ ...sts, ...role(), credentials: cliProvider(o, conf, need("source_profile"), path, depth + 1) });
    case "EcsRamRole":
      return fromEcsMetadata({ ...metadataOptions(o), roleName: field("ram_role_name") });
    case "OIDC":
      return fromOidcRole({ roleArn: need("ram_role_arn"), oidcProviderArn: need("oidc_provider_arn"), oidcTokenFile: need("oidc_token_file"),
        roleSessionName: field("ram_session_name"), stsRegion: sts.stsRegion, stsEndpoint: sts.stsEndpoint, env: o.env, fetch: o.fetch, timeoutMs: o.timeoutMs });
    default:
      throw failed(source, `mode ${shown(p.mode)} is not supported (AK, StsToken, RamRoleArn, EcsRamRole, OIDC, ChainableRamRoleArn)`);
  }
}

const metadataOptions = (o) => ({ env: o.env, fetch: o.fetch, metadataUrl: o.metadataUrl, metadataTimeoutMs: o.metadataTimeoutMs, imdsv1: o.imdsv1 });

// ── ~/.alibabacloud/credentials (ini) ────────────────────────────────────
const INI = "~/.alibabacloud/credentials";

/** The shared credentials file (ALIBABA_CLOUD_CREDENTIALS_FILE): types access_key, sts, ram_role_arn, ecs_ram_role. */
export function fromProfileFile(options) {
  const o = checkOptions(options, COMMON, "options");
  const env = envOf(o.env);
  let made;
  return async function profileFile() {
    const path = env("ALIBABA_CLOUD_CREDENTIALS_FILE") ?? join(home(o, env), ".alibabacloud", "credentials");
    const t = await readText(INI, path);
    const name = o.profile ?? env("ALIBABA_CLOUD_PROFILE") ?? "default";
    const key = `${t}\n${name}`;
    if (made?.key !== key) made = { key, provider: iniProvider(o, parseIni(t)[name], name, path) };
    return made.provider();
  };
}

/** `[section]` and `key = value` lines (`#` and `;` comments), linear; keys and values trimmed. */
function parseIni(t) {
  const out = Object.create(null);
  let section;
  for (const raw of t.split("\n")) {
    const line = raw.trim();
    if (line === "" || line[0] === "#" || line[0] === ";") continue;
    if (line[0] === "[" && line.endsWith("]")) {
      const name = line.slice(1, -1).trim();
      section = out[name] ??= Object.create(null);
    } else if (section) {
      const i = line.indexOf("=");
      if (i > 0) section[line.slice(0, i).trim()] = line.slice(i + 1).trim();
    }
  }
  return out;
}

function iniProvider(o, s, name, path) {
  const source = `${INI} profile ${shown(name)} (${path})`;
  if (!s) throw notFound(INI, `profile ${shown(name)} is not in ${path}`);
  const need = (k) => (s[k] ? s[k] : (() => { throw failed(source, `${k} is missing`); })());
  switch (s.type) {
    case "access_key":
    case "sts": {
      const c = answer(source, need("access_key_id"), need("access_key_secret"), s.type === "sts" ? need("security_token") : undefined, undefined, false);
      return async () => c;
    }
    case "ram_role_arn":
      return assumeRole({ credentials: { accessKeyId: need("access_key_id"), accessKeySecret: need("access_key_secret") },
        roleArn: need("role_arn"), roleSessionName: s.role_session_name || undefined, policy: s.policy || undefined,
        stsEndpoint: o.stsEndpoint, stsRegion: o.stsRegion, env: o.env, fetch: o.fetch, timeoutMs: o.timeoutMs, source });
    case "ecs_ram_role":
      return fromEcsMetadata({ ...metadataOptions(o), roleName: s.role_name || undefined });
    default:
      throw failed(source, `type ${shown(s.type)} is not supported (access_key, sts, ram_role_arn, ecs_ram_role)`);
  }
}

// ── ECS instance metadata ────────────────────────────────────────────────
const ECS = "ECS instance metadata";

/**
 * The instance's RAM role from the metadata service: an IMDSv2 token (PUT /latest/api/token), then the role name
 * and its credentials with the token; without a token (the service answered the PUT with an error) IMDSv1, unless
 * ALIBABA_CLOUD_IMDSV1_DISABLED=true or `imdsv1: false`. `metadataUrl` (default http://100.100.100.200) for tests.
 */
export function fromEcsMetadata(options) {
  const o = checkOptions(options, ["env", "fetch", "metadataUrl", "metadataTimeoutMs", "imdsv1", "roleName", "disabled"], "options");
  const env = envOf(o.env);
  const base = String(o.metadataUrl ?? "http://100.100.100.200").replace(/\/+$/, "");
  const ms = o.metadataTimeoutMs ?? 1000;
  const path = "/latest/meta-data/ram/security-credentials/";
  return async function ecsMetadata() {
    if (o.disabled === true || truthy(env("ALIBABA_CLOUD_ECS_METADATA_DISABLED"))) {
      throw notFound(ECS, "disabled by ALIBABA_CLOUD_ECS_METADATA_DISABLED");
    }
    const source = `${ECS} (${base})`;
    const v1 = !(o.imdsv1 === false || truthy(env("ALIBABA_CLOUD_IMDSV1_DISABLED")));
    let headers = {};
    let r;
    try {
      r = await exchange(o.fetch, `${base}/latest/api/token`, { method: "PUT", headers: { "x-aliyun-ecs-metadata-token-ttl-seconds": "21600" } }, ms);
    } catch (e) {
      // No answer at all: not on ECS (IMDSv1 would ask the same silent host).
      throw notFound(source, `no answer (${e.unreachable})`);
    }
    if (r.status === 200 && r.text.trim() !== "") headers = { "x-aliyun-ecs-metadata-token": r.text.trim() };
    else if (!v1) throw failed(source, `no IMDSv2 token (HTTP ${r.status}) and IMDSv1 is disabled`);
    const get = async (p) => {
      try {
        return await exchange(o.fetch, `${base}${p}`, { method: "GET", headers }, ms);
      } catch (e) {
        throw failed(source, `no answer (${e.unreachable})`);
      }
    };
    let role = o.roleName ?? env("ALIBABA_CLOUD_ECS_METADATA");
    if (!role) {
      const list = await get(path);
      if (list.status === 404) throw notFound(source, "no RAM role is attached to this instance");
      if (list.status !== 200) throw failed(source, `the role name request answered HTTP ${list.status}`);
      role = list.text.trim().split("\n")[0].trim();
    }
    if (!/^[\w.@+=,-]{1,64}$/.test(role)) throw failed(source, "the RAM role name is not a role name");
    const c = await get(path + role);
    if (c.status !== 200) throw failed(source, `the credentials of role ${shown(role)} answered HTTP ${c.status}`);
    const a = json(source, c.text);
    if (a?.Code !== "Success") throw failed(source, `the answer's Code is ${shown(a?.Code)}`);
    return answer(`${source} role ${shown(role)}`, a.AccessKeyId, a.AccessKeySecret, a.SecurityToken, a.Expiration);
  };
}

// ── the Node default chain ───────────────────────────────────────────────
const NODE_DEFAULT_KEYS = [...COMMON, "credentialsUri", "roleArn", "roleSessionName", "durationSeconds", "policy",
  "externalId", "enableVpc", "metadata"];

/**
 * environment → OIDC role → ~/.aliyun/config.json → ~/.alibabacloud/credentials → ECS metadata (`metadata: false`
 * skips it) → credentials URI; with `roleArn`, what was found assumes that role.
 */
export function defaultCredentials(options) {
  const o = checkOptions(options, NODE_DEFAULT_KEYS, "options");
  const net = { env: o.env, fetch: o.fetch, timeoutMs: o.timeoutMs };
  const files = { ...net, home: o.home, profile: o.profile, stsEndpoint: o.stsEndpoint, stsRegion: o.stsRegion,
    metadataUrl: o.metadataUrl, metadataTimeoutMs: o.metadataTimeoutMs, imdsv1: o.imdsv1 };
  return withRole(o, chainCredentials([
    fromEnv({ env: o.env }),
    fromOidcRole({ ...net, stsEndpoint: o.stsEndpoint, stsRegion: o.stsRegion }),
    fromCliProfile(files),
    fromProfileFile(files),
    fromEcsMetadata({ ...metadataOptions(o), disabled: o.metadata === false }),
    fromCredentialsUri({ ...net, uri: o.credentialsUri }),
  ]));
}

/** The Node entry's credentials functions (pkg/node.cjs passes its `require`). */
export function nodeCredentials(api, require) {
  load = require;
  return { ...credentialsApi(api, defaultCredentials), fromOidcRole, fromCliProfile, fromProfileFile, fromEcsMetadata };
}
