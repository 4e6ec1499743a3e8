import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runBacktest, type BacktestOptions } from '../../scripts/lib/backtest/index.ts';
import { createRandom } from '../../scripts/lib/generator/random.ts';
import { makeTempDir } from '../helpers/nats.ts';
import { at, dayLines, FIFTEEN_MINUTES_MS, REPO_ROOT, TIME_ZONE } from './fixtures.ts';

const run = promisify(execFile);
const options: BacktestOptions = { timeZone: TIME_ZONE, stepMs: FIFTEEN_MINUTES_MS };

function tsOf(line: string): number {
  return at((JSON.parse(line) as { ts: string }).ts);
}

describe('backtest determinism', () => {
  const temp = makeTempDir('peakboard-backtest-');
  afterAll(() => temp.remove());

  it('should write byte-identical report and HTML files for the same input and flags', async () => {
    const input = join(temp.dir, 'noisy.ndjson');
    writeFileSync(input, dayLines(0.02).join('\n') + '\n');
    const plan = join(temp.dir, 'plan.json');
    writeFileSync(
      plan,
      JSON.stringify({
        changes: [
          { queue: 'presale', from: '2026-11-11T20:00+08:00', to: '2026-11-11T23:00+08:00', addAgents: 2 },
        ],
      }),
    );
    const outputs: string[][] = [];
    for (const name of ['first', 'second']) {
      const out = join(temp.dir, `${name}.json`);
      const html = join(temp.dir, `${name}.html`);
      await run(
        process.execPath,
        [
          '--import',
          'tsx',
          'scripts/backtest.ts',
          '--input',
          input,
          '--out',
          out,
          '--html',
          html,
          '--what-if',
          plan,
          '--quiet',
        ],
        { cwd: REPO_ROOT },
      );
      outputs.push([readFileSync(out, 'utf8'), readFileSync(html, 'utf8')]);
    }
    const [first, second] = outputs as [string[], string[]];
    expect(second[0]).toBe(first[0]);
    expect(second[1]).toBe(first[1]);
    const report = JSON.parse(first[0] as string) as {
      rows: unknown[];
      summary: { totals: { rejected: number } };
    };
    expect(report.rows.length).toBe(97);
    expect(report.summary.totals.rejected).toBeGreaterThan(0);
  }, 60_000);

  it('should give the same rows for a file whose lines are reordered within 3 minutes', () => {
    const lines = dayLines(0);
    const random = createRandom(42);
    // Each line moves later by up to 3 minutes of event time: the order of arrival changes, the events do not.
    const reordered = lines
      .map((line, index) => ({ line, index, key: tsOf(line) + random.integer(0, 180_000) }))
      .sort((a, b) => a.key - b.key || a.index - b.index)
      .map(({ line }) => line);
    expect(reordered).not.toEqual(lines);
    const inOrder = runBacktest(lines, options);
    const shuffled = runBacktest(reordered, options);
    expect(shuffled.summary.totals.rejected).toBe(0);
    expect(shuffled.summary.totals.lateForRows).toBe(0);
    expect(shuffled.rows).toEqual(inOrder.rows);
    expect(shuffled.summary.hours).toEqual(inOrder.summary.hours);
  });

  it('should count blank, bad, duplicate and future lines as the server admission does', () => {
    const event = (id: string, ts: string, extra: Record<string, unknown> = {}): string =>
      JSON.stringify({ id, type: 'clock.tick', ts, shop: 's1', ...extra });
    const lines = [
      event('a', '2026-11-11T10:00:00.000+08:00'),
      '',
      '{"id":"broken",',
      JSON.stringify({ id: 'b', type: 'chat.typing', ts: '2026-11-11T10:00:01.000+08:00', shop: 's1' }),
      JSON.stringify({ id: 'c', type: 'chat.started', ts: '2026-11-11T10:00:02.000+08:00', shop: 's1' }),
      event('a', '2026-11-11T10:00:03.000+08:00'),
      // Exactly 300 s ahead of the clock is accepted; 300.001 s is not.
      event('d', '2026-11-11T10:05:00.000+08:00'),
      event('e', '2026-11-11T10:10:00.001+08:00'),
      // A rejected line does not reserve its id: the valid 'e' after it is accepted.
      event('e', '2026-11-11T10:09:00.000+08:00'),
      event('f', '2026-11-11 10:09:30'),
    ];
    const { summary, rows } = runBacktest(lines, options);
    expect(summary.totals).toEqual({
      lines: 10,
      blankLines: 1,
      accepted: 3,
      duplicates: 1,
      rejected: 5,
      rejectedByReason: { bad_ts: 1, future_ts: 1, invalid_json: 1, missing_field: 1, unknown_type: 1 },
      lateForRows: 0,
      lateEventsDropped: 0,
    });
    // Rows at 10:00 and 10:15 (the first boundary at or after the last event, 10:09).
    expect(rows.map((row) => row.asOf)).toEqual([
      '2026-11-11T10:00:00.000+08:00',
      '2026-11-11T10:15:00.000+08:00',
    ]);
    // Counts in a row are the lines dated at or before it (a line without a readable ts: by the clock).
    expect(rows[0]?.ingest).toEqual({ accepted: 1, duplicates: 0, rejected: 1, lagSec: 0 });
    expect(rows[1]?.ingest).toEqual({ accepted: 3, duplicates: 1, rejected: 5, lagSec: 0 });
  });

  it('should keep to --from and --to while still applying the history before them', () => {
    const lines = dayLines(0);
    const whole = runBacktest(lines, options);
    const evening = runBacktest(lines, {
      ...options,
      fromMs: at('2026-11-11T19:50:00+08:00'),
      toMs: at('2026-11-11T21:00:00+08:00'),
    });
    expect(evening.rows.map((row) => row.asOf)).toEqual([
      '2026-11-11T20:00:00.000+08:00',
      '2026-11-11T20:15:00.000+08:00',
      '2026-11-11T20:30:00.000+08:00',
      '2026-11-11T20:45:00.000+08:00',
      '2026-11-11T21:00:00.000+08:00',
    ]);
    const sameInstants = whole.rows.filter((row) => evening.rows.some((other) => other.asOf === row.asOf));
    // Alerts' observed `since` depends on which instants were looked at; everything else is the same.
    const withoutAlerts = (row: (typeof whole.rows)[number]) => ({
      ...row,
      alerts: row.alerts.map((a) => a.metric),
    });
    expect(evening.rows.map(withoutAlerts)).toEqual(sameInstants.map(withoutAlerts));
  });
});
