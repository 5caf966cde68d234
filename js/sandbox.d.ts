export declare const TEST_CREDENTIALS: Readonly<{
  appKey: string; appSecret: string; session: string; accessKeyId: string; accessKeySecret: string;
}>;
export declare const FAULTS: readonly ("503" | "429" | "isp" | "code7" | "throttling" | "slow" | "reset" | "malformed")[];
/** `api`: one of the modelled APIs (others never reach the fault queue); `count` 1…limits.faultCount; `ms` 0…limits.faultMs; `seconds` digits (huge bans allowed). */
export interface Fault { fault: (typeof FAULTS)[number]; count?: number; api?: string; ms?: number; seconds?: number | string }
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
  /** `byApi`: authenticated requests per modelled API, and `other` for everything else. */
  stats: { requests: number; ok: number; rejected: number; faults: number; byApi: Record<string, number> };
  limits: Readonly<SandboxLimits>;
  /** Throws on an invalid fault or a full queue. */
  inject(fault: Fault): void;
  clearFaults(): void;
  /** Sizes of the per-request stores and the number of signatures computed (for tests of the bounds). */
  introspect(): { byApi: number; nonces: number; faults: number; timers: number; sockets: number; signatures: number };
  close(): Promise<void>;
}
export declare function startSandbox(options?: SandboxOptions): Promise<Sandbox>;
