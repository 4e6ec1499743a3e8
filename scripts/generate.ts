/**
 * Seeded traffic generator.
 *
 *   npm run generate -- --seed 7 --days 30 --peak-day 2026-11-11 --shops 2 --scale 1 --out FILE.ndjson
 *                       [--noise 0.05] [--tz Asia/Shanghai]
 *   npm run generate -- --live [--nats nats://127.0.0.1:4222] [--shops 2] [--scale 1] [--speed 1] [--peak]
 *
 * File mode writes NDJSON (wire format) and a summary on stderr; the same flags give the same
 * bytes. Live mode publishes now-timestamped traffic to NATS until Ctrl-C.
 */
import { parseArgs } from 'node:util';
import { formatInstant } from '../server/events/index.ts';
import { DEFAULT_TIME_ZONE, GenerateOptionsError, writeTrafficFile } from './lib/generator/index.ts';
import { startLiveTraffic } from './lib/live-traffic.ts';

const USAGE =
  'usage: generate --seed N --days N --peak-day YYYY-MM-DD --shops N --scale X --out FILE [--noise P] [--tz ZONE]\n' +
  '       generate --live [--nats URL] [--shops N] [--scale X] [--speed N] [--peak] [--seed N] [--tz ZONE] [--stream NAME]';

class UsageError extends Error {
  override name = 'UsageError';
}

function numberOption(values: Record<string, unknown>, name: string, fallback?: number): number {
  const raw = values[name];
  if (raw === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  const value = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(value)) {
    throw new UsageError(`--${name} must be a number, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** `--shops 2` or `--shops north,south`. */
function shopsOption(raw: string | undefined): number | string[] {
  if (raw === undefined) return 2;
  return /^\d+$/.test(raw) ? Number(raw) : raw.split(',').map((name) => name.trim());
}

function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    strict: true,
    allowPositionals: false,
    options: {
      seed: { type: 'string' },
      days: { type: 'string' },
      'peak-day': { type: 'string' },
      shops: { type: 'string' },
      scale: { type: 'string' },
      out: { type: 'string' },
      noise: { type: 'string' },
      tz: { type: 'string' },
      live: { type: 'boolean' },
      nats: { type: 'string' },
      speed: { type: 'string' },
      peak: { type: 'boolean' },
      stream: { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help === true) {
    console.log(USAGE);
    return;
  }
  const timeZone = values.tz ?? DEFAULT_TIME_ZONE;

  if (values.live === true) {
    const stop = await startLiveTraffic({
      natsUrl: values.nats ?? 'nats://127.0.0.1:4222',
      shops: shopsOption(values.shops),
      scale: numberOption(values, 'scale', 1),
      speed: numberOption(values, 'speed', 1),
      peak: values.peak === true,
      ...(values.seed === undefined ? {} : { seed: numberOption(values, 'seed') }),
      ...(values.stream === undefined ? {} : { stream: values.stream }),
      timeZone,
      onProgress: values.quiet === true ? undefined : (line) => process.stderr.write(`${line}\n`),
    });
    console.error('live traffic running; Ctrl-C to stop');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    const summary = await stop();
    console.error(`live traffic stopped: ${formatCount(summary.published)} events published`);
    return;
  }

  if (values.out === undefined) throw new UsageError('--out is required (or --live)');
  if (values['peak-day'] === undefined) throw new UsageError('--peak-day is required');
  const quiet = values.quiet === true;
  const report = writeTrafficFile({
    seed: numberOption(values, 'seed'),
    days: numberOption(values, 'days'),
    peakDay: values['peak-day'],
    shops: shopsOption(values.shops),
    scale: numberOption(values, 'scale', 1),
    timeZone,
    out: values.out,
    noise: numberOption(values, 'noise', 0),
    onProgress: quiet
      ? undefined
      : (events, tsMs) =>
          process.stderr.write(`  ${formatCount(events)} events, at ${formatInstant(tsMs, timeZone)}\r`),
  });
  const seconds = report.elapsedMs / 1000;
  const lines = [
    `wrote ${values.out}: ${formatCount(report.events)} events, ${formatCount(report.lines)} lines, ` +
      `${(report.bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s (${formatCount(Math.round(report.events / seconds))} events/s; ` +
      `${(report.cpuMs / 1000).toFixed(1)} s CPU, ${formatCount(Math.round(report.events / (report.cpuMs / 1000)))} events per CPU second)`,
    report.firstTsMs === undefined || report.lastTsMs === undefined
      ? 'no events'
      : `from ${formatInstant(report.firstTsMs, timeZone)} to ${formatInstant(report.lastTsMs, timeZone)}`,
    'by type: ' +
      Object.entries(report.countsByType)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([type, count]) => `${type} ${formatCount(count)}`)
        .join(', '),
  ];
  if (report.noise !== undefined) {
    const noise = report.noise;
    lines.push(
      `noise p=${noise.probability}: ${formatCount(noise.duplicates)} duplicates ` +
        `(${formatCount(noise.duplicatesWithChangedBody)} with a changed body), ${formatCount(noise.reordered)} reordered pairs, ` +
        `${formatCount(noise.badTotal)} bad lines (` +
        Object.entries(noise.bad)
          .map(([kind, count]) => `${kind} ${formatCount(count)}`)
          .join(', ') +
        ')',
    );
  }
  process.stderr.write(`${quiet ? '' : '\n'}${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  const usage =
    error instanceof UsageError || error instanceof GenerateOptionsError || isParseArgsError(error);
  const message = error instanceof Error ? error.message : String(error);
  // One line, and exit 2 for a usage error so scripts can tell it from a failure.
  console.error(`generate: ${message}${usage ? ' (see --help)' : ''}`);
  process.exit(usage ? 2 : 1);
});

function isParseArgsError(error: unknown): boolean {
  return error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');
}
