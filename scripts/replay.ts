/**
 * Replay publisher.
 *
 *   npm run replay -- --input FILE.ndjson [--speed N|max] [--nats URL] [--stream OPS] [--quiet]
 *
 * Publishes every line to ops.<kind>.<shop> with Nats-Msg-Id = id (unusable lines to
 * ops.clock.unknown, for the server's dead-letter path), then confirms from the stream's state
 * how many messages it stored.
 */
import { parseArgs } from 'node:util';
import { formatInstant } from '../server/events/index.ts';
import { DEFAULT_NATS_URL, replayFile } from './lib/replay.ts';

const USAGE =
  'usage: replay --input FILE.ndjson [--speed N|max] [--nats URL] [--stream NAME] [--quiet] [--tz ZONE]';

class UsageError extends Error {
  override name = 'UsageError';
}

function parseSpeed(raw: string | undefined): number | 'max' {
  if (raw === undefined || raw === 'max') return 'max';
  const speed = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(speed) || speed <= 0) {
    throw new UsageError(`--speed must be a number above 0 or max, got ${JSON.stringify(raw)}`);
  }
  return speed;
}

function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    strict: true,
    allowPositionals: false,
    options: {
      input: { type: 'string' },
      speed: { type: 'string' },
      nats: { type: 'string' },
      stream: { type: 'string' },
      quiet: { type: 'boolean' },
      tz: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help === true) {
    console.log(USAGE);
    return;
  }
  if (values.input === undefined) throw new UsageError('--input is required');
  const timeZone = values.tz ?? 'Asia/Shanghai';
  const instant = (tsMs: number | undefined): string =>
    tsMs === undefined ? '-' : formatInstant(tsMs, timeZone).slice(0, 19);

  const report = await replayFile({
    input: values.input,
    natsUrl: values.nats ?? DEFAULT_NATS_URL,
    speed: parseSpeed(values.speed),
    ...(values.stream === undefined ? {} : { stream: values.stream }),
    onProgress:
      values.quiet === true
        ? undefined
        : (progress) =>
            process.stderr.write(
              `replay: ${formatCount(progress.published)} events, at ${instant(progress.simulatedTsMs)}, ` +
                `${formatCount(progress.ratePerSecond)} msg/s\n`,
            ),
  });
  const seconds = report.elapsedMs / 1000;
  console.error(
    [
      `published ${formatCount(report.published)} messages in ${seconds.toFixed(1)} s ` +
        `(${formatCount(report.ratePerSecond)} msg/s); ${formatCount(report.fallback)} to the fallback subject, ` +
        `${formatCount(report.blankLines)} blank lines skipped`,
      `events from ${instant(report.firstTsMs)} to ${instant(report.lastTsMs)}`,
      `stream ${report.streamName}${report.streamCreated ? ' (created)' : ''}: stored ${formatCount(report.stored)}, ` +
        `dropped ${formatCount(report.droppedByStream)} as duplicates inside the window, now holds ${formatCount(report.streamMessages)}`,
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  const usage = error instanceof UsageError || (error instanceof TypeError && 'code' in error);
  console.error(
    `replay: ${error instanceof Error ? error.message : String(error)}${usage ? ` (${USAGE})` : ''}`,
  );
  process.exit(usage ? 2 : 1);
});
