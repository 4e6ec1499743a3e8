/**
 * The event contract as data: one table drives both the validator (decode-event.ts) and the
 * published JSON Schema (schema.ts), so the two cannot drift apart.
 */
import { AGENT_STATUSES, CLOSED_BY, MESSAGE_FROM, REFUND_PATHS, type EventType } from './types.ts';

export type FieldKind =
  | { kind: 'entityId' }
  | { kind: 'text' }
  | { kind: 'amount' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'queue' }
  | { kind: 'queueList' }
  | { kind: 'positiveInteger' };

export interface FieldSpec {
  /** Wire name (snake_case). */
  wire: string;
  /** Decoded property name (camelCase). */
  prop: string;
  required: boolean;
  type: FieldKind;
  description: string;
}

export const ID_MAX_LENGTH = 128;
export const SHOP_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const QUEUE_PATTERN = /^[a-z0-9_-]{1,32}$/;
/** Messages above this many bytes are rejected as `oversize`. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

const entityId = { kind: 'entityId' } as const;
const text = { kind: 'text' } as const;
const amount = { kind: 'amount' } as const;

function f(wire: string, prop: string, required: boolean, type: FieldKind, description: string): FieldSpec {
  return { wire, prop, required, type, description };
}

export const EVENT_FIELDS: Readonly<Record<EventType, readonly FieldSpec[]>> = {
  'refund.requested': [
    f('refund_id', 'refundId', true, entityId, 'refund id'),
    f('order_id', 'orderId', true, entityId, 'order id'),
    f('path', 'path', true, { kind: 'enum', values: REFUND_PATHS }, 'refund path by goods state'),
    f('reason', 'reason', true, text, 'reason code; quality and not_as_described are quality reasons'),
    f('amount', 'amount', true, amount, 'requested amount'),
  ],
  'refund.responded': [
    f('refund_id', 'refundId', true, entityId, 'refund id'),
    f('agent_id', 'agentId', true, entityId, 'responding agent'),
  ],
  'refund.updated': [
    f('refund_id', 'refundId', true, entityId, 'refund id'),
    f('path', 'path', false, { kind: 'enum', values: REFUND_PATHS }, 'new path'),
    f('reason', 'reason', false, text, 'new reason'),
    f('amount', 'amount', false, amount, 'new amount'),
  ],
  'refund.return_shipped': [
    f('refund_id', 'refundId', true, entityId, 'refund id'),
    f('waybill', 'waybill', true, entityId, 'return waybill number'),
  ],
  'refund.goods_received': [f('refund_id', 'refundId', true, entityId, 'refund id')],
  'refund.escalated': [f('refund_id', 'refundId', true, entityId, 'refund id')],
  'refund.succeeded': [
    f('refund_id', 'refundId', true, entityId, 'refund id'),
    f('amount', 'amount', true, amount, 'refunded amount'),
  ],
  'refund.closed': [
    f('refund_id', 'refundId', true, entityId, 'refund id'),
    f('by', 'by', true, { kind: 'enum', values: CLOSED_BY }, 'who closed it'),
  ],
  'chat.started': [
    f('chat_id', 'chatId', true, entityId, 'chat id'),
    f('queue', 'queue', true, { kind: 'queue' }, 'queue name'),
    f('customer_id', 'customerId', true, entityId, 'customer id'),
  ],
  'chat.message': [
    f('chat_id', 'chatId', true, entityId, 'chat id'),
    f('from', 'from', true, { kind: 'enum', values: MESSAGE_FROM }, 'sender'),
    f('agent_id', 'agentId', false, entityId, 'sending agent; required when from is agent'),
  ],
  'chat.assigned': [
    f('chat_id', 'chatId', true, entityId, 'chat id'),
    f('agent_id', 'agentId', true, entityId, 'assigned agent'),
  ],
  'chat.transferred': [
    f('chat_id', 'chatId', true, entityId, 'chat id'),
    f('queue', 'queue', true, { kind: 'queue' }, 'destination queue'),
  ],
  'chat.closed': [f('chat_id', 'chatId', true, entityId, 'chat id')],
  'agent.status': [
    f('agent_id', 'agentId', true, entityId, 'agent id'),
    f(
      'status',
      'status',
      true,
      { kind: 'enum', values: AGENT_STATUSES },
      'presence; online and busy count as staffed',
    ),
    f('queues', 'queues', true, { kind: 'queueList' }, 'queues served; ["refund"] for the refund desk'),
    f('max_chats', 'maxChats', false, { kind: 'positiveInteger' }, 'concurrent chats, default 3'),
  ],
  'order.paid': [
    f('order_id', 'orderId', true, entityId, 'order id'),
    f('amount', 'amount', true, amount, 'paid amount'),
  ],
  'clock.tick': [],
};
