/**
 * A real nats-server per suite: free port, temp JetStream store, restartable on the same port
 * (as nats.js's own tests do). No mocks of NATS anywhere.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNatsServer, type NatsServerProcess } from '../../server/ingest/nats-server-process.ts';

export interface TestNats {
  readonly url: string;
  readonly port: number;
  /** Stops (or kills) the current process and starts a new one on the same port and store. */
  restart(options?: { hard?: boolean }): Promise<void>;
  stop(): Promise<void>;
  /** Stops the server and deletes its store. */
  dispose(): Promise<void>;
}

export async function startTestNats(): Promise<TestNats> {
  const storeDir = mkdtempSync(join(tmpdir(), 'peakboard-nats-'));
  let current: NatsServerProcess = await startNatsServer({ storeDir });
  const port = current.port;
  return {
    url: current.url,
    port,
    async restart(options) {
      await (options?.hard ? current.kill() : current.stop());
      current = await startNatsServer({ storeDir, port });
    },
    stop: () => current.stop(),
    async dispose() {
      await current.stop();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

/** A fresh temp directory, removed by the returned function. */
export function makeTempDir(prefix = 'peakboard-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
