// The queue-consumer recipe: each message ends in exactly one of ack, retry later or park, decided from the
// AligateError's fields (kind, retryable, outcome, code), never from its message text. A write whose outcome is
// unknown and that is not repeat-safe is parked for reconciliation, never sent again blindly.
import { AligateError } from "aligate";

/**
 * What to do with a message whose call threw `error`, on its `deliveries`-th delivery (1 = first):
 * `{ action: "retry", delayMs }` or `{ action: "park", reason }`.
 */
export function disposition(error, deliveries, { maxDeliveries = 5, baseDelayMs = 1_000, banDelayMs = 60_000 } = {}) {
  // Not aligate's error: a bug on our side; keep the message for a human.
  if (!(error instanceof AligateError)) return { action: "park", reason: "bug" };
  const again = deliveries < maxDeliveries;
  // Repeating cannot duplicate an effect (refused, throttled, or a repeat-safe call): the client already retried
  // `retries` times; the queue waits longer.
  if (error.retryable) {
    return again ? { action: "retry", delayMs: baseDelayMs * 2 ** (deliveries - 1) } : { action: "park", reason: "gave-up" };
  }
  // It may have been applied and is not repeat-safe: check on the gateway first (requestId, the order's own state).
  if (error.outcome === "unknown") return { action: "park", reason: "unknown-outcome" };
  // TOP code 7 with a ban longer than the client waits (maxBanWaitMs): refused, nothing applied; the queue can wait.
  if (error.outcome === "not-applied" && error.kind === "api" && error.code === "7") {
    return again ? { action: "retry", delayMs: banDelayMs } : { action: "park", reason: "gave-up" };
  }
  // Validation, business or signature errors: sending it again as it is would fail again.
  return { action: "park", reason: "failed" };
}

/** The fields a parked message keeps for whoever resolves it (no message text needed, no secrets in any of them). */
export function errorFields(e) {
  if (!(e instanceof AligateError)) return { kind: "bug" };
  const { kind, retryable, outcome, attempts, status, code, subCode, requestId, issues } = e;
  return Object.fromEntries(Object.entries({ kind, retryable, outcome, attempts, status, code, subCode, requestId, issues })
    .filter(([, v]) => v !== undefined));
}

/**
 * A stand-in for a broker (SQS, RabbitMQ, a database table): messages `{ id, api, params }`, each taken,
 * then acked, put back with a delay, or parked. Not part of the recipe; the calls to ack / retry / park are.
 */
export class MemoryQueue {
  ready = [];
  acked = [];
  parked = [];
  #delayed = new Set();

  push(...messages) {
    for (const m of messages) this.ready.push({ deliveries: 0, ...m });
  }
  get pending() {
    return this.ready.length + this.#delayed.size;
  }
  take() {
    const m = this.ready.shift();
    if (m) m.deliveries++;
    return m;
  }
  ack(m, result) {
    this.acked.push({ ...m, result });
  }
  retry(m, delayMs) {
    const t = setTimeout(() => {
      this.#delayed.delete(t);
      this.ready.push(m);
    }, delayMs);
    this.#delayed.add(t);
  }
  park(m, reason, error) {
    this.parked.push({ ...m, reason, error: errorFields(error) });
  }
}

/**
 * Runs `queue` until it is empty: `concurrency` workers each take a message, send it with `client.execute`
 * and settle it by `disposition`. `options.timeoutMs` bounds each call; `policy` goes to `disposition`.
 */
export async function consume(queue, client, { concurrency = 4, timeoutMs = 10_000, policy } = {}) {
  const worker = async () => {
    while (queue.pending > 0) {
      const m = queue.take();
      if (!m) {
        await new Promise((r) => setTimeout(r, 5)); // only delayed messages left
        continue;
      }
      try {
        queue.ack(m, await client.execute(m.api, m.params, { timeoutMs }));
      } catch (e) {
        const d = disposition(e, m.deliveries, policy);
        if (d.action === "retry") queue.retry(m, d.delayMs);
        else queue.park(m, d.reason, e);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return queue;
}
