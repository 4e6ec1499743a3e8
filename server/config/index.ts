/**
 * Configuration from environment variables, validated once at start. Every error names the
 * variable and what it accepts, so a misconfigured TV room fails loudly, not silently.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface Config {
  port: number;
  host: string;
  /** Unset: start an embedded nats-server with JetStream under `dataDir/nats`. */
  natsUrl: string | undefined;
  dataDir: string;
  /** DuckDB file, `dataDir/peakboard.duckdb`. */
  databasePath: string;
  stream: string;
  consumer: string;
  clock: 'wall' | 'event';
  businessTimeZone: string;
  retentionDays: number;
  maxFutureSec: number;
  /** Push cadence (WebSocket deltas at most once per tick). */
  tickMs: number;
  /** Accepted events per DuckDB transaction at most. */
  batchSize: number;
  /** Longest wait before a partial batch is committed. */
  batchMaxWaitMs: number;
  viewerToken: string | undefined;
  supervisorToken: string | undefined;
  /** Optional JSON file of alert thresholds (engine defaults otherwise). */
  alertsFile: string | undefined;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function readInteger(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw.trim()))
    throw new ConfigError(`${name}=${JSON.stringify(raw)} is not a whole number`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name}=${raw} must be between ${min} and ${max}`);
  return value;
}

function readName(env: Env, name: string, fallback: string, pattern: RegExp, what: string): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!pattern.test(raw)) throw new ConfigError(`${name}=${JSON.stringify(raw)} must be ${what}`);
  return raw;
}

function readChoice<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(choices as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name}=${JSON.stringify(raw)} must be one of: ${choices.join(', ')}`);
  }
  return raw as T;
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Reads and validates the configuration; throws ConfigError naming the bad variable. */
export function parseConfig(env: Env = process.env): Config {
  const port = readInteger(env, 'PORT', 8080, 0, 65535);
  const host = readName(env, 'HOST', '127.0.0.1', /^[A-Za-z0-9.:_-]+$/, 'a host name or IP address');
  const natsUrlRaw = env.NATS_URL;
  let natsUrl: string | undefined;
  if (natsUrlRaw !== undefined && natsUrlRaw !== '') {
    const urls = natsUrlRaw.split(',');
    for (const url of urls) {
      if (!/^(nats|tls|ws|wss):\/\/[^\s]+$/.test(url.trim()) && !/^[A-Za-z0-9.-]+:\d+$/.test(url.trim())) {
        throw new ConfigError(
          `NATS_URL=${JSON.stringify(natsUrlRaw)} must be nats://host:port (comma-separated for a cluster)`,
        );
      }
    }
    natsUrl = natsUrlRaw;
  }
  const dataDir = resolve(env.DATA_DIR && env.DATA_DIR !== '' ? env.DATA_DIR : './data');
  const subjectToken = /^[A-Za-z0-9_-]{1,64}$/;
  const stream = readName(env, 'STREAM', 'OPS', subjectToken, 'letters, digits, _ or - (1-64)');
  const consumer = readName(env, 'CONSUMER', 'peakboard', subjectToken, 'letters, digits, _ or - (1-64)');
  const clock = readChoice(env, 'CLOCK', ['wall', 'event'] as const, 'wall');
  const businessTimeZone = env.BUSINESS_TZ && env.BUSINESS_TZ !== '' ? env.BUSINESS_TZ : 'Asia/Shanghai';
  if (!isTimeZone(businessTimeZone)) {
    throw new ConfigError(
      `BUSINESS_TZ=${JSON.stringify(businessTimeZone)} is not an IANA time zone (e.g. Asia/Shanghai)`,
    );
  }
  // The 30-day windows need 30 days of events; forecasts look back 28 days plus today.
  const retentionDays = readInteger(env, 'RETENTION_DAYS', 35, 31, 3650);
  const maxFutureSec = readInteger(env, 'MAX_FUTURE_SEC', 300, 0, 86_400);
  const tickMs = readInteger(env, 'TICK_MS', 250, 20, 60_000);
  const batchSize = readInteger(env, 'BATCH_SIZE', 5000, 1, 100_000);
  const batchMaxWaitMs = readInteger(env, 'BATCH_MAX_WAIT_MS', 100, 1, 10_000);
  const viewerToken = env.VIEWER_TOKEN && env.VIEWER_TOKEN !== '' ? env.VIEWER_TOKEN : undefined;
  const supervisorToken =
    env.SUPERVISOR_TOKEN && env.SUPERVISOR_TOKEN !== '' ? env.SUPERVISOR_TOKEN : undefined;
  for (const [name, token] of [
    ['VIEWER_TOKEN', viewerToken],
    ['SUPERVISOR_TOKEN', supervisorToken],
  ] as const) {
    if (token !== undefined && token.length < 16)
      throw new ConfigError(`${name} must be at least 16 characters`);
  }
  const alertsFile = env.ALERTS_FILE && env.ALERTS_FILE !== '' ? resolve(env.ALERTS_FILE) : undefined;
  const logLevel = readChoice(env, 'LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, 'info');
  return {
    port,
    host,
    natsUrl,
    dataDir,
    databasePath: resolve(dataDir, 'peakboard.duckdb'),
    stream,
    consumer,
    clock,
    businessTimeZone,
    retentionDays,
    maxFutureSec,
    tickMs,
    batchSize,
    batchMaxWaitMs,
    viewerToken,
    supervisorToken,
    alertsFile,
    logLevel,
  };
}

/** The variables parseConfig reads, with defaults and meaning (printed by `--help`, listed in the README). */
export const CONFIG_VARIABLES: readonly { name: string; fallback: string; meaning: string }[] = [
  { name: 'PORT', fallback: '8080', meaning: 'HTTP and WebSocket port' },
  { name: 'HOST', fallback: '127.0.0.1', meaning: 'bind address' },
  {
    name: 'NATS_URL',
    fallback: '(unset)',
    meaning: 'NATS server; unset starts an embedded nats-server under DATA_DIR/nats',
  },
  {
    name: 'DATA_DIR',
    fallback: './data',
    meaning: 'DuckDB file DATA_DIR/peakboard.duckdb and the embedded NATS store',
  },
  { name: 'STREAM', fallback: 'OPS', meaning: 'JetStream stream capturing ops.>' },
  { name: 'CONSUMER', fallback: 'peakboard', meaning: 'durable pull consumer name' },
  { name: 'CLOCK', fallback: 'wall', meaning: 'wall (live) or event (replay: the largest accepted ts)' },
  {
    name: 'BUSINESS_TZ',
    fallback: 'Asia/Shanghai',
    meaning: 'time zone of hours, days and written instants',
  },
  { name: 'RETENTION_DAYS', fallback: '35', meaning: 'days of events kept (stream max_age and DuckDB)' },
  {
    name: 'MAX_FUTURE_SEC',
    fallback: '300',
    meaning: 'events further ahead of the clock are rejected (future_ts)',
  },
  { name: 'TICK_MS', fallback: '250', meaning: 'WebSocket push cadence' },
  { name: 'BATCH_SIZE', fallback: '5000', meaning: 'most events per DuckDB transaction' },
  { name: 'BATCH_MAX_WAIT_MS', fallback: '100', meaning: 'longest wait before a partial batch commits' },
  { name: 'VIEWER_TOKEN', fallback: '(unset)', meaning: 'read-only token for boards (>= 16 chars)' },
  { name: 'SUPERVISOR_TOKEN', fallback: '(unset)', meaning: 'token for what-if and changes (>= 16 chars)' },
  { name: 'ALERTS_FILE', fallback: '(unset)', meaning: 'JSON file of alert thresholds' },
  { name: 'LOG_LEVEL', fallback: 'info', meaning: 'debug, info, warn or error' },
];

/** Alert threshold names accepted in ALERTS_FILE (the engine's AlertThresholds keys). */
const ALERT_THRESHOLD_NAMES = [
  'refundCompletionAvgSec',
  'unansweredOver30m',
  'chatFirstResponseAvgSec',
  'refundFirstResponseAvgSec',
  'refundRate',
  'disputeRate',
] as const;

/**
 * Reads ALERTS_FILE: a JSON object of threshold overrides, e.g. `{"refundRate": 0.05}`.
 * Unknown names or non-numbers stop the server with a message naming them.
 */
export function loadAlertThresholds(
  path: string | undefined,
): Partial<Record<(typeof ALERT_THRESHOLD_NAMES)[number], number>> {
  if (path === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`ALERTS_FILE=${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`ALERTS_FILE=${path} must hold a JSON object of thresholds`);
  }
  const result: Partial<Record<(typeof ALERT_THRESHOLD_NAMES)[number], number>> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (!(ALERT_THRESHOLD_NAMES as readonly string[]).includes(name)) {
      throw new ConfigError(
        `ALERTS_FILE=${path}: unknown threshold ${name} (known: ${ALERT_THRESHOLD_NAMES.join(', ')})`,
      );
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new ConfigError(`ALERTS_FILE=${path}: ${name} must be a number >= 0`);
    }
    result[name as (typeof ALERT_THRESHOLD_NAMES)[number]] = value;
  }
  return result;
}
