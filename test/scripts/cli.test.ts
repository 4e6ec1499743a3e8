import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { generateLines } from '../../scripts/lib/generator/index.ts';
import { makeTempDir } from '../helpers/nats.ts';

const run = promisify(execFile);
const temp = makeTempDir('peakboard-cli-');

async function runScript(script: string, args: readonly string[]): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await run(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: process.cwd(),
    });
    return { code: 0, stderr };
  } catch (error) {
    const failed = error as { code?: number; stderr?: string };
    return { code: failed.code ?? -1, stderr: failed.stderr ?? '' };
  }
}

describe('generate and replay command lines', () => {
  afterAll(() => temp.remove());

  it('should write the same bytes as the in-process generator and summarise on stderr', async () => {
    const out = join(temp.dir, 'cli.ndjson');
    const args = [
      '--seed',
      '7',
      '--days',
      '1',
      '--peak-day',
      '2026-11-11',
      '--shops',
      '1',
      '--scale',
      '0.02',
    ];
    const result = await runScript('scripts/generate.ts', [
      ...args,
      '--out',
      out,
      '--noise',
      '0.01',
      '--quiet',
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/wrote .*cli\.ndjson: [\d,]+ events/);
    expect(result.stderr).toMatch(/noise p=0\.01: [\d,]+ duplicates/);
    const inProcess = createHash('sha256');
    for (const line of generateLines({
      seed: 7,
      days: 1,
      peakDay: '2026-11-11',
      shops: 1,
      scale: 0.02,
      noise: 0.01,
    })) {
      inProcess.update(line + '\n');
    }
    expect(createHash('sha256').update(readFileSync(out)).digest('hex')).toBe(inProcess.digest('hex'));
  });

  it('should answer bad arguments with one line and exit code 2', async () => {
    const generate = await runScript('scripts/generate.ts', [
      '--seed',
      '7',
      '--days',
      'x',
      '--peak-day',
      '2026-11-11',
      '--out',
      join(temp.dir, 'never.ndjson'),
    ]);
    expect(generate.code).toBe(2);
    expect(generate.stderr.trim().split('\n')).toHaveLength(1);
    expect(generate.stderr).toContain('--days');
    const replay = await runScript('scripts/replay.ts', ['--input', 'f.ndjson', '--speed', 'fast']);
    expect(replay.code).toBe(2);
    expect(replay.stderr.trim().split('\n')).toHaveLength(1);
  });
});
