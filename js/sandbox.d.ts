export declare const TEST_CREDENTIALS: Readonly<{
  appKey: string; appSecret: string; session: string; accessKeyId: string; accessKeySecret: string;
}>;
export declare const FAULTS: readonly ("503" | "429" | "isp" | "code7" | "throttling" | "slow" | "reset" | "malformed" | "signature")[];
/**
 * `api`: one of the modelled APIs (others never reach the fault queue); `count` 1…limits.faultCount; `ms` 0…limits.faultMs; `seconds` digits (huge bans allowed).
 * Without `item` or `batch` a fault hits the next matching request, a POST /router/batch as a whole included (`api`: any of its calls).
 * `item: k` (0…limits.batchParts − 1; `isp`, `code7`, `throttling` or `malformed`) hits call k of the next matching batch only, `count` batches;
 * `batch: true` hits whole batches only (every fault but `slow` answers before any call is processed).
 */
export interface Fault {
  fault: (typeof FAULTS)[number]; count?: number; api?: string; ms?: number; seconds?: number | string; item?: number; batch?: boolean;
}
/** Bounds on what one request (or the stores across requests) may cost; positive integers. */
export interface SandboxLimits {
  /** Request target (path + query) bytes; over → 414. Default 8192. */ urlBytes: number;
  /** Body bytes; over (declared or read) → 413 before parsing or hashing. Default 1 MiB. */ bodyBytes: number;
  /** name=value pairs, query and body together; over → 413. Default 256. */ params: number;
  /** Decoded name + value characters, query and body together; over → 413. Default 1 MiB. */ paramBytes: number;
  /** Longest SignatureNonce (InvalidParameter above). Default 128. */ nonceChars: number;
  /** Nonces remembered (oldest evicted first; each for 30 min at most). Default 100000. */ nonces: number;
  /** Queued fault entries. Default 100. */ faults: number;
  /** Largest count of one fault entry. Default 1000000. */ faultCount: number;
  /** Longest `slow` delay in ms. Default 60000. */ faultMs: number;
  /** Body bytes of POST /__sandbox/faults. Default 64 KiB. */ controlBytes: number;
  /** Open connections (server.maxConnections). Default 512. */ connections: number;
  /** Calls in one POST /router/batch; over → the batch is refused as a whole. Default 50. */ batchParts: number;
}
export declare const LIMITS: Readonly<SandboxLimits>;
export interface SandboxOptions {
  port?: number; host?: string; appKey?: string; appSecret?: string; session?: string;
  accessKeyId?: string; accessKeySecret?: string; securityToken?: string; faults?: Fault[];
  limits?: Partial<SandboxLimits>;
  log?: ((line: string) => void) | false;
}
export interface Sandbox {
  url: string; port: number; topEndpoint: string; linkedmallEndpoint: string;
  credentials: { appKey: string; appSecret: string; session: string; accessKeyId: string; accessKeySecret: string; securityToken?: string };
  /**
   * `byApi`: authenticated requests per modelled API (a batch's processed calls each count), and `other` for everything else.
   * `batch`: POST /router/batch requests past the signature, and their calls (ok / rejected / item faults).
   */
  stats: { requests: number; ok: number; rejected: number; faults: number; byApi: Record<string, number>;
    batch: { requests: number; items: number; ok: number; rejected: number; faults: number } };
  limits: Readonly<SandboxLimits>;
  /** Throws on an invalid fault or a full queue. */
  inject(fault: Fault): void;
  clearFaults(): void;
  /** Sizes of the per-request stores and the number of signatures computed (for tests of the bounds). */
  introspect(): { byApi: number; nonces: number; faults: number; timers: number; sockets: number; signatures: number };
  close(): Promise<void>;
}
export declare function startSandbox(options?: SandboxOptions): Promise<Sandbox>;
