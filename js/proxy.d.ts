import type { TopClient, TopClientOptions, LinkedMallClient, LinkedMallClientOptions, RequestLike, ResponseLike } from "./index.js";
export interface SigningProxyOptions {
  /** Bearer token clients must send (at least 16 characters). */
  token: string;
  /**
   * API names clients may call; each a TOP method (sent by `top`) or an Aliyun action (sent by `linkedmall`),
   * as `protocolOf` answers. A name of neither shape throws.
   */
  allow: string[];
  /**
   * Options (recommended) or a client instance. The proxy checks every answer for the secrets it knows and
   * withholds one that quotes them (a gateway may echo the session or STS token). An instance keeps its secrets
   * inside wasm, so the proxy cannot check its results: with an instance, successful results are withheld
   * (500; errors and dry runs still answer). Pass options to get results; a `credentials` provider given in
   * options is watched, so its answers' secrets are known too.
   */
  top?: TopClientOptions | TopClient;
  /** As `top`. */
  linkedmall?: LinkedMallClientOptions | LinkedMallClient;
  /** Origins allowed by CORS (default none). */
  origins?: string[];
  /** Request body cap, default 256 KiB. */
  maxBodyBytes?: number;
  /**
   * Per client, default 60 per 60 000 ms. At most `maxClients` (default 10 000) clients have their own
   * window; while that many are live, newcomers share one window of `requests`.
   */
  rateLimit?: { requests?: number; perMs?: number; maxClients?: number };
  /**
   * Wrong or missing tokens per client before 429 (then even the right token waits), default 10 per 600 000 ms.
   * Not applied to the key shared by all clients when none can be told apart (no socket address,
   * trustedClientHeader or clientKey): there it would let anyone lock out the token holder.
   */
  authFailures?: { requests?: number; perMs?: number };
  /**
   * A header the deployment's own front end sets to the client's address, e.g. "cf-connecting-ip" behind
   * Cloudflare (a Worker has no socket address). For a comma-separated list (x-forwarded-for) its last entry
   * counts: the one the trusted front end appended. Default none: the socket address toNodeHandler saw,
   * else one key shared by all. Name a header only if the front end always overwrites it.
   */
  trustedClientHeader?: string;
  /** Identifies a client; overrides trustedClientHeader and the socket address. */
  clientKey?: (request: RequestLike) => string;
}
/** `(Request) => Promise<Response>`: POST { api, params, dryRun? } with `Authorization: Bearer <token>`. */
export declare function createSigningProxy(options: SigningProxyOptions): (request: RequestLike) => Promise<ResponseLike>;
/**
 * Adapter for node:http. Streams the body to the handler (at most `maxBodyBytes`, default 1 MiB) and the
 * response back; malformed requests get a JSON 400/405/413; it never throws or rejects.
 */
export declare function toNodeHandler(handler: (request: RequestLike) => Promise<ResponseLike>, options?: { maxBodyBytes?: number }): (req: unknown, res: unknown) => void;
/** The peer address toNodeHandler saw for a Request it built (undefined for any other Request). */
export declare function clientAddress(request: RequestLike): string | undefined;
