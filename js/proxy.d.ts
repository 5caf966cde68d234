import type { TopClient, TopClientOptions, LinkedMallClient, LinkedMallClientOptions } from "./index.js";
export interface SigningProxyOptions {
  /** Bearer token clients must send (at least 16 characters). */
  token: string;
  /** API names clients may call. */
  allow: string[];
  top?: TopClientOptions | TopClient;
  linkedmall?: LinkedMallClientOptions | LinkedMallClient;
  /** Origins allowed by CORS (default none). */
  origins?: string[];
  /** Request body cap, default 256 KiB. */
  maxBodyBytes?: number;
  /** Per client, default 60 per 60 000 ms. */
  rateLimit?: { requests?: number; perMs?: number };
  clientKey?: (request: Request) => string;
}
/** `(Request) => Promise<Response>`: POST { api, params, dryRun? } with `Authorization: Bearer <token>`. */
export declare function createSigningProxy(options: SigningProxyOptions): (request: Request) => Promise<Response>;
/** Adapter for node:http. */
export declare function toNodeHandler(handler: (request: Request) => Promise<Response>, options?: { maxBodyBytes?: number }): (req: unknown, res: unknown) => void;
