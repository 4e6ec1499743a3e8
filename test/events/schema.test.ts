import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { buildEventsJsonSchema, decodeEvent } from '../../server/events/index.ts';

const schemaPath = resolve(import.meta.dirname, '../../docs/events.schema.json');
const ts = '2026-11-11T20:00:00.000+08:00';
const env = { id: 'e1', ts, shop: 'shop1' };

// A corpus of valid and invalid bodies; schema and validator must agree on every one.
const corpus: unknown[] = [
  {
    ...env,
    type: 'refund.requested',
    refund_id: 'r',
    order_id: 'o',
    path: 'in_transit',
    reason: 'quality',
    amount: 0,
  },
  {
    ...env,
    type: 'refund.requested',
    refund_id: 'r',
    order_id: 'o',
    path: 'lost',
    reason: 'quality',
    amount: 0,
  },
  { ...env, type: 'refund.requested', refund_id: 'r', order_id: 'o', path: 'unshipped', reason: 'quality' },
  { ...env, type: 'refund.responded', refund_id: 'r', agent_id: 'a' },
  { ...env, type: 'refund.responded', refund_id: 'r', agent_id: '' },
  { ...env, type: 'refund.updated', refund_id: 'r' },
  { ...env, type: 'refund.updated', refund_id: 'r', path: null, reason: 'other', amount: 3 },
  { ...env, type: 'refund.updated', refund_id: 'r', amount: -3 },
  { ...env, type: 'refund.return_shipped', refund_id: 'r', waybill: 'w' },
  { ...env, type: 'refund.goods_received', refund_id: 'r' },
  { ...env, type: 'refund.escalated' },
  { ...env, type: 'refund.succeeded', refund_id: 'r', amount: 5 },
  { ...env, type: 'refund.closed', refund_id: 'r', by: 'platform' },
  { ...env, type: 'refund.closed', refund_id: 'r', by: 'agent' },
  { ...env, type: 'chat.started', chat_id: 'c', queue: 'presale', customer_id: 'u' },
  { ...env, type: 'chat.started', chat_id: 'c', queue: 'Pre Sale', customer_id: 'u' },
  { ...env, type: 'chat.message', chat_id: 'c', from: 'customer' },
  { ...env, type: 'chat.message', chat_id: 'c', from: 'agent', agent_id: 'a' },
  { ...env, type: 'chat.message', chat_id: 'c', from: 'agent' },
  { ...env, type: 'chat.assigned', chat_id: 'c', agent_id: 'a' },
  { ...env, type: 'chat.transferred', chat_id: 'c', queue: 'aftersale' },
  { ...env, type: 'chat.closed', chat_id: 'c', extra: true },
  { ...env, type: 'agent.status', agent_id: 'a', status: 'busy', queues: ['refund'], max_chats: 2 },
  { ...env, type: 'agent.status', agent_id: 'a', status: 'busy', queues: ['refund'], max_chats: 0 },
  { ...env, type: 'agent.status', agent_id: 'a', status: 'away', queues: [] },
  { ...env, type: 'order.paid', order_id: 'o', amount: 99.9 },
  { ...env, type: 'order.paid', order_id: 'o', amount: '99.9' },
  { ...env, type: 'clock.tick' },
  { ...env, type: 'clock.tock' },
  { ...env, id: 'x'.repeat(129), type: 'clock.tick' },
  { ...env, shop: 'bad shop', type: 'clock.tick' },
  { ...env, ts: '2026-11-11T20:00:00', type: 'clock.tick' },
  { id: 'e', type: 'clock.tick', shop: 's' },
  [1, 2, 3],
];

describe('docs/events.schema.json', () => {
  it('should equal the schema built from the validator table (run `npm run schema` after changing the contract)', () => {
    const onDisk = JSON.parse(readFileSync(schemaPath, 'utf8')) as unknown;
    expect(onDisk).toEqual(buildEventsJsonSchema());
  });

  it('should accept exactly the messages the validator accepts', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: false });
    const validate = ajv.compile(buildEventsJsonSchema());
    const disagreements = corpus.filter((body) => validate(body) !== decodeEvent(JSON.stringify(body)).ok);
    expect(disagreements).toEqual([]);
    // The corpus must exercise both answers.
    expect(corpus.filter((b) => decodeEvent(JSON.stringify(b)).ok).length).toBeGreaterThan(10);
    expect(corpus.filter((b) => !decodeEvent(JSON.stringify(b)).ok).length).toBeGreaterThan(10);
  });
});
