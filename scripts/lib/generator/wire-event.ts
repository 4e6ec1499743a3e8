/**
 * Events in their wire form (EVENTS.md v1: snake_case, `ts` as RFC 3339 text), exactly as a
 * replay file line or a NATS payload holds them. The server's decoded form is camelCase
 * (`server/events`); the generator writes the wire form so its output is what producers send.
 */
import type { AgentStatus, ClosedBy, MessageFrom, RefundPath } from '../../../server/events/index.ts';

interface WireEnvelope {
  id: string;
  ts: string;
  shop: string;
}

export interface WireRefundRequested extends WireEnvelope {
  type: 'refund.requested';
  refund_id: string;
  order_id: string;
  path: RefundPath;
  reason: string;
  amount: number;
}
export interface WireRefundResponded extends WireEnvelope {
  type: 'refund.responded';
  refund_id: string;
  agent_id: string;
}
export interface WireRefundUpdated extends WireEnvelope {
  type: 'refund.updated';
  refund_id: string;
  path?: RefundPath;
  reason?: string;
  amount?: number;
}
export interface WireRefundReturnShipped extends WireEnvelope {
  type: 'refund.return_shipped';
  refund_id: string;
  waybill: string;
}
export interface WireRefundGoodsReceived extends WireEnvelope {
  type: 'refund.goods_received';
  refund_id: string;
}
export interface WireRefundEscalated extends WireEnvelope {
  type: 'refund.escalated';
  refund_id: string;
}
export interface WireRefundSucceeded extends WireEnvelope {
  type: 'refund.succeeded';
  refund_id: string;
  amount: number;
}
export interface WireRefundClosed extends WireEnvelope {
  type: 'refund.closed';
  refund_id: string;
  by: ClosedBy;
}
export interface WireChatStarted extends WireEnvelope {
  type: 'chat.started';
  chat_id: string;
  queue: string;
  customer_id: string;
}
export interface WireChatMessage extends WireEnvelope {
  type: 'chat.message';
  chat_id: string;
  from: MessageFrom;
  agent_id?: string;
}
export interface WireChatAssigned extends WireEnvelope {
  type: 'chat.assigned';
  chat_id: string;
  agent_id: string;
}
export interface WireChatTransferred extends WireEnvelope {
  type: 'chat.transferred';
  chat_id: string;
  queue: string;
}
export interface WireChatClosed extends WireEnvelope {
  type: 'chat.closed';
  chat_id: string;
}
export interface WireAgentStatus extends WireEnvelope {
  type: 'agent.status';
  agent_id: string;
  status: AgentStatus;
  queues: string[];
  max_chats?: number;
}
export interface WireOrderPaid extends WireEnvelope {
  type: 'order.paid';
  order_id: string;
  amount: number;
}
export interface WireClockTick extends WireEnvelope {
  type: 'clock.tick';
}

/** Any event of the contract in wire form. */
export type WireEvent =
  | WireRefundRequested
  | WireRefundResponded
  | WireRefundUpdated
  | WireRefundReturnShipped
  | WireRefundGoodsReceived
  | WireRefundEscalated
  | WireRefundSucceeded
  | WireRefundClosed
  | WireChatStarted
  | WireChatMessage
  | WireChatAssigned
  | WireChatTransferred
  | WireChatClosed
  | WireAgentStatus
  | WireOrderPaid
  | WireClockTick;

/** A generated event with its instant as epoch ms, so consumers never parse `ts` back. */
export interface GeneratedEvent {
  readonly tsMs: number;
  readonly event: WireEvent;
}

export type WireEventType = WireEvent['type'];

/** The fields of one event type beyond the envelope. */
export type WireFields<T extends WireEventType> = Omit<
  Extract<WireEvent, { type: T }>,
  'id' | 'type' | 'ts' | 'shop'
>;
