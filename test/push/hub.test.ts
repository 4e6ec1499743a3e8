import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  applyMergePatch,
  startPushHub,
  type PushHub,
  type PushHubOptions,
  type ServerFrame,
} from '../../server/push/index.ts';
import { churn, sampleAggregates, type SampleAggregates } from './sample-aggregates.ts';
import { connectClient, sleep, type RecordingClient } from './ws-client.ts';

interface Running {
  server: Server;
  hub: PushHub;
  url: string;
  /** The scripted engine state getSnapshot returns; tests mutate it. */
  state: { current: SampleAggregates; calls: number };
}

const running: Running[] = [];
const clients: RecordingClient[] = [];

async function start(options: Partial<PushHubOptions> = {}): Promise<Running> {
  const server = createServer((_request, response) => response.writeHead(404).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const state = { current: sampleAggregates(Date.parse('2024-11-11T12:00:00Z')), calls: 0 };
  const hub = startPushHub({
    server,
    tickMs: 20,
    heartbeatMs: 60_000,
    getSnapshot: () => {
      state.calls++;
      return state.current;
    },
    ...options,
  });
  const { port } = server.address() as AddressInfo;
  const result = { server, hub, url: `ws://127.0.0.1:${port}/ws`, state };
  running.push(result);
  return result;
}

async function connect(
  url: string,
  options: Parameters<typeof connectClient>[1] = {},
): Promise<RecordingClient> {
  const client = await connectClient(url, options);
  clients.push(client);
  return client;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  for (const { hub, server } of running.splice(0)) {
    await hub.stop();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** Replays frames the way the board does; throws on a seq gap that no snapshot covers. */
function replay(frames: ServerFrame[]): { seq: number; data: unknown } {
  let seq = 0;
  let data: unknown;
  for (const frame of frames) {
    if (frame.type === 'snapshot') {
      seq = frame.seq;
      data = frame.data;
    } else if (frame.type === 'delta') {
      if (frame.seq !== seq + 1) throw new Error(`gap: ${seq} -> ${frame.seq}`);
      seq = frame.seq;
      data = applyMergePatch(data, frame.data);
    }
  }
  return { seq, data };
}

describe('push hub', () => {
  it('should send a snapshot first, with the aggregates and the series', async () => {
    const { url, state } = await start();
    const client = await connect(url);
    const first = await client.waitFor(() => true);
    expect(first.type).toBe('snapshot');
    if (first.type !== 'snapshot') return;
    expect(first.seq).toBeGreaterThan(0);
    const { series, ...aggregates } = first.data;
    expect(aggregates).toEqual(state.current);
    expect(series?.queueDepth.labels).toEqual(['presale', 'aftersale']);
    expect(series?.queueDepth.columns).toEqual([[Date.parse('2024-11-11T12:00:00Z') / 1000], [14], [9]]);
    expect(series?.refundsAwaiting.columns).toEqual([[Date.parse('2024-11-11T12:00:00Z') / 1000], [23]]);
  });

  it('should send no delta while nothing changes, then a delta holding only the change', async () => {
    const { url, state } = await start();
    const client = await connect(url);
    await client.waitFor((frame) => frame.type === 'snapshot');
    await sleep(200); // ten ticks without a change
    expect(client.frames).toHaveLength(1);

    const next = structuredClone(state.current);
    next.chat.queues['aftersale']!.waiting = 31;
    next.refunds.paths.unshipped.avgCompletionSec30d = null;
    state.current = next;
    const delta = await client.waitFor((frame) => frame.type === 'delta');
    expect(delta).toEqual({
      type: 'delta',
      seq: client.frames[0]!.seq + 1,
      data: {
        chat: { queues: { aftersale: { waiting: 31 } } },
        // null is a value in a delta, never a delete: the field stays, now null.
        refunds: { paths: { unshipped: { avgCompletionSec30d: null } } },
      },
    });
    await sleep(100);
    expect(client.frames).toHaveLength(2);
  });

  it('should number frames one by one per channel so that applying deltas rebuilds the state', async () => {
    const { url, state } = await start();
    const client = await connect(url);
    await client.waitFor((frame) => frame.type === 'snapshot');
    const base = state.current;
    for (let tick = 1; tick <= 15; tick++) {
      state.current = churn(base, tick, Date.parse('2024-11-11T12:00:00Z') + tick * 1000);
      await sleep(25);
    }
    await sleep(60);
    const seqs = client.frames.map((frame) => frame.seq);
    seqs.forEach((seq, i) => {
      if (i > 0) expect(seq).toBe(seqs[i - 1]! + 1);
    });
    const rebuilt = replay(client.frames);
    const { series: _series, ...aggregates } = rebuilt.data as Record<string, unknown>;
    expect(aggregates).toEqual(state.current);
  });

  it('should answer a resync with a snapshot of the current state and seq', async () => {
    const { url, state } = await start();
    const client = await connect(url);
    await client.waitFor((frame) => frame.type === 'snapshot');
    const next = structuredClone(state.current);
    next.refunds.unansweredOver30m = 4;
    state.current = next;
    const delta = await client.waitFor((frame) => frame.type === 'delta');
    const count = client.frames.length;
    client.socket.send(JSON.stringify({ type: 'resync' }));
    const snapshot = await client.waitFor((frame) => frame.type === 'snapshot', count);
    expect(snapshot.seq).toBe(delta.seq);
    if (snapshot.type === 'snapshot') expect(snapshot.data.refunds.unansweredOver30m).toBe(4);
  });

  it('should keep separate channels and seqs per shop', async () => {
    const { url } = await start({ getSnapshot: (shop) => sampleAggregates(0, shop) });
    const all = await connect(url);
    const shopA = await connect(`${url}?shop=shop-a`);
    const a = await shopA.waitFor(() => true);
    const b = await all.waitFor(() => true);
    expect(a.type === 'snapshot' && a.data.shop).toBe('shop-a');
    expect(b.type === 'snapshot' && b.data.shop).toBe(null);
  });

  it('should serialise each frame once per tick however many clients listen', async () => {
    const frameCost = async (clientCount: number): Promise<{ perFrame: number; readsPerTick: number }> => {
      const { url, state, hub } = await start({ tickMs: 25 });
      const connected = await Promise.all(Array.from({ length: clientCount }, () => connect(url)));
      await Promise.all(connected.map((client) => client.waitFor(() => true)));
      const before = hub.stats();
      const base = state.current;
      for (let tick = 1; tick <= 12; tick++) {
        state.current = churn(base, tick, Date.parse('2024-11-11T12:00:00Z') + tick * 1000);
        await sleep(25);
      }
      const after = hub.stats();
      const frames =
        after.deltasBroadcast -
        before.deltasBroadcast +
        (after.snapshotsBroadcast - before.snapshotsBroadcast);
      expect(frames).toBeGreaterThan(5);
      expect(after.messagesSent - before.messagesSent).toBe(frames * clientCount);
      return {
        perFrame: (after.serialisations - before.serialisations) / frames,
        readsPerTick: (after.snapshotsBuilt - before.snapshotsBuilt) / (after.ticks - before.ticks),
      };
    };
    const one = await frameCost(1);
    const forty = await frameCost(40);
    expect(one.perFrame).toBe(1);
    expect(forty.perFrame).toBe(1);
    expect(forty.readsPerTick).toBeLessThanOrEqual(1);
  });

  it('should do no work per tick while no client is connected', async () => {
    const { hub, state } = await start({ tickMs: 10 });
    await sleep(150);
    expect(hub.stats().ticks).toBeGreaterThan(5);
    expect(state.calls).toBe(0);
    expect(hub.stats().serialisations).toBe(0);
  });

  it('should send a full snapshot periodically even when deltas would do', async () => {
    const { url, state } = await start({ fullSnapshotEveryMs: 100 });
    const client = await connect(url);
    const base = state.current;
    for (let tick = 1; tick <= 12; tick++) {
      state.current = churn(base, tick, Date.parse('2024-11-11T12:00:00Z') + tick * 1000);
      await sleep(25);
    }
    const snapshots = client.frames.filter((frame) => frame.type === 'snapshot');
    expect(snapshots.length).toBeGreaterThanOrEqual(2);
    expect(client.frames.some((frame) => frame.type === 'delta')).toBe(true);
  });

  it('should send a heartbeat when nothing changed for a while', async () => {
    const { url } = await start({ heartbeatMs: 100 });
    const client = await connect(url);
    const heartbeat = await client.waitFor((frame) => frame.type === 'heartbeat', 0, 1_000);
    expect(heartbeat.seq).toBe(client.frames[0]!.seq);
  });

  it('should send a snapshot instead of a delta when a key disappears', async () => {
    const { url, state } = await start();
    const client = await connect(url);
    await client.waitFor(() => true);
    const next = structuredClone(state.current);
    next.chat.queues['vip'] = { ...next.chat.queues['presale']! };
    state.current = next;
    await client.waitFor((frame) => frame.type === 'delta');
    const without = structuredClone(next);
    delete without.chat.queues['vip'];
    state.current = without;
    const count = client.frames.length;
    const frame = await client.waitFor(() => true, count);
    expect(frame.type).toBe('snapshot');
    expect(frame.type === 'snapshot' && Object.keys(frame.data.chat.queues)).toEqual([
      'presale',
      'aftersale',
    ]);
  });

  it('should withhold deltas from a slow client until it drains, then send it one snapshot', async () => {
    const { url, state, hub } = await start({ tickMs: 10, maxBufferedBytes: 256 * 1024 });
    const slow = await connect(url);
    const steady = await connect(url);
    await slow.waitFor(() => true);
    // ~200 KB of alerts that change every tick: enough to fill the loopback buffers quickly.
    const base = state.current;
    let tick = 0;
    const churner = setInterval(() => {
      tick++;
      const next = churn(base, tick, Date.parse('2024-11-11T12:00:00Z') + tick * 1000);
      next.alerts = Array.from({ length: 1_500 }, (_, i) => ({
        metric: `chat.queues.q${i}.oldestWaitSec`,
        level: 'amber' as const,
        value: tick * 10_000 + i,
        threshold: 900,
        since: next.asOf,
      }));
      state.current = next;
    }, 10);
    try {
      slow.socket.pause();
      const deadline = Date.now() + 10_000;
      while (hub.stats().slowSkips === 0 && Date.now() < deadline) await sleep(20);
      expect(hub.stats().slowSkips).toBeGreaterThan(0);
      const steadyBefore = steady.frames.length;
      await sleep(200);
      // The fast client kept getting frames while the slow one was skipped.
      expect(steady.frames.length).toBeGreaterThan(steadyBefore);
      slow.socket.resume();
      const received = slow.frames.length;
      const recovery = await slow.waitFor((frame) => frame.type === 'snapshot', 1, 10_000);
      expect(recovery.seq).toBeGreaterThan(1);
      await slow.waitFor(
        (frame) => frame.type === 'delta' && frame.seq === recovery.seq + 1,
        received,
        5_000,
      );
    } finally {
      clearInterval(churner);
    }
    // Before the recovery snapshot: contiguous deltas, then a jump covered by that one snapshot.
    const recoveryIndex = slow.frames.findIndex((frame, i) => i > 0 && frame.type === 'snapshot');
    const beforeRecovery = slow.frames.slice(0, recoveryIndex);
    expect(() => replay(beforeRecovery)).not.toThrow();
    expect(slow.frames[recoveryIndex]!.seq).toBeGreaterThan(beforeRecovery.at(-1)!.seq + 1);
    expect(() => replay(slow.frames)).not.toThrow();
  });

  it('should drop a peer that stops answering pings', async () => {
    const { url, hub } = await start({ pingIntervalMs: 80 });
    const dead = await connect(url, { autoPong: false });
    const alive = await connect(url);
    expect(hub.clientCount()).toBe(2);
    const closed = new Promise<void>((resolve) => dead.socket.once('close', () => resolve()));
    await closed;
    // The server side sees its own close event a moment later.
    for (let i = 0; i < 50 && hub.clientCount() > 1; i++) await sleep(10);
    expect(hub.clientCount()).toBe(1);
    expect(hub.stats().deadPeersDropped).toBe(1);
    expect(alive.socket.readyState).toBe(alive.socket.OPEN);
  });

  it('should refuse an upgrade that authorize rejects', async () => {
    const { url } = await start({ authorize: (request) => request.headers['authorization'] === 'Bearer ok' });
    await expect(connectClient(url)).rejects.toThrow(/401/);
    const allowed = await connect(url, { headers: { authorization: 'Bearer ok' } });
    expect((await allowed.waitFor(() => true)).type).toBe('snapshot');
  });

  it('should close every socket on stop', async () => {
    const { url, hub } = await start();
    const client = await connect(url);
    const closed = new Promise<void>((resolve) => client.socket.once('close', () => resolve()));
    await hub.stop();
    await closed;
    expect(hub.clientCount()).toBe(0);
  });
});
