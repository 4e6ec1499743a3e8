// Builders for staffing inputs in the business zone Asia/Shanghai (UTC+8, no DST).
import { parseTimestampMs } from '../../server/events/index.ts';
import {
  DEFAULT_STAFFING_CONFIG,
  type QueueStaffingInput,
  type StaffingConfig,
  type StaffingInput,
} from '../../server/staffing/index.ts';

export const TIME_ZONE = 'Asia/Shanghai';

/** Epoch ms of a local Shanghai wall-clock time, e.g. at('2026-11-11T20:00'). */
export function at(localDateTime: string): number {
  const epochMs = parseTimestampMs(`${localDateTime}:00+08:00`);
  if (epochMs === undefined) throw new Error(`bad fixture time ${localDateTime}`);
  return epochMs;
}

/** Hourly arrivals keyed by local hour start: { '2026-11-04T20:00': 10, ... }. */
export function arrivalsAt(counts: Record<string, number>): Map<number, number> {
  return new Map(Object.entries(counts).map(([local, count]) => [at(local), count]));
}

/** The same count at `time` on the 4 Wednesdays before 2026-11-11 (a Wednesday). */
export function sameWeekdays(
  time: string,
  counts: readonly [number, number, number, number],
): Record<string, number> {
  const dates = ['2026-11-04', '2026-10-28', '2026-10-21', '2026-10-14'];
  return Object.fromEntries(dates.map((date, index) => [`${date}T${time}`, counts[index] ?? 0]));
}

export function config(overrides: Partial<StaffingConfig> = {}): StaffingConfig {
  return { ...DEFAULT_STAFFING_CONFIG, ...overrides };
}

export function chatQueue(overrides: Partial<QueueStaffingInput> & { queue: string }): QueueStaffingInput {
  return {
    kind: 'chat',
    hourlyArrivals: new Map(),
    handleSec: 180,
    onlineAgents: 0,
    concurrency: 1,
    ...overrides,
  };
}

export function refundQueue(overrides: Partial<QueueStaffingInput> = {}): QueueStaffingInput {
  return {
    queue: 'refund',
    kind: 'refund',
    hourlyArrivals: new Map(),
    handleSec: null,
    onlineAgents: 0,
    concurrency: 1,
    awaitingRequestedMs: [],
    ...overrides,
  };
}

export function staffingInput(
  now: string,
  queues: readonly QueueStaffingInput[],
  configOverrides: Partial<StaffingConfig> = {},
): StaffingInput {
  return { nowMs: at(now), timeZone: TIME_ZONE, queues, config: config(configOverrides) };
}
