/**
 * Backtest a past day (or month) on the server's own admission and engine.
 *
 *   npm run backtest -- --input FILE.ndjson --out report.json [--step 15m] [--from T] [--to T]
 *                       [--shop S] [--html report.html] [--what-if plan.json] [--tz ZONE]
 *                       [--alerts FILE] [--probe-step 1m] [--hold 5m] [--quiet]
 *
 * The report is a function of the input and the flags only (same input, same bytes); progress
 * (lines, simulated time, events/s) goes to stderr.
 */
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { loadAlertThresholds } from '../server/config/index.ts';
import { formatInstant, parseTimestampMs } from '../server/events/index.ts';
import {
  parseDurationMs,
  parseWhatIfPlan,
  renderHtmlReport,
  runBacktestFile,
  type BacktestOptions,
  type BacktestReport,
} from './lib/backtest/index.ts';

const USAGE =
  'usage: backtest --input FILE.ndjson --out report.json [--step 15m] [--from T] [--to T] [--shop S]\n' +
  '                [--html report.html] [--what-if plan.json] [--tz ZONE] [--alerts FILE]\n' +
  '                [--probe-step 1m] [--hold 5m] [--quiet]';

class UsageError extends Error {
  override name = 'UsageError';
}

/** RFC 3339, seconds optional (`2026-11-11T20:00+08:00`). */
function instantOption(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const parsed = parseTimestampMs(raw.replace(/T(\d{2}:\d{2})(?=[Zz+-])/, 'T$1:00'));
  if (parsed === undefined)
    throw new UsageError(`--${name} must be an RFC 3339 instant with an offset, got ${raw}`);
  return parsed;
}

/** Rows one per line: the file stays valid JSON and diffs by row. */
async function writeReport(path: string, report: BacktestReport): Promise<void> {
  const out = createWriteStream(path);
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write('{"rows":[');
  for (let index = 0; index < report.rows.length; index += 1) {
    await write(`${index === 0 ? '\n' : ',\n'}${JSON.stringify(report.rows[index])}`);
  }
  await write(`\n],\n"summary":${JSON.stringify(report.summary, null, 1)}}\n`);
  out.end();
  await once(out, 'finish');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    strict: true,
    allowPositionals: false,
    options: {
      input: { type: 'string' },
      out: { type: 'string' },
      step: { type: 'string', default: '15m' },
      from: { type: 'string' },
      to: { type: 'string' },
      shop: { type: 'string' },
      html: { type: 'string' },
      'what-if': { type: 'string' },
      tz: { type: 'string' },
      alerts: { type: 'string' },
      'probe-step': { type: 'string', default: '1m' },
      hold: { type: 'string', default: '5m' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.input === undefined || values.out === undefined)
    throw new UsageError('--input and --out are required');
  const timeZone = values.tz ?? process.env.BUSINESS_TZ ?? 'Asia/Shanghai';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new UsageError(`--tz ${timeZone} is not an IANA time zone`);
  }
  const fromMs = instantOption('from', values.from);
  const toMs = instantOption('to', values.to);
  const options: BacktestOptions = {
    timeZone,
    stepMs: parseDurationMs(values.step),
    probeStepMs: parseDurationMs(values['probe-step']),
    holdMs: parseDurationMs(values.hold),
    alertThresholds: loadAlertThresholds(values.alerts ?? process.env.ALERTS_FILE),
    ...(fromMs !== undefined ? { fromMs } : {}),
    ...(toMs !== undefined ? { toMs } : {}),
    ...(values.shop !== undefined ? { shop: values.shop } : {}),
  };
  if (values['what-if'] !== undefined) {
    options.whatIf = parseWhatIfPlan(JSON.parse(readFileSync(values['what-if'], 'utf8')) as unknown);
  }
  if (!values.quiet) {
    const startedMs = performance.now();
    let nextReportMs = startedMs + 1000;
    options.onProgress = (progress) => {
      const nowMs = performance.now();
      if (nowMs < nextReportMs && progress.lines % (1 << 20) !== 0) return;
      nextReportMs = nowMs + 1000;
      const rate = progress.lines / Math.max(0.001, (nowMs - startedMs) / 1000);
      const at = Number.isNaN(progress.simulatedMs) ? '-' : formatInstant(progress.simulatedMs, timeZone);
      process.stderr.write(
        `\r  ${progress.lines.toLocaleString('en-US')} lines, ${progress.rows} rows, at ${at}, ` +
          `${Math.round(rate).toLocaleString('en-US')} events/s   `,
      );
    };
  }

  const startedMs = performance.now();
  // Admission in a worker thread, the engine here: the same report as runBacktestAsync, faster.
  const report = await runBacktestFile(values.input, options);
  await writeReport(values.out, report);
  if (values.html !== undefined) writeFileSync(values.html, renderHtmlReport(report));
  if (!values.quiet) {
    const seconds = (performance.now() - startedMs) / 1000;
    const { totals, range } = report.summary;
    process.stderr.write(
      `\nwrote ${values.out}: ${range.rows} rows from ${range.firstRow ?? '-'} to ${range.lastRow ?? '-'}; ` +
        `${totals.accepted.toLocaleString('en-US')} accepted, ${totals.duplicates} duplicates, ` +
        `${totals.rejected} rejected in ${seconds.toFixed(1)} s ` +
        `(${Math.round(totals.lines / seconds).toLocaleString('en-US')} events/s)\n`,
    );
    const calibration = report.summary.whatIf?.calibration;
    if (calibration !== undefined) {
      process.stderr.write(
        `what-if calibration: hourly wait error ${calibration.hourlyWaitError ?? '-'} ` +
          `(hold-time factor ${calibration.holdTimeFactor})\n`,
      );
    }
    if (values.html !== undefined) process.stderr.write(`wrote ${values.html}\n`);
  }
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  console.error(message);
  if (error instanceof UsageError) console.error(USAGE);
  process.exitCode = 1;
});
