/**
 * Hostile messages for the fuzzer (fuzz.test.ts). fast-check draws a *recipe* (which mutation,
 * with which parameters) from a seed; `build` turns it into bytes and a subject in the context
 * of the valid traffic published so far. Every recipe knows what the server must do with it:
 *
 *   accepted    - a valid event for an entity that is never opened (EVENTS.md: accepted, no
 *                 effect on any metric), at a ts no later than the valid traffic's, so it moves
 *                 no clock;
 *   duplicate   - a re-send of an already published id, valid body (changed or not);
 *   rejected    - invalid by construction, with an id of its own (a wrongly accepted one would
 *                 show in the accepted count);
 *   notAccepted - a re-send whose changed body may be valid (duplicate) or not (rejected);
 *   notStored   - a subject the stream does not capture: it never reaches the server.
 *
 * So the test can demand `accepted` exactly and the valid figures exactly as in a clean run.
 */
import fc from 'fast-check';

export type Expected = 'accepted' | 'duplicate' | 'rejected' | 'notAccepted' | 'notStored';

export interface FuzzMessage {
  subject: string;
  data: string | Uint8Array;
  expected: Expected;
  kind: string;
  /** n of the message's own id `fz-<n>…`, when it has one (re-sends carry a valid event's id). */
  fresh?: number;
  /** Accepted and counted, but dated before the retention horizon: the day sweep removes its row. */
  beforeRetentionHorizon?: boolean;
}

/** What a recipe is built against: the valid traffic published so far. */
export interface FuzzContext {
  /** Valid lines already published (re-send targets). */
  published: readonly string[];
  /** Latest valid ts published, epoch ms: accepted fuzz events stay at or before it. */
  latestTsMs: number;
  /** Shops of the valid traffic. */
  shops: readonly string[];
  /** A fresh number for ids and entity ids (never repeats). */
  next(): number;
}

const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  'refund.requested': ['refund_id', 'order_id', 'path', 'reason', 'amount'],
  'refund.responded': ['refund_id', 'agent_id'],
  'refund.updated': ['refund_id'],
  'refund.return_shipped': ['refund_id', 'waybill'],
  'refund.goods_received': ['refund_id'],
  'refund.escalated': ['refund_id'],
  'refund.succeeded': ['refund_id', 'amount'],
  'refund.closed': ['refund_id', 'by'],
  'chat.started': ['chat_id', 'queue', 'customer_id'],
  'chat.message': ['chat_id', 'from'],
  'chat.assigned': ['chat_id', 'agent_id'],
  'chat.transferred': ['chat_id', 'queue'],
  'chat.closed': ['chat_id'],
  'agent.status': ['agent_id', 'status', 'queues'],
  'order.paid': ['order_id', 'amount'],
  'clock.tick': [],
};
const TYPES = Object.keys(REQUIRED);

/** Event types that act on an entity without opening it: for a never-opened entity they change nothing. */
const UNOPENED: readonly string[] = [
  'chat.message',
  'chat.assigned',
  'chat.transferred',
  'chat.closed',
  'refund.responded',
  'refund.updated',
  'refund.return_shipped',
  'refund.goods_received',
  'refund.escalated',
  'refund.succeeded',
  'refund.closed',
  'clock.tick',
];

function kindOf(type: string): string {
  return type.slice(0, type.indexOf('.'));
}

/** Writes `ms` as RFC 3339 with the given offset (minutes) in one of the valid spellings. */
function writeTs(ms: number, offsetMin: number, style: 'plain' | 'lower' | 'nanos' | 'minusZero'): string {
  if (style === 'minusZero') return new Date(ms).toISOString().slice(0, 23) + '-00:00';
  const local = new Date(ms + offsetMin * 60_000).toISOString().slice(0, 23);
  const abs = Math.abs(offsetMin);
  const offset = `${offsetMin < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  if (style === 'lower') return `${local.replace('T', 't')}${offsetMin === 0 ? 'z' : offset}`;
  if (style === 'nanos') return `${local}987654${offset}`; // 9 fraction digits, truncated to ms
  return local + offset;
}

/** Unicode that tends to break things: NUL, emoji, RTL override, BOM, combining marks, astral. */
const nasty = fc.constantFrom(
  '\u0000',
  '\ud800',
  '\udfff',
  '😀',
  '👩‍👩‍👧',
  '\u202e',
  '\ufeff',
  'e\u0301',
  '\u{10ffff}',
  '"',
  '\\',
  '\n',
);
const unicodeText = fc
  .array(fc.oneof(fc.string({ unit: 'binary', maxLength: 6 }), nasty), { minLength: 1, maxLength: 8 })
  .map((parts) => parts.join(''))
  .map((s) => [...s].slice(0, 60).join(''));

/** A JSON value of the wrong type for a string field (never a non-empty string, never null). */
const notAString = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(''),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);
/** Wrong for `amount`: not a number, or negative. */
const notAnAmount = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.boolean(),
  fc.double({ max: -Number.MIN_VALUE, noNaN: true }),
  fc.constant([1]),
  fc.constant({ value: 1 }),
);

export type Recipe =
  | { kind: 'truncated'; cut: number }
  | { kind: 'wrongType'; type: string; field: number; value: unknown }
  | { kind: 'missing'; type: string; field: number; asNull: boolean }
  | { kind: 'unknownType'; type: string }
  | { kind: 'hugeString'; where: 'id' | 'type' | 'shop' | 'extraOnResend'; size: number }
  | { kind: 'deepNesting'; where: 'top' | 'field' | 'extraOnResend'; depth: number; objects: boolean }
  | { kind: 'unicodeIds'; type: number; shop: number; id: string; entity: string }
  | { kind: 'badSubject'; subject: string }
  | { kind: 'extremeTs'; variant: number; year: number; behindMs: number; offsetMin: number }
  | { kind: 'resend'; pick: number; change: 'none' | 'extraField' | 'amount' | 'protoKey' }
  | { kind: 'unknownEntity'; type: number; shop: number; behindMs: number; queue: string }
  | { kind: 'garbage'; bytes: Uint8Array }
  | { kind: 'notAnObject'; text: string };

const fieldIndex = fc.nat({ max: 1000 });

export const recipe: fc.Arbitrary<Recipe> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('truncated' as const),
      cut: fc.double({ min: 0, max: 0.999, noNaN: true }),
    }),
  },
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constant('wrongType' as const),
      type: fc.constantFrom(...TYPES),
      field: fieldIndex,
      value: fc.oneof(notAString, notAnAmount),
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('missing' as const),
      type: fc.constantFrom(...TYPES),
      field: fieldIndex,
      asNull: fc.boolean(),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('unknownType' as const),
      type: fc.oneof(
        fc.constantFrom(
          'chat.typing',
          'refund.teleported',
          'order.refunded',
          'CHAT.STARTED',
          'chat.started ',
          'clock',
        ),
        fc.string({ maxLength: 20 }),
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('hugeString' as const),
      where: fc.constantFrom('id' as const, 'type' as const, 'shop' as const, 'extraOnResend' as const),
      // Up to and past 64 KiB (the oversize limit), with the boundary well covered.
      size: fc.oneof(
        fc.integer({ min: 129, max: 60_000 }),
        fc.integer({ min: 65_536 - 600, max: 65_536 + 600 }),
        fc.integer({ min: 66_000, max: 200_000 }),
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('deepNesting' as const),
      where: fc.constantFrom('top' as const, 'field' as const, 'extraOnResend' as const),
      depth: fc.oneof(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1_000, max: 40_000 })),
      objects: fc.boolean(),
    }),
  },
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('unicodeIds' as const),
      type: fc.nat({ max: UNOPENED.length - 1 }),
      shop: fc.nat({ max: 2 }),
      id: unicodeText,
      entity: unicodeText,
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('badSubject' as const),
      subject: fc.constantFrom(
        'ops.chat',
        'ops.refund.a.b',
        'ops.order.😀',
        'ops.order.shop1.extra',
        'ops.chat.not_the_shop',
        'ops.clock.shop1',
        'ops.agent.shop2',
        'ops.ORDER.shop1',
        'ops.order.' + 'x'.repeat(65),
        // Outside the stream (ops.> does not capture these): never stored, never counted.
        'opsx.order.shop1',
        'ops',
        'other.order.shop1',
      ),
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('extremeTs' as const),
      variant: fc.nat({ max: 12 }),
      year: fc.integer({ min: 0, max: 99 }),
      behindMs: fc.integer({ min: 0, max: 6 * 3_600_000 }),
      offsetMin: fc.constantFrom(0, 480, -720, 840, 345, -570),
    }),
  },
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constant('resend' as const),
      pick: fc.double({ min: 0, max: 0.999, noNaN: true }),
      change: fc.constantFrom('none' as const, 'extraField' as const, 'amount' as const, 'protoKey' as const),
    }),
  },
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('unknownEntity' as const),
      type: fc.nat({ max: UNOPENED.length - 1 }),
      shop: fc.nat({ max: 2 }),
      behindMs: fc.integer({ min: 0, max: 24 * 3_600_000 }),
      queue: fc.stringMatching(/^[a-z0-9_-]{1,32}$/),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('garbage' as const),
      bytes: fc.uint8Array({ minLength: 0, maxLength: 300 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('notAnObject' as const),
      text: fc.oneof(
        fc.constantFrom(
          '',
          ' ',
          'null',
          'true',
          '42',
          '"order.paid"',
          '[]',
          '[{"id":"x"}]',
          '{}',
          '{"type":null}',
        ),
        fc.json({ maxDepth: 3 }).filter((j) => !j.trimStart().startsWith('{')),
      ),
    }),
  },
);

/** A complete valid body of `type` for an entity `entity` that no valid event ever opens. */
function bodyFor(
  type: string,
  id: string,
  ts: string,
  shop: string,
  entity: string,
  queue = 'aftersale',
): Record<string, unknown> {
  const body: Record<string, unknown> = { id, type, ts, shop };
  switch (type) {
    case 'chat.message':
      Object.assign(body, { chat_id: entity, from: 'agent', agent_id: `fz-agent-${entity}` });
      break;
    case 'chat.assigned':
      Object.assign(body, { chat_id: entity, agent_id: `fz-agent-${entity}` });
      break;
    case 'chat.transferred':
      Object.assign(body, { chat_id: entity, queue });
      break;
    case 'chat.closed':
      Object.assign(body, { chat_id: entity });
      break;
    case 'chat.started':
      Object.assign(body, { chat_id: entity, queue, customer_id: `fz-cust-${entity}` });
      break;
    case 'refund.requested':
      Object.assign(body, {
        refund_id: entity,
        order_id: `fz-o-${entity}`,
        path: 'unshipped',
        reason: 'quality',
        amount: 9,
      });
      break;
    case 'refund.responded':
      Object.assign(body, { refund_id: entity, agent_id: `fz-agent-${entity}` });
      break;
    case 'refund.updated':
      Object.assign(body, { refund_id: entity, path: 'return_refund', amount: 3 });
      break;
    case 'refund.return_shipped':
      Object.assign(body, { refund_id: entity, waybill: `fz-wb-${entity}` });
      break;
    case 'refund.succeeded':
      Object.assign(body, { refund_id: entity, amount: 12.5 });
      break;
    case 'refund.closed':
      Object.assign(body, { refund_id: entity, by: 'merchant' });
      break;
    case 'refund.goods_received':
    case 'refund.escalated':
      Object.assign(body, { refund_id: entity });
      break;
    case 'agent.status':
      Object.assign(body, { agent_id: entity, status: 'online', queues: ['aftersale'] });
      break;
    case 'order.paid':
      Object.assign(body, { order_id: entity, amount: 10 });
      break;
    default:
      break;
  }
  return body;
}

function subjectOf(type: string, shop: string): string {
  return `ops.${kindOf(type)}.${shop}`;
}

function nest(depth: number, objects: boolean): string {
  return objects ? '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) : '['.repeat(depth) + ']'.repeat(depth);
}

const encoder = new TextEncoder();

/** Turns a recipe into a message, in the context of the valid traffic so far. */
export function build(r: Recipe, ctx: FuzzContext): FuzzMessage {
  const n = ctx.next();
  const message = buildWith(r, ctx, n);
  return r.kind === 'resend' || message.kind === 'hugeString:resend' || message.kind === 'deepNesting:resend'
    ? message
    : { ...message, fresh: n };
}

function buildWith(r: Recipe, ctx: FuzzContext, n: number): FuzzMessage {
  const freshId = `fz-${n}`;
  const entity = `fz-e-${n}`;
  const shopAt = (i: number): string => (i < ctx.shops.length ? (ctx.shops[i] as string) : 'fuzzshop');
  const nearTs = (behindMs: number): string => writeTs(ctx.latestTsMs - behindMs, 480, 'plain');
  const resendTarget = (pick: number): string =>
    ctx.published[Math.floor(pick * ctx.published.length)] ?? (ctx.published[0] as string);
  const rejectedBody = (type: string): Record<string, unknown> =>
    bodyFor(type, freshId, nearTs(0), shopAt(0), entity);
  switch (r.kind) {
    case 'truncated': {
      const body = JSON.stringify(rejectedBody('chat.closed'));
      return {
        kind: r.kind,
        subject: subjectOf('chat.closed', shopAt(0)),
        data: body.slice(0, Math.floor(r.cut * body.length)),
        expected: 'rejected',
      };
    }
    case 'wrongType': {
      const body = rejectedBody(r.type);
      const fields = ['id', 'type', 'ts', 'shop', ...(REQUIRED[r.type] ?? [])];
      const field = fields[r.field % fields.length] as string;
      // A wrong-type value for this field: for amount a non-number or a negative one; for the
      // rest anything but a non-empty string (an enum or queue gets a string outside its set).
      let value = r.value;
      if (field === 'amount' && typeof value === 'number' && value >= 0) value = -1 - value;
      if (field !== 'amount' && typeof value === 'string' && value !== '') value = '';
      if (field === 'amount' && value === null) value = 'null';
      if (field === 'queues') value = Array.isArray(value) ? [...(value as unknown[]), 'NOT A QUEUE'] : value;
      if (field === 'queues' && !Array.isArray(value) && typeof value !== 'object') value = 'aftersale';
      if (field === 'queues' && typeof value === 'object' && !Array.isArray(value)) value = { q: 1 };
      body[field] = value;
      return {
        kind: r.kind,
        subject: subjectOf(r.type, shopAt(0)),
        data: JSON.stringify(body),
        expected: 'rejected',
      };
    }
    case 'missing': {
      const body = rejectedBody(r.type);
      const fields = ['id', 'type', 'ts', 'shop', ...(REQUIRED[r.type] ?? [])];
      const field = fields[r.field % fields.length] as string;
      if (r.asNull) body[field] = null;
      else delete body[field];
      return {
        kind: r.kind,
        subject: subjectOf(r.type, shopAt(0)),
        data: JSON.stringify(body),
        expected: 'rejected',
      };
    }
    case 'unknownType': {
      const type = TYPES.includes(r.type) ? `${r.type}.x` : r.type;
      const body = { ...rejectedBody('chat.closed'), type };
      return {
        kind: r.kind,
        subject: subjectOf('chat.closed', shopAt(0)),
        data: JSON.stringify(body),
        expected: 'rejected',
      };
    }
    case 'hugeString': {
      const big = 'x'.repeat(r.size);
      if (r.where === 'extraOnResend') {
        const line = resendTarget(r.size / 200_000);
        const body = JSON.parse(line) as Record<string, unknown>;
        body.pad = big;
        const text = JSON.stringify(body);
        return {
          kind: 'hugeString:resend',
          subject: subjectOf(String(body.type), String(body.shop)),
          data: text,
          // Over 64 KiB: oversize; under: the same id again, a duplicate.
          expected: Buffer.byteLength(text) > 64 * 1024 ? 'rejected' : 'duplicate',
        };
      }
      const body = rejectedBody('chat.closed');
      body[r.where] = r.where === 'id' ? `fz-${n}-${big}` : big;
      return {
        kind: r.kind,
        subject: subjectOf('chat.closed', shopAt(0)),
        data: JSON.stringify(body),
        expected: 'rejected',
      };
    }
    case 'deepNesting': {
      const nested = nest(r.depth, r.objects);
      if (r.where === 'top') {
        // Arrays are never an event; a deep {"a":{"a":…}} object has no type.
        return {
          kind: r.kind,
          subject: subjectOf('chat.closed', shopAt(0)),
          data: nested,
          expected: 'rejected',
        };
      }
      if (r.where === 'field') {
        const text = JSON.stringify({ ...rejectedBody('chat.closed'), chat_id: '§' }).replace('"§"', nested);
        return {
          kind: r.kind,
          subject: subjectOf('chat.closed', shopAt(0)),
          data: text,
          expected: 'rejected',
        };
      }
      const line = resendTarget((r.depth % 997) / 997);
      const target = JSON.parse(line) as { type: string; shop: string };
      const text = `${line.slice(0, -1)},"deep":${nested}}`;
      // The same id with a deep extra field: a duplicate, or oversize when past 64 KiB.
      return {
        kind: 'deepNesting:resend',
        subject: subjectOf(target.type, target.shop),
        data: text,
        expected: 'notAccepted',
      };
    }
    case 'unicodeIds': {
      const type = UNOPENED[r.type] as string;
      const shop = shopAt(r.shop);
      const id = `fz-${n}-${r.id}`;
      const entityId = `fz-e-${n}-${r.entity}`;
      const body = bodyFor(type, id, nearTs(0), shop, entityId);
      // A lone surrogate cannot be stored as UTF-8 (DuckDB would turn it into U+FFFD and merge two
      // ids), so the contract's validator rejects such ids as bad_field; any other Unicode is fine.
      const wellFormed = !Object.values(body).some((v) => typeof v === 'string' && /\p{Cs}/u.test(v));
      return {
        kind: r.kind,
        subject: subjectOf(type, shop),
        data: JSON.stringify(body),
        expected: wellFormed ? 'accepted' : 'notAccepted',
      };
    }
    case 'badSubject': {
      const body = bodyFor('chat.closed', freshId, nearTs(0), shopAt(0), entity);
      const captured = r.subject === 'ops' || !r.subject.startsWith('ops.') ? false : true;
      return {
        kind: r.kind,
        subject: r.subject,
        data: JSON.stringify(body),
        expected: captured ? 'rejected' : 'notStored',
      };
    }
    case 'extremeTs': {
      const near = ctx.latestTsMs - r.behindMs;
      const variants: [string, Expected][] = [
        ['0000-01-01T00:00:00Z', 'rejected'],
        // Years 0001-0099 are before 1970: out of range (and not to be read as 19xx).
        [`${String(r.year).padStart(4, '0')}-06-15T12:00:00.000Z`, 'rejected'],
        ['1969-12-31T23:59:59.999Z', 'rejected'],
        ['9999-12-31T23:59:59.999Z', 'rejected'], // a valid instant, but far past the future rule
        ['10000-01-01T00:00:00Z', 'rejected'],
        [`${new Date(near).toISOString().slice(0, 10)}T23:59:60Z`, 'rejected'], // leap second
        [`${new Date(near).toISOString().slice(0, 19)}+24:00`, 'rejected'],
        [new Date(near).toISOString().slice(0, 19).replace('T', ' '), 'rejected'],
        [new Date(near).toISOString().slice(0, 19), 'rejected'], // no offset
        [writeTs(near, 0, 'minusZero'), 'accepted'],
        [writeTs(near, r.offsetMin, 'lower'), 'accepted'],
        [writeTs(near, r.offsetMin, 'nanos'), 'accepted'],
        ['1970-01-01T00:00:00.000Z', 'accepted'], // the earliest instant in range
      ];
      const [ts, expected] = variants[r.variant % variants.length] as [string, Expected];
      const type = 'chat.closed';
      const body = bodyFor(type, freshId, ts, shopAt(0), entity);
      return {
        kind: `${r.kind}:${r.variant % variants.length}`,
        subject: subjectOf(type, shopAt(0)),
        data: JSON.stringify(body),
        expected,
        beforeRetentionHorizon: ts.startsWith('1970-'),
      };
    }
    case 'resend': {
      const line = resendTarget(r.pick);
      const body = JSON.parse(line) as Record<string, unknown>;
      const subject = subjectOf(String(body.type), String(body.shop));
      if (r.change === 'none') return { kind: r.kind, subject, data: line, expected: 'duplicate' };
      if (r.change === 'extraField')
        return { kind: r.kind, subject, data: `${line.slice(0, -1)},"resent":true}`, expected: 'duplicate' };
      if (r.change === 'protoKey')
        return {
          kind: r.kind,
          subject,
          data: `${line.slice(0, -1)},"__proto__":{"type":"order.paid","amount":1e9}}`,
          expected: 'duplicate',
        };
      // A changed amount where there is one: still the same event by id.
      if ('amount' in body) body.amount = 999_999;
      return { kind: r.kind, subject, data: JSON.stringify(body), expected: 'duplicate' };
    }
    case 'unknownEntity': {
      const type = UNOPENED[r.type] as string;
      const shop = shopAt(r.shop);
      const body = bodyFor(type, freshId, nearTs(r.behindMs), shop, entity, r.queue);
      return {
        kind: r.kind,
        subject: subjectOf(type, shop),
        data: JSON.stringify(body),
        expected: 'accepted',
      };
    }
    case 'garbage': {
      // Make sure it is not accidentally JSON: a lone 0xff is never valid UTF-8.
      const bytes = new Uint8Array(r.bytes.length + 1);
      bytes.set(r.bytes, 0);
      bytes[r.bytes.length] = 0xff;
      return { kind: r.kind, subject: subjectOf('order.paid', shopAt(0)), data: bytes, expected: 'rejected' };
    }
    case 'notAnObject':
      return {
        kind: r.kind,
        subject: subjectOf('order.paid', shopAt(0)),
        data: encoder.encode(r.text),
        expected: 'rejected',
      };
  }
}
