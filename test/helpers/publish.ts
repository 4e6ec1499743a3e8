/** Publishing helpers for integration tests: real NATS, core publishes captured by the stream. */
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';

export interface OutgoingMessage {
  subject: string;
  data: string | Uint8Array;
  /** Sets Nats-Msg-Id (JetStream dedupe window); omit to bypass it. */
  msgId?: string;
}

/** Publishes in order with periodic flushes (flow control), then waits until the server has them all. */
export async function publishAll(nc: NatsConnection, messages: Iterable<OutgoingMessage>): Promise<number> {
  let count = 0;
  for (const m of messages) {
    if (m.msgId !== undefined) {
      const h = natsHeaders();
      h.set('Nats-Msg-Id', m.msgId);
      nc.publish(m.subject, m.data, { headers: h });
    } else {
      nc.publish(m.subject, m.data);
    }
    count += 1;
    if (count % 5000 === 0) await nc.flush();
  }
  await nc.flush();
  return count;
}

/** `count` valid order.paid events, one ms apart from `startMs`, ids `${prefix}${i}`. */
export function* orderEvents(
  count: number,
  options: { prefix?: string; startMs?: number; shop?: string } = {},
): Generator<OutgoingMessage> {
  const prefix = options.prefix ?? 'o-';
  const shop = options.shop ?? 'shop1';
  const start = options.startMs ?? Date.UTC(2026, 10, 11, 12, 0, 0);
  for (let i = 0; i < count; i++) {
    const id = `${prefix}${i}`;
    const data = JSON.stringify({
      id,
      type: 'order.paid',
      ts: new Date(start + i).toISOString(),
      shop,
      order_id: id,
      amount: 10 + (i % 7),
    });
    yield { subject: `ops.order.${shop}`, data, msgId: id };
  }
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
  what = 'condition',
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
