/**
 * Configuration from environment variables, validated once at start. Every error names the
 * variable and what it accepts, so a misconfigured TV room fails loudly, not silently.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';

export interface Config {
  /** Shops this instance owns (a partition of the stream); undefined = all. */
  shops: string[] | undefined;
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
  /**
   * Extra origins (scheme://host[:port]) whose pages may open /ws and send cookie-authenticated
   * POSTs, besides the page's own host. Empty = same host only.
   */
  allowedOrigins: string[];
  /** Open WebSockets per client address at most (a TV wall is a few dozen screens, not hundreds). */
  wsMaxPerIp: number;
  /** Open WebSockets in total at most. */
  wsMaxClients: number;
  /**
   * Behind a reverse proxy every socket comes from the proxy's address: take the client address
   * from the last X-Forwarded-For hop instead (only when the proxy sets it; otherwise it is forgeable).
   */
  trustProxy: boolean;
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

function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  throw new ConfigError(`${name}=${JSON.stringify(raw)} must be true or false (1/0)`);
}

/** ALLOWED_ORIGINS: comma-separated origins such as https://board.example.com, normalised. */
function readOrigins(env: Env, name: string): string[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return [];
  const origins: string[] = [];
  for (const part of raw.split(',')) {
    const text = part.trim();
    if (text === '') continue;
    let url: URL | undefined;
    try {
      url = new URL(text);
    } catch {
      url = undefined;
    }
    // An origin has no path, query or credentials; anything else is probably a pasted page URL
    // whose path would be silently ignored, so it is refused rather than guessed at.
    if (
      url === undefined ||
      (url.protocol !== 'http:' && url.protocol !== 'https:') ||
      url.username !== '' ||
      url.password !== '' ||
      url.search !== '' ||
      url.hash !== '' ||
      (url.pathname !== '/' && url.pathname !== '')
    ) {
      throw new ConfigError(
        `${name}: ${JSON.stringify(text)} is not an origin; use scheme://host[:port], e.g. https://board.example.com`,
      );
    }
    origins.push(url.origin);
  }
  return [...new Set(origins)];
}

/**
 * True for names that only ever reach this machine: localhost, 127.0.0.0/8, ::1 (and the
 * IPv4-mapped ::ffff:127.x.y.z), with or without [brackets]. Used by the bind policy and by the open-mode Host check.
 */
export function isLoopbackHost(host: string): boolean {
  let name = host.trim().toLowerCase();
  if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
  // Exactly `localhost`: other names (even *.localhost) resolve through DNS or /etc/hosts at bind time.
  if (name === 'localhost') return true;
  if (name.startsWith('::ffff:')) {
    const mapped = name.slice('::ffff:'.length);
    if (isIP(mapped) === 4) name = mapped;
  }
  const family = isIP(name);
  if (family === 4) return name.split('.')[0] === '127';
  if (family === 6) {
    // Every spelling of ::1 (0:0:0:0:0:0:0:1, ::0:1, ...) expands to seven zero groups and a 1.
    const groups = expandIpv6(name);
    return groups !== undefined && groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1;
  }
  return false;
}

function expandIpv6(address: string): number[] | undefined {
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string | undefined): number[] =>
    part === undefined || part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16));
  const head = parse(halves[0]);
  const tail = parse(halves[1]);
  const zeros = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const groups = [...head, ...new Array<number>(Math.max(0, zeros)).fill(0), ...tail];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g)) ? groups : undefined;
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
  // Two equal tokens would make every viewer (every TV URL) a supervisor.
  if (viewerToken !== undefined && viewerToken === supervisorToken)
    throw new ConfigError('VIEWER_TOKEN and SUPERVISOR_TOKEN must differ');
  // Without tokens anyone who can reach the port reads every figure and runs what-ifs, so an
  // open server may only listen where nobody else can reach it.
  if (viewerToken === undefined && supervisorToken === undefined && !isLoopbackHost(host)) {
    throw new ConfigError(
      `refusing to bind ${host} without VIEWER_TOKEN/SUPERVISOR_TOKEN: set tokens or HOST=127.0.0.1`,
    );
  }
  const allowedOrigins = readOrigins(env, 'ALLOWED_ORIGINS');
  const wsMaxPerIp = readInteger(env, 'WS_MAX_PER_IP', 50, 1, 1_000_000);
  const wsMaxClients = readInteger(env, 'WS_MAX_CLIENTS', 2000, 1, 1_000_000);
  const trustProxy = readBoolean(env, 'TRUST_PROXY', false);
  const alertsFile = env.ALERTS_FILE && env.ALERTS_FILE !== '' ? resolve(env.ALERTS_FILE) : undefined;
  const logLevel = readChoice(env, 'LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, 'info');
  let shops: string[] | undefined;
  if (env.SHOPS !== undefined && env.SHOPS.trim() !== '') {
    shops = env.SHOPS.split(',').map((shop) => shop.trim());
    const bad = shops.find((shop) => !/^[A-Za-z0-9_-]{1,64}$/.test(shop));
    if (bad !== undefined)
      throw new ConfigError(
        `SHOPS contains ${JSON.stringify(bad)}: shop ids match [A-Za-z0-9_-]{1,64}, comma-separated`,
      );
  }
  return {
    shops,
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
    allowedOrigins,
    wsMaxPerIp,
    wsMaxClients,
    trustProxy,
    alertsFile,
    logLevel,
  };
}

/**
 * What the start log should say about access control: open on loopback, or which parts need
 * which token. `level` is warn when reads are open on a reachable address (SUPERVISOR_TOKEN only).
 */
export function describeAccess(config: Pick<Config, 'host' | 'viewerToken' | 'supervisorToken'>): {
  level: 'info' | 'warn';
  message: string;
} {
  if (config.viewerToken === undefined && config.supervisorToken === undefined) {
    return { level: 'info', message: 'no tokens configured: serving on loopback only' };
  }
  if (config.viewerToken === undefined) {
    return {
      level: isLoopbackHost(config.host) ? 'info' : 'warn',
      message:
        'VIEWER_TOKEN unset: board, API and /ws are readable without a token; what-if needs SUPERVISOR_TOKEN',
    };
  }
  if (config.supervisorToken === undefined) {
    return {
      level: 'info',
      message: 'viewer token required for board, API and /ws; SUPERVISOR_TOKEN unset, so what-if is disabled',
    };
  }
  return {
    level: 'info',
    message: 'viewer token required for board, API and /ws; supervisor token for what-if',
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
  {
    name: 'RETENTION_DAYS',
    fallback: '35',
    meaning: 'whole business days kept in DuckDB and the stream (31-3650; the 30-day windows need 31)',
  },
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
  {
    name: 'ALLOWED_ORIGINS',
    fallback: '(same host)',
    meaning: 'extra origins allowed to open /ws and POST with cookies, comma-separated',
  },
  { name: 'WS_MAX_PER_IP', fallback: '50', meaning: 'open WebSockets per client address' },
  { name: 'WS_MAX_CLIENTS', fallback: '2000', meaning: 'open WebSockets in total' },
  {
    name: 'TRUST_PROXY',
    fallback: 'false',
    meaning: 'take client addresses from X-Forwarded-For (only behind a proxy that sets it)',
  },
  { name: 'ALERTS_FILE', fallback: '(unset)', meaning: 'JSON file of alert thresholds' },
  {
    name: 'SHOPS',
    fallback: '(unset)',
    meaning: 'comma-separated shops this instance owns (scale-out partition)',
  },
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
