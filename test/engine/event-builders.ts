/** Small builders for decoded events in engine tests (not a test file itself). */
import type { AgentStatus, PeakEvent, RefundPath } from '../../server/events/index.ts';

/** 2026-11-11T20:00:00.000+08:00, the instant tests count from. */
export const BASE_MS = Date.UTC(2026, 10, 11, 12, 0, 0, 0);
export const SEC = 1000;
export const MIN = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** Epoch ms at `seconds` after BASE_MS. */
export function at(seconds: number): number {
  return BASE_MS + seconds * SEC;
}

let nextId = 0;

function envelope(tsMs: number, shop: string, id?: string) {
  nextId += 1;
  return { id: id ?? `e${String(nextId).padStart(6, '0')}`, ts: new Date(tsMs).toISOString(), tsMs, shop };
}

interface Opts {
  shop?: string;
  id?: string;
}

export const ev = {
  chatStarted: (tsMs: number, chatId: string, queue: string, o: Opts = {}): PeakEvent => ({
    ...envelope(tsMs, o.shop ?? 's1', o.id),
    type: 'chat.started',
    chatId,
    queue,
    customerId: `c-${chatId}`,
  }),
  customer: (tsMs: number, chatId: string, o: Opts = {}): PeakEvent => ({
    ...envelope(tsMs, o.shop ?? 's1', o.id),
    type: 'chat.message',
    chatId,
    from: 'customer',
  }),
  agent: (tsMs: number, chatId: string, agentId = 'a1', o: Opts = {}): PeakEvent => ({
    ...envelope(tsMs, o.shop ?? 's1', o.id),
    type: 'chat.message',
    chatId,
    from: 'agent',
    agentId,
  }),
  assigned: (tsMs: number, chatId: string, agentId = 'a1', o: Opts = {}): PeakEvent => ({
    ...envelope(tsMs, o.shop ?? 's1', o.id),
    type: 'chat.assigned',
    chatId,
    agentId,
  }),
  transferred: (tsMs: number, chatId: string, queue: string, o: Opts = {}): PeakEvent => ({
    ...envelope(tsMs, o.shop ?? 's1', o.id),
    type: 'chat.transferred',
    chatId,
    queue,
  }),
  chatClosed: (tsMs: number, chatId: string, o: Opts = {}): PeakEvent => ({
    ...envelope(tsMs, o.shop ?? 's1', o.id),
    type: 'chat.closed',
    chatId,
  }),
  requested: (
    tsMs: number,
    refundId: string,
    path: RefundPath,
    reason = 'other',
    o: Opts = {},
  ): PeakEvent => ({
    ...envelope(tsMs, o.shop ?? 's1', o.id),
    type: 'refund.requested',
    refundId,
    orderId: `o-${refundId}`,
    path,
    reason,
    amount: 10,
  }),
  responded: (tsMs: number, refundId: string, o: Opts = {}): PeakEvent => ({
    ...envelope(tsMs, o.shop ?? 's1', o.id),
    type: 'refund.responded',
    refundId,
    agentId: 'r1',
  }),
  updated: (
    tsMs: number,
    refundId: string,
    change: { path?: RefundPath; reason?: string },
    o: Opts = {},
  ): PeakEvent => ({
    ...envelope(tsMs, o.shop ?? 's1', o.id),
    type: 'refund.updated',
    refundId,
    ...change,
  }),
  shipped: (tsMs: number, refundId: string, o: Opts = {}): PeakEvent => ({
    ...envelope(tsMs, o.shop ?? 's1', o.id),
    type: 'refund.return_shipped',
    refundId,
    waybill: `w-${refundId}`,
  }),
  received: (tsMs: number, refundId: string, o: Opts = {}): PeakEvent => ({
    ...envelope(tsMs, o.shop ?? 's1', o.id),
    type: 'refund.goods_received',
    refundId,
  }),
  escalated: (tsMs: number, refundId: string, o: Opts = {}): PeakEvent => ({
    ...envelope(tsMs, o.shop ?? 's1', o.id),
    type: 'refund.escalated',
    refundId,
  }),
  succeeded: (tsMs: number, refundId: string, o: Opts = {}): PeakEvent => ({
    ...envelope(tsMs, o.shop ?? 's1', o.id),
    type: 'refund.succeeded',
    refundId,
    amount: 10,
  }),
  refundClosed: (tsMs: number, refundId: string, o: Opts = {}): PeakEvent => ({
    ...envelope(tsMs, o.shop ?? 's1', o.id),
    type: 'refund.closed',
    refundId,
    by: 'buyer',
  }),
  agentStatus: (
    tsMs: number,
    agentId: string,
    status: AgentStatus,
    queues: string[],
    maxChats = 3,
    o: Opts = {},
  ): PeakEvent => ({
    ...envelope(tsMs, o.shop ?? 's1', o.id),
    type: 'agent.status',
    agentId,
    status,
    queues,
    maxChats,
  }),
  orderPaid: (tsMs: number, orderId: string, o: Opts = {}): PeakEvent => ({
    ...envelope(tsMs, o.shop ?? 's1', o.id),
    type: 'order.paid',
    orderId,
    amount: 100,
  }),
  tick: (tsMs: number, o: Opts = {}): PeakEvent => ({
    ...envelope(tsMs, o.shop ?? 's1', o.id),
    type: 'clock.tick',
  }),
};
