import { describe, expect, it } from 'vitest';
import { decodeEvent, type RejectReason } from '../../server/events/index.ts';

const ts = '2026-11-11T20:00:03.120+08:00';
const base = { id: 'e1', ts, shop: 'shop-1' };

function reasonOf(body: unknown, subject?: string): RejectReason | 'accepted' {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const result = decodeEvent(raw, subject);
  return result.ok ? 'accepted' : result.reason;
}

describe('decodeEvent', () => {
  it('should decode a refund request into camelCase with the instant in epoch ms', () => {
    const result = decodeEvent(
      JSON.stringify({
        ...base,
        type: 'refund.requested',
        refund_id: 'r1',
        order_id: 'o1',
        path: 'unshipped',
        reason: 'quality',
        amount: 12.5,
      }),
      'ops.refund.shop-1',
    );
    expect(result).toEqual({
      ok: true,
      event: {
        id: 'e1',
        type: 'refund.requested',
        ts,
        tsMs: Date.UTC(2026, 10, 11, 12, 0, 3, 120),
        shop: 'shop-1',
        refundId: 'r1',
        orderId: 'o1',
        path: 'unshipped',
        reason: 'quality',
        amount: 12.5,
      },
    });
  });

  it('should default max_chats to 3 and copy the queue list', () => {
    const result = decodeEvent(
      JSON.stringify({
        ...base,
        type: 'agent.status',
        agent_id: 'a1',
        status: 'online',
        queues: ['presale'],
      }),
    );
    expect(result.ok && result.event.type === 'agent.status' && result.event.maxChats).toBe(3);
  });

  it('should accept unknown extra fields and treat null optionals as absent', () => {
    const result = decodeEvent(
      JSON.stringify({ ...base, type: 'refund.updated', refund_id: 'r1', path: null, extra: { a: 1 } }),
    );
    expect(result.ok).toBe(true);
    expect(result.ok && 'path' in result.event).toBe(false);
  });

  it('should accept a refund.updated with none of its optional fields', () => {
    expect(reasonOf({ ...base, type: 'refund.updated', refund_id: 'r1' })).toBe('accepted');
  });

  it('should accept a clock tick with only the envelope', () => {
    expect(reasonOf({ ...base, type: 'clock.tick' }, 'ops.clock.shop-1')).toBe('accepted');
  });

  const cases: [string, unknown, RejectReason, string?][] = [
    ['oversize', JSON.stringify({ ...base, type: 'clock.tick', pad: 'x'.repeat(70_000) }), 'oversize'],
    ['truncated JSON', '{"id":"e1","type":', 'invalid_json'],
    ['a JSON array', '[1,2]', 'invalid_json'],
    ['a JSON string', '"hello"', 'invalid_json'],
    ['an unknown type', { ...base, type: 'refund.exploded', refund_id: 'r1' }, 'unknown_type'],
    ['a non-string type', { ...base, type: 7 }, 'unknown_type'],
    ['no type', { ...base }, 'missing_field'],
    ['no id', { type: 'clock.tick', ts, shop: 's' }, 'missing_field'],
    ['a null id', { id: null, type: 'clock.tick', ts, shop: 's' }, 'missing_field'],
    ['no ts', { id: 'e', type: 'clock.tick', shop: 's' }, 'missing_field'],
    ['no shop', { id: 'e', type: 'clock.tick', ts }, 'missing_field'],
    ['an id of 129 chars', { ...base, id: 'x'.repeat(129), type: 'clock.tick' }, 'bad_field'],
    ['an empty id', { ...base, id: '', type: 'clock.tick' }, 'bad_field'],
    ['a numeric id', { ...base, id: 5, type: 'clock.tick' }, 'bad_field'],
    ['a shop with a dot', { ...base, shop: 'a.b', type: 'clock.tick' }, 'bad_field'],
    ['a shop of 65 chars', { ...base, shop: 'a'.repeat(65), type: 'clock.tick' }, 'bad_field'],
    ['a refund without refund_id', { ...base, type: 'refund.escalated' }, 'missing_field'],
    [
      'an unknown path',
      {
        ...base,
        type: 'refund.requested',
        refund_id: 'r',
        order_id: 'o',
        path: 'lost',
        reason: 'x',
        amount: 1,
      },
      'bad_field',
    ],
    ['a negative amount', { ...base, type: 'order.paid', order_id: 'o', amount: -1 }, 'bad_field'],
    ['a string amount', { ...base, type: 'order.paid', order_id: 'o', amount: '5' }, 'bad_field'],
    ['an empty reason', { ...base, type: 'refund.updated', refund_id: 'r', reason: '' }, 'bad_field'],
    [
      'an agent message without agent_id',
      { ...base, type: 'chat.message', chat_id: 'c', from: 'agent' },
      'missing_field',
    ],
    ['a sender that is neither', { ...base, type: 'chat.message', chat_id: 'c', from: 'bot' }, 'bad_field'],
    [
      'an upper-case queue',
      { ...base, type: 'chat.started', chat_id: 'c', queue: 'PreSale', customer_id: 'u' },
      'bad_field',
    ],
    [
      'queues that is not an array',
      { ...base, type: 'agent.status', agent_id: 'a', status: 'online', queues: 'presale' },
      'bad_field',
    ],
    [
      'max_chats of 0',
      { ...base, type: 'agent.status', agent_id: 'a', status: 'online', queues: [], max_chats: 0 },
      'bad_field',
    ],
    [
      'max_chats of 1.5',
      { ...base, type: 'agent.status', agent_id: 'a', status: 'online', queues: [], max_chats: 1.5 },
      'bad_field',
    ],
    [
      'an unknown status',
      { ...base, type: 'agent.status', agent_id: 'a', status: 'lunch', queues: [] },
      'bad_field',
    ],
    ['closed by nobody', { ...base, type: 'refund.closed', refund_id: 'r', by: 'nobody' }, 'bad_field'],
    ['a ts without offset', { ...base, ts: '2026-11-11T20:00:00', type: 'clock.tick' }, 'bad_ts'],
    ['a ts with a space', { ...base, ts: '2026-11-11 20:00:00Z', type: 'clock.tick' }, 'bad_ts'],
    ['a ts on 30 February', { ...base, ts: '2026-02-30T00:00:00Z', type: 'clock.tick' }, 'bad_ts'],
    ['a ts before 1970', { ...base, ts: '1969-12-31T23:59:59Z', type: 'clock.tick' }, 'bad_ts'],
    ['a numeric ts', { ...base, ts: 1700000000, type: 'clock.tick' }, 'bad_ts'],
    // Date.UTC would read year 0070 as 1970: it must be refused, not taken for the epoch.
    ['a ts in year 0070', { ...base, ts: '0070-01-01T00:00:00Z', type: 'clock.tick' }, 'bad_ts'],
    ['an id with a lone surrogate', { ...base, id: 'a\ud800b', type: 'clock.tick' }, 'bad_field'],
    ['a chat id with a lone surrogate', { ...base, type: 'chat.closed', chat_id: '\udc00' }, 'bad_field'],
  ];
  it.each(cases)('should reject %s', (_name, body, reason) => {
    expect(reasonOf(body)).toBe(reason);
  });

  it('should reject invalid UTF-8 bytes as invalid_json', () => {
    const result = decodeEvent(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]));
    expect(result.ok ? 'accepted' : result.reason).toBe('invalid_json');
  });

  it('should reject a subject whose kind or shop differs from the payload', () => {
    const body = { ...base, type: 'order.paid', order_id: 'o', amount: 1 };
    expect(reasonOf(body, 'ops.order.shop-1')).toBe('accepted');
    expect(reasonOf(body, 'ops.refund.shop-1')).toBe('bad_subject');
    expect(reasonOf(body, 'ops.order.shop-2')).toBe('bad_subject');
    expect(reasonOf(body, 'ops.order')).toBe('bad_subject');
    expect(reasonOf(body, 'other.order.shop-1')).toBe('bad_subject');
  });

  it('should keep the id of a rejected message when it has one', () => {
    const result = decodeEvent(JSON.stringify({ ...base, type: 'order.paid', amount: 1 }));
    expect(result).toMatchObject({ ok: false, reason: 'missing_field', id: 'e1' });
  });

  it('should count id length in characters, so 128 emoji are accepted', () => {
    expect(reasonOf({ ...base, id: '😀'.repeat(128), type: 'clock.tick' })).toBe('accepted');
    expect(reasonOf({ ...base, id: '😀'.repeat(129), type: 'clock.tick' })).toBe('bad_field');
  });
});
