import { execFile } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { vectors, type ErlangCVector } from './vectors.ts';

const REPOSITORY = fileURLToPath(new URL('../../', import.meta.url));

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function runCli(args: readonly string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile('npx', ['tsx', 'scripts/staffing.ts', ...args], { cwd: REPOSITORY }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

const FLAGS: Record<keyof ErlangCVector['in'], string> = {
  arrivals: '--arrivals',
  intervalSec: '--interval-sec',
  ahtSec: '--aht-sec',
  thresholdSec: '--threshold-sec',
  targetServiceLevel: '--target-sl',
  maxOccupancy: '--max-occupancy',
  shrinkage: '--shrinkage',
  agents: '--agents',
};

function argsOf(vector: ErlangCVector): string[] {
  return Object.entries(vector.in).flatMap(([key, value]) => [
    FLAGS[key as keyof ErlangCVector['in']],
    String(value),
  ]);
}

/** The last non-empty stderr line: npx may print its own warnings first. */
function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}

describe('staffing CLI', () => {
  // One process per vector; started together, since each pays tsx's start-up.
  const runs = new Map(vectors.erlangC.map((vector) => [vector, runCli(argsOf(vector))]));

  for (const vector of vectors.erlangC) {
    it(`should reproduce ${vector.source}`, async () => {
      const run = await runs.get(vector);
      if (run === undefined) throw new Error('no run');
      if (vector.expect.error !== undefined) {
        expect(run.code).toBe(2);
        expect(run.stdout).toBe('');
        expect(lastLine(run.stderr)).toBe(`staffing: ${vector.expect.error}`);
        return;
      }
      expect(run.code, run.stderr).toBe(0);
      const lines = run.stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      const output = JSON.parse(lines[0] ?? '') as Record<string, number>;
      expect(output.offeredLoad).toBeCloseTo(
        (vector.in.arrivals / vector.in.intervalSec) * vector.in.ahtSec,
        6,
      );
      expect(output.rawAgents).toBe(vector.expect.rawAgents);
      if (vector.expect.positions !== undefined) expect(output.positions).toBe(vector.expect.positions);
      const tolerance = vector.tolerance ?? 0;
      for (const key of ['serviceLevel', 'occupancy', 'waitingProbability'] as const) {
        const expected = vector.expect[key];
        if (expected === undefined) continue;
        expect(
          Math.abs((output[key] ?? Number.NaN) - expected),
          `${key}: ${output[key]} vs ${expected}`,
        ).toBeLessThanOrEqual(tolerance);
      }
    });
  }

  it('should print Erlang A figures when a patience is given', async () => {
    const run = await runCli(
      ['--arrivals', '100', '--interval-sec', '1800', '--aht-sec', '180', '--threshold-sec', '20'].concat([
        '--agents',
        '14',
        '--patience-sec',
        '300',
      ]),
    );
    expect(run.code, run.stderr).toBe(0);
    const output = JSON.parse(run.stdout) as Record<string, number>;
    expect(output).toMatchObject({
      model: 'erlang-a',
      agents: 14,
      serviceLevel: 0.916792,
      abandonmentProbability: 0.013984,
    });
  });

  it('should print required agents for every hour of an --hourly file', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'staffing-cli-'));
    const file = join(directory, 'hours.json');
    writeFileSync(file, JSON.stringify([0, 200, 400]));
    const run = await runCli(
      ['--hourly', file, '--aht-sec', '180', '--threshold-sec', '19.8', '--target-sl', '0.8'].concat([
        '--max-occupancy',
        '0.85',
        '--concurrency',
        '2',
      ]),
    );
    expect(run.code, run.stderr).toBe(0);
    const output = JSON.parse(run.stdout) as { hours: { hour: number; rawAgents: number }[] };
    // 0 chats → 0; 200 an hour at 180 s = 10 Erlangs → 14 slots → 7 agents at 2 chats each.
    expect(output.hours.map((hour) => hour.rawAgents).slice(0, 2)).toEqual([0, 7]);
    expect(output.hours).toHaveLength(3);
  });

  it('should exit 2 with a one-line error on bad arguments', async () => {
    const cases = [
      ['--arrivals', 'many', '--interval-sec', '1800', '--aht-sec', '180', '--agents', '14'],
      ['--arrivals', '100', '--interval-sec', '1800', '--aht-sec', '180'],
      ['--arrivals', '100', '--interval-sec', '1800', '--aht-sec', '180', '--target-sl', '0.8'],
      [
        '--arrivals',
        '100',
        '--interval-sec',
        '1800',
        '--aht-sec',
        '180',
        '--agents',
        '14',
        '--colour',
        'red',
      ],
    ];
    const runs = await Promise.all(cases.map((args) => runCli(args)));
    runs.forEach((run, index) => {
      expect(run.code, cases[index]?.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
      expect(lastLine(run.stderr)).toMatch(/^staffing: .+/);
    });
  });
});
