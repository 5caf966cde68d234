// The hand-written part of js/index.d.ts: everything that is not a fact about one API (options, errors,
// clients' generic methods, functions). scripts/gen-types.mjs appends the part generated from apis/*.json
// (per API: request and response interfaces, builders, shortcuts; the TopApis / LinkedMallApis maps;
// TopBuilder, LinkedMallBuilder; TopClientShortcuts, LinkedMallClientShortcuts).
// Stands alone: ES2022 lib, no DOM or Node types (see HostType).

// ── Values ─────────────────────────────────────────────────────────────────
/** A signed 64-bit integer: a safe-integer number, a bigint, or a decimal string (taken digit for digit). */
export type Int64 = number | bigint | string;
/** `yyyy-MM-dd HH:mm:ss` (GMT+8 wall time), or a Date / ISO UTC string (converted to GMT+8). */
export type DateTime = string | Date;
/** Integers beyond Number.MAX_SAFE_INTEGER arrive as decimal strings with their exact digits. */
export type ResponseInt = number | string;
/** Parameters as exact JSON text: every integer is taken digit for digit. */
export type JsonText = string;

// ── API names ──────────────────────────────────────────────────────────────
/** Every API aligate models. */
export type ApiName = keyof TopApis | keyof LinkedMallApis;
/** Name → `{ params, result }` for every modelled API. */
export type Apis = TopApis & LinkedMallApis;
declare const unmodelledName: unique symbol;
/** The name of an API aligate does not model: made by `unmodelled(name)`, sent signed but unvalidated. */
export type Unmodelled = string & { readonly [unmodelledName]: true };
type Entry<K> = K extends keyof TopApis ? TopApis[K] : K extends keyof LinkedMallApis ? LinkedMallApis[K] : never;
/** A modelled API's parameters (its object or JSON text); with no argument, an unmodelled API's. */
export type Params<K extends ApiName | Unmodelled = Unmodelled> = K extends ApiName ? Entry<K> extends { params: infer P } ? P | JsonText : never
  : object | JsonText;
/** A modelled API's decoded result; with no argument, an unmodelled API's. */
export type Result<K extends ApiName | Unmodelled = Unmodelled> = K extends ApiName ? Entry<K> extends { result: infer R } ? R : never
  : Record<string, unknown>;
/** The success body of a TOP call (the `<method>_response` wrapper's content). */
export interface TopResponse {
  request_id?: string;
}

// ── Host types ─────────────────────────────────────────────────────────────
// The host's own class when its lib declares one (DOM, @types/node, workers), else a structural stand-in:
// the declarations compile without either, and a DOM `fetch` or `AbortSignal` fits where one is expected.
type HostType<Name extends string, Fallback> = typeof globalThis extends { [K in Name]: { prototype: infer T } } ? T : Fallback;
type WasmModule = typeof globalThis extends { WebAssembly: { Module: { prototype: infer M } } } ? M : never;
/** The runtime's `AbortSignal`. */
export type AbortSignalLike = HostType<"AbortSignal", {
  readonly aborted: boolean;
  addEventListener(type: "abort", listener: () => void): void;
  removeEventListener(type: "abort", listener: () => void): void;
}>;
/** The runtime's `Headers`: read by name. */
export interface HeadersLike {
  get(name: string): string | null;
}
/** The runtime's fetch `Response`. */
export type ResponseLike = HostType<"Response", {
  readonly status: number;
  readonly headers: HeadersLike;
  readonly body: unknown;
  arrayBuffer(): Promise<ArrayBuffer>;
  text(): Promise<string>;
}>;
/** The runtime's fetch `Request`. */
export type RequestLike = HostType<"Request", {
  readonly method: string;
  readonly url: string;
  readonly headers: HeadersLike;
  readonly body: unknown;
  arrayBuffer(): Promise<ArrayBuffer>;
  text(): Promise<string>;
}>;
/** What aligate passes to `fetch` as its second argument. */
export interface FetchInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignalLike;
}
/** What aligate reads of a `fetch`'s answer (a fetch `Response` has all of it). */
export interface FetchResponse {
  readonly status: number;
  readonly headers: HeadersLike;
  /** A stream of Uint8Array chunks, read up to `maxBodyBytes`; without one, `arrayBuffer()`. */
  readonly body?: unknown;
  arrayBuffer(): Promise<ArrayBuffer>;
}
/** A `fetch`: the global one, or any function of its shape (the URL as a string). */
export type FetchLike = (url: string, init: FetchInit) => Promise<FetchResponse>;

// ── Errors ─────────────────────────────────────────────────────────────────
export interface Issue {
  /** Wire path, e.g. `official_funds_record_request.payments[0].sub_orders[1].pay_type`. */
  path: string;
  message: string;
}
/** What every kind of error has. */
export interface AligateErrorBase<K extends string = ErrorKind> extends Error {
  readonly name: "AligateError";
  readonly kind: K;
  /** Whether repeating the call could succeed without duplicating an effect. */
  readonly retryable: boolean;
  /** Requests sent (0 for validation errors). */
  readonly attempts: number;
  /**
   * "not-applied" when the failure proves nothing was processed (validation, refusals, 4xx, throttling);
   * "unknown" when the request may have been applied: check before sending a write that is not repeat-safe
   * again. Absent for errors outside a call (`decodeResponse`).
   */
  readonly outcome?: "unknown" | "not-applied";
}
/** Nothing was sent: every invalid field, with its path. */
export interface AligateValidationError extends AligateErrorBase<"validation"> {
  readonly issues: Issue[];
}
/** The gateway's error answer (TOP `error_response`; Aliyun `Code`, or a 200 that is not the API's success). */
export interface AligateApiError extends AligateErrorBase<"api"> {
  readonly status: number;
  /** TOP `code` / Aliyun `Code`. */
  readonly code?: string;
  /** TOP `msg` / Aliyun `Message` (both names carry the gateway's text). */
  readonly msg?: string;
  readonly apiMessage?: string;
  readonly subCode?: string;
  readonly subMsg?: string;
  readonly requestId?: string;
  readonly hostId?: string;
  readonly recommend?: string;
}
/** A non-2xx answer without a gateway error body. */
export interface AligateHttpError extends AligateErrorBase<"http"> {
  readonly status: number;
}
/** A malformed, truncated, oversized or wrongly-typed body, or one that proves no outcome. */
export interface AligateDecodeError extends AligateErrorBase<"decode"> {
  readonly status?: number;
  readonly requestId?: string;
}
/** Every kind of error: `kind` → its type. */
export interface AligateErrorKinds {
  validation: AligateValidationError;
  api: AligateApiError;
  http: AligateHttpError;
  /** The request could not be sent or its answer not received. */
  network: AligateErrorBase<"network">;
  timeout: AligateErrorBase<"timeout">;
  /** The caller's signal aborted the call. */
  aborted: AligateErrorBase<"aborted">;
  decode: AligateDecodeError;
  /** A bug (a panic inside wasm): please report it. */
  internal: AligateErrorBase<"internal">;
  /** The credentials provider threw, returned something that is not credentials, or a credentials source failed. */
  credentials: AligateErrorBase<"credentials"> & {
    /** The source that failed or had nothing (a credentials source's own error). */
    source?: string;
    /** False: the source (or the whole chain) found nothing to use. */
    found?: boolean;
    /** A chain that found nothing: each source and why it was skipped. */
    sources?: { source: string; reason: string }[];
  };
}
export type ErrorKind = keyof AligateErrorKinds;
/**
 * The one error type, a union discriminated by `kind`: `e.kind === "validation"` narrows `e` to
 * `AligateValidationError`, which has `issues`. `AligateError<"api">` is one kind's type.
 */
export type AligateError<K extends ErrorKind = ErrorKind> = AligateErrorKinds[K];
export interface AligateErrorConstructor {
  new <K extends ErrorKind>(message: string, fields: Omit<AligateErrorKinds[K], keyof Error>): AligateErrorKinds[K];
  readonly prototype: AligateError;
}
/** `e instanceof AligateError` narrows to the union. */
export declare const AligateError: AligateErrorConstructor;

// ── Clients ────────────────────────────────────────────────────────────────
export interface HttpOptions {
  /** A fetch to use instead of the global one. */
  fetch?: FetchLike;
  /** Per attempt, default 15000. */
  timeoutMs?: number;
  /** Extra attempts for retryable failures, default 2; 0 disables. */
  retries?: number;
  /** Response bodies larger than this are a decode error, default 4 MiB. */
  maxBodyBytes?: number;
  /** Longest TOP code-7 ban worth waiting out, default 5000. */
  maxBanWaitMs?: number;
  /** First backoff step (exponential, full jitter), default 200. */
  retryBaseDelayMs?: number;
}
export interface TopClientOptions extends HttpOptions {
  appKey: string;
  appSecret: string;
  /** Default "md5". */
  signMethod?: "md5" | "hmac" | "hmac-sha256";
  /** Default https://gw.api.taobao.com/router/rest */
  endpoint?: string;
  session?: string;
  format?: "json" | "xml";
  simplify?: boolean;
}
export interface AliyunCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  /** When these stop being valid (Date, ISO string or Unix ms); cached until then. */
  expiration?: Date | string | number;
}
export interface LinkedMallClientOptions extends HttpOptions {
  /** Else ALIBABA_CLOUD_ACCESS_KEY_ID from `env` or the runtime's environment. */
  accessKeyId?: string;
  /** Else ALIBABA_CLOUD_ACCESS_KEY_SECRET. */
  accessKeySecret?: string;
  /** Else ALIBABA_CLOUD_SECURITY_TOKEN. */
  securityToken?: string;
  /**
   * An async provider (e.g. rotating STS), cached until 10 s before `expiration`. Without any credentials (options
   * or ALIBABA_CLOUD_ACCESS_KEY_* in `env`), `defaultCredentials({ env, fetch })`.
   */
  credentials?: () => Promise<AliyunCredentials> | AliyunCredentials;
  /** Where to read ALIBABA_CLOUD_* (a Worker's bindings); default the runtime's environment. */
  env?: Record<string, unknown>;
  /** "v1" (HMAC-SHA1, default) or "v3" (ACS3-HMAC-SHA256 in headers). */
  signatureVersion?: "v1" | "v3";
  /** Default https://linkedmall.aliyuncs.com/ */
  endpoint?: string;
  /** Default "POST" (form body); "GET" puts everything in the query. */
  httpMethod?: "POST" | "GET";
  format?: "json" | "xml";
  /** Version for actions aligate does not model (modelled ones use their own). */
  version?: string;
}
export interface PreparedRequest {
  method: "POST" | "GET";
  url: string;
  headers: Record<string, string>;
  body?: string;
}
export interface CallOptions {
  signal?: AbortSignalLike;
  timeoutMs?: number;
  retries?: number;
}
export interface TopCallOptions extends CallOptions {
  /** The user's session for this call. */
  session?: string;
}
export type LinkedMallCallOptions = CallOptions;
export interface PrepareOptions {
  /** Default now. */
  timestamp?: string | Date | number;
  /** Mask the session and STS token (for showing the request). */
  redact?: boolean;
}
export interface TopPrepareOptions extends PrepareOptions {
  session?: string;
}
export interface LinkedMallPrepareOptions extends PrepareOptions {
  nonce?: string;
}

/** One call of a TOP batch: a builder, or a modelled API with its params, or `unmodelled(name)`; `session`: its own. */
export type TopBatchCall =
  | TopBuilder
  | { [K in keyof TopApis]: { api: K; params: TopApis[K]["params"] | JsonText; session?: string } }[keyof TopApis]
  | { api: Unmodelled; params?: Params; session?: string };
/** Each call's outcome in a batch, in request order: its result, or its own `AligateError`. */
export type BatchOutcome<R = unknown> = { ok: true; result: R } | { ok: false; error: AligateError };
export interface TopBatchOptions extends TopCallOptions {
  /** Calls per request (1–1000, default 20); larger input is sent in several requests. */
  batchSize?: number;
  /** Printable ASCII (sent in the `top-api-separator` header); default "\r\n-S-\r\n". */
  separator?: string;
}
export interface TopPrepareBatchOptions {
  /** Default now. */
  timestamp?: string | Date | number;
  /** Shared by every call (in the query); a call's own session goes in its part. */
  session?: string;
  separator?: string;
}

/** A builder: typed setters (they return the builder: chain them), then pass it where `(api, params)` goes. */
export interface Builder<K extends ApiName = ApiName> {
  readonly api: K;
  /** Throws AligateError (kind "validation") listing every issue. */
  validate(): void;
  /** The parameters set so far (wire names). */
  toJSON(): Record<string, unknown>;
  free(): void;
}

/**
 * The TOP router. A modelled API by name (`execute("aliyun.gsc.funds.flow.notify", params)`), by builder, or by
 * shortcut (`fundsFlowNotify(params)`); any other method through `unmodelled(name)`.
 */
export declare class TopClient {
  constructor(options: TopClientOptions);
  // Builders and unmodelled names first: when no overload matches, tsc explains the last one's error.
  prepare(builder: TopBuilder, options?: TopPrepareOptions): PreparedRequest;
  prepare(api: Unmodelled, params?: Params, options?: TopPrepareOptions): PreparedRequest;
  prepare<K extends keyof TopApis>(api: K, params: TopApis[K]["params"] | JsonText, options?: TopPrepareOptions): PreparedRequest;
  execute<B extends TopBuilder>(builder: B, options?: TopCallOptions): Promise<TopApis[B["api"]]["result"]>;
  execute(api: Unmodelled, params?: Params, options?: TopCallOptions): Promise<Result>;
  execute<K extends keyof TopApis>(api: K, params: TopApis[K]["params"] | JsonText, options?: TopCallOptions): Promise<TopApis[K]["result"]>;
  /**
   * The TOP batch API (`/router/batch`): every call validated first (one invalid call rejects the whole batch,
   * each issue's path prefixed by its index, `[3].param0.order_status`), then sent `batchSize` at a time. Resolves
   * to each call's outcome in request order; a call that may have been applied is resent only when repeat-safe.
   */
  batch(calls: readonly TopBatchCall[], options?: TopBatchOptions): Promise<BatchOutcome[]>;
  /** One signed batch request of every call, for any HTTP client (POST, text/plain body). */
  prepareBatch(calls: readonly TopBatchCall[], options?: TopPrepareBatchOptions): PreparedRequest;
  /** Configuration without credentials. */
  toJSON(): Record<string, unknown>;
  toString(): string;
  free(): void;
}
export interface TopClient extends TopClientShortcuts {}

/**
 * LinkedMall (Aliyun RPC). A modelled action by name, by builder, or by shortcut; any other action through
 * `unmodelled(name)`.
 */
export declare class LinkedMallClient {
  constructor(options: LinkedMallClientOptions);
  // Builders and unmodelled names first: when no overload matches, tsc explains the last one's error.
  prepare(builder: LinkedMallBuilder, options?: LinkedMallPrepareOptions): PreparedRequest;
  prepare(api: Unmodelled, params?: Params, options?: LinkedMallPrepareOptions): PreparedRequest;
  prepare<K extends keyof LinkedMallApis>(api: K, params: LinkedMallApis[K]["params"] | JsonText, options?: LinkedMallPrepareOptions): PreparedRequest;
  execute<B extends LinkedMallBuilder>(builder: B, options?: LinkedMallCallOptions): Promise<LinkedMallApis[B["api"]]["result"]>;
  execute(api: Unmodelled, params?: Params, options?: LinkedMallCallOptions): Promise<Result>;
  execute<K extends keyof LinkedMallApis>(api: K, params: LinkedMallApis[K]["params"] | JsonText, options?: LinkedMallCallOptions): Promise<LinkedMallApis[K]["result"]>;
  /** Calls the credentials provider if its cached credentials expired (so prepare() can sign). */
  refreshCredentials(): Promise<void>;
  /** Configuration without credentials. */
  toJSON(): Record<string, unknown>;
  toString(): string;
  free(): void;
}
export interface LinkedMallClient extends LinkedMallClientShortcuts {}

// ── Functions ──────────────────────────────────────────────────────────────
/** The door for an API aligate does not model: returns `name` unchanged, typed so `execute` accepts it. */
export declare function unmodelled(name: string): Unmodelled;
/** Resolves once the module is ready: a no-op where it loads synchronously (Node, Deno, Bun, workerd). */
export declare function init(
  input?: string | HostType<"URL", never> | RequestLike | ResponseLike | ArrayBuffer | ArrayBufferView | WasmModule,
): Promise<void>;
/** TOP sign (upper-case hex) over all parameters but `sign`. */
export declare function signTop(params: Record<string, string>, secret: string, signMethod: "md5" | "hmac" | "hmac-sha256"): string;
/** Aliyun RPC v1 signature (base64) over all parameters but `Signature`. */
export declare function signAliyunRpc(params: Record<string, string>, secret: string, httpMethod: "GET" | "POST"): string;
/** TOP timestamp (GMT+8) for a Unix time in ms. */
export declare function topTimestamp(unixMs: number): string;
/** Validation issues of `params` for `api` (`[]` when valid); never throws for bad params (they are the input). */
export declare function validateParams(api: ApiName | Unmodelled, params: unknown): Issue[];
/** Validation of wire parameters (string values, objects as JSON text), for gateway emulators. */
export declare function validateWire(api: ApiName | Unmodelled, params: Record<string, string>): Issue[];
/** The APIs aligate validates (others are signed as given). */
export declare function modelledApis(): ApiName[];
/** "top", "aliyun-rpc", or null for a name of neither shape: the protocol every layer routes a name by. */
export declare function protocolOf(api: string): "top" | "aliyun-rpc" | null;
/** Decodes a response body the way the clients do; throws AligateError. */
export declare function decodeResponse(
  api: ApiName | Unmodelled,
  status: number,
  contentType: string,
  body: Uint8Array,
  options?: { format?: "json" | "xml"; simplify?: boolean },
): unknown;

// ── Aliyun credentials (README "Aliyun credentials") ──
/** A credentials provider: fetches on every call; a LinkedMallClient caches its answer until 10 s before `expiration`. */
export type CredentialsProvider = () => Promise<AliyunCredentials>;
export interface CredentialsSourceOptions {
  /** Where to read ALIBABA_CLOUD_* (and HOME); default the runtime's environment. */
  env?: Record<string, unknown>;
  fetch?: FetchLike;
  /** Per STS / credentials URI request; default 10000 (STS), 5000 (URI). */
  timeoutMs?: number;
}
export interface StsOptions extends CredentialsSourceOptions {
  /** URL (https://sts.aliyuncs.com/) or host; default sts[.<stsRegion>].aliyuncs.com. */
  stsEndpoint?: string;
  /** Else ALIBABA_CLOUD_STS_REGION. */
  stsRegion?: string;
  /** sts-vpc.<region>.aliyuncs.com (else ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true). */
  enableVpc?: boolean;
}
export interface RoleOptions {
  roleArn?: string;
  /** Default aligate-<ms>. */
  roleSessionName?: string;
  /** 900…43200; default 3600. */
  durationSeconds?: number;
  policy?: string;
}
export interface AssumeRoleOptions extends StsOptions, RoleOptions {
  roleArn: string;
  /** The RAM user's keys, or a provider of them. */
  credentials: { accessKeyId: string; accessKeySecret: string; securityToken?: string } | CredentialsProvider;
  externalId?: string;
  /** Names the source in errors. */
  source?: string;
}
export interface AssumeRoleWithOIDCOptions extends StsOptions, RoleOptions {
  roleArn: string;
  oidcProviderArn: string;
  /** The token, or a function reading it afresh (it rotates). */
  oidcToken: string | (() => string | Promise<string>);
  source?: string;
}
export interface NodeFileOptions extends StsOptions {
  /** Default HOME from `env`, else the user's home. */
  home?: string;
  /** Else ALIBABA_CLOUD_PROFILE, else config.json's `current` / the ini's `default`. */
  profile?: string;
  /** Default http://100.100.100.200. */
  metadataUrl?: string;
  /** Default 1000. */
  metadataTimeoutMs?: number;
  /** false: IMDSv2 only (else ALIBABA_CLOUD_IMDSV1_DISABLED=true). */
  imdsv1?: boolean;
}
export interface DefaultCredentialsOptions extends NodeFileOptions, RoleOptions {
  /** Else ALIBABA_CLOUD_CREDENTIALS_URI. */
  credentialsUri?: string;
  /** With `roleArn`: what the chain found assumes that role (AssumeRole). */
  externalId?: string;
  /** false: skip the ECS metadata service (else ALIBABA_CLOUD_ECS_METADATA_DISABLED=true). Node. */
  metadata?: boolean;
}
/**
 * environment → OIDC role → ~/.aliyun/config.json → ~/.alibabacloud/credentials → ECS metadata → credentials URI
 * (Node); environment → credentials URI elsewhere. A source with nothing is skipped; a configured one that fails ends it.
 */
export declare function defaultCredentials(options?: DefaultCredentialsOptions): CredentialsProvider;
/** ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET, ALIBABA_CLOUD_SECURITY_TOKEN. */
export declare function fromEnv(options?: { env?: Record<string, unknown> }): CredentialsProvider;
/** GET ALIBABA_CLOUD_CREDENTIALS_URI (or `uri`). */
export declare function fromCredentialsUri(options?: CredentialsSourceOptions & { uri?: string }): CredentialsProvider;
/** STS AssumeRole, signed by aligate's RPC v1 signer. */
export declare function assumeRole(options: AssumeRoleOptions): CredentialsProvider;
/** STS AssumeRoleWithOIDC (no AccessKey signature). */
export declare function assumeRoleWithOIDC(options: AssumeRoleWithOIDCOptions): CredentialsProvider;
/** The first provider with credentials; `found: false` errors are skipped and listed. */
export declare function chainCredentials(providers: CredentialsProvider[]): CredentialsProvider;
/** Node only: ALIBABA_CLOUD_ROLE_ARN + ALIBABA_CLOUD_OIDC_PROVIDER_ARN + ALIBABA_CLOUD_OIDC_TOKEN_FILE (RRSA). */
export declare const fromOidcRole: undefined | ((options?: StsOptions & RoleOptions & { oidcProviderArn?: string; oidcTokenFile?: string }) => CredentialsProvider);
/** Node only: a profile of ~/.aliyun/config.json (AK, StsToken, RamRoleArn, EcsRamRole, OIDC, ChainableRamRoleArn). */
export declare const fromCliProfile: undefined | ((options?: NodeFileOptions) => CredentialsProvider);
/** Node only: ~/.alibabacloud/credentials (ALIBABA_CLOUD_CREDENTIALS_FILE). */
export declare const fromProfileFile: undefined | ((options?: NodeFileOptions) => CredentialsProvider);
/** Node only: the instance's RAM role from ECS metadata (IMDSv2, then v1 unless disabled). */
export declare const fromEcsMetadata: undefined | ((options?: { env?: Record<string, unknown>; fetch?: FetchLike; metadataUrl?: string;
  metadataTimeoutMs?: number; imdsv1?: boolean; roleName?: string; disabled?: boolean }) => CredentialsProvider);
