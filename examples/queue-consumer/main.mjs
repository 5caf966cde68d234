// Runnable: `node examples/queue-consumer/main.mjs`. Starts the sandbox gateway in-process with a few faults,
// feeds a queue of notifications through the consumer, and prints where each message ended (one JSON line each)
// and what the gateway saw.
import { TopClient } from "aligate";
import { startSandbox, TEST_CREDENTIALS as C } from "aligate/sandbox";
import { MemoryQueue, consume } from "./consumer.mjs";

const COMMISSION = "alibaba.retail.commission.status.change";
const LIANBEI = "alibaba.alisports.lianbei.order.notice";

const sandbox = await startSandbox({ log: false });
try {
  // The next commission write loses its connection after the gateway got it; three 503s on lianbei reads.
  sandbox.inject({ fault: "reset", api: COMMISSION });
  sandbox.inject({ fault: "503", api: LIANBEI, count: 3 });
  const client = new TopClient({ appKey: C.appKey, appSecret: C.appSecret, session: C.session, endpoint: sandbox.topEndpoint,
    retries: 2, retryBaseDelayMs: 10 });
  const queue = new MemoryQueue();
  queue.push(
    // No outer_order_id: not repeat-safe. The reset leaves its outcome unknown: parked, not resent.
    { id: "status-1", api: COMMISSION, params: { param0: { order_id: "1001", order_status: 1 } } },
    // A read (repeat-safe): 503 three times (the client's own attempts), then the queue's retry succeeds.
    { id: "order-1", api: LIANBEI, params: { biz_order_id: "1234567890123456789" } },
    // Invalid (order_status is 0, 1 or 2): parked as failed, never sent.
    { id: "status-2", api: COMMISSION, params: { param0: { order_id: "1002", order_status: 9 } } },
    // With its dedupe key the write is repeat-safe: acked.
    { id: "status-3", api: COMMISSION, params: { param0: { order_id: "1003", order_status: 2, outer_order_id: "o-1003" } } },
  );
  await consume(queue, client, { concurrency: 1, policy: { baseDelayMs: 20 } });
  for (const m of queue.acked) console.log(JSON.stringify({ id: m.id, action: "ack", deliveries: m.deliveries }));
  for (const m of queue.parked) console.log(JSON.stringify({ id: m.id, action: "park", reason: m.reason, deliveries: m.deliveries, error: m.error }));
  console.log(JSON.stringify({ gateway: sandbox.stats.byApi }));
} finally {
  await sandbox.close();
}
