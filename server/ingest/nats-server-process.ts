/**
 * A local `nats-server` child process with JetStream: the embedded default when NATS_URL is
 * unset, and the real server every integration test starts on a free port.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class NatsServerMissingError extends Error {
  override name = 'NatsServerMissingError';
}

export interface NatsServerProcess {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  readonly pid: number | undefined;
  /** Stops the process (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** Kills it hard (SIGKILL), as a crash would. */
  kill(): Promise<void>;
}

export interface NatsServerOptions {
  storeDir: string;
  /** 0 or undefined: let nats-server pick a free port. A restart passes the old port to keep the URL. */
  port?: number;
  host?: string;
  binary?: string;
}

const INSTALL_HINT =
  'nats-server was not found on PATH. Install it: Debian/Ubuntu `sudo apt-get install -y nats-server`, ' +
  'macOS `brew install nats-server`; or set NATS_URL to an existing NATS server with JetStream.';

/** Path of the nats-server binary, or throws NatsServerMissingError with install instructions. */
export function findNatsServerBinary(binary = 'nats-server'): string {
  for (const candidate of [
    binary,
    '/usr/sbin/nats-server',
    '/usr/bin/nats-server',
    '/usr/local/bin/nats-server',
  ]) {
    const probe = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
    if (probe.status === 0) return candidate;
  }
  throw new NatsServerMissingError(INSTALL_HINT);
}

/** Starts nats-server with JetStream and resolves once it accepts client connections. */
export async function startNatsServer(options: NatsServerOptions): Promise<NatsServerProcess> {
  const binary = findNatsServerBinary(options.binary);
  const host = options.host ?? '127.0.0.1';
  mkdirSync(options.storeDir, { recursive: true });
  const pidFile = join(options.storeDir, 'nats-server.pid');
  await killLeftover(pidFile, options.storeDir);
  const args = [
    '-a',
    host,
    '-p',
    String(options.port && options.port > 0 ? options.port : -1),
    '-js',
    '-sd',
    options.storeDir,
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid !== undefined) writeFileSync(pidFile, `${child.pid}\n`);

  const port = await new Promise<number>((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => fail(new Error(`nats-server did not start within 15 s:\n${log}`)), 15_000);
    const onData = (chunk: Buffer): void => {
      log += chunk.toString();
      const m = /Listening for client connections on [^\s]*:(\d+)/.exec(log);
      if (m !== null) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    function fail(error: Error): void {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    }
    child.stderr?.on('data', onData);
    child.stdout?.on('data', onData);
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`nats-server exited with code ${code}:\n${log}`)));
  });
  // Keep draining output so the pipe never fills and blocks the server.
  child.stderr?.resume();
  child.stdout?.resume();
  child.removeAllListeners('exit');
  child.removeAllListeners('error');
  child.on('error', () => {});

  return {
    url: `nats://${host}:${port}`,
    port,
    storeDir: options.storeDir,
    pid: child.pid,
    stop: () => terminate(child, 'SIGTERM'),
    kill: () => terminate(child, 'SIGKILL'),
  };
}

/**
 * A parent killed with SIGKILL cannot stop its nats-server child; the orphan would hold the
 * store. Its pid file tells us: if that pid is still a nats-server on this store, end it first.
 */
async function killLeftover(pidFile: string, storeDir: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 1) return;
  let commandLine = '';
  try {
    commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return;
  }
  if (!commandLine.includes('nats-server') || !commandLine.includes(storeDir)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  for (let i = 0; i < 50; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill(signal);
  });
}
