/**
 * Domain events after validation (EVENTS.md v1). Wire fields are snake_case; the decoded
 * events use camelCase and carry `tsMs`, the instant as epoch milliseconds, so no consumer
 * ever compares timestamp strings.
 */

export const REFUND_PATHS = ['unshipped', 'in_transit', 'received_refund_only', 'return_refund'] as const;
export type RefundPath = (typeof REFUND_PATHS)[number];

export const EVENT_KINDS = ['refund', 'chat', 'agent', 'order', 'clock'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export const AGENT_STATUSES = ['online', 'busy', 'away', 'offline'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

export const CLOSED_BY = ['buyer', 'merchant', 'platform'] as const;
export type ClosedBy = (typeof CLOSED_BY)[number];

export const MESSAGE_FROM = ['customer', 'agent'] as const;
export type MessageFrom = (typeof MESSAGE_FROM)[number];

/** Reasons that count as quality reasons for the quality and product-experience refund rates. */
export const QUALITY_REASONS: ReadonlySet<string> = new Set(['quality', 'not_as_described']);

/** The refund desk's queue name in `agent.status.queues` and in staffing rows. */
export const REFUND_QUEUE = 'refund';

/** Default `max_chats` when an agent.status omits it. */
export const DEFAULT_MAX_CHATS = 3;

interface Envelope {
  /** Event id, 1–128 chars; the same id twice is the same event. */
  id: string;
  /** The `ts` string exactly as received (RFC 3339 with offset). */
  ts: string;
  /** `ts` as epoch milliseconds (fraction truncated to ms). */
  tsMs: number;
  shop: string;
}

export interface RefundRequested extends Envelope {
  type: 'refund.requested';
  refundId: string;
  orderId: string;
  path: RefundPath;
  reason: string;
  amount: number;
}
export interface RefundResponded extends Envelope {
  type: 'refund.responded';
  refundId: string;
  agentId: string;
}
export interface RefundUpdated extends Envelope {
  type: 'refund.updated';
  refundId: string;
  path?: RefundPath;
  reason?: string;
  amount?: number;
}
export interface RefundReturnShipped extends Envelope {
  type: 'refund.return_shipped';
  refundId: string;
  waybill: string;
}
export interface RefundGoodsReceived extends Envelope {
  type: 'refund.goods_received';
  refundId: string;
}
export interface RefundEscalated extends Envelope {
  type: 'refund.escalated';
  refundId: string;
}
export interface RefundSucceeded extends Envelope {
  type: 'refund.succeeded';
  refundId: string;
  amount: number;
}
export interface RefundClosed extends Envelope {
  type: 'refund.closed';
  refundId: string;
  by: ClosedBy;
}

export interface ChatStarted extends Envelope {
  type: 'chat.started';
  chatId: string;
  queue: string;
  customerId: string;
}
export interface ChatMessage extends Envelope {
  type: 'chat.message';
  chatId: string;
  from: MessageFrom;
  /** Present when `from` is `agent` (required then); may be present otherwise. */
  agentId?: string;
}
export interface ChatAssigned extends Envelope {
  type: 'chat.assigned';
  chatId: string;
  agentId: string;
}
export interface ChatTransferred extends Envelope {
  type: 'chat.transferred';
  chatId: string;
  queue: string;
}
export interface ChatClosed extends Envelope {
  type: 'chat.closed';
  chatId: string;
}

export interface AgentStatusEvent extends Envelope {
  type: 'agent.status';
  agentId: string;
  status: AgentStatus;
  queues: string[];
  /** Concurrent chats this agent takes; DEFAULT_MAX_CHATS when the event omits it. */
  maxChats: number;
}

export interface OrderPaid extends Envelope {
  type: 'order.paid';
  orderId: string;
  amount: number;
}

export interface ClockTick extends Envelope {
  type: 'clock.tick';
}

export type RefundEvent =
  | RefundRequested
  | RefundResponded
  | RefundUpdated
  | RefundReturnShipped
  | RefundGoodsReceived
  | RefundEscalated
  | RefundSucceeded
  | RefundClosed;
export type ChatEvent = ChatStarted | ChatMessage | ChatAssigned | ChatTransferred | ChatClosed;

/** Any valid event of the contract. */
export type PeakEvent = RefundEvent | ChatEvent | AgentStatusEvent | OrderPaid | ClockTick;
export type EventType = PeakEvent['type'];

export const EVENT_TYPES = [
  'refund.requested',
  'refund.responded',
  'refund.updated',
  'refund.return_shipped',
  'refund.goods_received',
  'refund.escalated',
  'refund.succeeded',
  'refund.closed',
  'chat.started',
  'chat.message',
  'chat.assigned',
  'chat.transferred',
  'chat.closed',
  'agent.status',
  'order.paid',
  'clock.tick',
] as const satisfies readonly EventType[];

/** The subject kind of an event type: `refund.requested` → `refund`. */
export function kindOfType(type: EventType): EventKind {
  return type.slice(0, type.indexOf('.')) as EventKind;
}

/** The NATS subject an event is published on: `ops.<kind>.<shop>`. */
export function subjectFor(type: EventType, shop: string, prefix = 'ops'): string {
  return `${prefix}.${kindOfType(type)}.${shop}`;
}
