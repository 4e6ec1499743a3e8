#!/usr/bin/env node
/**
 * `node scripts/complete-lockfile.mjs` — run after any `npm install` that rewrites
 * package-lock.json. The registry mirror this project is built against serves only the
 * linux-x64 DuckDB binding, so npm drops the other platforms' optional binding entries from the
 * lock, and `npm ci` then refuses the lock as out of sync. This puts those entries back
 * (platform-tagged and optional, so npm skips them on linux-x64 and fetches them elsewhere).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const path = resolve(import.meta.dirname, '..', 'package-lock.json');
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages;
let added = 0;
for (const entry of Object.values(packages)) {
  for (const [dependency, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${dependency}`;
    if (packages[key] !== undefined) continue;
    const m = /-(darwin|linux|win32)-(arm64|x64)(-musl)?$/.exec(dependency);
    if (m === null) continue;
    packages[key] = {
      version,
      cpu: [m[2]],
      ...(m[1] === 'linux' ? { libc: [m[3] ? 'musl' : 'glibc'] } : {}),
      license: 'MIT',
      optional: true,
      os: [m[1]],
    };
    added += 1;
  }
}
const sorted = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)));
lock.packages = sorted;
writeFileSync(path, JSON.stringify(lock, null, 2) + '\n');
console.error(`complete-lockfile: added ${added} platform entries`);
