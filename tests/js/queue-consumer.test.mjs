// The queue-consumer recipe (examples/queue-consumer/) against the sandbox with faults: where each message ends
// (ack / retry later / park) and how many times the gateway saw it. A write that is not repeat-safe and whose
// outcome is unknown must be parked after one request, never sent again.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { TopClient } from "aligate";
import { startSandbox, TEST_CREDENTIALS as C } from "aligate/sandbox";

// In the packed project (scripts/test.mjs) the example sits beside test/; in the repository, two levels up.
const dir = ["../examples/queue-consumer/", "../../examples/queue-consumer/"].map((p) => new URL(p, import.meta.url))
  .find((u) => existsSync(new URL("consumer.mjs", u)));
assert.ok(dir, "examples/queue-consumer not found beside the tests");
const { MemoryQueue, consume, disposition } = await import(new URL("consumer.mjs", dir));

const COMMISSION = "alibaba.retail.commission.status.change";
const LIANBEI = "alibaba.alisports.lianbei.order.notice";
const SESSION = "queue-session";
const UNSAFE = { id: "w", api: COMMISSION, params: { param0: { order_id: "1", order_status: 1 } } };
const DEDUPED = { id: "d", api: COMMISSION, params: { param0: { order_id: "2", order_status: 1, outer_order_id: "o-2" } } };
const READ = { id: "r", api: LIANBEI, params: { biz_order_id: "1234567890123456789" } };

let sb;
before(async () => (sb = await startSandbox({ session: SESSION, log: false })));
after(() => sb.close());

const client = (o = {}) => new TopClient({ appKey: C.appKey, appSecret: C.appSecret, session: SESSION, endpoint: sb.topEndpoint, retries: 2, retryBaseDelayMs: 5, ...o });

/** Runs one message through the consumer with `faults` queued; its end state and the gateway's requests for its API. */
async function run(message, faults, { clientOptions, timeoutMs = 2_000, policy = { baseDelayMs: 10, banDelayMs: 30 } } = {}) {
  sb.clearFaults();
  for (const f of faults) sb.inject(f);
  const seen = () => ({ api: sb.stats.byApi[message.api] ?? 0, other: sb.stats.byApi.other ?? 0 });
  const before = seen();
  const queue = new MemoryQueue();
  queue.push(structuredClone(message));
  await consume(queue, client(clientOptions), { concurrency: 2, timeoutMs, policy });
  assert.equal(queue.acked.length + queue.parked.length, 1, "the message ends in exactly one place");
  const after = seen();
  const m = queue.acked[0] ?? queue.parked[0];
  return { action: queue.acked.length ? "ack" : "park", reason: m.reason, deliveries: m.deliveries, error: m.error, result: m.result,
    gateway: after.api - before.api, other: after.other - before.other };
}

test("success: acked after one request; the 19-digit id comes back exact", async () => {
  const r = await run(READ, []);
  assert.deepEqual([r.action, r.deliveries, r.gateway], ["ack", 1, 1]);
  assert.equal(r.result.result.alisp_data.biz_order_id, "1234567890123456789");
});

test("unknown outcome on a write that is not repeat-safe: parked after ONE request (reset, timeout, 503, isp)", async () => {
  for (const [name, faults, timeoutMs] of [["reset", [{ fault: "reset" }]], ["timeout", [{ fault: "slow", ms: 500 }], 100],
    ["503", [{ fault: "503", count: 5 }]], ["isp", [{ fault: "isp", count: 5 }]]]) {
    const r = await run(UNSAFE, faults, { timeoutMs });
    assert.deepEqual([r.action, r.reason, r.deliveries, r.gateway], ["park", "unknown-outcome", 1, 1], name);
    assert.deepEqual([r.error.outcome, r.error.retryable], ["unknown", false], name);
  }
});

test("retryable failures are retried: by the client, then by the queue; gateway counts match", async () => {
  // A repeat-safe read: three 503s exhaust the client's attempts (1 + 2 retries), the queue's second delivery succeeds.
  const read = await run(READ, [{ fault: "503", count: 3 }]);
  assert.deepEqual([read.action, read.deliveries, read.gateway], ["ack", 2, 4]);
  // Refused before processing (429): retried even for a write without its dedupe key.
  const throttled = await run(UNSAFE, [{ fault: "429" }]);
  assert.deepEqual([throttled.action, throttled.deliveries, throttled.gateway], ["ack", 1, 2]);
  // The same write with its dedupe key is repeat-safe: a reset is retried.
  const deduped = await run(DEDUPED, [{ fault: "reset" }]);
  assert.deepEqual([deduped.action, deduped.gateway], ["ack", 2]);
  // A TOP ban longer than the client waits: not applied, so the queue waits it out.
  const banned = await run(UNSAFE, [{ fault: "code7", seconds: 100 }]);
  assert.deepEqual([banned.action, banned.deliveries, banned.gateway], ["ack", 2, 2]);
  // Retries are bounded: after maxDeliveries the message is parked, not lost.
  const gaveUp = await run(READ, [{ fault: "503", count: 100 }], { policy: { baseDelayMs: 5, maxDeliveries: 2 } });
  assert.deepEqual([gaveUp.action, gaveUp.reason, gaveUp.deliveries, gaveUp.gateway], ["park", "gave-up", 2, 6]);
});

test("other errors are parked as failed: validation (never sent), a session the gateway refuses", async () => {
  const invalid = await run({ ...UNSAFE, params: { param0: { order_id: "1", order_status: 9 } } }, []);
  assert.deepEqual([invalid.action, invalid.reason, invalid.gateway, invalid.other], ["park", "failed", 0, 0]);
  assert.equal(invalid.error.kind, "validation");
  assert.equal(invalid.error.issues[0].path, "param0.order_status");
  const session = await run(UNSAFE, [], { clientOptions: { session: "expired" } });
  assert.deepEqual([session.action, session.reason, session.deliveries, session.other], ["park", "failed", 1, 1]);
  assert.deepEqual([session.error.kind, session.error.code, session.error.outcome], ["api", "27", "not-applied"]);
  assert.ok(session.error.requestId);
  // Not an AligateError (a bug in the consumer's own code): kept, never acked.
  assert.deepEqual(disposition(new TypeError("x"), 1), { action: "park", reason: "bug" });
});

test("the runnable example: node examples/queue-consumer/main.mjs", async () => {
  const out = await new Promise((resolve, reject) => {
    execFile(process.execPath, [fileURLToPath(new URL("main.mjs", dir))], { timeout: 60_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout));
  });
  const lines = out.trim().split("\n").map((l) => JSON.parse(l));
  const by = Object.fromEntries(lines.filter((l) => l.id).map((l) => [l.id, [l.action, l.reason ?? "", l.deliveries]]));
  assert.deepEqual(by, { "status-1": ["park", "unknown-outcome", 1], "order-1": ["ack", "", 2], "status-2": ["park", "failed", 1], "status-3": ["ack", "", 1] });
  // status-1 once (parked, not resent) + status-3 once; order-1: 3 attempts of the client, then 1 of the queue's retry.
  assert.deepEqual(lines.at(-1).gateway, { [COMMISSION]: 2, [LIANBEI]: 4 });
});
