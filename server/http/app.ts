/**
 * The Hono app, as a factory of its dependencies: tests call `app.request()` with no port and
 * no servers. Every query parameter is validated; errors are JSON with a message, never a stack.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { serveStatic } from '@hono/node-server/serve-static';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseTimestampMs, SHOP_PATTERN } from '../events/index.ts';

export interface SnapshotQuery {
  shop: string | null;
  /** Time-travel instant; undefined = now (the live clock). */
  atMs: number | undefined;
}

export interface HealthReport {
  ok: boolean;
  [part: string]: unknown;
}

export interface AppDeps {
  snapshot(query: SnapshotQuery): Promise<unknown>;
  unanswered?(query: { kind: 'chat' | 'refund'; shop: string | null; limit: number }): Promise<unknown>;
  history?(query: { metric: string; fromMs: number; toMs: number; stepMs: number; shop: string | null }): Promise<unknown>;
  whatIf?(body: unknown): Promise<unknown>;
  deadLetters?(limit: number): Promise<unknown>;
  health(): Promise<HealthReport>;
  metrics?(): Promise<string>;
  /** Directory of the built board (web/dist); the board routes answer 503 with a hint when it is missing. */
  webRoot: string;
  /** Bearer token required for what-if and changes; undefined = none configured (loopback only). */
  supervisorToken?: string;
}

export class BadRequestError extends Error {
  override name = 'BadRequestError';
}

function parseShop(value: string | undefined): string | null {
  if (value === undefined || value === '') return null;
  if (!SHOP_PATTERN.test(value)) throw new BadRequestError('shop must match [A-Za-z0-9_-]{1,64}');
  return value;
}

function parseInstant(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = parseTimestampMs(value);
  if (ms === undefined) throw new BadRequestError(`${name} must be an RFC 3339 instant with offset, e.g. 2026-11-11T20:00:00+08:00`);
  return ms;
}

function parseLimit(value: string | undefined, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value)) throw new BadRequestError(`limit must be a whole number from 1 to ${max}`);
  const n = Number(value);
  if (n < 1 || n > max) throw new BadRequestError(`limit must be a whole number from 1 to ${max}`);
  return n;
}

const STEP_UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses a step such as `15m`, `1h` or `300` (seconds). */
export function parseStepMs(value: string): number | undefined {
  const m = /^(\d+)([smhd]?)$/.exec(value);
  if (m === null) return undefined;
  return Number(m[1]) * (STEP_UNITS[m[2] || 's'] ?? 1_000);
}

function timingSafeEqualText(a: string, b: string): boolean {
  // Constant time in the length of the expected token.
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (a.charCodeAt(i % Math.max(1, a.length)) || 0) ^ b.charCodeAt(i);
  return diff === 0;
}

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();

  app.onError((error, c) => {
    if (error instanceof BadRequestError) return c.json({ error: error.message }, 400);
    console.error(JSON.stringify({ level: 'error', msg: 'request failed', path: c.req.path, error: String(error) }));
    return c.json({ error: 'internal error' }, 500);
  });

  app.get('/healthz', async (c) => {
    const report = await deps.health();
    return c.json(report, report.ok ? 200 : 503);
  });

  app.get('/metrics', async (c) => {
    if (deps.metrics === undefined) return c.text('', 404);
    return c.text(await deps.metrics(), 200, { 'content-type': 'text/plain; version=0.0.4' });
  });

  app.get('/api/snapshot', async (c) => {
    const shop = parseShop(c.req.query('shop'));
    const atMs = parseInstant('at', c.req.query('at'));
    return c.json(await deps.snapshot({ shop, atMs }));
  });

  app.get('/api/unanswered', async (c) => {
    if (deps.unanswered === undefined) return c.json({ error: 'not available yet' }, 501);
    const kind = c.req.query('kind') ?? 'chat';
    if (kind !== 'chat' && kind !== 'refund') throw new BadRequestError('kind must be chat or refund');
    const shop = parseShop(c.req.query('shop'));
    const limit = parseLimit(c.req.query('limit'), 20, 1000);
    return c.json(await deps.unanswered({ kind, shop, limit }));
  });

  app.get('/api/history', async (c) => {
    if (deps.history === undefined) return c.json({ error: 'not available yet' }, 501);
    const metric = c.req.query('metric') ?? '';
    if (!/^[A-Za-z0-9_.]{1,200}$/.test(metric)) throw new BadRequestError('metric must be a dotted path such as chat.queues.aftersale.waiting');
    const fromMs = parseInstant('from', c.req.query('from'));
    const toMs = parseInstant('to', c.req.query('to'));
    if (fromMs === undefined || toMs === undefined) throw new BadRequestError('from and to are required RFC 3339 instants');
    if (toMs < fromMs) throw new BadRequestError('to must not be before from');
    const stepMs = parseStepMs(c.req.query('step') ?? '1m');
    if (stepMs === undefined || stepMs < 60_000) throw new BadRequestError('step must be at least 1m (e.g. 1m, 15m, 1h)');
    if ((toMs - fromMs) / stepMs > 2_000) throw new BadRequestError('at most 2000 points per request; use a larger step');
    const shop = parseShop(c.req.query('shop'));
    return c.json(await deps.history({ metric, fromMs, toMs, stepMs, shop }));
  });

  app.get('/api/dead-letters', async (c) => {
    if (deps.deadLetters === undefined) return c.json({ error: 'not available' }, 501);
    return c.json(await deps.deadLetters(parseLimit(c.req.query('limit'), 50, 1000)));
  });

  app.post('/api/staffing/what-if', bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.json({ error: 'body too large' }, 413) }), async (c) => {
    if (deps.whatIf === undefined) return c.json({ error: 'not available yet' }, 501);
    if (deps.supervisorToken !== undefined) {
      const header = c.req.header('authorization') ?? '';
      const token = header.startsWith('Bearer ') ? header.slice(7) : '';
      if (token === '') return c.json({ error: 'supervisor token required' }, 401);
      if (!timingSafeEqualText(token, deps.supervisorToken)) return c.json({ error: 'not allowed' }, 403);
    }
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new BadRequestError('body must be JSON');
    }
    return c.json(await deps.whatIf(body));
  });

  // The board: one built page for both views; the app picks the view from the path.
  const indexFile = join(deps.webRoot, 'index.html');
  const webRootRelative = relative(process.cwd(), deps.webRoot) || '.';
  const servePage = async (c: Context): Promise<Response> => {
    if (!existsSync(indexFile)) return c.text('The board is not built yet: run `npm run build`.', 503);
    const html = await readFile(indexFile, 'utf8');
    return c.html(html, 200, { 'cache-control': 'no-cache' });
  };
  app.get('/', (c) => c.redirect('/board'));
  app.get('/board', servePage);
  app.get('/supervisor', servePage);
  app.use('/assets/*', serveStatic({ root: webRootRelative }));

  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404));
  return app;
}
