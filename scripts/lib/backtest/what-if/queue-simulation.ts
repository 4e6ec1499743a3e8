/**
 * A discrete-event simulation of one shop's chat queues: the day's arrivals, each with its own
 * recorded slot time, pick-up-to-answer delay and patience, served by agents whose presence
 * follows the day's `agent.status` events (plus or minus the plan's changes). Routing is the
 * usual contact-centre rule, the one the generator also uses: an arriving chat goes to the free
 * agent of its queue with the fewest chats in hand; a freed slot takes the longest-waiting chat
 * of the agent's queues (with a head start for higher-ranked queues, when queues have a
 * priority); chats of a queue wait first come, first served. Deterministic: events at the same millisecond run in
 * the order they were scheduled, and the only randomness is drawn before the run (patience,
 * donors). The event queue is a binary heap over typed arrays: a month of chats is simulated many
 * times per calibration, and a closure per event made that mostly garbage collection.
 */
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

/** A stretch in which an agent takes no new chat although present (inferred availability). */
export interface AwaySpan {
  agentId: string;
  fromMs: number;
  toMs: number;
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
  /**
   * Inferred availability (availability.ts): agents away although present. Given (even empty),
   * agents with the same queues and slots pool their availability as a team: an idle member may
   * start a chat while fewer members have chats in hand than are present and not away.
   */
  away?: readonly AwaySpan[];
  /** Queue priority: rank per queue (default 0) … */
  queueRank?: ReadonlyMap<string, number>;
  /**
   * … and the head start of one rank, ms: a freed slot takes the head whose arrival minus rank ×
   * head start is earliest. Default Infinity: the highest-ranked queue first, strictly.
   */
  headStartMs?: number;
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
  /** Open away spans (> 0: away). */
  away: number;
  /** Agents with the same queues and slots form a team, which pools its members' availability. */
  team: TeamCounts;
  active: number;
}

/** Present members of a team, and how many of them are away, taken off, or have chats in hand. */
interface TeamCounts {
  /** Agents who ever joined, in order of first joining (the tie-break within the team). */
  members: SimulatedAgent[];
  staffed: number;
  away: number;
  blocked: number;
  engaged: number;
}

interface WaitingLine {
  items: number[];
  head: number;
}

const enum Kind {
  Presence,
  AddedOn,
  AddedOff,
  RemovedOn,
  RemovedOff,
  AwayOn,
  AwayOff,
  Arrive,
  Done,
  Leave,
}

/** Events in (time, scheduling order): a binary heap of event numbers, which are that order. */
class EventQueue {
  private times: Float64Array;
  private kinds: Uint8Array;
  private args: Int32Array;
  private heap: Int32Array;
  private size = 0;
  private count = 0;

  constructor(capacity: number) {
    this.times = new Float64Array(capacity);
    this.kinds = new Uint8Array(capacity);
    this.args = new Int32Array(capacity);
    this.heap = new Int32Array(capacity);
  }

  push(timeMs: number, kind: Kind, arg: number): void {
    if (this.count === this.times.length) this.grow();
    const event = this.count++;
    this.times[event] = timeMs;
    this.kinds[event] = kind;
    this.args[event] = arg;
    // Sift up.
    let index = this.size++;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const above = this.heap[parent] as number;
      if (!this.before(event, above)) break;
      this.heap[index] = above;
      index = parent;
    }
    this.heap[index] = event;
  }

  /** The next event's number, or -1; read it with `timeOf`, `kindOf`, `argOf`. */
  pop(): number {
    if (this.size === 0) return -1;
    const top = this.heap[0] as number;
    const last = this.heap[--this.size] as number;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= this.size) break;
      const right = left + 1;
      let child = left;
      if (right < this.size && this.before(this.heap[right] as number, this.heap[left] as number))
        child = right;
      const below = this.heap[child] as number;
      if (!this.before(below, last)) break;
      this.heap[index] = below;
      index = child;
    }
    this.heap[index] = last;
    return top;
  }

  timeOf(event: number): number {
    return this.times[event] as number;
  }

  kindOf(event: number): Kind {
    return this.kinds[event] as Kind;
  }

  argOf(event: number): number {
    return this.args[event] as number;
  }

  private before(a: number, b: number): boolean {
    const ta = this.times[a] as number;
    const tb = this.times[b] as number;
    return ta < tb || (ta === tb && a < b);
  }

  private grow(): void {
    const capacity = this.times.length * 2 + 16;
    const times = new Float64Array(capacity);
    times.set(this.times);
    const kinds = new Uint8Array(capacity);
    kinds.set(this.kinds);
    const args = new Int32Array(capacity);
    args.set(this.args);
    const heap = new Int32Array(capacity);
    heap.set(this.heap);
    this.times = times;
    this.kinds = kinds;
    this.args = args;
    this.heap = heap;
  }
}

export function simulateQueues(input: SimulationInput): SimulationResult {
  const chats = input.chats;
  const pickedUpMs = new Float64Array(chats.length).fill(Number.NaN);
  const abandonedMs = new Float64Array(chats.length).fill(Number.NaN);
  /** The agent serving each chat (for its end), by index into `agents`. */
  const servedBy = new Int32Array(chats.length);
  const away = input.away ?? [];
  const events = new EventQueue(input.agentChanges.length + 2 * away.length + 3 * chats.length + 16);
  /** Agents in order of first appearance: the tie-break of routing. */
  const agents: SimulatedAgent[] = [];
  const agentIndex = new Map<SimulatedAgent, number>();
  const agentsById = new Map<string, SimulatedAgent>();
  const lines = new Map<string, WaitingLine>();
  const teams = new Map<string, TeamCounts>();
  const noTeam: TeamCounts = { members: [], staffed: 0, away: 0, blocked: 0, engaged: 0 };
  const pooled = input.away !== undefined;

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
      agent = {
        id,
        queues: [],
        maxChats: 1,
        staffed: false,
        blocked: false,
        away: 0,
        team: noTeam,
        active: 0,
      };
      agentsById.set(id, agent);
      agentIndex.set(agent, agents.length);
      agents.push(agent);
    }
    return agent;
  };
  const teamOf = (key: string): TeamCounts => {
    let counts = teams.get(key);
    if (counts === undefined) {
      counts = { members: [], staffed: 0, away: 0, blocked: 0, engaged: 0 };
      teams.set(key, counts);
    }
    return counts;
  };
  /** Adds (1) or removes (−1) an agent's part in its team's counts, around a change to the agent. */
  function account(agent: SimulatedAgent, sign: number): void {
    if (!agent.staffed) return;
    const counts = agent.team;
    counts.staffed += sign;
    if (agent.away > 0) counts.away += sign;
    if (agent.blocked) counts.blocked += sign;
    if (agent.active > 0) counts.engaged += sign;
  }
  const rankOf = (queue: string): number => input.queueRank?.get(queue) ?? 0;
  const headStartMs = input.headStartMs ?? Number.POSITIVE_INFINITY;
  const strict = !Number.isFinite(headStartMs);
  const isWaiting = (index: number): boolean =>
    Number.isNaN(pickedUpMs[index] as number) && Number.isNaN(abandonedMs[index] as number);
  /** Whether an idle agent may start: fewer of the team have chats in hand than are available. */
  function teamHasRoom(agent: SimulatedAgent): boolean {
    if (!pooled || agent.active > 0) return true;
    const counts = agent.team;
    return counts.engaged < counts.staffed - counts.away - counts.blocked;
  }
  function takesWork(agent: SimulatedAgent): boolean {
    return (
      agent.staffed &&
      !agent.blocked &&
      agent.active < agent.maxChats &&
      (pooled ? teamHasRoom(agent) : agent.away === 0)
    );
  }

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
    account(agent, -1);
    agent.active += 1;
    account(agent, 1);
    servedBy[index] = agentIndex.get(agent) as number;
    events.push(nowMs + Math.round(chat.holdMs * input.holdTimeFactor), Kind.Done, index);
  }

  /** Gives the agent's free slots to the waiting chats of its queues: earliest due (see `headStartMs`). */
  function fill(agent: SimulatedAgent, nowMs: number): void {
    while (takesWork(agent)) {
      let best: number | undefined;
      let bestRank = 0;
      let bestDueMs = 0;
      for (const queue of agent.queues) {
        const line = lines.get(queue);
        const head = line === undefined ? undefined : headOf(line);
        if (head === undefined) continue;
        const rank = rankOf(queue);
        const arrivalMs = (chats[head] as SimulatedChat).arrivalMs;
        if (strict) {
          if (best === undefined || rank > bestRank || (rank === bestRank && arrivalMs < bestDueMs)) {
            best = head;
            bestRank = rank;
            bestDueMs = arrivalMs;
          }
        } else {
          const dueMs = arrivalMs - rank * headStartMs;
          if (best === undefined || dueMs < bestDueMs) {
            best = head;
            bestDueMs = dueMs;
          }
        }
      }
      if (best === undefined) return;
      pickUp(agent, best, nowMs);
    }
  }

  function fillTeam(team: TeamCounts, nowMs: number): void {
    for (const agent of team.members) {
      if (team.engaged >= team.staffed) return;
      fill(agent, nowMs);
    }
  }

  function arrive(index: number, nowMs: number): void {
    const chat = chats[index] as SimulatedChat;
    let best: SimulatedAgent | undefined;
    for (const agent of agents) {
      if (!agent.queues.includes(chat.queue) || !takesWork(agent)) continue;
      if (best === undefined || agent.active < best.active) best = agent;
    }
    // A chat arriving while others wait joins the line (first come, first served).
    const line = lineOf(chat.queue);
    if (best !== undefined && headOf(line) === undefined) {
      pickUp(best, index, nowMs);
      return;
    }
    line.items.push(index);
    if (Number.isFinite(chat.patienceMs)) events.push(nowMs + chat.patienceMs, Kind.Leave, index);
  }

  function setPresence(
    agent: SimulatedAgent,
    staffed: boolean,
    queues: readonly string[],
    maxChats: number,
    nowMs: number,
  ): void {
    const before = agent.team;
    account(agent, -1);
    agent.staffed = staffed;
    agent.queues = queues;
    agent.maxChats = maxChats;
    const team = teamOf(`${maxChats}|${[...queues].sort().join('|')}`);
    if (team !== agent.team) {
      if (!team.members.includes(agent)) team.members.push(agent);
      agent.team = team;
    }
    account(agent, 1);
    fill(agent, nowMs);
    // Leaving may free room in the team for a member who is not away.
    if (pooled && !staffed) fillTeam(before, nowMs);
  }

  // Scheduling order is the tie-break at equal times: presence, added, removed, away, arrivals.
  input.agentChanges.forEach((change, index) => events.push(change.tsMs, Kind.Presence, index));
  /** Added agents, created now (so they come first in routing order), with their group. */
  const addedAgents: { agent: SimulatedAgent; added: AddedAgents }[] = [];
  input.added.forEach((added, group) => {
    for (let number = 1; number <= added.count; number += 1) {
      const slot = addedAgents.length;
      addedAgents.push({ agent: agentOf(`what-if-${group + 1}-${added.queue}-${number}`), added });
      events.push(added.fromMs, Kind.AddedOn, slot);
      events.push(added.toMs, Kind.AddedOff, slot);
    }
  });
  const taken: SimulatedAgent[][] = input.removed.map(() => []);
  input.removed.forEach((removed, index) => {
    events.push(removed.fromMs, Kind.RemovedOn, index);
    events.push(removed.toMs, Kind.RemovedOff, index);
  });
  away.forEach((span, index) => {
    events.push(span.fromMs, Kind.AwayOn, index);
    if (Number.isFinite(span.toMs)) events.push(span.toMs, Kind.AwayOff, index);
  });
  chats.forEach((chat, index) => events.push(chat.arrivalMs, Kind.Arrive, index));

  for (let event = events.pop(); event !== -1; event = events.pop()) {
    const nowMs = events.timeOf(event);
    const arg = events.argOf(event);
    switch (events.kindOf(event)) {
      case Kind.Presence: {
        const change = input.agentChanges[arg] as AgentChange;
        setPresence(agentOf(change.agentId), change.staffed, change.queues, change.maxChats, nowMs);
        break;
      }
      case Kind.AddedOn:
      case Kind.AddedOff: {
        const { agent, added } = addedAgents[arg] as { agent: SimulatedAgent; added: AddedAgents };
        setPresence(agent, events.kindOf(event) === Kind.AddedOn, [added.queue], added.maxChats, nowMs);
        break;
      }
      case Kind.RemovedOn: {
        const removed = input.removed[arg] as RemovedAgents;
        const chosen = agents
          .filter((agent) => agent.staffed && !agent.blocked && agent.queues.includes(removed.queue))
          .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
          .slice(0, removed.count);
        taken[arg] = chosen;
        for (const agent of chosen) {
          account(agent, -1);
          agent.blocked = true;
          account(agent, 1);
        }
        break;
      }
      case Kind.RemovedOff:
        for (const agent of taken[arg] as SimulatedAgent[]) {
          account(agent, -1);
          agent.blocked = false;
          account(agent, 1);
          fill(agent, nowMs);
          if (pooled) fillTeam(agent.team, nowMs);
        }
        break;
      case Kind.AwayOn: {
        const agent = agentOf((away[arg] as AwaySpan).agentId);
        account(agent, -1);
        agent.away += 1;
        account(agent, 1);
        break;
      }
      case Kind.AwayOff: {
        const agent = agentOf((away[arg] as AwaySpan).agentId);
        account(agent, -1);
        agent.away -= 1;
        account(agent, 1);
        if (agent.staffed) fillTeam(agent.team, nowMs);
        break;
      }
      case Kind.Arrive:
        arrive(arg, nowMs);
        break;
      case Kind.Done: {
        const agent = agents[servedBy[arg] as number] as SimulatedAgent;
        account(agent, -1);
        agent.active -= 1;
        account(agent, 1);
        fill(agent, nowMs);
        break;
      }
      case Kind.Leave:
        if (isWaiting(arg)) abandonedMs[arg] = nowMs;
        break;
    }
  }
  return { pickedUpMs, abandonedMs };
}
