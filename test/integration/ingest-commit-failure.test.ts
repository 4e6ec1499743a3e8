/**
 * A DuckDB commit that fails (disk full, I/O error) must not lose or double-count anything:
 * admission is undone for the failed batch and every later one in flight, and the consumer
 * resumes after the last committed sequence. The store is the real DuckDB file; the fault is
 * injected by wrapping its commit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { createAdmission, createEventClock } from '../../server/events/index.ts';
import { startIngest } from '../../server/ingest/index.ts';
import { openStore } from '../../server/store/index.ts';
import { makeTempDir, startTestNats, type TestNats } from '../helpers/nats.ts';
import { orderEvents, publishAll, waitFor } from '../helpers/publish.ts';

describe('ingest when a DuckDB commit fails', () => {
  let nats: TestNats;
  const temp = makeTempDir();
  beforeAll(async () => {
    nats = await startTestNats();
  });
  afterAll(async () => {
    await nats.dispose();
    temp.remove();
  });

  it('should undo admission of the failed batches and end with every event accepted exactly once', async () => {
    const store = await openStore(`${temp.dir}/fail.duckdb`);
    let commits = 0;
    const failing = {
      commitBatch: async (batch: Parameters<typeof store.commitBatch>[0]) => {
        commits += 1;
        if (commits === 3 || commits === 7) throw new Error('injected: No space left on device');
        return store.commitBatch(batch);
      },
    };
    const seen = new Set<string>();
    const clock = createEventClock();
    const counts = { accepted: 0, duplicates: 0, rejected: 0, rejectedByReason: {} };
    const ingest = await startIngest({
      natsUrl: nats.url,
      stream: 'OPS',
      consumer: 'peakboard',
      retentionDays: 35,
      batchSize: 1000,
      batchMaxWaitMs: 20,
      lastStreamSeq: 0,
      counts,
      admission: createAdmission({ clock, maxFutureSec: 300, seen }),
      seen,
      clock,
      sink: failing,
      onCommitted: () => {},
    });
    const nc = await connect({ servers: nats.url });
    await publishAll(nc, orderEvents(20_000));
    await waitFor(() => (ingest.status().lastStreamSeq >= 20_000 ? true : undefined), 60_000, 'catch-up');
    await ingest.stop();
    await nc.close();
    const totals = await store.readTotals();
    const rows = await store.countEvents();
    store.close();
    expect(commits).toBeGreaterThan(7);
    expect(counts).toMatchObject({ accepted: 20_000, duplicates: 0, rejected: 0 });
    expect(rows).toBe(20_000);
    expect(totals).toMatchObject({ accepted: 20_000, duplicates: 0, lastStreamSeq: 20_000 });
  });
});
