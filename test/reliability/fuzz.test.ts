/**
 * Hostile input through real NATS into an in-process server (startPeakboard, CLOCK=event):
 * 100,000 fast-check-drawn hostile messages (seeded: see fuzz-messages.ts for what each kind
 * is and what the server must do with it) interleaved with a generated two-day peak. The server
 * must never crash, keep answering /healthz, keep its memory bounded, account for every stored
 * message exactly once, and serve for the valid traffic exactly the figures of a clean run that
 * saw only the valid events. Two small deterministic cases pin down findings of the fuzzer.
 */
import { statSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { join } from 'node:path';
import fc from 'fast-check';
import { DuckDBInstance } from '@duckdb/node-api';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { generateLines } from '../../scripts/lib/generator/index.ts';
import { routeLine } from '../../scripts/lib/replay.ts';
import { parseConfig } from '../../server/config/index.ts';
import { startPeakboard, type RunningPeakboard } from '../../server/peakboard.ts';
import { makeTempDir, startTestNats } from '../helpers/nats.ts';
import {
  caughtUp,
  cleanRun,
  fetchHealth,
  fetchSnapshot,
  figures,
  poll,
  processed,
  streamState,
  type SnapshotBody,
} from '../helpers/reliability.ts';
import { build, recipe, type FuzzContext, type FuzzMessage, type Recipe } from './fuzz-messages.ts';

const SEED = 0x5eed_2026;
const FUZZ_COUNT = 100_000;
/** The valid traffic: two shops, two days ending with 11.11 (~26k events). */
const VALID = { seed: 5, days: 2, peakDay: '2026-11-11', shops: 2, scale: 0.04 } as const;
/**
 * Peak RSS growth over the run: a coarse ceiling on top of the heap check below. RSS also holds
 * what is in flight (up to 4 × BATCH_SIZE = 20,000 messages in the ingest buffer, some of them
 * 64-200 KiB, plus this process's own publisher buffer), and DuckDB's buffer pool, which keeps
 * the blocks it wrote: the server sets no memory_limit, so DuckDB's default (80% of RAM) applies
 * and its share only grows with the file (~100 MiB here). Measured 415-510 MiB on this machine.
 */
const RSS_GROWTH_LIMIT_MB = 768;
/** Recipes are drawn this many at a time, so the test's own memory stays flat. */
const CHUNK = 5_000;
/**
 * Live JS heap growth allowed from the half-way point to the end, after a full GC. What may
 * grow: the dedupe set and the engine's kept events for ~12.5k never-opened entities and ~16k
 * valid events (EVENTS.md keeps events for entities not yet opened), and this test's own
 * records of 50k sent messages (~100 bytes each): ≈ 40 MiB together. 96 MiB is over twice that.
 */
const HEAP_GROWTH_LIMIT_MB = 96;

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
function heapAfterGc(): number {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

/** What the test keeps of a sent message: enough to explain a wrong outcome, not its bytes. */
interface SentMessage {
  kind: string;
  expected: FuzzMessage['expected'];
  fresh: number | undefined;
  subject: string;
  excerpt: string;
  beforeRetentionHorizon: boolean;
}

function summarize(m: FuzzMessage): SentMessage {
  // A copy, not a slice: V8 slices keep the whole (up to 200 KiB) parent string alive.
  const excerpt =
    typeof m.data === 'string' ? Buffer.from(m.data.slice(0, 100)).toString() : `<${m.data.length} bytes>`;
  return {
    kind: m.kind,
    expected: m.expected,
    fresh: m.fresh,
    subject: m.subject,
    excerpt,
    beforeRetentionHorizon: m.beforeRetentionHorizon === true,
  };
}

function queriesFor(lastTsMs: number): { atMs: number; shop: string | null }[] {
  return [
    { atMs: Date.UTC(2026, 10, 10, 4, 0), shop: null }, // noon the day before
    { atMs: Date.UTC(2026, 10, 10, 16, 0, 30), shop: null }, // 00:00:30 on 11.11
    { atMs: Date.UTC(2026, 10, 11, 12, 45), shop: null }, // 20:45, evening peak
    { atMs: Date.UTC(2026, 10, 11, 12, 45), shop: 'shop2' },
    { atMs: lastTsMs, shop: null },
    { atMs: lastTsMs, shop: 'shop1' },
  ];
}

function publish(nc: NatsConnection, subject: string, data: string | Uint8Array, msgId?: string): void {
  if (msgId === undefined) {
    nc.publish(subject, data);
    return;
  }
  const h = headers();
  h.set('Nats-Msg-Id', msgId);
  nc.publish(subject, data, { headers: h });
}

/** Ids (their `fz-<n>` number) of the fuzz events DuckDB holds as accepted. */
async function acceptedFuzzNumbers(databasePath: string): Promise<Set<number>> {
  const instance = await DuckDBInstance.create(databasePath, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const rows = (await connection.runAndReadAll("SELECT id FROM events WHERE id LIKE 'fz-%'")).getRows();
    const numbers = new Set<number>();
    for (const [id] of rows) {
      const m = /^fz-(\d+)/.exec(String(id));
      if (m !== null) numbers.add(Number(m[1]));
    }
    return numbers;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('hostile input through real NATS into the server', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  async function startBoard(natsUrl: string, dir: string): Promise<RunningPeakboard> {
    const board = await startPeakboard(
      parseConfig({ NATS_URL: natsUrl, DATA_DIR: dir, PORT: '0', CLOCK: 'event', LOG_LEVEL: 'error' }),
      { webRoot: dir },
    );
    return board;
  }

  it('should survive 100,000 seeded hostile messages mixed with a real peak: alive, bounded, every message counted once, valid figures as in a clean run', async () => {
    const validLines = [...generateLines(VALID)];
    const routed = validLines.map(routeLine);
    const lastTsMs = Math.max(...routed.map((r) => r.tsMs ?? 0));
    const queries = queriesFor(lastTsMs);
    // The oracle runs beside the fuzzed server: a fresh server that sees only the valid events.
    const cleanPromise = cleanRun(validLines, [...queries, {}]);
    cleanPromise.catch(() => undefined);

    const nats = await startTestNats();
    const temp = makeTempDir('peakboard-fuzz-');
    cleanups.push(
      () => temp.remove(),
      () => nats.dispose(),
    );
    let board: RunningPeakboard | undefined = await startBoard(nats.url, temp.dir);
    cleanups.push(() => board?.stop());
    const url = board.url;

    const sent: SentMessage[] = [];
    const published: string[] = [];
    let counter = 0;
    const ctx: FuzzContext = {
      published,
      latestTsMs: 0,
      shops: ['shop1', 'shop2'],
      next: () => ++counter,
    };

    // Watch the server while it is being fed: /healthz must answer 200 every time; RSS is sampled.
    const rssBaseline = process.memoryUsage().rss;
    let rssPeak = rssBaseline;
    const healthFailures: string[] = [];
    let watching = true;
    let samples = 0;
    const memoryLog: string[] = [];
    const watcher = (async () => {
      while (watching) {
        try {
          const h = await fetchHealth(url);
          if (h.status !== 200) healthFailures.push(`HTTP ${h.status}`);
        } catch (error) {
          const cause =
            error instanceof Error && error.cause !== undefined ? ` (${String(error.cause)})` : '';
          healthFailures.push(`${String(error)}${cause}`);
        }
        const mem = process.memoryUsage();
        rssPeak = Math.max(rssPeak, mem.rss);
        if (++samples % 10 === 0)
          memoryLog.push(
            `${Math.round(mem.rss / 2 ** 20)}/${Math.round(mem.heapUsed / 2 ** 20)}/${Math.round(mem.external / 2 ** 20)}`,
          );
        await new Promise((r) => setTimeout(r, 500));
      }
    })();

    const nc = await connect({ servers: nats.url });
    const perValid = FUZZ_COUNT / validLines.length;
    let recipes: Recipe[] = [];
    let fuzzIndex = 0;
    let sinceFlush = 0;
    const t0 = performance.now();
    /** Publishes valid lines [from, to) with their share of hostile messages after each. */
    const publishRange = async (from: number, to: number): Promise<void> => {
      for (let i = from; i < to; i++) {
        // A valid event first (so the first message ever is valid and sets the event clock)...
        const line = validLines[i] as string;
        const r = routed[i];
        publish(nc, r?.subject ?? 'ops.clock.unknown', line, r?.id);
        published.push(line);
        ctx.latestTsMs = Math.max(ctx.latestTsMs, r?.tsMs ?? 0);
        // ...then its share of hostile messages, drawn a chunk at a time (seed + chunk number).
        while (fuzzIndex < Math.min(FUZZ_COUNT, Math.round((i + 1) * perValid))) {
          const inChunk = fuzzIndex % CHUNK;
          if (inChunk === 0) recipes = fc.sample(recipe, { seed: SEED + fuzzIndex / CHUNK, numRuns: CHUNK });
          fuzzIndex += 1;
          const message = build(recipes[inChunk] as Recipe, ctx);
          publish(nc, message.subject, message.data);
          sent.push(summarize(message));
          if (++sinceFlush >= 1_000) {
            sinceFlush = 0;
            await nc.flush();
          }
        }
      }
      await nc.flush();
    };
    /** Waits until the server has processed all the stream holds (polled in-process: a live
     * /api/snapshot per poll would advance the engine each time). */
    const drained = async (): Promise<{
      stored: number;
      counts: ReturnType<RunningPeakboard['ingestStatus']>['counts'];
    }> => {
      const stored = (await streamState(nats.url)).lastSeq;
      const counts = await poll(
        async () => {
          const s = (board as RunningPeakboard).ingestStatus();
          return processed(s.counts) >= stored && s.lastStreamSeq >= stored ? { ...s.counts } : undefined;
        },
        `${stored} messages processed (seconds are enough; far slower means ingest is stalling)`,
        75_000,
      );
      return { stored, counts };
    };
    // Two halves: the live heap after a full GC is compared between them (a leak per message
    // shows as growth in the second half; the state that legitimately grows is small).
    const half = Math.floor(validLines.length / 2);
    await publishRange(0, half);
    await drained();
    const heapAtHalf = heapAfterGc();
    await publishRange(half, validLines.length);
    const publishMs = performance.now() - t0;
    const { stored, counts: final } = await drained();
    const heapAtEnd = heapAfterGc();
    const ingestMs = performance.now() - t0;
    watching = false;
    await watcher;

    const servedSnapshots: SnapshotBody[] = [];
    for (const q of queries) servedSnapshots.push(await fetchSnapshot(url, q));
    const live = await fetchSnapshot(url);
    const deadLetters = (await (await fetch(`${url}/api/dead-letters?limit=10`)).json()) as {
      byReason: Record<string, number>;
    };
    const status = board.ingestStatus();
    const health = await fetchHealth(url);
    await nc.close();
    await board.stop();
    board = undefined;

    // Which fuzz events did the server keep as accepted? (From DuckDB, for precise diagnostics.)
    const acceptedFuzz = await acceptedFuzzNumbers(join(temp.dir, 'peakboard.duckdb'));
    const databaseMb =
      (statSync(join(temp.dir, 'peakboard.duckdb')).size +
        (statSync(join(temp.dir, 'peakboard.duckdb.wal'), { throwIfNoEntry: false })?.size ?? 0)) /
      2 ** 20;
    const mismatches: string[] = [];
    for (const m of sent) {
      // Events dated 1970 are accepted and counted (the totals below check them), but whether
      // their row is still there depends on when the retention sweep last ran.
      if (m.fresh === undefined || m.beforeRetentionHorizon) continue;
      const wasAccepted = acceptedFuzz.has(m.fresh);
      const shouldBe = m.expected === 'accepted';
      if (wasAccepted !== shouldBe && m.expected !== 'notAccepted' && m.expected !== 'duplicate') {
        mismatches.push(
          `${m.kind} expected ${m.expected}, was ${wasAccepted ? 'accepted' : 'not accepted'}: ${m.subject} ${m.excerpt}`,
        );
      }
    }
    const expectAccepted = sent.filter((m) => m.expected === 'accepted').length;
    const expectDuplicates = sent.filter((m) => m.expected === 'duplicate').length;
    const expectRejected = sent.filter((m) => m.expected === 'rejected').length;
    const notStored = sent.filter((m) => m.expected === 'notStored').length;
    const clean = await cleanPromise;
    const rssGrowthMb = (rssPeak - rssBaseline) / 2 ** 20;
    const heapGrowthMb = (heapAtEnd - heapAtHalf) / 2 ** 20;
    console.info(
      `fuzz: ${sent.length} hostile + ${validLines.length} valid published in ${Math.round(publishMs)} ms, ` +
        `ingested in ${Math.round(ingestMs)} ms; stored ${stored}; server ${JSON.stringify({ accepted: final.accepted, duplicates: final.duplicates, rejected: final.rejected })}; ` +
        `expected accepted ${validLines.length}+${expectAccepted}, duplicates ≥ ${expectDuplicates}, rejected ≥ ${expectRejected}, not stored ${notStored}; ` +
        `DuckDB file ${Math.round(databaseMb)} MiB; heap after GC ${Math.round(heapAtHalf / 2 ** 20)} → ${Math.round(heapAtEnd / 2 ** 20)} MiB; RSS ${Math.round(rssBaseline / 2 ** 20)} → peak ${Math.round(rssPeak / 2 ** 20)} MiB (rss/heap/external every 5 s: ${memoryLog.join(' ')}); reasons ${JSON.stringify(deadLetters.byReason)}`,
    );

    // Never crashed, always answered, still connected and consuming.
    expect(healthFailures).toEqual([]);
    expect(health.status).toBe(200);
    expect(status.natsConnected).toBe(true);
    expect(status.consumerActive).toBe(true);
    expect(heapGrowthMb).toBeLessThan(HEAP_GROWTH_LIMIT_MB);
    expect(rssGrowthMb).toBeLessThan(RSS_GROWTH_LIMIT_MB);
    // Every message the stream stored is accounted for exactly once.
    expect(stored).toBe(validLines.length + sent.length - notStored);
    expect(processed(final)).toBe(stored);
    expect(Object.values(deadLetters.byReason).reduce((a, b) => a + b, 0)).toBe(final.rejected);
    // Each hostile message had the outcome its construction demands (first 20 shown).
    const byKind: Record<string, number> = {};
    for (const m of mismatches) {
      const kind = m.slice(0, m.indexOf(' '));
      byKind[kind] = (byKind[kind] ?? 0) + 1;
    }
    expect(
      mismatches.slice(0, 20),
      `${mismatches.length} hostile messages with the wrong outcome, by kind ${JSON.stringify(byKind)}`,
    ).toEqual([]);
    expect(final.accepted).toBe(validLines.length + expectAccepted);
    expect(final.duplicates).toBeGreaterThanOrEqual(expectDuplicates);
    expect(final.rejected).toBeGreaterThanOrEqual(expectRejected);
    // The valid traffic's figures are exactly those of the clean run.
    expect(clean.ingest.accepted).toBe(validLines.length);
    expect(servedSnapshots.map(figures)).toEqual(clean.snapshots.slice(0, queries.length).map(figures));
    expect(figures(live)).toEqual(figures(clean.snapshots[queries.length] as SnapshotBody));
  }, 180_000);

  it('should reject timestamps before 1970 written with years 0000-0099, not read them as 19xx', async () => {
    const nats = await startTestNats();
    const temp = makeTempDir('peakboard-fuzz-ts-');
    cleanups.push(
      () => temp.remove(),
      () => nats.dispose(),
    );
    const board = await startBoard(nats.url, temp.dir);
    cleanups.push(() => board.stop());
    const nc = await connect({ servers: nats.url });
    const ev = (id: string, ts: string) =>
      JSON.stringify({ id, type: 'chat.closed', ts, shop: 'shop1', chat_id: `c-${id}` });
    const cases: [string, 'accepted' | 'bad_ts' | 'future_ts'][] = [
      ['0000-01-01T00:00:00Z', 'bad_ts'],
      ['0001-01-01T00:00:00Z', 'bad_ts'],
      ['0069-12-31T23:59:59.999Z', 'bad_ts'],
      ['0070-01-01T00:00:00Z', 'bad_ts'],
      ['0099-12-31T23:59:59.999Z', 'bad_ts'],
      ['1969-12-31T23:59:59.999Z', 'bad_ts'],
      ['2016-12-31T23:59:60Z', 'bad_ts'],
      ['9999-12-31T23:59:59.999Z', 'future_ts'],
      ['1970-01-01T00:00:00.000Z', 'accepted'],
      ['2026-11-11T12:00:00.000-00:00', 'accepted'],
      ['2026-11-11t20:00:00.123456789+08:00', 'accepted'],
    ];
    // A valid tick first: it sets the event clock, so 9999 is "in the future".
    publish(
      nc,
      'ops.clock.shop1',
      JSON.stringify({ id: 'tick', type: 'clock.tick', ts: '2026-11-11T12:00:00Z', shop: 'shop1' }),
    );
    cases.forEach(([ts], i) => publish(nc, 'ops.chat.shop1', ev(`ts-${i}`, ts)));
    await nc.flush();
    await caughtUp(board.url, cases.length + 1, 30_000);
    const dead = (await (await fetch(`${board.url}/api/dead-letters?limit=100`)).json()) as {
      items: { eventId: string | null; reason: string }[];
    };
    const outcome = cases.map(([ts], i) => [
      ts,
      dead.items.find((d) => d.eventId === `ts-${i}`)?.reason ?? 'accepted',
    ]);
    expect(outcome).toEqual(cases);
    await nc.close();
  });

  it('should not stall the live board for each accepted event dated 1970 (an epoch-0 producer bug)', async () => {
    // Found by the fuzzer: an accepted event long in the past (here for an entity that is never
    // opened, so it changes no figure) moves the engine's minute schedule back to its ts, and the
    // next live snapshot walks every empty minute since - 29 million for 1970, over a second of
    // blocked event loop each time. Ten rounds of "one such event, one live snapshot" take a few
    // milliseconds of snapshot time when empty minutes are skipped; the bound (3 s) leaves room
    // for a loaded machine and still fails clearly on the walk (~1.3 s per round here).
    const nats = await startTestNats();
    const temp = makeTempDir('peakboard-fuzz-old-');
    cleanups.push(
      () => temp.remove(),
      () => nats.dispose(),
    );
    const board = await startBoard(nats.url, temp.dir);
    cleanups.push(() => board.stop());
    const nc = await connect({ servers: nats.url });
    // A real day on the board first (one shop), so the engine has live state to maintain.
    const day = [...generateLines({ seed: 5, days: 1, peakDay: '2026-11-11', shops: 1, scale: 0.02 })];
    for (const line of day) {
      const r = routeLine(line);
      publish(nc, r.subject, line, r.id);
    }
    await nc.flush();
    const base = (await caughtUp(board.url, day.length, 60_000)).accepted;
    const lastTsMs = Math.max(...day.map((l) => routeLine(l).tsMs ?? 0));
    let snapshotMs = 0;
    for (let round = 1; round <= 10; round++) {
      const old = {
        id: `old-${round}`,
        type: 'chat.closed',
        ts: '1970-01-01T00:00:00Z',
        shop: 'shop1',
        chat_id: `never-${round}`,
      };
      publish(nc, 'ops.chat.shop1', JSON.stringify(old));
      // Live traffic goes on: a tick one second later than the last.
      const tickTs = new Date(lastTsMs + round * 1000).toISOString();
      publish(
        nc,
        'ops.clock.shop1',
        JSON.stringify({ id: `tick-${round}`, type: 'clock.tick', ts: tickTs, shop: 'shop1' }),
      );
      await nc.flush();
      await poll(
        async () => (board.ingestStatus().counts.accepted === base + 2 * round ? true : undefined),
        `old event ${round} committed`,
        30_000,
        20,
      );
      const t = performance.now();
      await fetchSnapshot(board.url);
      snapshotMs += performance.now() - t;
    }
    await nc.close();
    expect(Math.round(snapshotMs)).toBeLessThan(3_000);
  }, 120_000);

  it('should add no queue to the board for a transfer of a chat that was never opened', async () => {
    // Found by the fuzzer: EVENTS.md says an event for a never-opened entity is accepted with no
    // effect on any metric, but a chat.transferred to a new queue name adds that queue (all
    // zeros) to chat.queues - a producer bug or a hostile one can grow every snapshot and push.
    const nats = await startTestNats();
    const temp = makeTempDir('peakboard-fuzz-queue-');
    cleanups.push(
      () => temp.remove(),
      () => nats.dispose(),
    );
    const board = await startBoard(nats.url, temp.dir);
    cleanups.push(() => board.stop());
    const nc = await connect({ servers: nats.url });
    const ts = '2026-11-11T12:00:00Z';
    publish(nc, 'ops.clock.shop1', JSON.stringify({ id: 'tick', type: 'clock.tick', ts, shop: 'shop1' }));
    const before = await caughtUp(board.url, 1, 30_000);
    expect(before.accepted).toBe(1);
    const queuesBefore = Object.keys((await fetchSnapshot(board.url)).chat as Record<string, unknown>);
    publish(
      nc,
      'ops.chat.shop1',
      JSON.stringify({
        id: 'ghost-1',
        type: 'chat.transferred',
        ts,
        shop: 'shop1',
        chat_id: 'never-opened',
        queue: 'ghost',
      }),
    );
    await nc.flush();
    await caughtUp(board.url, 2, 30_000);
    await nc.close();
    const snapshot = await fetchSnapshot(board.url);
    const chat = snapshot.chat as { queues: Record<string, unknown> };
    expect(Object.keys(chat.queues)).not.toContain('ghost');
    expect(Object.keys(snapshot.chat as Record<string, unknown>)).toEqual(queuesBefore);
  });

  it('should reject ids with a lone surrogate (they cannot survive UTF-8 storage) and keep U+FFFD ids distinct across a restart', async () => {
    // JSON allows "\ud800" in a string; DuckDB stores ids as UTF-8, where it would become U+FFFD
    // and merge with another id after a restart. Such ids are refused at the door (bad_field).
    const nats = await startTestNats();
    const temp = makeTempDir('peakboard-fuzz-id-');
    cleanups.push(
      () => temp.remove(),
      () => nats.dispose(),
    );
    let board = await startBoard(nats.url, temp.dir);
    const nc = await connect({ servers: nats.url });
    const ts = '2026-11-11T12:00:00Z';
    const tick = JSON.stringify({ id: 'tick', type: 'clock.tick', ts, shop: 'shop1' });
    const lone = JSON.stringify({ id: 'x-\ud800', type: 'chat.closed', ts, shop: 'shop1', chat_id: 'c-1' });
    const replacement = JSON.stringify({
      id: 'x-\ufffd',
      type: 'chat.closed',
      ts,
      shop: 'shop1',
      chat_id: 'c-2',
    });
    publish(nc, 'ops.clock.shop1', tick);
    publish(nc, 'ops.chat.shop1', lone);
    publish(nc, 'ops.chat.shop1', replacement);
    await nc.flush();
    expect(await caughtUp(board.url, 3, 30_000)).toMatchObject({ accepted: 2, duplicates: 0, rejected: 1 });
    await board.stop();
    board = await startBoard(nats.url, temp.dir);
    cleanups.push(() => board.stop());
    // The U+FFFD event again after the restart: a duplicate; the lone-surrogate one: rejected again.
    publish(nc, 'ops.chat.shop1', replacement);
    publish(nc, 'ops.chat.shop1', lone);
    await nc.flush();
    const after = await caughtUp(board.url, 5, 30_000);
    await nc.close();
    expect(after).toMatchObject({ accepted: 2, duplicates: 1, rejected: 2 });
  });
});
