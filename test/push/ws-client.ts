/** A recording `ws` client for push tests: every frame kept in order, with waits on predicates. */
import WebSocket, { type ClientOptions } from 'ws';
import type { ServerFrame } from '../../server/push/index.ts';

export interface RecordingClient {
  socket: WebSocket;
  frames: ServerFrame[];
  /** Resolves with the first frame (already received or future) at index ≥ `from` matching `test`. */
  waitFor(test: (frame: ServerFrame) => boolean, from?: number, timeoutMs?: number): Promise<ServerFrame>;
  close(): Promise<void>;
}

export async function connectClient(url: string, options: ClientOptions = {}): Promise<RecordingClient> {
  const socket = new WebSocket(url, { perMessageDeflate: false, ...options });
  const frames: ServerFrame[] = [];
  const waiters = new Set<() => void>();
  socket.on('message', (data) => {
    frames.push(JSON.parse(String(data)) as ServerFrame);
    for (const wake of waiters) wake();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
    socket.once('unexpected-response', (_request, response) =>
      reject(new Error(`upgrade refused: ${response.statusCode}`)),
    );
  });

  function waitFor(test: (frame: ServerFrame) => boolean, from = 0, timeoutMs = 5_000): Promise<ServerFrame> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        for (let i = from; i < frames.length; i++) {
          const frame = frames[i]!;
          if (test(frame)) {
            waiters.delete(wake);
            clearTimeout(timer);
            resolve(frame);
            return true;
          }
        }
        return false;
      };
      const wake = (): void => void check();
      const timer = setTimeout(() => {
        waiters.delete(wake);
        reject(new Error(`no matching frame within ${timeoutMs} ms (${frames.length} frames)`));
      }, timeoutMs);
      waiters.add(wake);
      check();
    });
  }

  async function close(): Promise<void> {
    if (socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.terminate();
    });
  }

  return { socket, frames, waitFor, close };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
