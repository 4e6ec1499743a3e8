import { describe, expect, it } from 'vitest';
import { createAdmission, createEventClock, createWallClock } from '../../server/events/index.ts';

const tick = (id: string, ts: string) => JSON.stringify({ id, type: 'clock.tick', ts, shop: 's1' });

describe('admission', () => {
  it('should let the first accepted event set the event clock, then apply the 300 s future rule exactly', () => {
    const clock = createEventClock();
    const admission = createAdmission({ clock, maxFutureSec: 300, seen: new Set() });
    expect(admission.admit(tick('a', '2026-11-11T20:00:00Z')).outcome).toBe('accepted');
    // Exactly 300 s ahead is accepted and moves the clock ...
    expect(admission.admit(tick('b', '2026-11-11T20:05:00Z')).outcome).toBe('accepted');
    // ... 300.001 s ahead of the new clock is rejected and does not move it.
    expect(admission.admit(tick('c', '2026-11-11T20:10:00.001Z'))).toMatchObject({
      outcome: 'rejected',
      reason: 'future_ts',
    });
    expect(clock.nowMs()).toBe(Date.UTC(2026, 10, 11, 20, 5));
  });

  it('should count a later event with the same id as a duplicate even when its body differs', () => {
    const admission = createAdmission({ clock: createEventClock(), maxFutureSec: 300, seen: new Set() });
    admission.admit(tick('a', '2026-11-11T20:00:00Z'));
    expect(admission.admit(tick('a', '2026-11-11T20:01:00Z')).outcome).toBe('duplicate');
  });

  it('should not let a duplicate or a rejected line move the event clock', () => {
    const clock = createEventClock();
    const admission = createAdmission({ clock, maxFutureSec: 300, seen: new Set() });
    admission.admit(tick('a', '2026-11-11T20:00:00Z'));
    admission.admit(tick('a', '2026-11-11T20:04:00Z'));
    admission.admit('{"id":"z","type":"clock.tick","ts":"2026-11-11T20:04:00Z"}');
    expect(clock.nowMs()).toBe(Date.UTC(2026, 10, 11, 20, 0));
  });

  it('should not let a rejected line reserve its id', () => {
    const admission = createAdmission({ clock: createEventClock(), maxFutureSec: 300, seen: new Set() });
    expect(
      admission.admit(JSON.stringify({ id: 'x', type: 'clock.tick', ts: 'bad', shop: 's1' })).outcome,
    ).toBe('rejected');
    expect(admission.admit(tick('x', '2026-11-11T20:00:00Z')).outcome).toBe('accepted');
  });

  it('should check the future rule before deduplication', () => {
    const clock = createEventClock();
    const admission = createAdmission({ clock, maxFutureSec: 300, seen: new Set() });
    admission.admit(tick('a', '2026-11-11T20:00:00Z'));
    expect(admission.admit(tick('a', '2026-11-11T21:00:00Z'))).toMatchObject({
      outcome: 'rejected',
      reason: 'future_ts',
    });
  });

  it('should measure the future against the wall clock in live mode', () => {
    const now = Date.UTC(2026, 10, 11, 12, 0);
    const admission = createAdmission({
      clock: createWallClock(() => now),
      maxFutureSec: 300,
      seen: new Set(),
    });
    expect(admission.admit(tick('a', '2026-11-11T12:05:00Z')).outcome).toBe('accepted');
    expect(admission.admit(tick('b', '2026-11-11T12:05:00.001Z')).outcome).toBe('rejected');
    expect(admission.admit(tick('c', '2020-01-01T00:00:00Z')).outcome).toBe('accepted');
  });
});
