/**
 * What the simulation infers from the day when the log does not say it: which queue the agents
 * serve first, and when a present agent was not taking chats.
 *
 * Queue priority. Under first come, first served across queues, a chat of one queue is hardly
 * ever picked up while an older chat of another queue, one the same agent also serves, is still
 * waiting; and when it happens it happens both ways alike. A queue whose chats overtook another
 * queue's waiting chats far more often than the reverse (at least 20 times, and 4 times as
 * often) has priority over it: its chats get a head start, estimated from how much younger the
 * overtaking chats were (a call centre's usual rule; the Technion bank documents 1.5 minutes
 * for its priority customers).
 *
 * Availability. `agent.status` says who is present, but a log whose presence is only inferred
 * from the services (first service of the day to the last, as in the call-centre import) counts
 * breaks, lunch and other work as available. The log itself shows when that was false: an agent
 * with no chat in hand while a caller of their queues was waiting was not available (every
 * routing rule gives a waiting caller to an available agent). So an agent is away from the moment
 * a caller has waited `toleranceMs` of their idle time until their next pick-up; idle while
 * nobody waited, they count as available. The tolerance absorbs the pick-up latency (an agent
 * takes the next waiting call a few seconds after the last one ends).
 */
import type { AgentChange, ChatLifecycle } from './chat-log.ts';
import type { AwaySpan } from './queue-simulation.ts';

/** Cross-queue overtakes below this many are no evidence of a priority. */
const MIN_OVERTAKES = 20;
/** A queue goes first when it overtook another this many times more often than the reverse. */
const PRIORITY_RATIO = 4;
/** An older chat still waiting this long after the pick-up was overtaken (less is clock skew). */
const OVERTAKE_SLACK_MS = 2_000;
/** Older chats are looked for among those that arrived within this long before. */
const OVERTAKE_LOOKBACK_MS = 3_600_000;

/** When a chat stopped waiting for a pick-up: picked up, left, or still waiting at `endMs`. */
function waitEndMs(chat: ChatLifecycle, endMs: number): number {
  if (!Number.isNaN(chat.pickedUpMs)) return chat.pickedUpMs;
  return Number.isNaN(chat.closeMs) ? endMs : chat.closeMs;
}

function agentKey(shop: string, agentId: string): string {
  return `${shop}\u0000${agentId}`;
}

/** Queues each agent picked up chats from. */
function queuesServed(chats: readonly ChatLifecycle[]): Map<string, Set<string>> {
  const served = new Map<string, Set<string>>();
  for (const chat of chats) {
    if (chat.agentId === '' || Number.isNaN(chat.pickedUpMs)) continue;
    const key = agentKey(chat.shop, chat.agentId);
    let queues = served.get(key);
    if (queues === undefined) {
      queues = new Set<string>();
      served.set(key, queues);
    }
    queues.add(chat.queue);
  }
  return served;
}

export interface QueueOvertakes {
  /** `a>b` → chats of a picked up while an older chat of b waited for the same agent. */
  counts: Record<string, number>;
  /** `a>b` → for each such pick-up, how much younger the chat was than the oldest one of b waiting, ms. */
  gapsMs: Record<string, number[]>;
}

export interface QueueDiscipline {
  /** Queue → number of queues it goes before (absent: 0). */
  ranks: Map<string, number>;
  /**
   * The head start of one rank, ms: a chat counts as having arrived this much earlier per rank
   * (a freed agent takes the chat with the earliest such time). Infinity: strict priority.
   */
  headStartMs: number;
}

/** Who overtook whom on the day (see the file header). */
export function countOvertakes(chats: readonly ChatLifecycle[], endMs: number): QueueOvertakes {
  const served = queuesServed(chats);
  const byQueue = new Map<string, ChatLifecycle[]>();
  for (const chat of chats) {
    const list = byQueue.get(chat.queue) ?? [];
    list.push(chat);
    byQueue.set(chat.queue, list);
  }
  for (const list of byQueue.values()) list.sort((a, b) => a.startMs - b.startMs);
  const queues = [...byQueue.keys()].sort();
  const counts: Record<string, number> = {};
  const gapsMs: Record<string, number[]> = {};
  for (const queue of queues) {
    for (const later of byQueue.get(queue) as ChatLifecycle[]) {
      if (Number.isNaN(later.pickedUpMs)) continue;
      const agentQueues = served.get(agentKey(later.shop, later.agentId));
      for (const other of queues) {
        if (other === queue || agentQueues?.has(other) !== true) continue;
        // The oldest chat of the other queue that started within the hour before and still waited.
        const list = byQueue.get(other) as ChatLifecycle[];
        let low = 0;
        let high = list.length;
        while (low < high) {
          const middle = (low + high) >> 1;
          if ((list[middle] as ChatLifecycle).startMs < later.startMs - OVERTAKE_LOOKBACK_MS)
            low = middle + 1;
          else high = middle;
        }
        for (let index = low; index < list.length; index += 1) {
          const older = list[index] as ChatLifecycle;
          if (older.startMs >= later.startMs) break;
          if (older.shop !== later.shop || waitEndMs(older, endMs) <= later.pickedUpMs + OVERTAKE_SLACK_MS)
            continue;
          const key = `${queue}>${other}`;
          counts[key] = (counts[key] ?? 0) + 1;
          (gapsMs[key] ??= []).push(later.startMs - older.startMs);
          break;
        }
      }
    }
  }
  const sortedCounts: Record<string, number> = {};
  for (const key of Object.keys(counts).sort()) sortedCounts[key] = counts[key] as number;
  return { counts: sortedCounts, gapsMs };
}

/**
 * The queue discipline from overtakes (of one day, or several summed): ranks as in the file
 * header; the head start is twice the median age gap of the ranked overtakes (under a head start
 * H a chat overtakes only chats less than H older, and the gaps spread over 0…H).
 */
export function queueDiscipline(overtakes: QueueOvertakes, queues: readonly string[]): QueueDiscipline {
  const ranks = new Map<string, number>();
  for (const queue of queues) {
    let rank = 0;
    for (const other of queues) {
      if (other === queue) continue;
      const ahead = overtakes.counts[`${queue}>${other}`] ?? 0;
      const behind = overtakes.counts[`${other}>${queue}`] ?? 0;
      if (ahead >= MIN_OVERTAKES && ahead >= PRIORITY_RATIO * behind) rank += 1;
    }
    if (rank > 0) ranks.set(queue, rank);
  }
  const gaps: number[] = [];
  for (const [key, list] of Object.entries(overtakes.gapsMs)) {
    const [ahead, behind] = key.split('>') as [string, string];
    if ((ranks.get(ahead) ?? 0) > (ranks.get(behind) ?? 0)) gaps.push(...list);
  }
  gaps.sort((a, b) => a - b);
  const middle = gaps[Math.floor((gaps.length - 1) / 2)];
  return { ranks, headStartMs: middle === undefined ? Number.POSITIVE_INFINITY : 2 * middle };
}

/** Overtakes of several days together. */
export function mergeOvertakes(days: readonly QueueOvertakes[]): QueueOvertakes {
  const counts: Record<string, number> = {};
  const gapsMs: Record<string, number[]> = {};
  for (const day of days) {
    for (const [key, count] of Object.entries(day.counts)) counts[key] = (counts[key] ?? 0) + count;
    for (const [key, list] of Object.entries(day.gapsMs)) (gapsMs[key] ??= []).push(...list);
  }
  return { counts, gapsMs };
}

function mergeIntervals(list: [number, number][]): [number, number][] {
  list.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: [number, number][] = [];
  for (const [fromMs, toMs] of list) {
    const last = merged[merged.length - 1];
    if (last !== undefined && fromMs <= last[1]) last[1] = Math.max(last[1], toMs);
    else merged.push([fromMs, toMs]);
  }
  return merged;
}

/**
 * Away spans of one shop's agents (see the file header): within each stretch an agent had no
 * chat in hand, from the instant callers of their queues had waited `toleranceMs` of it to the
 * stretch's end (their next pick-up; open-ended after their last chat).
 */
export function inferAwaySpans(
  chats: readonly ChatLifecycle[],
  changes: readonly AgentChange[],
  toleranceMs: number,
  endMs: number,
): AwaySpan[] {
  // Activity: chats in hand (pick-up to close) and coming online.
  const activity = new Map<string, [number, number][]>();
  const addActivity = (agentId: string, fromMs: number, toMs: number): void => {
    const list = activity.get(agentId) ?? [];
    list.push([fromMs, toMs]);
    activity.set(agentId, list);
  };
  for (const chat of chats) {
    if (chat.agentId === '' || Number.isNaN(chat.pickedUpMs)) continue;
    const closeMs = Number.isNaN(chat.closeMs) ? Math.max(endMs, chat.pickedUpMs) : chat.closeMs;
    addActivity(chat.agentId, chat.pickedUpMs, closeMs);
  }
  for (const change of changes) if (change.staffed) addActivity(change.agentId, change.tsMs, change.tsMs);

  // Waiting callers per queue, merged per set of queues an agent serves.
  const waits = new Map<string, [number, number][]>();
  for (const chat of chats) {
    const toMs = waitEndMs(chat, endMs);
    if (!(toMs > chat.startMs)) continue;
    const list = waits.get(chat.queue) ?? [];
    list.push([chat.startMs, toMs]);
    waits.set(chat.queue, list);
  }
  const served = new Map<string, Set<string>>();
  for (const chat of chats) {
    if (chat.agentId === '') continue;
    const queues = served.get(chat.agentId) ?? new Set<string>();
    queues.add(chat.queue);
    served.set(chat.agentId, queues);
  }
  const waitsBySet = new Map<string, [number, number][]>();
  const waitsFor = (agentId: string): [number, number][] => {
    const queues = [...(served.get(agentId) ?? [])].sort();
    const key = queues.join('\u0000');
    let merged = waitsBySet.get(key);
    if (merged === undefined) {
      merged = mergeIntervals(
        queues.flatMap((queue) => (waits.get(queue) ?? []).map(([a, b]): [number, number] => [a, b])),
      );
      waitsBySet.set(key, merged);
    }
    return merged;
  };

  const spans: AwaySpan[] = [];
  for (const agentId of [...activity.keys()].sort()) {
    const busy = mergeIntervals(activity.get(agentId) as [number, number][]);
    const waiting = waitsFor(agentId);
    busy.forEach(([, idleFromMs], index) => {
      const idleToMs = busy[index + 1]?.[0] ?? Number.POSITIVE_INFINITY;
      // First waiting interval that ends after the idle stretch starts.
      let low = 0;
      let high = waiting.length;
      while (low < high) {
        const middle = (low + high) >> 1;
        if ((waiting[middle] as [number, number])[1] <= idleFromMs) low = middle + 1;
        else high = middle;
      }
      let overlapMs = 0;
      for (let at = low; at < waiting.length; at += 1) {
        const [fromMs, toMs] = waiting[at] as [number, number];
        if (fromMs >= idleToMs) break;
        const start = Math.max(fromMs, idleFromMs);
        const end = Math.min(toMs, idleToMs);
        if (overlapMs + (end - start) > toleranceMs) {
          spans.push({ agentId, fromMs: start + (toleranceMs - overlapMs), toMs: idleToMs });
          break;
        }
        overlapMs += end - start;
      }
    });
  }
  return spans;
}
