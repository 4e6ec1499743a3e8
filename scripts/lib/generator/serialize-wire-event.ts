/**
 * One wire event as its NDJSON line, byte-identical to JSON.stringify(event) but about twice as
 * fast, which matters at 5M events per file. It relies on every string the simulation writes
 * being JSON-safe (ids built from validated shop names and counters, fixed codes, RFC 3339
 * times), so nothing needs escaping; a test compares it with JSON.stringify on a whole run.
 */
import type { WireEvent } from './wire-event.ts';

export function serializeWireEvent(event: WireEvent): string {
  const head = `{"id":"${event.id}","type":"${event.type}","ts":"${event.ts}","shop":"${event.shop}"`;
  switch (event.type) {
    case 'order.paid':
      return `${head},"order_id":"${event.order_id}","amount":${event.amount}}`;
    case 'chat.started':
      return `${head},"chat_id":"${event.chat_id}","queue":"${event.queue}","customer_id":"${event.customer_id}"}`;
    case 'chat.message':
      return event.agent_id === undefined
        ? `${head},"chat_id":"${event.chat_id}","from":"${event.from}"}`
        : `${head},"chat_id":"${event.chat_id}","from":"${event.from}","agent_id":"${event.agent_id}"}`;
    case 'chat.assigned':
      return `${head},"chat_id":"${event.chat_id}","agent_id":"${event.agent_id}"}`;
    case 'chat.transferred':
      return `${head},"chat_id":"${event.chat_id}","queue":"${event.queue}"}`;
    case 'chat.closed':
      return `${head},"chat_id":"${event.chat_id}"}`;
    case 'refund.requested':
      return (
        `${head},"refund_id":"${event.refund_id}","order_id":"${event.order_id}","path":"${event.path}",` +
        `"reason":"${event.reason}","amount":${event.amount}}`
      );
    case 'refund.responded':
      return `${head},"refund_id":"${event.refund_id}","agent_id":"${event.agent_id}"}`;
    case 'refund.return_shipped':
      return `${head},"refund_id":"${event.refund_id}","waybill":"${event.waybill}"}`;
    case 'refund.goods_received':
    case 'refund.escalated':
      return `${head},"refund_id":"${event.refund_id}"}`;
    case 'refund.succeeded':
      return `${head},"refund_id":"${event.refund_id}","amount":${event.amount}}`;
    case 'refund.closed':
      return `${head},"refund_id":"${event.refund_id}","by":"${event.by}"}`;
    case 'clock.tick':
      return `${head}}`;
    // Rare types with optional fields: the general path keeps their key order exact.
    case 'refund.updated':
    case 'agent.status':
      return JSON.stringify(event);
  }
}
