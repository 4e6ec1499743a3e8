/**
 * The push hub: one WebSocket endpoint (`/ws?shop=`) fanning the aggregates out to every board.
 * Per shop channel and tick it builds the snapshot once, diffs it once and serialises the frame
 * once; each socket then gets the same bytes. Nothing runs per tick for a channel without clients.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Aggregates } from '../engine/aggregates.ts';
import { SHOP_PATTERN } from '../events/index.ts';
import { diffMergePatch, type PlainObject } from './merge-patch.ts';
import { isOriginAllowed } from './origin.ts';
import type { BoardData } from './protocol.ts';
import { QueueDepthHistory, type SeriesSample } from './series.ts';

export interface PushHubOptions {
  /** The HTTP server to take `upgrade` requests from; the hub never closes it. */
  server: Server;
  /**
   * The live aggregates for one shop (`null` = all shops). Called at most once per tick per
   * channel with clients, and about once a minute per idle channel (series samples). The hub
   * copies the result, so returning a live object that is mutated later is safe.
   */
  getSnapshot: (shop: string | null) => Omit<Aggregates, 'seq'>;
  /** Coalescing period: at most one frame per channel per tick. Default 250 ms. */
  tickMs?: number;
  /** A full snapshot frame replaces the delta at least this often. Default 30 000 ms. */
  fullSnapshotEveryMs?: number;
  /** A socket with more than this queued gets no frames until it drains. Default 1 MiB. */
  maxBufferedBytes?: number;
  /** Ping period; a peer that missed the previous pong is dropped. Default 15 000 ms. */
  pingIntervalMs?: number;
  /** Without a change for this long the channel sends a heartbeat frame. Default 2 000 ms. */
  heartbeatMs?: number;
  /** Rejects an upgrade with 401 when it returns false. Default: everyone may connect. */
  authorize?: (request: IncomingMessage) => boolean;
  /**
   * Refuse (403) an upgrade whose Origin header names another site: a page elsewhere must not
   * open the board's socket with a visitor's cookies (cross-site WebSocket hijacking). Upgrades
   * without Origin (not from a browser page) pass: they carry no victim's cookies, and the token
   * check stops them. Default false.
   */
  checkOrigin?: boolean;
  /** Origins (scheme://host[:port]) accepted besides the request's own Host. Default none. */
  allowedOrigins?: readonly string[];
  /** Open sockets per client address at most; more are refused with 429. Default: no limit. */
  maxClientsPerIp?: number;
  /** Open sockets in total at most; more are refused with 503. Default: no limit. */
  maxClients?: number;
  /**
   * Count clients by the last X-Forwarded-For hop instead of the socket's peer (behind a reverse
   * proxy every peer is the proxy). Only safe when the proxy sets the header. Default false.
   */
  trustProxy?: boolean;
  /**
   * Largest frame a client may send; a bigger one closes its socket (1009). Clients only ever
   * send `{"type":"resync"}`. Default 1 KiB.
   */
  maxIncomingBytes?: number;
  /**
   * Client messages allowed per 10 s; beyond that the socket is closed (1008). Each resync costs
   * a full snapshot write, so an unthrottled client could make the hub send far more than it
   * receives. A healthy board sends at most one per reconnect or seq gap. Default 30.
   */
  maxClientMessagesPer10s?: number;
  /** URL path to accept upgrades on. Default `/ws`. */
  path?: string;
  /** Series step and window. Defaults 60 s and 7 200 s (two hours of one-minute samples). */
  seriesStepSec?: number;
  seriesWindowSec?: number;
  /**
   * Past samples for a channel's series, called once when the channel is created: lets a restarted
   * server redraw the last two hours from stored events instead of starting the charts empty.
   */
  seedSeries?: (shop: string | null) => Iterable<SeriesSample>;
  /** Called with each sample a channel's series records (one a minute), e.g. to store it for `seedSeries`. */
  onSeriesSample?: (shop: string | null, sample: SeriesSample) => void;
  /** Wall clock in epoch ms; injected by tests. Default Date.now. */
  nowMs?: () => number;
  /** Called when getSnapshot throws; the channel skips that tick. Default console.error. */
  onError?: (error: unknown) => void;
}

/** Counters for tests, /metrics and the benchmark. */
export interface PushHubStats {
  ticks: number;
  /** getSnapshot calls. */
  snapshotsBuilt: number;
  /** JSON.stringify calls on frame bodies: one per frame per channel, never per client. */
  serialisations: number;
  deltasBroadcast: number;
  snapshotsBroadcast: number;
  heartbeatsBroadcast: number;
  /** Socket writes of any frame. */
  messagesSent: number;
  /** Frames withheld from a socket over `maxBufferedBytes`. */
  slowSkips: number;
  /** Peers terminated for a missed pong. */
  deadPeersDropped: number;
  /** Upgrades refused: bad `shop` (400), foreign Origin (403), authorize false (401). */
  refusedBadRequest: number;
  refusedOrigin: number;
  refusedUnauthorized: number;
  /** Upgrades refused by the per-address (429) and total (503) limits. */
  refusedPerIp: number;
  refusedFull: number;
  /** Sockets closed for sending too many messages. */
  floodsClosed: number;
}

export interface PushHub {
  /** Closes every socket and detaches from the server; the server itself keeps running. */
  stop(): Promise<void>;
  clientCount(): number;
  stats(): PushHubStats;
}

interface Client {
  socket: WebSocket;
  channel: Channel;
  /** Cleared on each ping, set by the pong; still clear at the next ping = dead peer. */
  alive: boolean;
  /** Over the buffer limit: skipped until bufferedAmount is 0, then sent one snapshot. */
  stalled: boolean;
  /** Start of the current 10 s message-counting window, and messages in it. */
  windowStartMs: number;
  messagesInWindow: number;
}

interface Channel {
  shop: string | null;
  clients: Set<Client>;
  /** Sequence of the last frame; clients seeing a gap ask for a snapshot. */
  seq: number;
  /** The state as of `seq`, what the next delta is computed against; undefined while idle. */
  base: PlainObject | undefined;
  /** Serialised snapshot frame of `base`, built at most once per seq and only when someone needs it. */
  snapshotText: Buffer | undefined;
  lastFullAtMs: number;
  lastFrameAtMs: number;
  lastSampleAtMs: number;
  lastClientAtMs: number;
  history: QueueDepthHistory;
}

const MAX_CHANNELS = 1000;
const MESSAGE_WINDOW_MS = 10_000;

export function startPushHub(options: PushHubOptions): PushHub {
  const tickMs = options.tickMs ?? 250;
  const fullSnapshotEveryMs = options.fullSnapshotEveryMs ?? 30_000;
  const maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
  const pingIntervalMs = options.pingIntervalMs ?? 15_000;
  const heartbeatMs = options.heartbeatMs ?? 2_000;
  const path = options.path ?? '/ws';
  const seriesStepSec = options.seriesStepSec ?? 60;
  const seriesWindowSec = options.seriesWindowSec ?? 7_200;
  const nowMs = options.nowMs ?? Date.now;
  const onError =
    options.onError ?? ((error: unknown) => console.error('push hub: getSnapshot failed', error));
  const { server, getSnapshot, authorize } = options;
  const checkOrigin = options.checkOrigin ?? false;
  const allowedOrigins = options.allowedOrigins ?? [];
  const maxClientsPerIp = options.maxClientsPerIp ?? Number.POSITIVE_INFINITY;
  const maxClients = options.maxClients ?? Number.POSITIVE_INFINITY;
  const trustProxy = options.trustProxy ?? false;
  const maxIncomingBytes = options.maxIncomingBytes ?? 1024;
  const maxClientMessagesPer10s = options.maxClientMessagesPer10s ?? 30;

  const stats: PushHubStats = {
    ticks: 0,
    snapshotsBuilt: 0,
    serialisations: 0,
    deltasBroadcast: 0,
    snapshotsBroadcast: 0,
    heartbeatsBroadcast: 0,
    messagesSent: 0,
    slowSkips: 0,
    deadPeersDropped: 0,
    refusedBadRequest: 0,
    refusedOrigin: 0,
    refusedUnauthorized: 0,
    refusedPerIp: 0,
    refusedFull: 0,
    floodsClosed: 0,
  };
  const channels = new Map<string, Channel>();
  const clients = new Set<Client>();
  /** Accepted sockets not yet closed, in total and per client address (including ones being refused a snapshot). */
  let openSockets = 0;
  const socketsByAddress = new Map<string, number>();
  // Compression costs ~9x the CPU of a plain send at this fan-out (DESIGN.md), and frames are small.
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    clientTracking: false,
    maxPayload: maxIncomingBytes,
  });

  function channelFor(shop: string | null): Channel | undefined {
    const key = shop ?? '';
    let channel = channels.get(key);
    if (channel === undefined) {
      if (channels.size >= MAX_CHANNELS) return undefined;
      channel = {
        shop,
        clients: new Set(),
        seq: 0,
        base: undefined,
        snapshotText: undefined,
        lastFullAtMs: 0,
        lastFrameAtMs: 0,
        lastSampleAtMs: nowMs(),
        lastClientAtMs: nowMs(),
        history: new QueueDepthHistory(seriesStepSec, seriesWindowSec),
      };
      for (const sample of options.seedSeries?.(shop) ?? []) {
        channel.history.record(sample.atSec, sample.queues, sample.refundsAwaiting);
      }
      channels.set(key, channel);
    }
    return channel;
  }
  // The all-shops channel always exists, so its history builds up before the first board connects.
  channelFor(null);

  function serialise(frame: object): Buffer {
    stats.serialisations++;
    // Encoded once here so each socket write is a plain Buffer copy, not a fresh UTF-8 encode.
    return Buffer.from(JSON.stringify(frame));
  }

  function snapshotText(channel: Channel): Buffer {
    channel.snapshotText ??= serialise({ type: 'snapshot', seq: channel.seq, data: channel.base });
    return channel.snapshotText;
  }

  /** Takes the shop's aggregates now; undefined when getSnapshot threw. */
  function readBoardData(channel: Channel, atMs: number): PlainObject | undefined {
    let aggregates: Omit<Aggregates, 'seq'>;
    try {
      stats.snapshotsBuilt++;
      aggregates = getSnapshot(channel.shop);
    } catch (error) {
      onError(error);
      return undefined;
    }
    // A private copy: the engine may hand out its live object and mutate it after we return.
    const data = structuredClone(aggregates) as BoardData & PlainObject;
    delete (data as { seq?: unknown }).seq;
    const asOfMs = Date.parse(data.asOf);
    const atSec = (Number.isFinite(asOfMs) ? asOfMs : atMs) / 1000;
    if (channel.history.wants(atSec)) {
      const depth: Record<string, number> = {};
      for (const [queue, queueStats] of Object.entries(data.chat?.queues ?? {}))
        depth[queue] = queueStats.waiting;
      const refundsAwaiting = data.refunds?.awaitingResponse ?? 0;
      if (channel.history.record(atSec, depth, refundsAwaiting)) {
        options.onSeriesSample?.(channel.shop, { atSec, queues: depth, refundsAwaiting });
      }
    }
    channel.lastSampleAtMs = atMs;
    data.series = channel.history.toSeries();
    return data;
  }

  function send(client: Client, text: Buffer): void {
    stats.messagesSent++;
    client.socket.send(text, { binary: false });
  }

  /** Builds this tick's frame for a channel with clients and writes it to every ready socket. */
  function advance(channel: Channel, atMs: number): void {
    const data = readBoardData(channel, atMs);
    if (data === undefined) return;
    let full = channel.base === undefined || atMs - channel.lastFullAtMs >= fullSnapshotEveryMs;
    let patch: PlainObject | undefined;
    if (!full) {
      const diff = diffMergePatch(channel.base!, data);
      if (diff.kind === 'unchanged') {
        heartbeatIfIdle(channel, atMs);
        return;
      }
      if (diff.kind === 'removed') full = true;
      else patch = diff.patch;
    }
    channel.seq++;
    channel.base = data;
    channel.snapshotText = undefined;
    channel.lastFrameAtMs = atMs;
    let text: Buffer;
    if (full || patch === undefined) {
      channel.lastFullAtMs = atMs;
      text = snapshotText(channel);
      stats.snapshotsBroadcast++;
    } else {
      text = serialise({ type: 'delta', seq: channel.seq, data: patch });
      stats.deltasBroadcast++;
    }
    broadcast(channel, text);
  }

  function heartbeatIfIdle(channel: Channel, atMs: number): void {
    if (atMs - channel.lastFrameAtMs < heartbeatMs) return;
    channel.lastFrameAtMs = atMs;
    stats.heartbeatsBroadcast++;
    broadcast(channel, serialise({ type: 'heartbeat', seq: channel.seq }));
  }

  function broadcast(channel: Channel, text: Buffer): void {
    for (const client of channel.clients) {
      if (client.stalled) continue;
      if (client.socket.bufferedAmount > maxBufferedBytes) {
        // Deltas queued behind a backlog arrive too late to matter; the client gets one
        // snapshot once it has drained instead (recoverStalled).
        client.stalled = true;
        stats.slowSkips++;
        continue;
      }
      send(client, text);
    }
  }

  function recoverStalled(channel: Channel): void {
    for (const client of channel.clients) {
      if (!client.stalled) continue;
      if (client.socket.bufferedAmount > 0) {
        stats.slowSkips++;
        continue;
      }
      client.stalled = false;
      send(client, snapshotText(channel));
    }
  }

  function tick(): void {
    stats.ticks++;
    const atMs = nowMs();
    for (const [key, channel] of channels) {
      if (channel.clients.size > 0) {
        advance(channel, atMs);
        if (channel.base !== undefined) recoverStalled(channel);
        continue;
      }
      if (channel.shop !== null && atMs - channel.lastClientAtMs > seriesWindowSec * 1000) {
        channels.delete(key);
        continue;
      }
      // Idle channel: one read per series step keeps the history going; no frame, no diff.
      if (atMs - channel.lastSampleAtMs >= seriesStepSec * 1000) readBoardData(channel, atMs);
    }
  }

  function onConnection(socket: WebSocket, channel: Channel): void {
    const client: Client = {
      socket,
      channel,
      alive: true,
      stalled: false,
      windowStartMs: nowMs(),
      messagesInWindow: 0,
    };
    if (channel.clients.size === 0 || channel.base === undefined) {
      // Idle channels keep no base; the first client starts a fresh one (a new seq, so any
      // client that left and comes back sees a gap-free start from a snapshot).
      const data = readBoardData(channel, nowMs());
      if (data === undefined) {
        socket.close(1011, 'snapshot unavailable');
        return;
      }
      channel.seq++;
      channel.base = data;
      channel.snapshotText = undefined;
      channel.lastFullAtMs = channel.lastFrameAtMs = nowMs();
    }
    channel.clients.add(client);
    clients.add(client);
    send(client, snapshotText(channel));

    socket.on('pong', () => {
      client.alive = true;
    });
    socket.on('message', (raw: RawData, isBinary: boolean) => {
      const atMs = nowMs();
      if (atMs - client.windowStartMs >= MESSAGE_WINDOW_MS) {
        client.windowStartMs = atMs;
        client.messagesInWindow = 0;
      }
      if (++client.messagesInWindow > maxClientMessagesPer10s) {
        if (client.messagesInWindow === maxClientMessagesPer10s + 1) {
          stats.floodsClosed++;
          socket.close(1008, 'too many messages');
        }
        return;
      }
      if (isBinary || client.stalled) return;
      if (isResyncRequest(raw)) send(client, snapshotText(channel));
    });
    socket.on('error', () => socket.terminate());
    socket.on('close', () => {
      clients.delete(client);
      channel.clients.delete(client);
      if (channel.clients.size === 0) {
        channel.base = undefined;
        channel.snapshotText = undefined;
        channel.lastClientAtMs = nowMs();
      }
    });
  }

  function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://localhost');
    } catch {
      rejectUpgrade(socket, 400, 'Bad Request', 'unparsable URL');
      return;
    }
    if (url.pathname !== path) {
      // Another listener may own this path; when there is none, nobody would ever answer.
      if (server.listenerCount('upgrade') === 1) rejectUpgrade(socket, 404, 'Not Found', 'no such endpoint');
      return;
    }
    const shop = url.searchParams.get('shop') || null;
    if (shop !== null && !SHOP_PATTERN.test(shop)) {
      // Each distinct shop makes a channel and a getSnapshot call per tick: junk names must not.
      stats.refusedBadRequest++;
      rejectUpgrade(socket, 400, 'Bad Request', 'shop must match [A-Za-z0-9_-]{1,64}');
      return;
    }
    const origin = request.headers.origin;
    if (
      checkOrigin &&
      origin !== undefined &&
      !isOriginAllowed(origin, request.headers.host, allowedOrigins)
    ) {
      stats.refusedOrigin++;
      rejectUpgrade(socket, 403, 'Forbidden', 'origin not allowed');
      return;
    }
    if (authorize !== undefined && !authorize(request)) {
      stats.refusedUnauthorized++;
      rejectUpgrade(socket, 401, 'Unauthorized', 'viewer token required', {
        'WWW-Authenticate': 'Bearer realm="peakboard"',
      });
      return;
    }
    if (openSockets >= maxClients) {
      stats.refusedFull++;
      rejectUpgrade(socket, 503, 'Service Unavailable', 'too many open connections', { 'Retry-After': '30' });
      return;
    }
    const address = clientAddress(request, trustProxy);
    if ((socketsByAddress.get(address) ?? 0) >= maxClientsPerIp) {
      stats.refusedPerIp++;
      rejectUpgrade(socket, 429, 'Too Many Requests', 'too many connections from this address', {
        'Retry-After': '30',
      });
      return;
    }
    const channel = channelFor(shop);
    if (channel === undefined) {
      rejectUpgrade(socket, 503, 'Service Unavailable', 'too many channels', { 'Retry-After': '30' });
      return;
    }
    // ws completes a valid handshake synchronously (no verifyClient, no async extensions), so the
    // limits above cannot be overrun by handshakes in flight: counting starts in the callback.
    wss.handleUpgrade(request, socket, head, (ws) => {
      openSockets++;
      socketsByAddress.set(address, (socketsByAddress.get(address) ?? 0) + 1);
      ws.once('close', () => {
        openSockets--;
        const left = (socketsByAddress.get(address) ?? 1) - 1;
        if (left > 0) socketsByAddress.set(address, left);
        else socketsByAddress.delete(address);
      });
      onConnection(ws, channel);
    });
  }

  function ping(): void {
    for (const client of clients) {
      if (!client.alive) {
        stats.deadPeersDropped++;
        client.socket.terminate();
        continue;
      }
      client.alive = false;
      client.socket.ping();
    }
  }

  server.on('upgrade', onUpgrade);
  const tickTimer = setInterval(tick, tickMs);
  const pingTimer = setInterval(ping, pingIntervalMs);
  // The HTTP server keeps the process alive; the hub's timers must not keep it alive on their own.
  tickTimer.unref();
  pingTimer.unref();

  return {
    clientCount: () => clients.size,
    stats: () => ({ ...stats }),
    async stop() {
      clearInterval(tickTimer);
      clearInterval(pingTimer);
      server.off('upgrade', onUpgrade);
      for (const client of clients) client.socket.terminate();
      clients.clear();
      channels.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function isResyncRequest(raw: RawData): boolean {
  try {
    const text = Array.isArray(raw)
      ? Buffer.concat(raw).toString()
      : Buffer.from(raw as ArrayBuffer).toString();
    const message: unknown = JSON.parse(text);
    return (
      typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'resync'
    );
  } catch {
    return false;
  }
}

/** The address limits count by: the peer, or behind a trusted proxy the last X-Forwarded-For hop. */
function clientAddress(request: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const header = request.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map((hop) => hop.trim())
      .filter((hop) => hop !== '');
    // The last hop is the one our proxy appended; earlier ones are whatever the client claimed.
    const last = hops.at(-1);
    if (last !== undefined) return last;
  }
  const peer = request.socket.remoteAddress ?? 'unknown';
  return peer.startsWith('::ffff:') ? peer.slice('::ffff:'.length) : peer;
}

/** Answers a refused upgrade with a status and a one-line reason, then closes the socket. */
function rejectUpgrade(
  socket: Duplex,
  status: number,
  statusText: string,
  reason: string,
  headers: Record<string, string> = {},
): void {
  // The peer may already be gone; an error here must not become an uncaught exception.
  socket.on('error', () => socket.destroy());
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  const body = Buffer.from(reason);
  socket.end(
    `HTTP/1.1 ${status} ${statusText}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `${extra}Content-Length: ${body.length}\r\n\r\n${reason}`,
  );
}
