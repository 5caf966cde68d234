// Types for every entry point of the aligate package (node, browser, workerd, deno).

/** A 64-bit integer: a safe-integer number, a bigint, or a decimal string. */
export type Int64 = number | bigint | string;
/** `yyyy-MM-dd HH:mm:ss` (GMT+8 wall time), or a Date / ISO UTC string (converted to GMT+8). */
export type DateTime = string | Date;

// ── alibaba.retail.commission.status.change ────────────────────────────────
export interface UniverseOrderVo {
  /** 订单支付时间 */ order_pay_time?: DateTime;
  /** 订单幂等去重键; makes the call safe to retry */ outer_order_id?: string;
  /** 0 支付 (default), 1 发货, 2 确认收货 */ order_status: 0 | 1 | 2 | Int64;
  /** 订单发货时间 */ order_goods_time?: DateTime;
  /** 订单确认收货时间 */ order_end_time?: DateTime;
  /** 子订单id */ biz_order_id?: string | Int64;
  /** 订单id */ order_id: string | Int64;
}
export interface CommissionStatusChangeParams {
  param0?: UniverseOrderVo;
}
export interface CommissionStatusChangeResult {
  message?: string;
  data?: boolean;
  s_code?: string;
  s_success?: boolean;
  request_id?: string;
}

// ── alibaba.alisports.lianbei.order.notice ─────────────────────────────────
export interface LianbeiOrderNoticeParams {
  /** 订单id */ biz_order_id: Int64;
}
/** Integers beyond Number.MAX_SAFE_INTEGER arrive as decimal strings. */
export type ResponseInt = number | string;
export interface OrderNoticeDto {
  biz_order_id?: string; gmt_create?: string; pay_time?: string; end_time?: string; buyer_nick?: string;
  auction_id?: ResponseInt; auction_title?: string; auction_pic_url?: string; auction_price?: ResponseInt;
  buy_amount?: ResponseInt; discount_fee?: ResponseInt; tf?: ResponseInt; mobile?: string; source?: string;
  sku_id?: ResponseInt; sku?: string; nego_price?: ResponseInt; status?: ResponseInt; guider_id?: string;
  guider_name?: string; operator_id?: string; operator_name?: string; out_id?: string;
}
export interface LianbeiOrderNoticeResult {
  result?: { alisp_code?: ResponseInt; alisp_data?: OrderNoticeDto; alisp_msg?: string };
  request_id?: string;
}

// ── aliyun.gsc.funds.flow.notify ───────────────────────────────────────────
export interface SubOrderFinanceDTO {
  sub_biz_order_id: string; auction_id: string; auction_title: string; out_item_id: string;
  out_item_name?: string; out_sku_id?: string; out_sku_name?: string;
  price: Int64; freight: Int64; amount: Int64;
  amount_type: "member_point" | "currency"; pay_type: "alipay" | "weixin"; currency_type: "yuan";
  qty: Int64; point_grant: Int64;
  return_amount?: Int64; return_amount_type?: "member_point" | "currency"; return_currency_type?: "fen";
  /** 唯一键: dedupes the sub-order, so the call is safe to retry */ uid: string;
  return_point_grant: Int64;
}
export interface MainOrderFinanceDTO {
  main_biz_order_id: string; create_date: DateTime; biz_date: DateTime; seller_id: string;
  sale_type: "sell" | "proxy"; sub_orders: SubOrderFinanceDTO[];
}
/** In `confirms` and `refunds` every field is optional (the page lists them so). */
export type OptionalMainOrderFinanceDTO = Partial<Omit<MainOrderFinanceDTO, "sub_orders">> & {
  sub_orders?: Partial<SubOrderFinanceDTO>[];
};
export interface OfficialFundsRecordRequest {
  payments: MainOrderFinanceDTO[];
  confirms?: OptionalMainOrderFinanceDTO[];
  refunds?: OptionalMainOrderFinanceDTO[];
}
export interface FundsFlowNotifyParams {
  official_funds_record_request: OfficialFundsRecordRequest;
}
export interface FundsFlowNotifyResult {
  result?: { code?: string; message?: string };
  request_id?: string;
}

// ── LinkedMall ConfirmDisburse ─────────────────────────────────────────────
export interface ConfirmDisburseParams {
  BizId: string;
  BizUid: string;
  LmOrderId: string | Int64;
  /** Sent as `UseAnonymousTbAccount` (the official SDKs' spelling). */
  UseAnonymousTbAccount?: boolean;
  /** The reference page's spelling; accepted and sent as `UseAnonymousTbAccount`. */
  UseAnonymouslyTbAccount?: boolean;
  ThirdPartyUserId?: string;
  AccountType?: string;
}
export interface ConfirmDisburseResult {
  Code: "SUCCESS";
  Message?: string;
  RequestId: string;
}

export interface TopApis {
  "alibaba.retail.commission.status.change": [CommissionStatusChangeParams, CommissionStatusChangeResult];
  "alibaba.alisports.lianbei.order.notice": [LianbeiOrderNoticeParams, LianbeiOrderNoticeResult];
  "aliyun.gsc.funds.flow.notify": [FundsFlowNotifyParams, FundsFlowNotifyResult];
}
export interface LinkedMallApis {
  ConfirmDisburse: [ConfirmDisburseParams, ConfirmDisburseResult];
}

// ── Errors ─────────────────────────────────────────────────────────────────
export type ErrorKind = "validation" | "api" | "http" | "network" | "timeout" | "aborted" | "decode" | "internal";
export interface Issue {
  /** Wire path, e.g. `official_funds_record_request.payments[0].sub_orders[1].pay_type`. */
  path: string;
  message: string;
}
export class AligateError extends Error {
  readonly name: "AligateError";
  readonly kind: ErrorKind;
  /** Whether repeating the call could succeed without duplicating an effect. */
  readonly retryable: boolean;
  /** Requests sent (0 for validation errors). */
  readonly attempts: number;
  /**
   * Errors of a call and validation errors: "not-applied" when the failure proves nothing was processed,
   * "unknown" when the request may have been applied (check before sending a write that is not repeat-safe again).
   */
  readonly outcome?: "unknown" | "not-applied";
  readonly issues?: Issue[];
  readonly status?: number;
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

// ── Clients ────────────────────────────────────────────────────────────────
export interface HttpOptions {
  /** A fetch to use instead of the global one. */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
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
  /** An async provider (e.g. rotating STS), called per request and cached until `expiration`. */
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
  /** Version for actions aligate does not model (ConfirmDisburse always uses 2018-01-16). */
  version?: string;
}
export interface PreparedRequest {
  method: "POST" | "GET";
  url: string;
  headers: Record<string, string>;
  body?: string;
}
export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  retries?: number;
  /** TOP only: the user's session for this call. */
  session?: string;
}
/** Parameters as an object, or as exact JSON text (big integers survive). */
type Params<P> = P | string;
interface Builder<A extends string, P> {
  readonly api: A;
  validate(): void;
  toJSON(): P;
}

export class TopClient {
  constructor(options: TopClientOptions);
  prepare<A extends keyof TopApis>(api: A, params: Params<TopApis[A][0]>, options?: { timestamp?: string | Date | number; session?: string; redact?: boolean }): PreparedRequest;
  prepare(api: string, params?: Params<Record<string, unknown>>, options?: { timestamp?: string | Date | number; session?: string; redact?: boolean }): PreparedRequest;
  prepare<A extends keyof TopApis>(builder: Builder<A, TopApis[A][0]>, options?: { timestamp?: string | Date | number; session?: string; redact?: boolean }): PreparedRequest;
  execute<A extends keyof TopApis>(api: A, params: Params<TopApis[A][0]>, options?: CallOptions): Promise<TopApis[A][1]>;
  execute(api: string, params?: Params<Record<string, unknown>>, options?: CallOptions): Promise<Record<string, unknown>>;
  execute<A extends keyof TopApis>(builder: Builder<A, TopApis[A][0]>, options?: CallOptions): Promise<TopApis[A][1]>;
  commissionStatusChange(params: Params<CommissionStatusChangeParams>, options?: CallOptions): Promise<CommissionStatusChangeResult>;
  lianbeiOrderNotice(params: Params<LianbeiOrderNoticeParams>, options?: CallOptions): Promise<LianbeiOrderNoticeResult>;
  fundsFlowNotify(params: Params<FundsFlowNotifyParams>, options?: CallOptions): Promise<FundsFlowNotifyResult>;
  /** Configuration without credentials. */
  toJSON(): Record<string, unknown>;
  free(): void;
}

export class LinkedMallClient {
  constructor(options: LinkedMallClientOptions);
  prepare(api: "ConfirmDisburse", params: Params<ConfirmDisburseParams>, options?: { timestamp?: string | Date | number; nonce?: string; redact?: boolean }): PreparedRequest;
  prepare(api: string, params?: Params<Record<string, unknown>>, options?: { timestamp?: string | Date | number; nonce?: string; redact?: boolean }): PreparedRequest;
  prepare(builder: ConfirmDisburseRequest, options?: { timestamp?: string | Date | number; nonce?: string; redact?: boolean }): PreparedRequest;
  execute(api: "ConfirmDisburse", params: Params<ConfirmDisburseParams>, options?: CallOptions): Promise<ConfirmDisburseResult>;
  execute(api: string, params?: Params<Record<string, unknown>>, options?: CallOptions): Promise<Record<string, unknown>>;
  execute(builder: ConfirmDisburseRequest, options?: CallOptions): Promise<ConfirmDisburseResult>;
  confirmDisburse(params: Params<ConfirmDisburseParams>, options?: CallOptions): Promise<ConfirmDisburseResult>;
  /** Calls the credentials provider if its cached credentials expired (so prepare() can sign). */
  refreshCredentials(): Promise<void>;
  toJSON(): Record<string, unknown>;
  free(): void;
}

// ── Builders: setters return the builder (chain them) ──────────────────────
export class CommissionStatusChangeRequest implements Builder<"alibaba.retail.commission.status.change", CommissionStatusChangeParams> {
  readonly api: "alibaba.retail.commission.status.change";
  param0(v: UniverseOrderVo): this;
  orderPayTime(v: DateTime): this; outerOrderId(v: string): this; orderStatus(v: 0 | 1 | 2 | Int64): this;
  orderGoodsTime(v: DateTime): this; orderEndTime(v: DateTime): this; bizOrderId(v: string | Int64): this; orderId(v: string | Int64): this;
  validate(): void;
  toJSON(): CommissionStatusChangeParams;
  free(): void;
}
export class LianbeiOrderNoticeRequest implements Builder<"alibaba.alisports.lianbei.order.notice", LianbeiOrderNoticeParams> {
  readonly api: "alibaba.alisports.lianbei.order.notice";
  bizOrderId(v: Int64): this;
  validate(): void;
  toJSON(): LianbeiOrderNoticeParams;
  free(): void;
}
export class FundsFlowNotifyRequest implements Builder<"aliyun.gsc.funds.flow.notify", FundsFlowNotifyParams> {
  readonly api: "aliyun.gsc.funds.flow.notify";
  payments(v: MainOrderFinanceDTO[]): this; confirms(v: OptionalMainOrderFinanceDTO[]): this; refunds(v: OptionalMainOrderFinanceDTO[]): this;
  addPayment(v: MainOrderFinanceDTO): this; addConfirm(v: OptionalMainOrderFinanceDTO): this; addRefund(v: OptionalMainOrderFinanceDTO): this;
  validate(): void;
  toJSON(): FundsFlowNotifyParams;
  free(): void;
}
export class ConfirmDisburseRequest implements Builder<"ConfirmDisburse", ConfirmDisburseParams> {
  readonly api: "ConfirmDisburse";
  bizId(v: string): this; bizUid(v: string): this; lmOrderId(v: string | Int64): this;
  useAnonymousTbAccount(v: boolean): this; thirdPartyUserId(v: string): this; accountType(v: string): this;
  validate(): void;
  toJSON(): ConfirmDisburseParams;
  free(): void;
}

// ── Functions ──────────────────────────────────────────────────────────────
/** Resolves once the module is ready: a no-op where it loads synchronously (Node, Deno, Bun, workerd). */
export function init(input?: string | URL | Request | Response | BufferSource | WebAssembly.Module): Promise<void>;
/** TOP sign (upper-case hex) over all parameters but `sign`. */
export function signTop(params: Record<string, string>, secret: string, signMethod: "md5" | "hmac" | "hmac-sha256"): string;
/** Aliyun RPC v1 signature (base64) over all parameters but `Signature`. */
export function signAliyunRpc(params: Record<string, string>, secret: string, httpMethod: "GET" | "POST"): string;
/** TOP timestamp (GMT+8) for a Unix time in ms. */
export function topTimestamp(unixMs: number): string;
/** Validation issues of `params` for `api` (`[]` when valid); never throws for bad params. */
export function validateParams(api: string, params: unknown): Issue[];
/** Validation of wire parameters (string values, objects as JSON text), for gateway emulators. */
export function validateWire(api: string, params: Record<string, string>): Issue[];
/** The APIs aligate validates (others are signed as given). */
export function modelledApis(): string[];
/** "top", "aliyun-rpc", or null for a name of neither shape: the protocol every layer routes a name by. */
export function protocolOf(api: string): "top" | "aliyun-rpc" | null;
/** Decodes a response body the way the clients do; throws AligateError. */
export function decodeResponse(api: string, status: number, contentType: string, body: Uint8Array, options?: { format?: "json" | "xml"; simplify?: boolean }): unknown;
