/**
 * Benchmark: computeStaffingRows for 50 queues × 4 hours with 28 days of hourly history each,
 * next to its raw limit measured in the same run — the bare Erlang C staffing searches the rows
 * need (one per row, on the same loads), with no forecast, calendar or row building.
 * Target: ≤ 1 ms median. Prints a markdown table row; the lead records it in docs/BENCHMARKS.md.
 */
import {
  computeStaffingRows,
  DEFAULT_STAFFING_CONFIG,
  requiredServersErlangC,
  type QueueStaffingInput,
  type StaffingInput,
} from '../../server/staffing/index.ts';
import { hourStartMs, parseTimestampMs } from '../../server/events/index.ts';

const TIME_ZONE = 'Asia/Shanghai';
const QUEUES = 50;
const HISTORY_DAYS = 28;
const WARM_UP_RUNS = 50;
const RUNS = 400;
const HOUR_MS = 3_600_000;

/** Deterministic PRNG (mulberry32), so every run measures the same input. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function buildInput(): StaffingInput {
  const nowMs = parseTimestampMs('2026-11-11T20:20:00.000+08:00') ?? 0;
  const currentHourMs = hourStartMs(nowMs, TIME_ZONE);
  const next = random(42);
  const queues: QueueStaffingInput[] = [];
  for (let index = 0; index < QUEUES; index++) {
    const isRefund = index === QUEUES - 1;
    const peak = 50 + next() * 550;
    const hourlyArrivals = new Map<number, number>();
    // Shanghai has no DST, so hour starts are exact multiples of an hour back from now.
    for (let hour = currentHourMs - HISTORY_DAYS * 24 * HOUR_MS; hour <= currentHourMs; hour += HOUR_MS) {
      const localHour = new Date(hour + 8 * HOUR_MS).getUTCHours();
      const diurnal = 0.15 + 0.85 * Math.sin((Math.PI * Math.max(0, localHour - 6)) / 18) ** 2;
      hourlyArrivals.set(hour, Math.round(peak * diurnal * (0.8 + 0.4 * next())));
    }
    queues.push({
      queue: isRefund ? 'refund' : `chat-${index}`,
      kind: isRefund ? 'refund' : 'chat',
      hourlyArrivals,
      handleSec: isRefund ? null : 200 + next() * 200,
      onlineAgents: Math.round(5 + next() * 35),
      concurrency: isRefund ? 1 : 2 + Math.round(next()),
      awaitingRequestedMs: isRefund
        ? Array.from({ length: 300 }, () => nowMs - Math.round(next() * 40 * 60_000))
        : undefined,
    });
  }
  return { nowMs, timeZone: TIME_ZONE, queues, config: DEFAULT_STAFFING_CONFIG };
}

function percentile(sortedMs: readonly number[], share: number): number {
  // Nearest rank.
  return sortedMs[Math.min(sortedMs.length - 1, Math.ceil(share * sortedMs.length) - 1)] ?? Number.NaN;
}

function measure(runs: number, body: () => void): { medianMs: number; p99Ms: number } {
  for (let run = 0; run < WARM_UP_RUNS; run++) body();
  const timesMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    const startMs = performance.now();
    body();
    timesMs.push(performance.now() - startMs);
  }
  timesMs.sort((a, b) => a - b);
  return { medianMs: percentile(timesMs, 0.5), p99Ms: percentile(timesMs, 0.99) };
}

const input = buildInput();
const coldStartMs = performance.now();
const rows = computeStaffingRows(input);
const coldMs = performance.now() - coldStartMs;

// The raw limit: one Erlang C staffing search per row, on the loads the rows found.
const { defaultTarget } = DEFAULT_STAFFING_CONFIG;
const loads = rows.map((row) => (row.forecastArrivals * row.handleSecUsed) / 3600);
const handles = rows.map((row) => row.handleSecUsed);
let sink = 0;

const staffing = measure(RUNS, () => {
  sink += computeStaffingRows(input).length;
});
const raw = measure(RUNS, () => {
  for (let index = 0; index < loads.length; index++) {
    sink += requiredServersErlangC({
      ...defaultTarget,
      offeredLoad: loads[index] ?? 0,
      handleSec: handles[index] ?? 1,
    });
  }
});
const ratio = staffing.medianMs / raw.medianMs;

const format = (ms: number): string => ms.toFixed(3);
console.log(`rows: ${rows.length} (${QUEUES} queues × 4 h, ${HISTORY_DAYS} d hourly history), runs: ${RUNS}`);
console.log(`first call (cold zone-offset cache): ${format(coldMs)} ms`);
console.log(
  `computeStaffingRows: median ${format(staffing.medianMs)} ms, p99 ${format(staffing.p99Ms)} ms (target ≤ 1 ms median)`,
);
console.log(
  `raw limit, ${loads.length} bare Erlang C searches: median ${format(raw.medianMs)} ms, p99 ${format(raw.p99Ms)} ms`,
);
console.log('');
console.log('| benchmark | median | p99 | raw limit (same run) | ratio | target |');
console.log('|---|---|---|---|---|---|');
console.log(
  `| staffing rows, ${QUEUES} queues × 4 h, ${HISTORY_DAYS} d history | ${format(staffing.medianMs)} ms | ` +
    `${format(staffing.p99Ms)} ms | ${format(raw.medianMs)} ms (${loads.length} Erlang C searches) | ` +
    `${ratio.toFixed(1)}× | ≤ 1 ms median ${staffing.medianMs <= 1 ? '✓' : '✗'} |`,
);
// Keeps the measured work observable so the JIT cannot drop it.
if (sink === -1) console.log(sink);
