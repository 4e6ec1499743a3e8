/**
 * The Technion "Anonymous Bank" call log (one row per call, tab-separated) as Peakboard events.
 *
 * Mapping (issue 6): a call that joined the agent queue or was served is a chat. It starts when
 * it joins the queue, or, served without queueing, when it leaves the voice menu; an agent
 * message at service start (agent_id = the agent's name); `chat.closed` at service end, or, for a
 * caller who hung up in the queue, when they left it (closed with no agent message = abandoned).
 * Calls that left the voice menu without queueing or service are self-service: no chat. `NW`
 * (prospective customers) goes to `presale`, every other type to `aftersale`. Each agent is
 * `online` from their first service start of a day to `offline` at their last service end, for
 * the queues they served that day, one call at a time (`max_chats` 1). A `clock.tick` every
 * 5 minutes from the first event to the last moves the event clock through quiet nights.
 *
 * Quirks, each counted in the report:
 * - `PHANTOM` rows (not real calls) and rows with a negative `vru_time`: dropped.
 * - Clock skew: `ser_start` is often 1–2 s before `q_exit` (or before `vru_exit` when there was no
 *   queue). An agent message before its chat's start would be ignored by the engine, so the
 *   message is moved to the chat's start (a wait of 0 s) — counted as `skewClamped`.
 * - Calls crossing midnight: times are `H:MM:SS` of the call's date; a stage time more than 12 h
 *   before the previous stage's is on the next day — counted as `crossedMidnight`.
 * - `AGENT` rows with `NO_SERVER`: served by an unrecorded agent. They stay answered chats with
 *   agent_id `unidentified`, who never gets an `agent.status` (no presence can be inferred).
 * - `AGENT` rows whose service times are `0:00:00` (service not recorded): answered and closed
 *   when the caller left the queue (or the voice menu), a handle time of 0 — `serviceUnrecorded`.
 *   Read literally they would be served at the next midnight, hours later.
 * - `call_id` repeats across voice-menu units, so a chat's id is unit + line + call id + date.
 * - Priority (a 1.5-minute head start) has no counterpart in the event contract: ignored.
 * - Times are local time of `timeZone` (default Asia/Jerusalem); an hour that does not exist or
 *   repeats at a DST change takes the offset in force just before it.
 */
import { formatInstant, zoneOffsetMinutes } from '../../../../server/events/index.ts';

export const UNIDENTIFIED_AGENT = 'unidentified';
const DAY_MS = 86_400_000;
const TICK_MS = 5 * 60_000;
/** A stage time this far before the previous one is taken to be on the next day. */
const NEXT_DAY_THRESHOLD_MS = 12 * 3_600_000;

export interface ConvertOptions {
  /** IANA zone of the log's local times (default Asia/Jerusalem). */
  timeZone?: string;
  /** Shop id of every event (default `anonbank`). */
  shop?: string;
  /**
   * Splits an agent's day where they served nobody for longer than this, ms: offline after the
   * last service before the gap, online again at the next. Default Infinity: one span a day,
   * first service to last, as issue 6 specifies (breaks are then invisible).
   */
  sessionGapMs?: number;
}

export interface ConvertReport {
  rows: number;
  phantom: number;
  negativeVruTime: number;
  /** Left the voice menu without queueing or service: not chats. */
  selfService: number;
  chats: number;
  served: number;
  servedWithoutQueue: number;
  abandonedInQueue: number;
  noServer: number;
  serviceUnrecorded: number;
  skewClamped: number;
  crossedMidnight: number;
  /** Rows that are not calls (wrong number of fields, unreadable date or time, unknown outcome). */
  unreadable: number;
  agentDays: number;
  ticks: number;
  events: number;
  firstTs: string | null;
  lastTs: string | null;
}

interface OutEvent {
  tsMs: number;
  /** Same-instant order: ticks and presence first, then openings, messages, closings. */
  rank: number;
  body: Record<string, unknown>;
}

const FIELD_COUNT = 17;

/** Seconds since midnight of `H:MM:SS`, or undefined. */
function secondsOfDay(text: string): number | undefined {
  const match = /^(\d{1,2}):(\d{2}):(\d{2})$/.exec(text.trim());
  if (match === null) return undefined;
  const [hours, minutes, seconds] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (hours > 23 || minutes > 59 || seconds > 59) return undefined;
  return hours * 3600 + minutes * 60 + seconds;
}

/** Epoch ms of a local wall time (ms since the epoch as if the zone were UTC). */
function localToEpochMs(localMs: number, timeZone: string): number {
  const guess = localMs - zoneOffsetMinutes(localMs, timeZone) * 60_000;
  return localMs - zoneOffsetMinutes(guess, timeZone) * 60_000;
}

export function convertCallLog(
  lines: Iterable<string>,
  options: ConvertOptions = {},
): { lines: string[]; report: ConvertReport } {
  const timeZone = options.timeZone ?? 'Asia/Jerusalem';
  const shop = options.shop ?? 'anonbank';
  const report: ConvertReport = {
    rows: 0,
    phantom: 0,
    negativeVruTime: 0,
    selfService: 0,
    chats: 0,
    served: 0,
    servedWithoutQueue: 0,
    abandonedInQueue: 0,
    noServer: 0,
    serviceUnrecorded: 0,
    skewClamped: 0,
    crossedMidnight: 0,
    unreadable: 0,
    agentDays: 0,
    ticks: 0,
    events: 0,
    firstTs: null,
    lastTs: null,
  };
  const events: OutEvent[] = [];
  const sessionGapMs = options.sessionGapMs ?? Number.POSITIVE_INFINITY;
  /** `${localDate}|${agent}` → the day's services (answer, close) and the queues served. */
  const agentDays = new Map<string, { agent: string; services: [number, number][]; queues: Set<string> }>();
  const usedIds = new Set<string>();
  let header = true;

  for (const raw of lines) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    if (header) {
      header = false;
      if (line.startsWith('vru')) continue;
    }
    report.rows += 1;
    const fields = line.split('\t');
    if (fields.length < FIELD_COUNT) {
      report.unreadable += 1;
      continue;
    }
    const [
      vruLine,
      callId,
      customerId,
      ,
      type,
      date,
      vruEntry,
      vruExit,
      vruTime,
      qStart,
      qExit,
      ,
      outcome,
      serStart,
      serExit,
      ,
      server,
    ] = fields.map((field) => field.trim()) as string[];
    if (outcome === 'PHANTOM') {
      report.phantom += 1;
      continue;
    }
    if (Number(vruTime) < 0) {
      report.negativeVruTime += 1;
      continue;
    }
    const dateMatch = /^(\d{2})(\d{2})(\d{2})$/.exec(date ?? '');
    if (dateMatch === null || (outcome !== 'AGENT' && outcome !== 'HANG')) {
      report.unreadable += 1;
      continue;
    }
    // Two-digit years: the Technion logs are from 1999 (and 2000s files would read 00–49).
    const year = Number(dateMatch[1]) + (Number(dateMatch[1]) < 50 ? 2000 : 1900);
    const dayLocalMs = Date.UTC(year, Number(dateMatch[2]) - 1, Number(dateMatch[3]));

    // Stage times in order; each on the call's date, or the next day when it wraps past midnight.
    let previousLocalMs = Number.NEGATIVE_INFINITY;
    let crossed = false;
    let unreadable = false;
    const stage = (text: string | undefined): number => {
      const seconds = secondsOfDay(text ?? '');
      if (seconds === undefined) {
        unreadable = true;
        return Number.NaN;
      }
      let localMs = dayLocalMs + seconds * 1000;
      while (localMs < previousLocalMs - NEXT_DAY_THRESHOLD_MS) {
        localMs += DAY_MS;
        crossed = true;
      }
      if (previousLocalMs === Number.NEGATIVE_INFINITY || localMs > previousLocalMs)
        previousLocalMs = localMs;
      return localMs;
    };
    stage(vruEntry);
    const vruExitLocal = stage(vruExit);
    const queued = qStart !== '0:00:00';
    const qStartLocal = queued ? stage(qStart) : Number.NaN;
    const qExitLocal = queued ? stage(qExit) : Number.NaN;
    const served = outcome === 'AGENT';
    const serviceRecorded = served && serStart !== '0:00:00';
    const leftLocal = queued ? qExitLocal : vruExitLocal;
    const serStartLocal = serviceRecorded ? stage(serStart) : leftLocal;
    const serExitLocal = serviceRecorded ? stage(serExit) : leftLocal;
    if (unreadable) {
      report.unreadable += 1;
      continue;
    }
    if (!queued && !served) {
      report.selfService += 1;
      continue;
    }
    if (crossed) report.crossedMidnight += 1;

    let chatId = `${date}-${vruLine}-${callId}`;
    for (let suffix = 2; usedIds.has(chatId); suffix += 1) chatId = `${date}-${vruLine}-${callId}-${suffix}`;
    usedIds.add(chatId);
    const queue = type === 'NW' ? 'presale' : 'aftersale';
    const toEpoch = (localMs: number): number => localToEpochMs(localMs, timeZone);
    const startMs = toEpoch(queued ? qStartLocal : vruExitLocal);
    const common = { shop, chat_id: chatId };
    events.push({
      tsMs: startMs,
      rank: 1,
      body: {
        id: `${chatId}-start`,
        type: 'chat.started',
        ...common,
        queue,
        customer_id: customerId !== undefined && customerId !== '0' ? customerId : `caller-${chatId}`,
      },
    });
    report.chats += 1;
    if (!served) {
      report.abandonedInQueue += 1;
      events.push({
        tsMs: toEpoch(qExitLocal),
        rank: 3,
        body: { id: `${chatId}-close`, type: 'chat.closed', ...common },
      });
      continue;
    }
    report.served += 1;
    if (!queued) report.servedWithoutQueue += 1;
    const noServer = server === undefined || server === '' || server === 'NO_SERVER';
    if (noServer) report.noServer += 1;
    if (!serviceRecorded) report.serviceUnrecorded += 1;
    const agent = noServer ? UNIDENTIFIED_AGENT : (server as string);
    let answerMs = toEpoch(serStartLocal);
    if (answerMs < startMs) {
      report.skewClamped += 1;
      answerMs = startMs;
    }
    const closeMs = Math.max(answerMs, toEpoch(serExitLocal));
    events.push({
      tsMs: answerMs,
      rank: 2,
      body: { id: `${chatId}-answer`, type: 'chat.message', ...common, from: 'agent', agent_id: agent },
    });
    events.push({ tsMs: closeMs, rank: 3, body: { id: `${chatId}-close`, type: 'chat.closed', ...common } });
    if (!noServer) {
      const localDate = formatInstant(answerMs, timeZone).slice(0, 10);
      const key = `${localDate}|${agent}`;
      const day = agentDays.get(key) ?? { agent, services: [], queues: new Set<string>() };
      day.services.push([answerMs, closeMs]);
      day.queues.add(queue);
      agentDays.set(key, day);
    }
  }

  for (const [key, day] of agentDays) {
    const localDate = key.slice(0, key.indexOf('|'));
    const queues = [...day.queues].sort();
    const services = day.services.sort((a, b) => a[0] - b[0]);
    const status = (status: string, tsMs: number, suffix: string): OutEvent => ({
      tsMs,
      // Online before the first answer at the same instant; offline after the last close.
      rank: status === 'online' ? 0 : 4,
      body: {
        id: `agent-${day.agent}-${localDate}-${suffix}`,
        type: 'agent.status',
        shop,
        agent_id: day.agent,
        status,
        queues,
        max_chats: 1,
      },
    });
    let session = 0;
    let [startMs, endMs] = services[0] as [number, number];
    const closeSession = (): void => {
      // The first session keeps the plain ids (`-on`, `-off`), so the default output is stable.
      const suffix = session === 0 ? '' : `-${session + 1}`;
      events.push(status('online', startMs, `on${suffix}`), status('offline', endMs, `off${suffix}`));
      session += 1;
    };
    for (const [answerMs, closeMs] of services.slice(1)) {
      if (answerMs - endMs > sessionGapMs) {
        closeSession();
        startMs = answerMs;
      }
      endMs = Math.max(endMs, closeMs);
    }
    closeSession();
    report.agentDays += 1;
  }

  events.sort(
    (a, b) => a.tsMs - b.tsMs || a.rank - b.rank || String(a.body.id).localeCompare(String(b.body.id)),
  );
  const first = events[0];
  const last = events[events.length - 1];
  if (first !== undefined && last !== undefined) {
    const ticks: OutEvent[] = [];
    for (
      let tsMs = Math.floor(first.tsMs / TICK_MS) * TICK_MS;
      tsMs <= last.tsMs + TICK_MS;
      tsMs += TICK_MS
    ) {
      ticks.push({ tsMs, rank: -1, body: { id: `tick-${tsMs}`, type: 'clock.tick', shop } });
    }
    report.ticks = ticks.length;
    events.push(...ticks);
    events.sort(
      (a, b) => a.tsMs - b.tsMs || a.rank - b.rank || String(a.body.id).localeCompare(String(b.body.id)),
    );
  }
  const out = events.map(({ tsMs, body }) => {
    const { id, type, ...rest } = body;
    return JSON.stringify({ id, type, ts: formatInstant(tsMs, timeZone), ...rest });
  });
  report.events = out.length;
  report.firstTs = events[0] === undefined ? null : formatInstant(events[0].tsMs, timeZone);
  report.lastTs =
    events.length === 0 ? null : formatInstant((events[events.length - 1] as OutEvent).tsMs, timeZone);
  return { lines: out, report };
}
