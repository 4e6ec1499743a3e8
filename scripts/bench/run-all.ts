/**
 * `npm run bench`: every `bench:*` script in turn (each records its own row in
 * docs/BENCHMARKS.md). The soak runs 2 minutes here; run `npm run bench:soak -- --minutes 30`
 * for the full night-shift figure.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const scripts = Object.keys(
  (JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts,
)
  .filter((name) => name.startsWith('bench:'))
  .sort();
const failed: string[] = [];
for (const name of scripts) {
  const extra = name === 'bench:soak' ? ['--', '--minutes', '2'] : [];
  console.error(`\n=== npm run ${name} ${extra.join(' ')}`);
  const result = spawnSync('npm', ['run', '-s', name, ...extra], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) failed.push(name);
}
if (failed.length > 0) {
  console.error(`\nfailed: ${failed.join(', ')}`);
  process.exit(1);
}
