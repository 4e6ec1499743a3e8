/**
 * A stand-in for the Peakboard server in browser tests: serves web/dist the way the real HTTP layer
 * must (/board, /supervisor → index.html; /assets/* → files), attaches the real push hub with a
 * scripted getSnapshot, and answers the supervisor's two API calls. Stops and restarts on the same
 * port so tests can watch the board go STALE and recover.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPushHub, type PushHub } from '../../server/push/index.ts';
import { sampleAggregates, sampleHistory, type SampleAggregates } from '../push/sample-aggregates.ts';

const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
export const WEB_DIST = join(REPO, 'web/dist');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds web/dist when it is missing or older than the sources (`npx vite build web`). */
export function ensureWebBuild(): void {
  const index = join(WEB_DIST, 'index.html');
  const sourcesMs = Math.max(
    newestMtimeMs(join(REPO, 'web/src')),
    statSync(join(REPO, 'web/index.html')).mtimeMs,
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sourcesMs) return;
  execFileSync('npx', ['vite', 'build', 'web'], { cwd: REPO, stdio: 'inherit' });
}

export interface UnansweredFixture {
  chat: { id: string; queue: string; waitSec: number; agentId?: string }[];
  refund: { id: string; path: string; waitSec: number; agentId?: string }[];
}

export interface WhatIfCall {
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface Harness {
  url: string;
  /** What getSnapshot returns; tests replace it to script the engine. */
  state: { current: SampleAggregates };
  unanswered: UnansweredFixture;
  whatIfCalls: WhatIfCall[];
  hub(): PushHub | undefined;
  /** Closes the server and every socket, as a crash would. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
}

export async function startHarness(options: { tickMs?: number } = {}): Promise<Harness> {
  const state = { current: sampleAggregates() };
  const unanswered: UnansweredFixture = {
    chat: [
      { id: 'chat-9f31', queue: 'aftersale', waitSec: 2_410, agentId: 'a-17' },
      { id: 'chat-9f55', queue: 'presale', waitSec: 312 },
    ],
    refund: [{ id: 'rf-2201', path: 'return_refund', waitSec: 1_140 }],
  };
  const whatIfCalls: WhatIfCall[] = [];
  let server: Server | undefined;
  let hub: PushHub | undefined;
  let port = 0;

  const serveFile = (path: string): { body: Buffer; type: string } | undefined => {
    const file = normalize(join(WEB_DIST, path));
    if (!file.startsWith(WEB_DIST) || !existsSync(file) || !statSync(file).isFile()) return undefined;
    return { body: readFileSync(file), type: CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' };
  };

  async function listen(): Promise<void> {
    const current = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (url.pathname === '/board' || url.pathname === '/supervisor' || url.pathname === '/') {
        const file = serveFile('index.html');
        response.writeHead(200, { 'content-type': file!.type, 'cache-control': 'no-cache' }).end(file!.body);
        return;
      }
      if (url.pathname.startsWith('/assets/')) {
        const file = serveFile(url.pathname);
        if (file === undefined) return void response.writeHead(404).end();
        response.writeHead(200, { 'content-type': file.type }).end(file.body);
        return;
      }
      if (url.pathname === '/api/unanswered') {
        const kind = url.searchParams.get('kind') === 'refund' ? 'refund' : 'chat';
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ items: unanswered[kind] }));
        return;
      }
      if (url.pathname === '/api/staffing/what-if' && request.method === 'POST') {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          whatIfCalls.push({ headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString()) });
          // The shape of server/staffing/what-if.ts WhatIfResult.
          const asked = whatIfCalls.at(-1)?.body as {
            queue?: string;
            hourStart?: string;
            addAgents?: number;
          };
          const before = 14;
          response.writeHead(200, { 'content-type': 'application/json' }).end(
            JSON.stringify({
              hourStart: asked.hourStart,
              queues: [
                {
                  queue: asked.queue,
                  forecastArrivals: 205,
                  before: {
                    agents: before,
                    serviceLevel: 0.62,
                    asaSec: 95,
                    occupancy: 0.93,
                    projectedUnansweredOver30m: 4.2,
                    overloaded: false,
                  },
                  after: {
                    agents: before + (asked.addAgents ?? 0),
                    serviceLevel: 0.84,
                    asaSec: 31,
                    occupancy: 0.81,
                    projectedUnansweredOver30m: 0,
                    overloaded: false,
                  },
                },
              ],
            }),
          );
        });
        return;
      }
      response.writeHead(404).end();
    });
    await new Promise<void>((done) => current.listen(port, '127.0.0.1', done));
    port = (current.address() as AddressInfo).port;
    server = current;
    hub = startPushHub({
      server: current,
      tickMs: options.tickMs ?? 100,
      getSnapshot: () => state.current,
      seedSeries: () => sampleHistory(Date.parse(state.current.asOf)),
    });
  }

  async function stop(): Promise<void> {
    await hub?.stop();
    if (server !== undefined) {
      const closing = server;
      closing.closeAllConnections();
      await new Promise<void>((done) => closing.close(() => done()));
    }
    hub = undefined;
    server = undefined;
  }

  await listen();
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    unanswered,
    whatIfCalls,
    hub: () => hub,
    stop,
    restart: listen,
  };
}
