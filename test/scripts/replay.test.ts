import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEvent, subjectFor, type EventType } from '../../server/events/index.ts';
import { emptyNoiseSummary, generateLines, type NoiseSummary } from '../../scripts/lib/generator/index.ts';
import { startLiveTraffic } from '../../scripts/lib/live-traffic.ts';
import { FALLBACK_SUBJECT, replayFile, routeLine } from '../../scripts/lib/replay.ts';
import { makeTempDir, startTestNats, type TestNats } from '../helpers/nats.ts';

/**
 * Subject → count the stream should hold after one replay of `lines`: valid events on
 * ops.<kind>.<shop> as the server's own subjectFor says, the first copy of each id only.
 */
function expectedSubjects(lines: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  const seenIds = new Set<string>();
  for (const line of lines) {
    const routed = routeLine(line);
    if (routed.id !== undefined) {
      if (seenIds.has(routed.id)) continue;
      seenIds.add(routed.id);
    }
    const result = decodeEvent(line);
    const subject = result.ok ? subjectFor(result.event.type, result.event.shop) : routed.subject;
    counts.set(subject, (counts.get(subject) ?? 0) + 1);
  }
  return counts;
}

describe('replay publisher', () => {
  let nats: TestNats;
  let temp: { dir: string; remove: () => void };
  let connection: NatsConnection;
  let lines: string[];
  let noise: NoiseSummary;
  let file: string;

  beforeAll(async () => {
    nats = await startTestNats();
    temp = makeTempDir('peakboard-replay-');
    connection = await connect({ servers: nats.url });
    noise = emptyNoiseSummary(0.02);
    lines = [
      ...generateLines(
        { seed: 3, days: 1, peakDay: '2026-11-11', shops: 2, scale: 0.01, noise: 0.02 },
        noise,
      ),
    ];
    file = join(temp.dir, 'traffic.ndjson');
    // A blank line in the middle: skipped, not published.
    writeFileSync(file, `${lines.slice(0, 10).join('\n')}\n\n${lines.slice(10).join('\n')}\n`);
  });

  afterAll(async () => {
    await connection?.close();
    await nats?.dispose();
    temp?.remove();
  });

  it('should create the stream, publish every line on its subject and let JetStream drop the re-sends', async () => {
    const report = await replayFile({ input: file, natsUrl: nats.url, stream: 'OPS' });
    expect(report.streamCreated).toBe(true);
    expect(report.published).toBe(lines.length);
    expect(report.blankLines).toBe(1);
    expect(report.fallback).toBe(lines.filter((line) => routeLine(line).subject === FALLBACK_SUBJECT).length);
    expect(report.fallback).toBeGreaterThanOrEqual(noise.bad.invalid_json);
    expect(report.droppedByStream).toBe(noise.duplicates);
    expect(report.stored).toBe(lines.length - noise.duplicates);

    const manager = await jetstreamManager(connection);
    const info = await manager.streams.info('OPS', { subjects_filter: '>' });
    expect(info.config.subjects).toEqual(['ops.>']);
    expect(info.config.duplicate_window).toBe(120_000_000_000);
    expect(info.state.messages).toBe(report.stored);
    expect(new Map(Object.entries(info.state.subjects ?? {}))).toEqual(expectedSubjects(lines));

    const first = await manager.streams.getMessage('OPS', { seq: 1 });
    expect(first?.header.get('Nats-Msg-Id')).toBe(JSON.parse(lines[0] ?? '{}').id);
  });

  it('should store nothing new when the same file is published again inside the duplicate window', async () => {
    const report = await replayFile({ input: file, natsUrl: nats.url, stream: 'OPS' });
    expect(report.streamCreated).toBe(false);
    // Only lines without a usable id (invalid JSON) carry no Nats-Msg-Id, so only they are stored twice.
    const withoutId = lines.filter((line) => routeLine(line).id === undefined).length;
    expect(report.stored).toBe(withoutId);
    expect(report.droppedByStream).toBe(lines.length - withoutId);
  });

  it('should publish into the stream that already captures ops.> when the named one does not exist', async () => {
    const report = await replayFile({ input: file, natsUrl: nats.url, stream: 'NOT_THE_SERVERS' });
    expect(report.streamName).toBe('OPS');
    expect(report.streamCreated).toBe(false);
  });

  it('should pace by event time at --speed N', async () => {
    const paced = join(temp.dir, 'paced.ndjson');
    const tick = (second: number): string =>
      JSON.stringify({
        id: `pace-${second}`,
        type: 'clock.tick',
        ts: `2026-11-11T20:00:0${second}.000+08:00`,
        shop: 'pace',
      });
    writeFileSync(paced, [0, 1, 2].map(tick).join('\n') + '\n');
    const startedMs = performance.now();
    const report = await replayFile({ input: paced, natsUrl: nats.url, stream: 'OPS', speed: 4 });
    // Two seconds of event time at 4× real time take at least half a second.
    expect(performance.now() - startedMs).toBeGreaterThanOrEqual(450);
    expect(report.stored).toBe(3);
  });

  it('should publish live traffic stamped with the wall clock that the server validator accepts', async () => {
    const before = Date.now();
    const stop = await startLiveTraffic({
      natsUrl: nats.url,
      shops: 1,
      scale: 1,
      speed: 120,
      peak: true,
      seed: 5,
    });
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const summary = await stop();
    expect(summary.published).toBeGreaterThan(50);

    const manager = await jetstreamManager(connection);
    const info = await manager.streams.info('OPS');
    const types = new Set<EventType>();
    for (let seq = info.state.last_seq - summary.published + 1; seq <= info.state.last_seq; seq++) {
      const message = await manager.streams.getMessage('OPS', { seq });
      if (message === null) throw new Error(`no message ${seq}`);
      const result = decodeEvent(message.data, message.subject);
      if (!result.ok) throw new Error(`${result.reason}: ${result.detail}`);
      expect(message.header.get('Nats-Msg-Id')).toBe(result.event.id);
      // Now-timestamped: never in the future, never before the run started.
      expect(result.event.tsMs).toBeGreaterThanOrEqual(before - 1000);
      expect(result.event.tsMs).toBeLessThanOrEqual(Date.now());
      types.add(result.event.type);
    }
    expect(types.has('agent.status')).toBe(true);
    expect(types.has('chat.started')).toBe(true);
  });
});
