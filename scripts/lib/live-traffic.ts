/**
 * Live traffic for the demo: the file generator's simulation, started now and paced by the
 * wall clock, published to NATS with `ts` on the wall clock so a server with CLOCK=wall accepts
 * it. `speed` runs the simulation N× faster than the wall (a busy evening in minutes) while every
 * `ts` stays "now"; `peak` starts on a peak day at 19:30, just before the evening peak.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, headers } from '@nats-io/transport-node';
import {
  createLocalTime,
  checkScale,
  checkSeed,
  checkTimeZone,
  DEFAULT_TIME_ZONE,
  shopNames,
  simulateTraffic,
  type GeneratedEvent,
} from './generator/index.ts';
import { DEFAULT_STREAM_NAME, ensureOpsStream } from './ops-stream.ts';

export interface LiveTrafficOptions {
  natsUrl: string;
  /** Shop count or names; default 2. */
  shops?: number | readonly string[];
  /** Volume multiplier; default 1. */
  scale?: number;
  /** Simulated minutes per wall minute; default 1. */
  speed?: number;
  /** Start on a peak day at 19:30 (the evening peak) instead of a normal day at the current time. */
  peak?: boolean;
  /** Default: derived from the start time, so each run differs. */
  seed?: number;
  timeZone?: string;
  /** Stream that captures ops.>; created when missing. Default OPS. */
  stream?: string;
  /** Receives a one-line progress report about every 5 s. */
  onProgress?: ((line: string) => void) | undefined;
}

export interface LiveTrafficSummary {
  published: number;
  /** Simulated time reached, epoch ms. */
  simulatedUntilMs: number;
}

export type StopLiveTraffic = () => Promise<LiveTrafficSummary>;

const PACE_INTERVAL_MS = 100;
const PROGRESS_INTERVAL_MS = 5_000;
/** Events published per pacing step at most, so a backlog never blocks the event loop for long. */
const MAX_EVENTS_PER_STEP = 20_000;
const PEAK_START_MINUTE = 19 * 60 + 30;

/** Starts publishing; resolves once connected. The returned function stops and drains. */
export async function startLiveTraffic(options: LiveTrafficOptions): Promise<StopLiveTraffic> {
  const speed = options.speed ?? 1;
  if (!Number.isFinite(speed) || speed <= 0 || speed > 10_000) {
    throw new RangeError(`speed must be above 0 and at most 10000, got ${speed}`);
  }
  const timeZone = checkTimeZone(options.timeZone ?? DEFAULT_TIME_ZONE);
  const shops = shopNames(options.shops ?? 2);
  const scale = checkScale(options.scale ?? 1);
  const localTime = createLocalTime(timeZone);
  const wallStartMs = Date.now();
  const seed = checkSeed(options.seed ?? wallStartMs % 2_147_483_647);

  const today = localTime.position(wallStartMs).dayNumber;
  const simulatedStartMs =
    options.peak === true ? localTime.midnightMs(today) + PEAK_START_MINUTE * 60_000 : wallStartMs;
  const events = simulateTraffic({
    seed,
    startMs: simulatedStartMs,
    endMs: Infinity,
    peakDayNumber: options.peak === true ? today : undefined,
    shops,
    scale,
    timeZone,
    // Ids carry the run's start so a second run never collides with the first in the server's id set.
    idPrefix: `L${wallStartMs.toString(36)}-`,
  })[Symbol.iterator]();

  const connection = await connect({ servers: options.natsUrl });
  await ensureOpsStream(await jetstreamManager(connection), options.stream ?? DEFAULT_STREAM_NAME);

  let published = 0;
  let simulatedUntilMs = simulatedStartMs;
  let pending: GeneratedEvent | undefined;
  let nextProgressMs = wallStartMs + PROGRESS_INTERVAL_MS;
  let stepping = false;

  /** Agents this run put online, so stopping can sign them off (else they stay "online" for ever). */
  const staffedAgents = new Map<string, { shop: string; queues: unknown }>();

  function publish(generated: GeneratedEvent): void {
    const wallTsMs = Math.floor(wallStartMs + (generated.tsMs - simulatedStartMs) / speed);
    const event = { ...generated.event, ts: localTime.format(wallTsMs) };
    if (event.type === 'agent.status') {
      const fields = event as unknown as { agent_id: string; status: string; queues: unknown };
      const key = `${event.shop}\u0000${fields.agent_id}`;
      if (fields.status === 'offline') staffedAgents.delete(key);
      else staffedAgents.set(key, { shop: event.shop, queues: fields.queues });
    }
    const messageHeaders = headers();
    messageHeaders.set('Nats-Msg-Id', event.id);
    const kind = event.type.slice(0, event.type.indexOf('.'));
    connection.publish(`ops.${kind}.${event.shop}`, JSON.stringify(event), { headers: messageHeaders });
    published++;
  }

  async function step(): Promise<void> {
    if (stepping) return;
    stepping = true;
    try {
      const nowMs = Date.now();
      const targetMs = simulatedStartMs + (nowMs - wallStartMs) * speed;
      for (let count = 0; count < MAX_EVENTS_PER_STEP; count++) {
        pending ??= events.next().value ?? undefined;
        if (pending === undefined || pending.tsMs > targetMs) break;
        publish(pending);
        pending = undefined;
      }
      simulatedUntilMs = targetMs;
      await connection.flush();
      if (nowMs >= nextProgressMs) {
        nextProgressMs = nowMs + PROGRESS_INTERVAL_MS;
        options.onProgress?.(
          `live: ${published.toLocaleString('en-US')} events, simulated ${localTime.format(Math.floor(targetMs)).slice(0, 19)}`,
        );
      }
    } finally {
      stepping = false;
    }
  }

  let failure: unknown;
  const timer = setInterval(() => {
    step().catch((error: unknown) => {
      failure ??= error;
    });
  }, PACE_INTERVAL_MS);
  await step();

  return async () => {
    clearInterval(timer);
    while (stepping) await new Promise((resolve) => setTimeout(resolve, 10));
    const signOffTs = localTime.format(Date.now());
    let signOff = 0;
    for (const [key, agent] of staffedAgents) {
      const agentId = key.slice(key.indexOf('\u0000') + 1);
      const id = `L${wallStartMs.toString(36)}-signoff-${++signOff}`;
      const event = {
        id,
        type: 'agent.status',
        ts: signOffTs,
        shop: agent.shop,
        agent_id: agentId,
        status: 'offline',
        queues: agent.queues,
      };
      const messageHeaders = headers();
      messageHeaders.set('Nats-Msg-Id', id);
      connection.publish(`ops.agent.${agent.shop}`, JSON.stringify(event), { headers: messageHeaders });
    }
    await connection.drain();
    if (failure !== undefined) throw failure;
    return { published, simulatedUntilMs };
  };
}
