/**
 * The engine caches the zone offset per UTC hour (engine.ts, offsetMsOf) for hour starts and
 * for the instants it writes. Around offset transitions — a 1 h DST shift, Lord Howe's 30 min
 * one — its answers must be exactly those of hourStartMs / formatInstant (server/events/time.ts).
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../server/engine/index.ts';
import { formatInstant, hourStartMs } from '../../server/events/index.ts';
import type { StaffingInput } from '../../server/staffing/types.ts';
import { DEFAULT_STAFFING_CONFIG } from '../../server/staffing/index.ts';
import { ev } from './event-builders.ts';

const MIN = 60_000;

const transitions: [string, number][] = [
  // America/New_York: 2026-03-08 02:00 EST → 03:00 EDT, 2026-11-01 02:00 EDT → 01:00 EST.
  ['America/New_York', Date.UTC(2026, 2, 8, 7, 0)],
  ['America/New_York', Date.UTC(2026, 10, 1, 6, 0)],
  // Australia/Lord_Howe: +10:30 ↔ +11:00, a 30-minute shift (2026-04-05 and 2026-10-04).
  ['Australia/Lord_Howe', Date.UTC(2026, 3, 4, 15, 0)],
  ['Australia/Lord_Howe', Date.UTC(2026, 9, 3, 15, 30)],
  ['Asia/Kathmandu', Date.UTC(2026, 10, 11, 12, 0)],
];

describe('zone offsets around transitions', () => {
  it.each(transitions)(
    'should write asOf and cut arrival hours like time.ts in %s near %d',
    (timeZone, aroundMs) => {
      let input: StaffingInput | undefined;
      const engine = createEngine({
        timeZone,
        staffing: {
          config: DEFAULT_STAFFING_CONFIG,
          compute: (given) => {
            input = given;
            return [];
          },
        },
      });
      const starts: number[] = [];
      for (let t = aroundMs - 3 * 60 * MIN; t <= aroundMs + 3 * 60 * MIN; t += 7 * MIN + 13) {
        engine.apply(ev.chatStarted(t, `c${t}`, 'presale'));
        starts.push(t);
      }
      for (let t = aroundMs - 3 * 60 * MIN; t <= aroundMs + 3 * 60 * MIN; t += 11 * MIN + 7) {
        expect(engine.snapshot(t, null).asOf).toBe(formatInstant(t, timeZone));
      }
      engine.snapshot(aroundMs + 4 * 60 * MIN, null);
      const expected = new Map<number, number>();
      for (const t of starts) {
        const hour = hourStartMs(t, timeZone);
        expected.set(hour, (expected.get(hour) ?? 0) + 1);
      }
      const presale = input?.queues.find((queue) => queue.queue === 'presale');
      expect(
        new Map([...(presale?.hourlyArrivals ?? new Map<number, number>())].sort((a, b) => a[0] - b[0])),
      ).toEqual(new Map([...expected].sort((a, b) => a[0] - b[0])));
    },
  );
});
