/**
 * A createApp with small in-memory deps: a unit test of the HTTP layer (routing, validation,
 * access control), no NATS or DuckDB. Every dep call is recorded so tests can see what reached it.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { createApp, createAuth, type AppDeps, type AuthOptions } from '../../server/http/index.ts';

export const VIEWER = 'viewer-token-0123456789';
export const SUPERVISOR = 'supervisor-token-0123456789';

export interface Fixture {
  app: Hono;
  calls: { dep: string; args: unknown }[];
  errors: { message: string; fields: Record<string, unknown> }[];
}

let webRoot: string | undefined;

/** A built-board stand-in: index.html and one asset. */
function fakeWebRoot(): string {
  if (webRoot !== undefined) return webRoot;
  webRoot = mkdtempSync(join(tmpdir(), 'peakboard-web-'));
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>Peakboard</title><div id="app"></div>');
  mkdirSync(join(webRoot, 'assets'));
  writeFileSync(join(webRoot, 'assets', 'app.js'), 'console.log("board")');
  return webRoot;
}

export function makeApp(auth: AuthOptions = {}, overrides: Partial<AppDeps> = {}): Fixture {
  const calls: Fixture['calls'] = [];
  const errors: Fixture['errors'] = [];
  const record =
    <T>(dep: string, result: T) =>
    async (args?: unknown): Promise<T> => {
      calls.push({ dep, args });
      return result;
    };
  const deps: AppDeps = {
    webRoot: fakeWebRoot(),
    auth: createAuth(auth),
    snapshot: record('snapshot', { asOf: '2026-11-11T20:00:00.000+08:00', seq: 1 }),
    unanswered: record('unanswered', { items: [] }),
    history: record('history', { columns: [[], []] }),
    whatIf: record('whatIf', { after: { serviceLevel: 0.84 } }),
    deadLetters: record('deadLetters', { items: [] }),
    health: async () => ({ ok: true, ready: true, duckdb: { path: '/var/lib/peakboard/peakboard.duckdb' } }),
    metrics: async () => 'peakboard_chat_waiting{queue="presale"} 3\n',
    logError: (message, fields) => errors.push({ message, fields }),
    ...overrides,
  };
  return { app: createApp(deps), calls, errors };
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

export const JSON_HEADERS = { 'content-type': 'application/json' };
export const WHAT_IF_BODY = JSON.stringify({
  queue: 'aftersale',
  hourStart: '2026-11-11T20:00:00+08:00',
  addAgents: 2,
});
