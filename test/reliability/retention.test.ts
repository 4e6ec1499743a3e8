/**
 * Retention through the real server (NATS + DuckDB, CLOCK=event): 80 generated days (~2k events
 * a day, clock ticks included) are fed in two halves to a server with RETENTION_DAYS=31 and to
 * one with RETENTION_DAYS=3650, each on its own nats-server. Advancing the event clock must
 * remove whole business days older than the horizon and nothing newer; the aggregates at the
 * latest instant must equal those of the server that keeps everything (live, after a restart
 * from a checkpoint, and by time travel); the ingest totals must not move with a sweep or a
 * restart; and the DuckDB file must stop growing once the window is full.
 */
import { existsSync, statSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../server/config/index.ts';
import { decodeEvent, formatInstant, type PeakEvent } from '../../server/events/index.ts';
import type { Logger } from '../../server/log.ts';
import { startPeakboard, type RunningPeakboard } from '../../server/peakboard.ts';
import { businessDayStartMs, retentionHorizonMs } from '../../server/store/index.ts';
import { generateEvents, serializeWireEvent } from '../../scripts/lib/generator/index.ts';
import { makeTempDir, startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishAll, type OutgoingMessage } from '../helpers/publish.ts';
import { fetchSnapshot, figures, poll, processed, type IngestBlock } from '../helpers/reliability.ts';

const TZ = 'Asia/Shanghai';
const DAY_MS = 86_400_000;
const RETENTION_DAYS = 31;
// 81 days ending with the 11.11 peak; the peak day itself is left out so every day weighs the same.
const GENERATED = { seed: 21, days: 81, peakDay: '2026-11-11', shops: 1, scale: 0.02 } as const;
const FED_DAYS = 80;

interface Line {
  event: PeakEvent;
  payload: string;
}

interface LoggedSweep {
  days: number;
  events: number;
  ms: number;
  longestStepMs: number;
}

/** A Logger that keeps the sweep lines and the recovery line, and drops the rest. */
function capturingLogger(sweeps: LoggedSweep[], recoveries: Record<string, unknown>[]): Logger {
  const keep = (message: string, fields?: Record<string, unknown>) => {
    if (message === 'retention sweep') sweeps.push(fields as unknown as LoggedSweep);
    if (message === 'state rebuilt from DuckDB' && fields !== undefined) recoveries.push(fields);
  };
  return { debug: () => {}, info: keep, warn: () => {}, error: () => {} };
}

function message(line: Line, options: { msgId?: boolean } = {}): OutgoingMessage {
  const kind = line.event.type.slice(0, line.event.type.indexOf('.'));
  return {
    subject: `ops.${kind}.${line.event.shop}`,
    data: line.payload,
    ...(options.msgId === false ? {} : { msgId: line.event.id }),
  };
}

/** Rows per business day (day start → count) in a stopped server's DuckDB file. */
async function rowsPerDay(databasePath: string): Promise<Map<number, number>> {
  const instance = await DuckDBInstance.create(databasePath, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const rows = (await connection.runAndReadAll('SELECT ts_ms::DOUBLE FROM events')).getRows();
    const perDay = new Map<number, number>();
    for (const [ts] of rows) {
      const day = businessDayStartMs(Number(ts), TZ);
      perDay.set(day, (perDay.get(day) ?? 0) + 1);
    }
    return perDay;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

function fileBytes(databasePath: string): number {
  const wal = `${databasePath}.wal`;
  return statSync(databasePath).size + (existsSync(wal) ? statSync(wal).size : 0);
}

async function metric(url: string, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('retention by whole business days (real NATS + DuckDB, CLOCK=event)', () => {
  const temp = makeTempDir('peakboard-retention-');
  const lines: Line[] = [];
  /** Lines by business day index from the first day. */
  const days: Line[][] = [];
  let firstDayStart = 0;
  const natsOf: { short?: TestNats; long?: TestNats } = {};
  const clients: NatsConnection[] = [];
  let short: RunningPeakboard | undefined;
  let long: RunningPeakboard | undefined;
  const shortSweeps: LoggedSweep[] = [];
  const shortRecoveries: Record<string, unknown>[] = [];
  const shortDir = `${temp.dir}/short`;
  const longDir = `${temp.dir}/long`;
  let published = { short: 0, long: 0 };
  const BAD_LINES = 5;
  const DUPLICATES = 40;

  const startShort = () =>
    startPeakboard(
      parseConfig({
        NATS_URL: natsOf.short?.url ?? '',
        DATA_DIR: shortDir,
        PORT: '0',
        CLOCK: 'event',
        RETENTION_DAYS: String(RETENTION_DAYS),
        LOG_LEVEL: 'info',
      }),
      { webRoot: temp.dir, logger: capturingLogger(shortSweeps, shortRecoveries) },
    );

  beforeAll(async () => {
    for (const wire of generateEvents(GENERATED)) {
      const payload = serializeWireEvent(wire);
      const decoded = decodeEvent(payload);
      if (!decoded.ok) throw new Error(`generator wrote an invalid event: ${decoded.detail}`);
      lines.push({ event: decoded.event, payload });
    }
    firstDayStart = businessDayStartMs(lines[0]?.event.tsMs ?? 0, TZ);
    for (const line of lines) {
      const day = Math.round((businessDayStartMs(line.event.tsMs, TZ) - firstDayStart) / DAY_MS);
      if (day < FED_DAYS) (days[day] ??= []).push(line);
    }
    [natsOf.short, natsOf.long] = await Promise.all([startTestNats(), startTestNats()]);
    for (const nats of [natsOf.short, natsOf.long]) clients.push(await connect({ servers: nats.url }));
    [short, long] = await Promise.all([
      startShort(),
      startPeakboard(
        parseConfig({
          NATS_URL: natsOf.long.url,
          DATA_DIR: longDir,
          PORT: '0',
          CLOCK: 'event',
          RETENTION_DAYS: '3650',
          LOG_LEVEL: 'error',
        }),
        { webRoot: temp.dir },
      ),
    ]);
  });

  afterAll(async () => {
    for (const nc of clients) await nc.close();
    await short?.stop();
    await long?.stop();
    await natsOf.short?.dispose();
    await natsOf.long?.dispose();
    temp.remove();
  });

  /** Waits until the server at `url` has processed `count` messages (polled often: many small waits). */
  const processedAll = (url: string, count: number): Promise<IngestBlock> =>
    poll(
      async () => {
        const ingest = (await fetchSnapshot(url)).ingest;
        return processed(ingest) >= count && ingest.pending === 0 ? ingest : undefined;
      },
      `${count} messages processed`,
      50_000,
      100,
    );

  /** Publishes the same messages to both servers and waits until both have processed them. */
  async function feedBoth(messages: OutgoingMessage[]): Promise<[IngestBlock, IngestBlock]> {
    const [shortNc, longNc] = clients as [NatsConnection, NatsConnection];
    await Promise.all([publishAll(shortNc, messages), publishAll(longNc, messages)]);
    published = { short: published.short + messages.length, long: published.long + messages.length };
    return Promise.all([
      processedAll(short?.url ?? '', published.short),
      processedAll(long?.url ?? '', published.long),
    ]);
  }

  /**
   * Feeds days [from, to) five at a time, as time passes in production: after each chunk both
   * servers catch up and the short one sweeps (a sweep waits behind commits, so a burst of 40
   * days at full speed would otherwise land before the sweep that makes room for it).
   */
  async function feedDays(
    from: number,
    to: number,
    first: OutgoingMessage[],
  ): Promise<[IngestBlock, IngestBlock]> {
    let ingest: [IngestBlock, IngestBlock] | undefined;
    for (let day = from; day < to; day += 5) {
      const chunk = days
        .slice(day, Math.min(to, day + 5))
        .flat()
        .map((l) => message(l));
      ingest = await feedBoth(day === from ? [...chunk, ...first] : chunk);
      await sweptTo(clockAfter(Math.min(to, day + 5) - 1));
    }
    if (ingest === undefined) throw new Error('no days fed');
    return ingest;
  }

  /** The instant the event clock stands at once `throughDay` is fed: its largest ts. */
  const clockAfter = (throughDay: number) =>
    days
      .slice(0, throughDay + 1)
      .flat()
      .reduce((max, l) => Math.max(max, l.event.tsMs), 0);

  /** Waits until the short server's last sweep reached the horizon of `clockMs` and left nothing behind. */
  function sweptTo(clockMs: number): Promise<number> {
    const horizon = retentionHorizonMs(clockMs, RETENTION_DAYS, TZ);
    return poll(
      async () => {
        const url = short?.url ?? '';
        const at = await metric(url, 'peakboard_retention_horizon_timestamp_seconds');
        const awaiting = await metric(url, 'peakboard_retention_events_awaiting_checkpoint');
        return at === horizon / 1000 && awaiting === 0 ? horizon : undefined;
      },
      `retention sweep to ${formatInstant(horizon, TZ)}`,
      30_000,
      250,
    );
  }

  /** After a stop: whole days before the horizon are gone, every later day is complete. */
  async function expectWholeDaysKept(horizon: number, throughDay: number): Promise<void> {
    const perDay = await rowsPerDay(`${shortDir}/peakboard.duckdb`);
    const expected = new Map<number, number>();
    for (let day = 0; day <= throughDay; day++) {
      const start = firstDayStart + day * DAY_MS;
      if (start >= horizon) expected.set(start, days[day]?.length ?? 0);
    }
    expect(Math.min(...perDay.keys())).toBe(horizon);
    expect(perDay).toEqual(expected);
  }

  it('should remove the days older than the horizon while the clock advances, and keep the totals', async () => {
    const badLines: OutgoingMessage[] = Array.from({ length: BAD_LINES }, (_, i) => ({
      subject: 'ops.order.shop1',
      data: `{"id": "broken-${i}"`,
    }));
    // Re-sends outside JetStream's duplicate window (no msg id): the server's own dedupe counts them.
    const resent = (days[0] ?? []).slice(0, DUPLICATES).map((l) => message(l, { msgId: false }));
    const [shortIngest, longIngest] = await feedDays(0, 40, [...badLines, ...resent]);
    const horizon = await sweptTo(clockAfter(39));
    expect(horizon).toBe(firstDayStart + 8 * DAY_MS);

    const valid = days.slice(0, 40).flat().length;
    const totals = await fetchSnapshot(short?.url ?? '');
    for (const ingest of [shortIngest, longIngest, totals.ingest]) {
      expect(ingest.accepted).toBe(valid);
      expect(ingest.duplicates).toBe(DUPLICATES);
      expect(ingest.rejected).toBe(BAD_LINES);
      expect(ingest.rejectedByReason).toEqual({ invalid_json: BAD_LINES });
    }
    const removed = days.slice(0, 8).flat().length;
    expect(await metric(short?.url ?? '', 'peakboard_retention_removed_total{kind="events"}')).toBe(removed);
    expect(shortSweeps.reduce((sum, s) => sum + s.events, 0)).toBe(removed);
    expect(shortSweeps.reduce((sum, s) => sum + s.days, 0)).toBe(8);
    // Each step is short: a batch commit never waited long behind one.
    expect(Math.max(...shortSweeps.map((s) => s.longestStepMs))).toBeLessThan(1000);

    const [shortLive, longLive] = await Promise.all([
      fetchSnapshot(short?.url ?? ''),
      fetchSnapshot(long?.url ?? ''),
    ]);
    expect(figures(shortLive)).toEqual(figures(longLive));
  });

  let sizeAfterFirstHalf = 0;

  it('should restart from a checkpoint over the removed days with the same figures and totals', async () => {
    const before = await fetchSnapshot(short?.url ?? '');
    await short?.stop();
    short = undefined;
    await expectWholeDaysKept(firstDayStart + 8 * DAY_MS, 39);
    sizeAfterFirstHalf = fileBytes(`${shortDir}/peakboard.duckdb`);

    short = await startShort();
    const recovery = shortRecoveries[shortRecoveries.length - 1] ?? {};
    expect(recovery.fullReplayBecause).toBeUndefined();
    expect(recovery.checkpointStreamSeq).not.toBeNull();
    const after = await fetchSnapshot(short.url);
    expect(after.ingest.accepted).toBe(before.ingest.accepted);
    expect(after.ingest.duplicates).toBe(before.ingest.duplicates);
    expect(after.ingest.rejected).toBe(before.ingest.rejected);
    expect(after.ingest.rejectedByReason).toEqual(before.ingest.rejectedByReason);
    expect(figures(after)).toEqual(figures(await fetchSnapshot(long?.url ?? '')));
  });

  it('should hold the window and the file size as days 40–79 go through, and match the full-history server', async () => {
    // Ids of a removed day, re-sent: forgotten by the short server (accepted again, outside every
    // window), still duplicates for the long one.
    const forgotten = (days[2] ?? []).filter((l) => l.event.type === 'order.paid').slice(0, 20);
    const [shortIngest, longIngest] = await feedDays(
      40,
      FED_DAYS,
      forgotten.map((l) => message(l, { msgId: false })),
    );
    const lastClock = clockAfter(FED_DAYS - 1);
    const horizon = await sweptTo(lastClock);
    expect(horizon).toBe(firstDayStart + (FED_DAYS - 1 - RETENTION_DAYS) * DAY_MS);

    const valid = days.flat().length;
    expect(longIngest.accepted).toBe(valid);
    expect(longIngest.duplicates).toBe(DUPLICATES + forgotten.length);
    expect(shortIngest.accepted).toBe(valid + forgotten.length);
    expect(shortIngest.duplicates).toBe(DUPLICATES);
    expect(processed(shortIngest)).toBe(processed(longIngest));

    const [shortLive, longLive] = await Promise.all([
      fetchSnapshot(short?.url ?? ''),
      fetchSnapshot(long?.url ?? ''),
    ]);
    expect(shortLive.asOf).toBe(formatInstant(lastClock, TZ));
    expect(figures(shortLive)).toEqual(figures(longLive));
    // Time travel to the latest instant starts from the checkpoint the sweep took over the removed days.
    const [shortTravelled, longTravelled] = await Promise.all([
      fetchSnapshot(short?.url ?? '', { atMs: lastClock }),
      fetchSnapshot(long?.url ?? '', { atMs: lastClock }),
    ]);
    expect(figures(shortTravelled)).toEqual(figures(longTravelled));
    expect(figures(shortTravelled)).toEqual(figures(shortLive));

    await short?.stop();
    short = undefined;
    await expectWholeDaysKept(horizon, FED_DAYS - 1);
    const sizeAfterSecondHalf = fileBytes(`${shortDir}/peakboard.duckdb`);
    await long?.stop();
    long = undefined;
    const longSize = fileBytes(`${longDir}/peakboard.duckdb`);
    // 40 more days went through a 32-day window: the file reuses the blocks of the removed days
    // (measured: 19.7 MB after days 0–39, 14.7 MB after days 40–79; 25.2 MB keeping all 80).
    expect(sizeAfterSecondHalf).toBeLessThanOrEqual(sizeAfterFirstHalf * 1.15);
    expect(longSize).toBeGreaterThan(sizeAfterSecondHalf);
  });
});
