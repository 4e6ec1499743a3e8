import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { type ClientOptions } from 'ws';
import { authorizeUpgrade, createAuth } from '../../server/http/index.ts';
import { isOriginAllowed, startPushHub, type PushHub, type PushHubOptions } from '../../server/push/index.ts';
import { sampleAggregates } from './sample-aggregates.ts';

const VIEWER = 'viewer-token-0123456789';
const SUPERVISOR = 'supervisor-token-0123456789';

interface Running {
  server: Server;
  hub: PushHub;
  port: number;
  url: string;
}

const running: Running[] = [];
const sockets: WebSocket[] = [];

async function start(options: Partial<PushHubOptions> = {}): Promise<Running> {
  const server = createServer((_request, response) => response.writeHead(404).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const snapshot = sampleAggregates(Date.parse('2024-11-11T12:00:00Z'));
  const hub = startPushHub({
    server,
    tickMs: 20,
    heartbeatMs: 60_000,
    getSnapshot: () => snapshot,
    ...options,
  });
  const { port } = server.address() as AddressInfo;
  const result = { server, hub, port, url: `ws://127.0.0.1:${port}/ws` };
  running.push(result);
  return result;
}

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  for (const { hub, server } of running.splice(0)) {
    await hub.stop();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

type Outcome = { open: WebSocket } | { status: number; body: string; headers: Record<string, unknown> };

/** Tries an upgrade: the open socket (kept for cleanup), or the refusal's status and reason. */
function attempt(url: string, options: ClientOptions = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false, ...options });
    sockets.push(socket);
    socket.once('open', () => resolve({ open: socket }));
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body, headers: response.headers }),
      );
    });
    socket.once('error', (error) => {
      if (socket.readyState !== WebSocket.CLOSED) reject(error);
    });
  });
}

function statusOf(outcome: Outcome): number {
  return 'open' in outcome ? 101 : outcome.status;
}

function closed(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
}

describe('isOriginAllowed', () => {
  it.each([
    ['http://board.local:8080', 'board.local:8080', [], true],
    ['https://board.example.com', 'board.example.com', [], true],
    ['https://board.example.com', 'board.example.com:443', [], true],
    ['http://evil.example', 'board.local:8080', [], false],
    ['http://board.local:8081', 'board.local:8080', [], false],
    ['https://tv.example.com', 'board.local:8080', ['https://tv.example.com'], true],
    ['null', 'board.local:8080', [], false],
    ['file://', 'board.local:8080', [], false],
    ['not a url', 'board.local:8080', [], false],
    ['http://board.local:8080', undefined, [], false],
  ] as const)('%s from Host %s (allowed %j) -> %s', (origin, host, allowed, expected) => {
    expect(isOriginAllowed(origin, host, allowed)).toBe(expected);
  });
});

describe('push hub hardening', () => {
  describe('origin check', () => {
    it('should refuse a foreign Origin with 403 and accept its own, listed and absent origins', async () => {
      const { url, port, hub } = await start({
        checkOrigin: true,
        allowedOrigins: ['https://tv.example.com'],
      });
      const foreign = await attempt(url, { origin: 'https://evil.example' });
      expect(foreign).toMatchObject({ status: 403, body: 'origin not allowed' });
      expect(statusOf(await attempt(url, { origin: `http://127.0.0.1:${port}` }))).toBe(101);
      expect(statusOf(await attempt(url, { origin: 'https://tv.example.com' }))).toBe(101);
      expect(statusOf(await attempt(url))).toBe(101);
      expect(hub.stats().refusedOrigin).toBe(1);
    });

    it('should not check Origin unless asked', async () => {
      const { url } = await start();
      expect(statusOf(await attempt(url, { origin: 'https://evil.example' }))).toBe(101);
    });
  });

  describe('tokens (authorizeUpgrade)', () => {
    it('should need the viewer or supervisor token when VIEWER_TOKEN is set', async () => {
      const { url, hub } = await start({
        authorize: authorizeUpgrade(createAuth({ viewerToken: VIEWER, supervisorToken: SUPERVISOR })),
      });
      const refused = await attempt(url);
      expect(refused).toMatchObject({ status: 401, body: 'viewer token required' });
      expect((refused as { headers: Record<string, unknown> }).headers['www-authenticate']).toBe(
        'Bearer realm="peakboard"',
      );
      expect(statusOf(await attempt(`${url}?token=wrong-token-0123456789`))).toBe(401);
      expect(statusOf(await attempt(`${url}?shop=tmall&token=${VIEWER}`))).toBe(101);
      expect(statusOf(await attempt(url, { headers: { authorization: `Bearer ${SUPERVISOR}` } }))).toBe(101);
      expect(statusOf(await attempt(url, { headers: { cookie: `pb_viewer=${VIEWER}` } }))).toBe(101);
      expect(hub.stats().refusedUnauthorized).toBe(2);
    });

    it('should be open with SUPERVISOR_TOKEN alone (reads are not protected then)', async () => {
      const { url } = await start({
        authorize: authorizeUpgrade(createAuth({ supervisorToken: SUPERVISOR })),
      });
      expect(statusOf(await attempt(url))).toBe(101);
    });

    it('should accept only loopback Host names when no token is configured (DNS rebinding)', async () => {
      const { url, port } = await start({ authorize: authorizeUpgrade(createAuth({})) });
      expect(statusOf(await attempt(url))).toBe(101);
      expect(statusOf(await attempt(url, { headers: { host: `localhost:${port}` } }))).toBe(101);
      expect(statusOf(await attempt(url, { headers: { host: `attacker.example:${port}` } }))).toBe(401);
    });
  });

  describe('connection limits', () => {
    it('should refuse a client address over its limit with 429, and admit it again after a close', async () => {
      const { url, hub } = await start({ maxClientsPerIp: 2 });
      const first = await attempt(url);
      expect(statusOf(first)).toBe(101);
      expect(statusOf(await attempt(url))).toBe(101);
      const third = await attempt(url);
      expect(third).toMatchObject({ status: 429, body: 'too many connections from this address' });
      expect((third as { headers: Record<string, unknown> }).headers['retry-after']).toBe('30');
      expect(hub.stats().refusedPerIp).toBe(1);
      const socket = (first as { open: WebSocket }).open;
      const gone = closed(socket);
      socket.close();
      await gone;
      // The server sees the close a moment after the client does.
      await expect.poll(async () => statusOf(await attempt(url)), { timeout: 2_000 }).toBe(101);
    });

    it('should refuse upgrades over the total with 503', async () => {
      const { url, hub } = await start({ maxClients: 3 });
      for (let i = 0; i < 3; i++) expect(statusOf(await attempt(url))).toBe(101);
      expect(await attempt(url)).toMatchObject({ status: 503, body: 'too many open connections' });
      expect(hub.stats().refusedFull).toBe(1);
      expect(hub.clientCount()).toBe(3);
    });

    it('should count by the last X-Forwarded-For hop behind a trusted proxy', async () => {
      const { url } = await start({ maxClientsPerIp: 1, trustProxy: true });
      const via = (chain: string): ClientOptions => ({ headers: { 'x-forwarded-for': chain } });
      expect(statusOf(await attempt(url, via('203.0.113.7')))).toBe(101);
      expect(statusOf(await attempt(url, via('203.0.113.8')))).toBe(101);
      // A client cannot dodge the limit by prepending made-up hops: only the proxy's last hop counts.
      expect(statusOf(await attempt(url, via('10.9.9.9, 203.0.113.7')))).toBe(429);
    });

    it('should ignore X-Forwarded-For unless told to trust the proxy', async () => {
      const { url } = await start({ maxClientsPerIp: 1 });
      expect(statusOf(await attempt(url, { headers: { 'x-forwarded-for': '203.0.113.7' } }))).toBe(101);
      expect(statusOf(await attempt(url, { headers: { 'x-forwarded-for': '203.0.113.8' } }))).toBe(429);
    });
  });

  describe('incoming frames', () => {
    it('should close a socket that sends a frame over maxIncomingBytes (1009)', async () => {
      const { url } = await start({ maxIncomingBytes: 4096 });
      const socket = (await attempt(url)) as { open: WebSocket };
      const done = closed(socket.open);
      socket.open.send('x'.repeat(4097));
      expect((await done).code).toBe(1009);
    });

    it('should cap frames at 1 KiB by default', async () => {
      const { url } = await start();
      const socket = (await attempt(url)) as { open: WebSocket };
      const done = closed(socket.open);
      socket.open.send(JSON.stringify({ type: 'resync', pad: 'x'.repeat(1024) }));
      expect((await done).code).toBe(1009);
    });

    it('should close a client that floods messages (1008) and keep answering a calm one', async () => {
      const { url, hub } = await start({ maxClientMessagesPer10s: 5 });
      const calm = (await attempt(url)) as { open: WebSocket };
      const noisy = (await attempt(url)) as { open: WebSocket };
      const done = closed(noisy.open);
      for (let i = 0; i < 20; i++) noisy.open.send('{"type":"resync"}');
      expect(await done).toEqual({ code: 1008, reason: 'too many messages' });
      expect(hub.stats().floodsClosed).toBe(1);
      const answered = new Promise<string>((resolve) =>
        calm.open.once('message', (data) => resolve(String(data))),
      );
      calm.open.send('{"type":"resync"}');
      expect(JSON.parse(await answered)).toMatchObject({ type: 'snapshot' });
    });
  });

  describe('query', () => {
    it('should refuse a malformed shop with 400 and make no channel for it', async () => {
      const calls: (string | null)[] = [];
      const snapshot = sampleAggregates(Date.parse('2024-11-11T12:00:00Z'));
      const { url, hub } = await start({
        getSnapshot: (shop) => {
          calls.push(shop);
          return snapshot;
        },
      });
      for (const shop of ['..%2F..', 'a'.repeat(65), '%E5%A4%A9%E7%8C%AB']) {
        expect(await attempt(`${url}?shop=${shop}`)).toMatchObject({
          status: 400,
          body: expect.stringMatching(/shop must match/),
        });
      }
      expect(hub.stats().refusedBadRequest).toBe(3);
      expect(calls.filter((shop) => shop !== null)).toEqual([]);
    });
  });
});
