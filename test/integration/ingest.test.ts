/**
 * Ingest against a real nats-server (one per test, temp JetStream store) and a real DuckDB
 * file: rejection reasons and dead letters, dedupe across restarts, a NATS restart mid-stream.
 * The kill -9 case runs the server as a child process: ingest-crash.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { parseConfig } from '../../server/config/index.ts';
import { startPeakboard, type RunningPeakboard } from '../../server/peakboard.ts';
import { makeTempDir, startTestNats, type TestNats } from '../helpers/nats.ts';
import { orderEvents, publishAll, waitFor, type OutgoingMessage } from '../helpers/publish.ts';

interface IngestBlock {
  accepted: number;
  duplicates: number;
  rejected: number;
  lagSec: number;
  pending: number;
}

async function ingestOf(board: RunningPeakboard): Promise<IngestBlock> {
  const response = await fetch(`${board.url}/api/snapshot`);
  return ((await response.json()) as { ingest: IngestBlock }).ingest;
}

/** Waits until the board has committed everything the stream holds. */
function caughtUp(board: RunningPeakboard, total: number): Promise<IngestBlock> {
  return waitFor(
    async () => {
      const s = await ingestOf(board);
      return s.accepted + s.duplicates + s.rejected >= total && s.pending === 0 ? s : undefined;
    },
    60_000,
    `${total} messages processed`,
  );
}

describe('ingest through real NATS into DuckDB', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  async function setup(): Promise<{
    nats: TestNats;
    nc: NatsConnection;
    dir: string;
    start: () => Promise<RunningPeakboard>;
  }> {
    const nats = await startTestNats();
    const temp = makeTempDir();
    const nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
    cleanups.push(
      () => temp.remove(),
      () => nats.dispose(),
      () => nc.close(),
    );
    const start = async () => {
      const board = await startPeakboard(
        parseConfig({
          NATS_URL: nats.url,
          DATA_DIR: temp.dir,
          PORT: '0',
          CLOCK: 'event',
          LOG_LEVEL: 'error',
        }),
        { webRoot: temp.dir },
      );
      cleanups.push(() => board.stop());
      return board;
    };
    return { nats, nc, dir: temp.dir, start };
  }

  it('should dead-letter every kind of bad input with its reason and count only the good events', async () => {
    const { nc, start } = await setup();
    const board = await start();
    const ts = '2026-11-11T20:00:00.000+08:00';
    const ok = (id: string, extra: Record<string, unknown> = {}) =>
      JSON.stringify({ id, type: 'order.paid', ts, shop: 's1', order_id: id, amount: 1, ...extra });
    const messages: OutgoingMessage[] = [
      { subject: 'ops.order.s1', data: ok('good-1') },
      { subject: 'ops.order.s1', data: ok('big', { pad: 'x'.repeat(70_000) }) },
      { subject: 'ops.order.s1', data: '{"id":"trunc","type":"order.pa' },
      { subject: 'ops.order.s1', data: JSON.stringify({ id: 'u', type: 'order.refunded', ts, shop: 's1' }) },
      {
        subject: 'ops.order.s1',
        data: JSON.stringify({ id: 'm', type: 'order.paid', ts, shop: 's1', amount: 1 }),
      },
      { subject: 'ops.order.s1', data: ok('f', { amount: 'ten' }) },
      { subject: 'ops.order.s1', data: ok('t', { ts: '2026-11-11 20:00' }) },
      { subject: 'ops.chat.s1', data: ok('subj') },
      { subject: 'ops.order.s1', data: ok('future', { ts: '2026-11-11T20:05:00.001+08:00' }) },
      { subject: 'ops.order.s1', data: ok('good-2', { ts: '2026-11-11T20:05:00.000+08:00' }) },
      { subject: 'ops.order.s1', data: ok('good-1') },
    ];
    await publishAll(nc, messages);
    const counts = await caughtUp(board, messages.length);
    expect(counts).toMatchObject({ accepted: 2, duplicates: 1, rejected: 8 });
    const dead = (await (await fetch(`${board.url}/api/dead-letters?limit=100`)).json()) as {
      items: { reason: string; eventId: string | null; detail: string }[];
      byReason: Record<string, number>;
    };
    expect(dead.byReason).toEqual({
      oversize: 1,
      invalid_json: 1,
      unknown_type: 1,
      missing_field: 1,
      bad_field: 1,
      bad_ts: 1,
      bad_subject: 1,
      future_ts: 1,
    });
    expect(dead.items).toHaveLength(8);
    expect(dead.items.find((d) => d.reason === 'missing_field')).toMatchObject({ eventId: 'm' });
    expect(dead.items.every((d) => d.detail.length > 0)).toBe(true);
  });

  it('should count a re-published event as a duplicate after a restart, never accept it twice', async () => {
    const { nc, start } = await setup();
    let board = await start();
    await publishAll(nc, orderEvents(500));
    expect(await caughtUp(board, 500)).toMatchObject({ accepted: 500, duplicates: 0 });
    await board.stop();
    cleanups.pop();

    board = await start();
    // Same ids, no Nats-Msg-Id: JetStream keeps them, so only Peakboard's own dedupe can catch them.
    await publishAll(
      nc,
      [...orderEvents(500)].map(({ subject, data }) => ({ subject, data })),
    );
    await publishAll(nc, orderEvents(100, { prefix: 'new-' }));
    expect(await caughtUp(board, 1100)).toMatchObject({ accepted: 600, duplicates: 500, rejected: 0 });
  });

  it('should lose nothing and count nothing twice when NATS restarts mid-stream', async () => {
    const { nats, nc, start } = await setup();
    const board = await start();
    await publishAll(nc, orderEvents(20_000, { prefix: 'a-' }));
    await nats.restart({ hard: true });
    await waitFor(
      () => (nc.isClosed() ? undefined : nc.flush().then(() => true)),
      20_000,
      'publisher reconnect',
    );
    await publishAll(nc, orderEvents(20_000, { prefix: 'b-', startMs: Date.UTC(2026, 10, 11, 12, 0, 30) }));
    const counts = await caughtUp(board, 40_000);
    expect(counts).toMatchObject({ accepted: 40_000, duplicates: 0, rejected: 0, pending: 0 });
  });

  it('should expose ingest outcomes, lag and headline aggregates in Prometheus format on /metrics', async () => {
    const { nc, start } = await setup();
    const board = await start();
    await publishAll(nc, orderEvents(300));
    await publishAll(nc, [{ subject: 'ops.order.shop1', data: '{oops' }]);
    await caughtUp(board, 301);
    const response = await fetch(`${board.url}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('peakboard_ingest_events_total{outcome="accepted"} 300');
    expect(text).toContain('peakboard_ingest_rejected_total{reason="invalid_json"} 1');
    expect(text).toContain('peakboard_ingest_lag_seconds 0');
    expect(text).toContain('peakboard_chat_waiting{queue="presale"} 0');
    expect(text).toMatch(/peakboard_nodejs_eventloop_lag_seconds \d/);
  });

  it('should stay up while NATS is down, report honest lag and not-ready, and recover by itself', async () => {
    const { nats, nc, start } = await setup();
    const board = await start();
    await publishAll(nc, orderEvents(100));
    await caughtUp(board, 100);
    expect((await fetch(`${board.url}/readyz`)).status).toBe(200);
    await nats.stop();
    // Lag grows from the last moment ingest was known to be caught up, so boards turn STALE.
    const down = await waitFor(
      async () => {
        const health = (await (await fetch(`${board.url}/healthz`)).json()) as { ok: boolean };
        const lag = (await ingestOf(board)).lagSec;
        return !health.ok && lag >= 2 ? { health, lag } : undefined;
      },
      20_000,
      'lag while NATS is down',
    );
    expect(down.health.ok).toBe(false);
    expect((await fetch(`${board.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${board.url}/api/snapshot`)).status).toBe(200);
    await nats.restart();
    await waitFor(
      () => (nc.isClosed() ? undefined : nc.flush().then(() => true)),
      20_000,
      'publisher reconnect',
    );
    await publishAll(nc, orderEvents(50, { prefix: 'after-' }));
    expect(await caughtUp(board, 150)).toMatchObject({ accepted: 150, duplicates: 0 });
    await waitFor(
      async () => ((await ingestOf(board)).lagSec === 0 ? true : undefined),
      20_000,
      'lag back to 0',
    );
    await waitFor(
      async () => ((await fetch(`${board.url}/readyz`)).status === 200 ? true : undefined),
      20_000,
      'ready again',
    );
  });

  it('should report NATS and DuckDB state on /healthz', async () => {
    const { start } = await setup();
    const board = await start();
    const response = await fetch(`${board.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      ok: true,
      nats: { connected: true },
      duckdb: { writable: true },
    });
  });
});
