import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeEvent, QUALITY_REASONS, subjectFor, type PeakEvent } from '../../server/events/index.ts';
import {
  emptyNoiseSummary,
  generateLines,
  resolveTrafficOptions,
  serializeWireEvent,
  simulateTraffic,
  type GenerateOptions,
} from '../../scripts/lib/generator/index.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** The eve and the peak day for two shops: every kind of event, the midnight rush and the evening peak. */
const PEAK_RUN: GenerateOptions = { seed: 7, days: 2, peakDay: '2026-11-11', shops: 2, scale: 0.1 };
/** Eight days, so multi-day refund paths (return-refund: 2–6 days) complete inside the file. */
const LONG_RUN: GenerateOptions = { seed: 11, days: 8, peakDay: '2026-11-11', shops: 1, scale: 0.1 };

function sha256(lines: Iterable<string>): string {
  const hash = createHash('sha256');
  for (const line of lines) hash.update(line + '\n');
  return hash.digest('hex');
}

function decodeAll(lines: readonly string[]): PeakEvent[] {
  return lines.map((line) => {
    const result = decodeEvent(line);
    if (!result.ok) throw new Error(`${result.reason}: ${result.detail} in ${line}`);
    return result.event;
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN;
}

/** Local hour (Asia/Shanghai, +08:00) of an instant. */
function localHour(tsMs: number): number {
  return new Date(tsMs + 8 * HOUR_MS).getUTCHours();
}

describe('traffic generator', () => {
  let peakLines: string[];
  let peakEvents: PeakEvent[];

  beforeAll(() => {
    peakLines = [...generateLines(PEAK_RUN)];
    peakEvents = decodeAll(peakLines);
  });

  it('should produce byte-identical output for the same seed and flags', () => {
    const small: GenerateOptions = { seed: 7, days: 2, peakDay: '2026-11-11', shops: 2, scale: 0.05 };
    const first = sha256(generateLines(small));
    expect(sha256(generateLines(small))).toBe(first);
    expect(sha256(generateLines({ ...small, seed: 8 }))).not.toBe(first);
  });

  it('should write every line of a clean run so the server validator accepts it on its subject', () => {
    for (const generated of simulateTraffic(resolveTrafficOptions(PEAK_RUN))) {
      const event = generated.event;
      const result = decodeEvent(JSON.stringify(event), subjectFor(event.type, event.shop));
      expect(result.ok, JSON.stringify(event)).toBe(true);
    }
  });

  it('should serialise every event exactly as JSON.stringify does', () => {
    for (const generated of simulateTraffic(resolveTrafficOptions(PEAK_RUN))) {
      expect(serializeWireEvent(generated.event)).toBe(JSON.stringify(generated.event));
    }
  });

  it('should cover the days ending with the peak day, sorted by ts with no gap over 300 s', () => {
    const first = peakEvents[0];
    const last = peakEvents[peakEvents.length - 1];
    expect(first?.ts).toBe('2026-11-10T00:00:00.000+08:00');
    expect(last?.ts).toBe('2026-11-11T23:59:59.999+08:00');
    let previousMs = first?.tsMs ?? 0;
    let largestGapMs = 0;
    for (const event of peakEvents) {
      expect(event.tsMs).toBeGreaterThanOrEqual(previousMs);
      largestGapMs = Math.max(largestGapMs, event.tsMs - previousMs);
      previousMs = event.tsMs;
    }
    expect(largestGapMs).toBeLessThanOrEqual(300_000);
    // RFC 3339 in the business zone with milliseconds.
    expect(peakLines[1]).toMatch(/"ts":"2026-11-10T\d\d:\d\d:\d\d\.\d{3}\+08:00"/);
  });

  it('should give every event a unique id and open every entity once per shop', () => {
    expect(new Set(peakEvents.map((event) => event.id)).size).toBe(peakEvents.length);
    const opened = new Set<string>();
    for (const event of peakEvents) {
      if (event.type === 'chat.started' || event.type === 'refund.requested') {
        const key = `${event.shop}/${event.type === 'chat.started' ? event.chatId : event.refundId}`;
        expect(opened.has(key)).toBe(false);
        opened.add(key);
      } else if (event.type.startsWith('chat.') || event.type.startsWith('refund.')) {
        const entity = 'chatId' in event ? event.chatId : 'refundId' in event ? event.refundId : '';
        expect(opened.has(`${event.shop}/${entity}`), `${event.type} before its opening: ${event.id}`).toBe(
          true,
        );
      }
    }
  });

  it('should keep orders at 10 to 20 times refunds', () => {
    const orders = peakEvents.filter((event) => event.type === 'order.paid').length;
    const refunds = peakEvents.filter((event) => event.type === 'refund.requested').length;
    expect(orders / refunds).toBeGreaterThanOrEqual(10);
    expect(orders / refunds).toBeLessThanOrEqual(20);
  });

  it('should be quiet at night and run the peak evening at 5 to 10 times a normal evening', () => {
    const ordersByDayHour = new Map<string, number>();
    for (const event of peakEvents) {
      if (event.type !== 'order.paid') continue;
      const key = `${event.ts.slice(0, 10)} ${localHour(event.tsMs)}`;
      ordersByDayHour.set(key, (ordersByDayHour.get(key) ?? 0) + 1);
    }
    const count = (day: string, hour: number): number => ordersByDayHour.get(`${day} ${hour}`) ?? 0;
    const normalEvening = count('2026-11-10', 20) + count('2026-11-10', 21);
    const peakEvening = count('2026-11-11', 20) + count('2026-11-11', 21);
    expect(count('2026-11-10', 4) * 10).toBeLessThan(count('2026-11-10', 11));
    expect(peakEvening / normalEvening).toBeGreaterThanOrEqual(5);
    expect(peakEvening / normalEvening).toBeLessThanOrEqual(10);
    // The sale opens at midnight: its first hour outsells a normal evening hour several times over.
    expect(count('2026-11-11', 0)).toBeGreaterThan(3 * count('2026-11-10', 21));
  });

  it('should let chats wait over 30 minutes on the understaffed peak evening, and hardly ever in a normal daytime', () => {
    const starts = new Map<string, number>();
    let peakEveningWaitsOver30 = 0;
    let normalDaytimeWaitsOver30 = 0;
    for (const event of peakEvents) {
      if (!event.type.startsWith('chat.') || !('chatId' in event)) continue;
      const key = `${event.shop}/${event.chatId}`;
      if (event.type === 'chat.started') starts.set(key, event.tsMs);
      // A wait ends with the first agent message or with the chat's close (an abandon).
      const endsWait =
        (event.type === 'chat.message' && event.from === 'agent') || event.type === 'chat.closed';
      const startMs = starts.get(key);
      if (!endsWait || startMs === undefined) continue;
      starts.delete(key);
      if (event.tsMs - startMs <= 30 * MINUTE_MS) continue;
      const startHour = localHour(startMs);
      const startDay = new Date(startMs + 8 * HOUR_MS).toISOString().slice(0, 10);
      if (startDay === '2026-11-11' && startHour >= 19) peakEveningWaitsOver30++;
      if (startDay === '2026-11-10' && startHour >= 10 && startHour < 19) normalDaytimeWaitsOver30++;
    }
    expect(peakEveningWaitsOver30).toBeGreaterThan(20);
    // A tiny shop (scale 0.1) can leave one after-sales chat alone through a break; never more than a trickle.
    expect(normalDaytimeWaitsOver30 * 20).toBeLessThan(peakEveningWaitsOver30);
  });

  it('should staff both chat queues and the refund desk, with pre-sales about twice after-sales', () => {
    const staff = new Map<string, string>();
    for (const event of peakEvents) {
      if (event.type === 'agent.status') {
        expect(event.queues.length).toBe(1);
        staff.set(`${event.shop}/${event.agentId}`, event.queues[0] ?? '');
      }
    }
    const perQueue = (queue: string): number => [...staff.values()].filter((value) => value === queue).length;
    expect(perQueue('presale') / perQueue('aftersale')).toBeGreaterThan(1.5);
    expect(perQueue('presale') / perQueue('aftersale')).toBeLessThan(3);
    expect(perQueue('refund')).toBeGreaterThan(0);
    const statuses = new Set(
      peakEvents.flatMap((event) => (event.type === 'agent.status' ? [event.status] : [])),
    );
    expect([...statuses].sort()).toEqual(['away', 'busy', 'offline', 'online']);
    const kinds = new Set(peakEvents.map((event) => event.type));
    for (const type of ['chat.assigned', 'chat.transferred', 'chat.closed', 'chat.message'] as const) {
      expect(kinds.has(type)).toBe(true);
    }
  });

  it('should run all four refund paths with their own durations, edits, disputes and closes', () => {
    const events = decodeAll([...generateLines(LONG_RUN)]);
    const refunds = new Map<
      string,
      { requestedMs: number; path: string; firstReason: string; lastReason: string }
    >();
    const durationsHoursByPath = new Map<string, number[]>();
    const firstResponseMinutes: number[] = [];
    const responded = new Set<string>();
    const closedBy = new Set<string>();
    const seenTypes = new Set<string>();
    let qualityEditedAway = 0;
    for (const event of events) {
      seenTypes.add(event.type);
      if (event.type === 'refund.requested') {
        refunds.set(event.refundId, {
          requestedMs: event.tsMs,
          path: event.path,
          firstReason: event.reason,
          lastReason: event.reason,
        });
        continue;
      }
      if (!event.type.startsWith('refund.') || !('refundId' in event)) continue;
      const refund = refunds.get(event.refundId);
      if (refund === undefined) continue;
      if (event.type === 'refund.updated') {
        if (event.path !== undefined) refund.path = event.path;
        if (event.reason !== undefined) refund.lastReason = event.reason;
      } else if (event.type === 'refund.responded' && !responded.has(event.refundId)) {
        responded.add(event.refundId);
        firstResponseMinutes.push((event.tsMs - refund.requestedMs) / MINUTE_MS);
      } else if (event.type === 'refund.succeeded') {
        const hours = (event.tsMs - refund.requestedMs) / HOUR_MS;
        durationsHoursByPath.set(refund.path, [...(durationsHoursByPath.get(refund.path) ?? []), hours]);
        if (QUALITY_REASONS.has(refund.firstReason) && !QUALITY_REASONS.has(refund.lastReason))
          qualityEditedAway++;
      } else if (event.type === 'refund.closed') {
        closedBy.add(event.by);
      }
    }
    const medianHours = (path: string): number => median(durationsHoursByPath.get(path) ?? []);
    expect(medianHours('unshipped')).toBeLessThan(6);
    expect(medianHours('in_transit')).toBeGreaterThan(12);
    expect(medianHours('in_transit')).toBeLessThan(36);
    expect(medianHours('received_refund_only')).toBeGreaterThan(24);
    expect(medianHours('received_refund_only')).toBeLessThan(48);
    expect(medianHours('return_refund')).toBeGreaterThan(48);
    expect(medianHours('return_refund')).toBeLessThan(144);
    // Mostly answered within 30 minutes, but not always (nights, backlogs).
    const withinHalfHour =
      firstResponseMinutes.filter((minutes) => minutes <= 30).length / firstResponseMinutes.length;
    expect(withinHalfHour).toBeGreaterThan(0.6);
    expect(withinHalfHour).toBeLessThan(1);
    expect([...closedBy].sort()).toEqual(['buyer', 'merchant', 'platform']);
    expect(qualityEditedAway).toBeGreaterThan(0);
    for (const type of [
      'refund.escalated',
      'refund.return_shipped',
      'refund.goods_received',
      'refund.updated',
    ]) {
      expect(seenTypes.has(type), type).toBe(true);
    }
    // Some refunds are still open when the file ends.
    const completed = events.filter(
      (event) => event.type === 'refund.succeeded' || event.type === 'refund.closed',
    );
    expect(completed.length).toBeLessThan(refunds.size);
  });

  it('should add exactly the noise its summary reports and never lose a clean event', () => {
    const summary = emptyNoiseSummary(0.05);
    const noisy = [...generateLines({ ...PEAK_RUN, noise: 0.05 }, summary)];
    const rejected: Record<string, number> = {};
    const firstSeen: string[] = [];
    const seenIds = new Set<string>();
    let duplicates = 0;
    for (const line of noisy) {
      const result = decodeEvent(line);
      if (!result.ok) {
        rejected[result.reason] = (rejected[result.reason] ?? 0) + 1;
        continue;
      }
      if (seenIds.has(result.event.id)) {
        duplicates++;
        continue;
      }
      seenIds.add(result.event.id);
      firstSeen.push(line);
    }
    expect(summary.badTotal).toBeGreaterThan(0);
    expect(rejected).toEqual(
      Object.fromEntries(Object.entries(summary.bad).filter(([, count]) => count > 0)),
    );
    expect(duplicates).toBe(summary.duplicates);
    expect(noisy.length).toBe(peakLines.length + summary.duplicates + summary.badTotal);
    // The clean events, each once, with exactly `reordered` neighbouring pairs swapped.
    expect([...firstSeen].sort()).toEqual([...peakLines].sort());
    let swaps = 0;
    for (let index = 0; index + 1 < firstSeen.length; index++) {
      if (firstSeen[index] === peakLines[index + 1] && firstSeen[index + 1] === peakLines[index]) swaps++;
    }
    expect(swaps).toBe(summary.reordered);
    expect(summary.reordered).toBeGreaterThan(0);
  });
});
