/**
 * kill -9 of the server process mid-ingest, then restart: every unique valid event is accepted
 * exactly once (DuckDB commit and the recorded stream sequence are one transaction; the consumer
 * restarts just after it). Also: start-up failures exit with a clear message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { makeTempDir, startTestNats, type TestNats } from '../helpers/nats.ts';
import { orderEvents, publishAll, waitFor } from '../helpers/publish.ts';
import { runServerToExit, startServerProcess } from '../helpers/server-process.ts';

interface IngestBlock {
  accepted: number;
  duplicates: number;
  rejected: number;
  pending: number;
}

async function ingestAt(url: string): Promise<IngestBlock> {
  return ((await (await fetch(`${url}/api/snapshot`)).json()) as { ingest: IngestBlock }).ingest;
}

describe('server process crashes', () => {
  let nats: TestNats;
  const temp = makeTempDir();
  beforeAll(async () => {
    nats = await startTestNats();
  });
  afterAll(async () => {
    await nats.dispose();
    temp.remove();
  });

  it('should accept every unique event exactly once across three kill -9 crashes mid-ingest', async () => {
    const total = 150_000;
    const env = { NATS_URL: nats.url, DATA_DIR: temp.dir, CLOCK: 'event', BATCH_SIZE: '2000' };
    let server = await startServerProcess(env);
    const nc = await connect({ servers: nats.url });
    // Publish while the server ingests; 2% of events are re-sent without Nats-Msg-Id as true duplicates.
    const publishing = (async () => {
      let n = 0;
      for (const m of orderEvents(total)) {
        await publishAll(nc, [m]);
        if (++n % 50 === 0) await publishAll(nc, [{ subject: m.subject, data: m.data }]);
      }
    })();
    for (let crash = 0; crash < 3; crash++) {
      const before = (await ingestAt(server.url)).accepted;
      await waitFor(
        async () => ((await ingestAt(server.url)).accepted > before + 5_000 ? true : undefined),
        60_000,
        'progress',
      );
      await server.kill('SIGKILL');
      server = await startServerProcess(env);
    }
    await publishing;
    await nc.close();
    const final = await waitFor(
      async () => {
        const s = await ingestAt(server.url);
        return s.accepted + s.duplicates >= total + total / 50 && s.pending === 0 ? s : undefined;
      },
      120_000,
      'catch-up',
    );
    expect(final).toMatchObject({ accepted: total, duplicates: total / 50, rejected: 0, pending: 0 });
    await server.kill('SIGTERM');
  });

  it('should exit with code 2 naming the variable when the configuration is bad', async () => {
    const result = await runServerToExit({ CLOCK: 'sundial', DATA_DIR: temp.dir });
    expect(result.code).toBe(2);
    expect(result.output).toContain('CLOCK="sundial" must be one of: wall, event');
  });

  it('should exit with code 2 and say so when the DuckDB file is held by another process', async () => {
    const env = { NATS_URL: nats.url, DATA_DIR: `${temp.dir}/locked`, CLOCK: 'event' };
    const holder = await startServerProcess(env);
    try {
      const second = await runServerToExit({ ...env, LOG_LEVEL: 'error' });
      expect(second.code).toBe(2);
      expect(second.output).toMatch(/cannot open DuckDB file .*peakboard\.duckdb/);
    } finally {
      await holder.kill('SIGTERM');
    }
  });
});
