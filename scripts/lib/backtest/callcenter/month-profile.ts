/**
 * The shape of an imported month, for docs/REAL-DATA.md: arrivals per local hour by weekday,
 * abandonment, waits and handle times by queue, and the agents the planner's Erlang C
 * (server/staffing, the same function the staffing rows use) recommends per hour of a typical
 * working day. Computed from the imported events, so it describes exactly what was backtested.
 */
import { formatInstant, parseTimestampMs } from '../../../../server/events/index.ts';
import {
  DEFAULT_STAFFING_CONFIG,
  offeredLoadErlangs,
  requiredServersErlangC,
} from '../../../../server/staffing/index.ts';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

export interface QueueProfile {
  chats: number;
  abandoned: number;
  abandonRate: number;
  /** Chat start → first agent message, mean over answered chats, seconds. */
  meanWaitSec: number;
  /** Answered within the service-level threshold, over answered + abandoned. */
  serviceLevel: number;
  /** First agent message → close, mean over answered chats, seconds. */
  meanHandleSec: number;
}

export interface MonthProfile {
  /** Weekday → mean chats started per local hour (24 values). */
  hourlyByWeekday: Record<string, number[]>;
  queues: Record<string, QueueProfile>;
  /** Per hour of a typical working day (the given weekdays): mean arrivals and agents needed per queue. */
  typicalDay: { hour: number; arrivals: Record<string, number>; requiredAgents: Record<string, number> }[];
}

interface Chat {
  queue: string;
  startMs: number;
  answerMs: number;
  closeMs: number;
}

/** `typicalWeekdays`: the days averaged for the staffing table (default Sunday–Thursday, Israel's working week). */
export function monthProfile(
  lines: Iterable<string>,
  timeZone: string,
  typicalWeekdays: readonly string[] = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu'],
): MonthProfile {
  const chats = new Map<string, Chat>();
  for (const line of lines) {
    if (line === '') continue;
    const event = JSON.parse(line) as {
      type: string;
      ts: string;
      chat_id?: string;
      queue?: string;
      from?: string;
    };
    if (event.chat_id === undefined) continue;
    const tsMs = parseTimestampMs(event.ts) ?? Number.NaN;
    const chat = chats.get(event.chat_id) ?? {
      queue: '',
      startMs: Number.NaN,
      answerMs: Number.NaN,
      closeMs: Number.NaN,
    };
    if (event.type === 'chat.started') {
      chat.queue = event.queue ?? '';
      chat.startMs = tsMs;
    } else if (event.type === 'chat.message' && event.from === 'agent' && Number.isNaN(chat.answerMs)) {
      chat.answerMs = tsMs;
    } else if (event.type === 'chat.closed') {
      chat.closeMs = tsMs;
    }
    chats.set(event.chat_id, chat);
  }

  const local = (epochMs: number): { date: string; hour: number; weekday: string } => {
    const text = formatInstant(epochMs, timeZone);
    const date = text.slice(0, 10);
    const weekday = WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()] as string;
    return { date, hour: Number(text.slice(11, 13)), weekday };
  };
  const daysByWeekday = new Map<string, Set<string>>();
  const counts = new Map<string, number>();
  const queues = new Map<
    string,
    { chats: number; abandoned: number; answered: number; waitSum: number; within: number; handleSum: number }
  >();
  const thresholdMs = DEFAULT_STAFFING_CONFIG.defaultTarget.thresholdSec * 1000;
  for (const chat of chats.values()) {
    if (Number.isNaN(chat.startMs)) continue;
    const { date, hour, weekday } = local(chat.startMs);
    const days = daysByWeekday.get(weekday) ?? new Set<string>();
    days.add(date);
    daysByWeekday.set(weekday, days);
    counts.set(`${weekday}|${hour}|${chat.queue}`, (counts.get(`${weekday}|${hour}|${chat.queue}`) ?? 0) + 1);
    const queue = queues.get(chat.queue) ?? {
      chats: 0,
      abandoned: 0,
      answered: 0,
      waitSum: 0,
      within: 0,
      handleSum: 0,
    };
    queue.chats += 1;
    if (Number.isNaN(chat.answerMs)) queue.abandoned += 1;
    else {
      queue.answered += 1;
      queue.waitSum += chat.answerMs - chat.startMs;
      if (chat.answerMs - chat.startMs <= thresholdMs) queue.within += 1;
      queue.handleSum += Math.max(0, chat.closeMs - chat.answerMs);
    }
    queues.set(chat.queue, queue);
  }
  const queueNames = [...queues.keys()].sort();
  const dayCount = (weekday: string): number => daysByWeekday.get(weekday)?.size ?? 0;
  const meanArrivals = (weekdays: readonly string[], hour: number, queue: string): number => {
    const days = weekdays.reduce((sum, weekday) => sum + dayCount(weekday), 0);
    const total = weekdays.reduce(
      (sum, weekday) => sum + (counts.get(`${weekday}|${hour}|${queue}`) ?? 0),
      0,
    );
    return days === 0 ? 0 : total / days;
  };

  const profile: MonthProfile = { hourlyByWeekday: {}, queues: {}, typicalDay: [] };
  for (const weekday of WEEKDAYS) {
    profile.hourlyByWeekday[weekday] = Array.from(
      { length: 24 },
      (_, hour) =>
        Math.round(queueNames.reduce((sum, queue) => sum + meanArrivals([weekday], hour, queue), 0) * 10) /
        10,
    );
  }
  for (const queue of queueNames) {
    const q = queues.get(queue) as NonNullable<ReturnType<typeof queues.get>>;
    profile.queues[queue] = {
      chats: q.chats,
      abandoned: q.abandoned,
      abandonRate: Math.round((q.abandoned / q.chats) * 1000) / 1000,
      meanWaitSec: Math.round(q.waitSum / q.answered / 100) / 10,
      serviceLevel: Math.round((q.within / (q.answered + q.abandoned)) * 1000) / 1000,
      meanHandleSec: Math.round(q.handleSum / q.answered / 100) / 10,
    };
  }
  const target = DEFAULT_STAFFING_CONFIG.defaultTarget;
  for (let hour = 0; hour < 24; hour += 1) {
    const arrivals: Record<string, number> = {};
    const requiredAgents: Record<string, number> = {};
    for (const queue of queueNames) {
      const lambda = meanArrivals(typicalWeekdays, hour, queue);
      const handleSec = profile.queues[queue]?.meanHandleSec ?? 0;
      arrivals[queue] = Math.round(lambda * 10) / 10;
      // One call per agent at a time (max_chats 1), so servers are agents.
      requiredAgents[queue] =
        lambda === 0 || handleSec === 0
          ? 0
          : requiredServersErlangC({
              offeredLoad: offeredLoadErlangs(lambda, 3600, handleSec),
              handleSec,
              thresholdSec: target.thresholdSec,
              targetServiceLevel: target.targetServiceLevel,
              maxOccupancy: target.maxOccupancy,
            });
    }
    profile.typicalDay.push({ hour, arrivals, requiredAgents });
  }
  return profile;
}
