import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBacktest, runBacktestFile, type BacktestProgress } from '../../scripts/lib/backtest/index.ts';
import { makeTempDir } from '../helpers/nats.ts';
import { dayLines, FIFTEEN_MINUTES_MS, TIME_ZONE } from './fixtures.ts';

describe('backtest of a file on two threads', () => {
  const temp = makeTempDir('peakboard-backtest-file-');
  afterAll(() => temp.remove());

  it('should give the very report of the one-thread backtest, noise, what-if and shop included', async () => {
    // Blank lines, CRLF and a missing final newline on top of the generator's noise.
    const lines = dayLines(0.03);
    lines.splice(100, 0, '', '   ');
    const input = join(temp.dir, 'noisy.ndjson');
    writeFileSync(input, lines.join('\r\n'));
    const options = {
      timeZone: TIME_ZONE,
      stepMs: FIFTEEN_MINUTES_MS,
      whatIf: {
        changes: [
          {
            queue: 'presale',
            fromMs: Date.parse('2026-11-11T20:00:00+08:00'),
            toMs: Date.parse('2026-11-11T23:00:00+08:00'),
            addAgents: 2,
          },
        ],
      },
    };
    const progress: BacktestProgress[] = [];
    const fromFile = await runBacktestFile(input, {
      ...options,
      progressEveryLines: 1000,
      onProgress: (step) => progress.push(step),
    });
    const inThread = runBacktest(lines, options);
    expect(JSON.stringify(fromFile)).toBe(JSON.stringify(inThread));
    expect(fromFile.summary.totals.blankLines).toBe(2);
    expect(fromFile.summary.totals.rejected).toBeGreaterThan(0);
    expect(progress.length).toBeGreaterThan(3);
    expect(progress[progress.length - 1]?.lines).toBe(lines.length);

    const shopOnly = { timeZone: TIME_ZONE, stepMs: 3_600_000, shop: 'shop2', probeStepMs: 5 * 60_000 };
    expect(JSON.stringify(await runBacktestFile(input, shopOnly))).toBe(
      JSON.stringify(runBacktest(lines, shopOnly)),
    );
  }, 60_000);

  it('should reject when the file cannot be read', async () => {
    await expect(
      runBacktestFile(join(temp.dir, 'missing.ndjson'), { timeZone: TIME_ZONE, stepMs: FIFTEEN_MINUTES_MS }),
    ).rejects.toThrow(/ENOENT/);
  });
});
