export declare const TEST_CREDENTIALS: Readonly<{
  appKey: string; appSecret: string; session: string; accessKeyId: string; accessKeySecret: string;
}>;
export declare const FAULTS: readonly ("503" | "429" | "isp" | "code7" | "throttling" | "slow" | "reset" | "malformed")[];
export interface Fault { fault: (typeof FAULTS)[number]; count?: number; api?: string; ms?: number; seconds?: number }
export interface SandboxOptions {
  port?: number; host?: string; appKey?: string; appSecret?: string; session?: string;
  accessKeyId?: string; accessKeySecret?: string; securityToken?: string; faults?: Fault[];
  log?: ((line: string) => void) | false;
}
export interface Sandbox {
  url: string; port: number; topEndpoint: string; linkedmallEndpoint: string;
  credentials: { appKey: string; appSecret: string; session: string; accessKeyId: string; accessKeySecret: string; securityToken?: string };
  stats: { requests: number; ok: number; rejected: number; faults: number; byApi: Record<string, number> };
  inject(fault: Fault): void;
  clearFaults(): void;
  close(): Promise<void>;
}
export declare function startSandbox(options?: SandboxOptions): Promise<Sandbox>;
