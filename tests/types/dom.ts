// With the DOM lib: the host's fetch, AbortSignal, URL, Request and Response fit where aligate expects them.
import { TopClient, init } from "aligate";
import { createSigningProxy, clientAddress } from "aligate/proxy";

const top = new TopClient({ appKey: "k", appSecret: "s", fetch });
await init(new URL("https://example.invalid/aligate_bg.wasm"));
await init(await fetch("/aligate_bg.wasm"));
await top.lianbeiOrderNotice({ biz_order_id: 1n }, { signal: AbortSignal.timeout(1000) });
const handler: (request: Request) => Promise<Response> = createSigningProxy({ token: "x".repeat(16), allow: [], clientKey: (r) => r.headers.get("cf-connecting-ip") ?? "" });
export default { fetch: handler };
export const peer: string | undefined = clientAddress(new Request("https://example.invalid/"));
