/**
 * The engine behind the real server: a generated two-day file (with 2% noise: re-sends, local
 * reordering, bad lines) replayed through real NATS into a server with CLOCK=event must give, at
 * several instants, exactly the snapshot of a fresh in-process engine fed the clean events with
 * ts ≤ T; the live snapshot must equal the time-travel one; a restart mid-stream changes nothing.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../server/config/index.ts';
import { createEngine, type EngineSnapshot } from '../../server/engine/index.ts';
import { decodeEvent, formatInstant, type PeakEvent } from '../../server/events/index.ts';
import { startPeakboard, type RunningPeakboard } from '../../server/peakboard.ts';
import { computeStaffingRows, DEFAULT_STAFFING_CONFIG } from '../../server/staffing/index.ts';
import { generateEvents, generateLines, serializeWireEvent } from '../../scripts/lib/generator/index.ts';
import { replayFile } from '../../scripts/lib/replay.ts';
import { makeTempDir, startTestNats, type TestNats } from '../helpers/nats.ts';
import { waitFor } from '../helpers/publish.ts';

const TZ = 'Asia/Shanghai';
const options = { seed: 11, days: 2, peakDay: '2026-11-11', shops: 2, scale: 0.04 } as const;

function referenceSnapshot(events: readonly PeakEvent[], atMs: number, shop: string | null): EngineSnapshot {
  const engine = createEngine({
    timeZone: TZ,
    staffing: { compute: computeStaffingRows, config: DEFAULT_STAFFING_CONFIG },
  });
  for (const e of events) if (e.tsMs <= atMs) engine.apply(e);
  return engine.snapshot(atMs, shop);
}

interface Served extends EngineSnapshot {
  ingest: { accepted: number; duplicates: number; rejected: number; pending: number };
}

async function snapshotAt(board: RunningPeakboard, atMs: number | undefined, shop?: string): Promise<Served> {
  const params = new URLSearchParams();
  if (atMs !== undefined) params.set('at', formatInstant(atMs, TZ));
  if (shop !== undefined) params.set('shop', shop);
  const response = await fetch(`${board.url}/api/snapshot?${params}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Served;
}

/** The parts of a snapshot that are a function of the events (ingest counters are not). */
function figures(s: EngineSnapshot) {
  return { asOf: s.asOf, shop: s.shop, chat: s.chat, refunds: s.refunds, staffing: s.staffing, alerts: s.alerts };
}

describe('engine through the real server (NATS + DuckDB, CLOCK=event)', () => {
  let nats: TestNats;
  const temp = makeTempDir();
  const cleanEvents: PeakEvent[] = [];
  let noisyFile = '';
  let firstHalfFile = '';
  let secondHalfFile = '';

  beforeAll(async () => {
    nats = await startTestNats();
    for (const wire of generateEvents(options)) {
      const decoded = decodeEvent(serializeWireEvent(wire));
      if (!decoded.ok) throw new Error(`generator wrote an invalid event: ${decoded.detail}`);
      cleanEvents.push(decoded.event);
    }
    const lines = [...generateLines({ ...options, noise: 0.02 })];
    noisyFile = `${temp.dir}/noisy.ndjson`;
    writeFileSync(noisyFile, lines.join('\n') + '\n');
    const half = Math.floor(lines.length / 2);
    firstHalfFile = `${temp.dir}/first.ndjson`;
    secondHalfFile = `${temp.dir}/second.ndjson`;
    writeFileSync(firstHalfFile, lines.slice(0, half).join('\n') + '\n');
    writeFileSync(secondHalfFile, lines.slice(half).join('\n') + '\n');
  });
  afterAll(async () => {
    await nats.dispose();
    temp.remove();
  });

  const start = (dir: string) =>
    startPeakboard(parseConfig({ NATS_URL: nats.url, DATA_DIR: dir, PORT: '0', CLOCK: 'event', LOG_LEVEL: 'error' }), {
      webRoot: dir,
    });

  async function caughtUp(board: RunningPeakboard, lines: number): Promise<void> {
    await waitFor(async () => {
      const s = (await snapshotAt(board, undefined)).ingest;
      return s.accepted + s.duplicates + s.rejected >= lines && s.pending === 0 ? true : undefined;
    }, 120_000, 'catch-up');
  }

  it('should serve, at every instant asked, the snapshot a fresh engine computes from the clean events', async () => {
    const board = await start(`${temp.dir}/a`);
    try {
      const report = await replayFile({ input: noisyFile, natsUrl: nats.url, speed: 'max', stream: 'OPS' });
      // JetStream drops re-sends inside its 2-minute window; the rest reach Peakboard.
      await caughtUp(board, report.stored);
      const ingest = (await snapshotAt(board, undefined)).ingest;
      expect(ingest.accepted).toBe(cleanEvents.length);
      expect(ingest.rejected).toBeGreaterThan(0);
      const lastMs = cleanEvents.reduce((m, e) => Math.max(m, e.tsMs), 0);
      const instants = [
        Date.UTC(2026, 10, 10, 4, 0), // 12:00 the day before the peak
        Date.UTC(2026, 10, 10, 16, 0, 30), // just after midnight: the peak's first spike
        Date.UTC(2026, 10, 11, 12, 45), // 20:45, evening peak
        lastMs,
      ];
      for (const at of instants) {
        for (const shop of [null, 'shop2']) {
          const served = await snapshotAt(board, at, shop ?? undefined);
          expect(figures(served)).toEqual(figures(referenceSnapshot(cleanEvents, at, shop)));
        }
      }
      // Live (event clock at the last event) equals time travel to the same instant.
      const live = await snapshotAt(board, undefined);
      const travelled = await snapshotAt(board, Date.parse(live.asOf));
      expect(figures(travelled)).toEqual(figures(live));
      // The evening peak really has work on the board.
      const peak = await snapshotAt(board, instants[2]);
      expect(Object.values(peak.chat.queues).some((q) => q.waiting > 0)).toBe(true);
    } finally {
      await board.stop();
    }
  });

  it('should give the same figures after a restart mid-stream as an uninterrupted run', async () => {
    // A NATS server of its own: two streams on one server cannot both capture ops.>.
    const natsB = await startTestNats();
    const dir = `${temp.dir}/b`;
    const startB = () =>
      startPeakboard(parseConfig({ NATS_URL: natsB.url, DATA_DIR: dir, PORT: '0', CLOCK: 'event', LOG_LEVEL: 'error' }), {
        webRoot: dir,
      });
    let board = await startB();
    const first = await replayFile({ input: firstHalfFile, natsUrl: natsB.url, speed: 'max' });
    await board.stop();
    board = await startB();
    try {
      const second = await replayFile({ input: secondHalfFile, natsUrl: natsB.url, speed: 'max' });
      await caughtUp(board, first.stored + second.stored);
      const live = await snapshotAt(board, undefined);
      expect(live.ingest.accepted).toBe(cleanEvents.length);
      const at = Date.parse(live.asOf);
      expect(figures(live)).toEqual(figures(referenceSnapshot(cleanEvents, at, null)));
    } finally {
      await board.stop();
      await natsB.dispose();
    }
  });
});
