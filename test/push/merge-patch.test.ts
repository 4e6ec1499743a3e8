import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyMergePatch, diffMergePatch } from '../../server/push/index.ts';
import type { PlainObject } from '../../server/push/merge-patch.ts';
import { churn, sampleAggregates } from './sample-aggregates.ts';

describe('merge patch deltas', () => {
  it('should rebuild the next state from the previous one and the patch', () => {
    const jsonObject = fc.dictionary(fc.string({ maxLength: 3 }), fc.jsonValue({ maxDepth: 3 }), {
      maxKeys: 5,
    });
    fc.assert(
      fc.property(jsonObject, jsonObject, (prev, extra) => {
        // Overwriting with `extra` may also drop nested keys; those ticks become snapshots (below).
        const next = { ...(JSON.parse(JSON.stringify(prev)) as PlainObject), ...extra };
        const diff = diffMergePatch(prev, next);
        fc.pre(diff.kind !== 'removed');
        const rebuilt = diff.kind === 'patch' ? applyMergePatch(prev, diff.patch) : prev;
        expect(JSON.parse(JSON.stringify(rebuilt))).toEqual(JSON.parse(JSON.stringify(next)));
      }),
      { numRuns: 300 },
    );
  });

  it('should report unchanged for equal states and removed for a missing key', () => {
    const a = sampleAggregates(0) as unknown as PlainObject;
    expect(diffMergePatch(a, structuredClone(a)).kind).toBe('unchanged');
    const b = structuredClone(a) as { chat: { queues: Record<string, unknown> } };
    delete b.chat.queues['presale'];
    expect(diffMergePatch(a, b as unknown as PlainObject).kind).toBe('removed');
  });

  it('should replace arrays whole and keep untouched branches by identity', () => {
    const prev = sampleAggregates(0);
    const next = churn(prev, 3, 3_000);
    next.alerts = [];
    const diff = diffMergePatch(prev as unknown as PlainObject, next as unknown as PlainObject);
    expect(diff.kind).toBe('patch');
    if (diff.kind !== 'patch') return;
    expect(diff.patch['alerts']).toEqual([]);
    const applied = applyMergePatch(prev, diff.patch);
    expect(applied).toEqual(next);
    expect(applied.refunds.paths).toBe(prev.refunds.paths);
    expect(prev.alerts).toHaveLength(1);
  });
});
