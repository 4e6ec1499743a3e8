/**
 * A discrete-event simulation of one shop's chat queues: the day's arrivals, each with its own
 * recorded slot time, pick-up-to-answer delay and patience, served by agents whose presence
 * follows the day's `agent.status` events (plus or minus the plan's changes). Routing is the
 * usual contact-centre rule, the one the generator also uses: an arriving chat goes to the free
 * agent of its queue with the fewest chats in hand; a freed slot takes the longest-waiting chat
 * of the agent's queues; chats wait first come, first served. Deterministic: ties break by
 * scheduling order, and the only randomness is drawn before the run (patience, donors).
 */
import { Scheduler } from '../../generator/scheduler.ts';
import type { AgentChange } from './chat-log.ts';

export interface SimulatedChat {
  queue: string;
  arrivalMs: number;
  /** How long the chat occupies an agent's slot once picked up, ms (before the hold-time factor). */
  holdMs: number;
  /** Pick-up → first agent message, ms; NaN when the customer left at pick-up without an answer. */
  pickupToAnswerMs: number;
  /** How long the customer waits for a pick-up before leaving, ms (Infinity: never leaves). */
  patienceMs: number;
}

/** Agents added to one queue for a time range. */
export interface AddedAgents {
  queue: string;
  fromMs: number;
  toMs: number;
  count: number;
  maxChats: number;
}

/** Agents of one queue taken off for a time range: those staffed at `fromMs` with the lowest ids. */
export interface RemovedAgents {
  queue: string;
  fromMs: number;
  toMs: number;
  count: number;
}

export interface SimulationInput {
  /** In arrival order. */
  chats: readonly SimulatedChat[];
  /** This shop's agent changes, in (ts, id) order. */
  agentChanges: readonly AgentChange[];
  added: readonly AddedAgents[];
  removed: readonly RemovedAgents[];
  /** Multiplies every hold time (calibration); 1 = as recorded. */
  holdTimeFactor: number;
}

export interface SimulationResult {
  /** Per chat (input order): when an agent picked it up, NaN if never. */
  pickedUpMs: Float64Array;
  /** Per chat: when it gave up waiting, NaN if it did not. */
  abandonedMs: Float64Array;
}

interface SimulatedAgent {
  id: string;
  queues: readonly string[];
  maxChats: number;
  staffed: boolean;
  /** Taken off by the plan: takes no new chat. */
  blocked: boolean;
  active: number;
}

interface WaitingLine {
  items: number[];
  head: number;
}

export function simulateQueues(input: SimulationInput): SimulationResult {
  const chats = input.chats;
  const pickedUpMs = new Float64Array(chats.length).fill(Number.NaN);
  const abandonedMs = new Float64Array(chats.length).fill(Number.NaN);
  const scheduler = new Scheduler();
  /** Agents in order of first appearance: the tie-break of routing. */
  const agents: SimulatedAgent[] = [];
  const agentsById = new Map<string, SimulatedAgent>();
  const lines = new Map<string, WaitingLine>();

  const lineOf = (queue: string): WaitingLine => {
    let line = lines.get(queue);
    if (line === undefined) {
      line = { items: [], head: 0 };
      lines.set(queue, line);
    }
    return line;
  };
  const agentOf = (id: string): SimulatedAgent => {
    let agent = agentsById.get(id);
    if (agent === undefined) {
      agent = { id, queues: [], maxChats: 1, staffed: false, blocked: false, active: 0 };
      agentsById.set(id, agent);
      agents.push(agent);
    }
    return agent;
  };
  const isWaiting = (index: number): boolean =>
    Number.isNaN(pickedUpMs[index] as number) && Number.isNaN(abandonedMs[index] as number);
  const takesWork = (agent: SimulatedAgent): boolean =>
    agent.staffed && !agent.blocked && agent.active < agent.maxChats;

  function headOf(line: WaitingLine): number | undefined {
    while (line.head < line.items.length) {
      const index = line.items[line.head] as number;
      if (isWaiting(index)) return index;
      line.head += 1;
    }
    return undefined;
  }

  function pickUp(agent: SimulatedAgent, index: number, nowMs: number): void {
    const chat = chats[index] as SimulatedChat;
    pickedUpMs[index] = nowMs;
    agent.active += 1;
    scheduler.runAt(nowMs + Math.round(chat.holdMs * input.holdTimeFactor), () => {
      agent.active -= 1;
      fill(agent, nowMs + Math.round(chat.holdMs * input.holdTimeFactor));
    });
  }

  /** Gives the agent's free slots to the longest-waiting chats of its queues. */
  function fill(agent: SimulatedAgent, nowMs: number): void {
    while (takesWork(agent)) {
      let best: number | undefined;
      for (const queue of agent.queues) {
        const line = lines.get(queue);
        const head = line === undefined ? undefined : headOf(line);
        if (head === undefined) continue;
        if (
          best === undefined ||
          (chats[head] as SimulatedChat).arrivalMs < (chats[best] as SimulatedChat).arrivalMs
        ) {
          best = head;
        }
      }
      if (best === undefined) return;
      pickUp(agent, best, nowMs);
    }
  }

  function arrive(index: number, nowMs: number): void {
    const chat = chats[index] as SimulatedChat;
    let best: SimulatedAgent | undefined;
    for (const agent of agents) {
      if (!takesWork(agent) || !agent.queues.includes(chat.queue)) continue;
      if (best === undefined || agent.active < best.active) best = agent;
    }
    // A chat arriving while others wait joins the line (first come, first served).
    const line = lineOf(chat.queue);
    if (best !== undefined && headOf(line) === undefined) {
      pickUp(best, index, nowMs);
      return;
    }
    line.items.push(index);
    if (Number.isFinite(chat.patienceMs)) {
      const leaveMs = nowMs + chat.patienceMs;
      scheduler.runAt(leaveMs, () => {
        if (isWaiting(index)) abandonedMs[index] = leaveMs;
      });
    }
  }

  function setPresence(
    agent: SimulatedAgent,
    staffed: boolean,
    queues: readonly string[],
    maxChats: number,
    nowMs: number,
  ): void {
    agent.staffed = staffed;
    agent.queues = queues;
    agent.maxChats = maxChats;
    fill(agent, nowMs);
  }

  for (const change of input.agentChanges) {
    scheduler.runAt(change.tsMs, () =>
      setPresence(agentOf(change.agentId), change.staffed, change.queues, change.maxChats, change.tsMs),
    );
  }
  input.added.forEach((added, group) => {
    for (let number = 1; number <= added.count; number += 1) {
      const agent = agentOf(`what-if-${group + 1}-${added.queue}-${number}`);
      scheduler.runAt(added.fromMs, () =>
        setPresence(agent, true, [added.queue], added.maxChats, added.fromMs),
      );
      scheduler.runAt(added.toMs, () => setPresence(agent, false, [added.queue], added.maxChats, added.toMs));
    }
  });
  for (const removed of input.removed) {
    let taken: SimulatedAgent[] = [];
    scheduler.runAt(removed.fromMs, () => {
      taken = agents
        .filter((agent) => agent.staffed && !agent.blocked && agent.queues.includes(removed.queue))
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .slice(0, removed.count);
      for (const agent of taken) agent.blocked = true;
    });
    scheduler.runAt(removed.toMs, () => {
      for (const agent of taken) {
        agent.blocked = false;
        fill(agent, removed.toMs);
      }
    });
  }
  chats.forEach((chat, index) => scheduler.runAt(chat.arrivalMs, () => arrive(index, chat.arrivalMs)));

  for (let entry = scheduler.pop(); entry !== undefined; entry = scheduler.pop()) entry.action?.();
  return { pickedUpMs, abandonedMs };
}
