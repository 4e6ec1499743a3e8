/**
 * The board's only data source: one WebSocket to /ws?shop=, kept alive forever. Frames are applied
 * as they arrive but published to the UI at most once per animation frame (one `batch`), so a
 * burst of frames costs one render. Freshness is judged here, not trusted from the server: no
 * frame for 5 s, or ingest lag over 30 s, is STALE; a closed socket is OFFLINE.
 */
import { batch, signal, type ReadonlySignal } from '@preact/signals';
import { applyMergePatch } from '../../../server/push/merge-patch.ts';
import type { BoardData, ServerFrame } from '../../../server/push/protocol.ts';
import { pageToken } from './auth.ts';

export type ConnectionState = 'live' | 'stale' | 'offline';
export type StaleReason = 'no-frames' | 'ingest-lag' | null;

export interface LiveFeed {
  data: ReadonlySignal<BoardData | null>;
  connection: ReadonlySignal<ConnectionState>;
  staleReason: ReadonlySignal<StaleReason>;
  /** Seconds since the last frame (updated twice a second while it matters). */
  silentSec: ReadonlySignal<number>;
  stop(): void;
}

export interface LiveFeedOptions {
  shop: string | null;
  /**
   * Token for /ws; default the page's own `?token=`. Without one the socket relies on the
   * HttpOnly cookie the server set when the page was first opened with `?token=`.
   */
  token?: string | null;
  staleAfterMs?: number;
  maxIngestLagSec?: number;
  /** Reconnect back-off: first delay, doubled per failure up to the cap. */
  retryBaseMs?: number;
  retryCapMs?: number;
}

const CHECK_EVERY_MS = 500;

export function startLiveFeed(options: LiveFeedOptions): LiveFeed {
  const staleAfterMs = options.staleAfterMs ?? 5_000;
  const maxIngestLagSec = options.maxIngestLagSec ?? 30;
  const retryBaseMs = options.retryBaseMs ?? 500;
  const retryCapMs = options.retryCapMs ?? 10_000;

  const data = signal<BoardData | null>(null);
  const connection = signal<ConnectionState>('offline');
  const staleReason = signal<StaleReason>(null);
  const silentSec = signal(0);

  // Applied state lives outside the signals until the next animation frame publishes it.
  let state: BoardData | null = null;
  let seq = 0;
  let awaitingSnapshot = true;
  let lastFrameAtMs = 0;
  /** When the current socket was opened; silence is counted from here until its first frame. */
  let connectedAtMs = 0;
  let socket: WebSocket | null = null;
  let failures = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let renderQueued = false;
  let stopped = false;

  const token = options.token === undefined ? pageToken() : options.token;

  const url = (): string => {
    const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const query = new URLSearchParams();
    if (options.shop !== null) query.set('shop', options.shop);
    // Browsers cannot set headers on a WebSocket, so the token rides in the URL like the page's.
    if (token !== null) query.set('token', token);
    const search = query.toString();
    return `${protocol}//${location.host}/ws${search === '' ? '' : `?${search}`}`;
  };

  function publish(): void {
    renderQueued = false;
    batch(() => {
      data.value = state;
      evaluate();
    });
  }

  function queueRender(): void {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(publish);
  }

  function resync(): void {
    awaitingSnapshot = true;
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'resync' }));
  }

  function onFrame(frame: ServerFrame): void {
    lastFrameAtMs = performance.now();
    if (frame.type === 'snapshot') {
      state = frame.data;
      seq = frame.seq;
      awaitingSnapshot = false;
      failures = 0;
    } else if (frame.type === 'delta') {
      if (awaitingSnapshot) return;
      // A lost or reordered frame means our state no longer matches the server's base.
      if (frame.seq !== seq + 1 || state === null) return resync();
      state = applyMergePatch(state, frame.data);
      seq = frame.seq;
    } else if (frame.type === 'heartbeat' && !awaitingSnapshot && frame.seq !== seq) {
      resync();
    }
    queueRender();
  }

  function connect(): void {
    if (stopped) return;
    awaitingSnapshot = true;
    const ws = new WebSocket(url());
    socket = ws;
    ws.onmessage = (event: MessageEvent<string>) => {
      try {
        onFrame(JSON.parse(event.data) as ServerFrame);
      } catch {
        resync();
      }
    };
    ws.onopen = () => {
      connectedAtMs = performance.now();
      evaluate();
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      evaluate();
      scheduleReconnect();
    };
  }

  function scheduleReconnect(): void {
    if (stopped) return;
    // Exponential back-off with jitter so a room of TVs does not reconnect in lockstep after a deploy.
    const delayMs = Math.min(retryCapMs, retryBaseMs * 2 ** failures) * (0.75 + Math.random() * 0.25);
    failures++;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, delayMs);
  }

  /** Recomputes the connection state; runs on every publish and on a timer, since silence has no event. */
  function evaluate(): void {
    const now = performance.now();
    const open = socket?.readyState === WebSocket.OPEN;
    const silentMs = now - Math.max(lastFrameAtMs, open ? connectedAtMs : 0);
    silentSec.value = Math.floor(silentMs / 1000);
    const lagSec = state?.ingest.lagSec ?? 0;
    let reason: StaleReason = null;
    if (silentMs > staleAfterMs) reason = 'no-frames';
    else if (lagSec > maxIngestLagSec) reason = 'ingest-lag';
    staleReason.value = reason;
    connection.value = !open || state === null ? 'offline' : reason === null ? 'live' : 'stale';
    // An open socket that stays silent is as good as dead (a half-open TCP connection): start over.
    if (open && silentMs > 2 * staleAfterMs && socket !== null) {
      const dead = socket;
      socket = null;
      dead.close();
      scheduleReconnect();
    }
  }

  const checkTimer = setInterval(() => batch(evaluate), CHECK_EVERY_MS);
  connect();

  return {
    data,
    connection,
    staleReason,
    silentSec,
    stop() {
      stopped = true;
      clearInterval(checkTimer);
      clearTimeout(retryTimer);
      socket?.close();
    },
  };
}
