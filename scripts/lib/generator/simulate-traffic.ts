/**
 * The traffic simulation: one discrete-event loop for all shops. Arrivals (orders, refunds,
 * chats) are non-homogeneous Poisson processes; chats wait in a FIFO queue per shop and queue
 * until an agent on shift has a free slot, so waits and abandons emerge from arrivals versus
 * agents × max_chats instead of being drawn; refunds wait for the refund desk's first response,
 * after which their path-specific lifecycle is scheduled ahead. Events are yielded in time order
 * as the loop reaches them, so memory holds only what is still pending, never the whole output.
 */
import type { AgentStatus, ClosedBy, RefundPath } from '../../../server/events/index.ts';
import { createLocalTime, type LocalTime } from './local-time.ts';
import { createRandom, hashUnit, type Random } from './random.ts';
import { createShopRoster, type Shift, type ShopRoster, type StaffedQueue } from './roster.ts';
import { Scheduler } from './scheduler.ts';
import {
  DAILY_ARRIVALS_AT_SCALE_1,
  TRAFFIC_STREAMS,
  trafficLevel,
  type ProfileContext,
  type TrafficStream,
} from './traffic-profile.ts';
import type { GeneratedEvent, WireEvent } from './wire-event.ts';

export interface TrafficOptions {
  seed: number;
  /** First instant simulated (inclusive), epoch ms. */
  startMs: number;
  /** End of the simulation (exclusive), epoch ms; Infinity runs for ever (live mode). */
  endMs: number;
  /** Local day number (days since 1970-01-01 in `timeZone`) of the peak day; undefined: no peak. */
  peakDayNumber: number | undefined;
  shops: readonly string[];
  /** Volume multiplier; 1 gives 80–100k events per shop on a normal day. */
  scale: number;
  /** IANA zone of the business, used for `ts` offsets and the daily curve. */
  timeZone: string;
  /** Prepended to every event and entity id, so two live runs never share ids. Default ''. */
  idPrefix?: string;
}

type ChatQueueName = 'presale' | 'aftersale';

const MINUTE_MS = 60_000;
const SECOND_MS = 1_000;
const HOUR_MS = 3_600_000;
/** EVENTS.md: replays carry a clock.tick at least every 5 simulated minutes. */
export const TICK_INTERVAL_MS = 5 * MINUTE_MS;
/** Recent orders remembered per shop so refunds point at real, recent orders. */
const ORDER_MEMORY = 1 << 17;

interface Agent {
  id: string;
  queue: StaffedQueue;
  maxChats: number;
  active: number;
  /** True while on shift and not on a break: may receive new work. */
  accepting: boolean;
  ended: boolean;
  shownStatus: AgentStatus;
  /** When the work already given to this agent ends; breaks and sign-off wait for it. */
  busyUntilMs: number;
}

interface Chat {
  id: string;
  state: 'waiting' | 'assigned' | 'closed';
  /** Latest customer message so far: an agent's reply is never earlier. */
  lastCustomerMessageMs: number;
  transferred: boolean;
}

interface WaitingLine<T> {
  items: T[];
  head: number;
}

interface Refund {
  id: string;
  orderId: string;
  path: RefundPath;
  /** The path the refund completes under, after any path edit. */
  finalPath: RefundPath;
  pathEditMs: number;
  reason: string;
  amount: number;
  requestedMs: number;
  responded: boolean;
  closed: boolean;
}

interface ShopState {
  index: number;
  name: string;
  random: Random;
  profile: ProfileContext;
  dailyArrivals: Record<TrafficStream, number>;
  roster: ShopRoster;
  eventCount: number;
  orderCount: number;
  prehistoryOrderCount: number;
  refundCount: number;
  chatCount: number;
  waybillCount: number;
  recentOrderAmounts: Float64Array;
  chatLines: Record<ChatQueueName, WaitingLine<Chat>>;
  chatAgents: Record<ChatQueueName, Agent[]>;
  refundLine: WaitingLine<Refund>;
  deskAgents: Agent[];
  /** Refund-desk agent ids of the current day, for responses after the first. */
  deskAgentIds: string[];
}

const REASONS_BY_PATH: Readonly<Record<RefundPath, Readonly<Record<string, number>>>> = {
  unshipped: { no_reason_7d: 0.5, other: 0.3, logistics: 0.15, quality: 0.05 },
  in_transit: { logistics: 0.4, no_reason_7d: 0.35, other: 0.15, quality: 0.1 },
  received_refund_only: { quality: 0.4, not_as_described: 0.3, wrong_item: 0.1, logistics: 0.1, other: 0.1 },
  return_refund: { no_reason_7d: 0.4, quality: 0.25, not_as_described: 0.2, wrong_item: 0.1, other: 0.05 },
};
const PATH_SHARES: Readonly<Record<RefundPath, number>> = {
  unshipped: 0.4,
  in_transit: 0.15,
  received_refund_only: 0.12,
  return_refund: 0.33,
};
/** On the peak day most refunds are cancellations of orders placed in the rush. */
const PEAK_PATH_SHARES: Readonly<Record<RefundPath, number>> = {
  unshipped: 0.6,
  in_transit: 0.1,
  received_refund_only: 0.08,
  return_refund: 0.22,
};
const CARRIERS = ['SF', 'YT', 'ZT', 'JD'] as const;

function roundMoney(value: number): number {
  return Math.round(value * 100) / 100;
}

function clamp(value: number, min: number, max: number): number {
  return value < min ? min : value > max ? max : value;
}

/**
 * Simulated traffic in time order. Pure apart from its own state: the same options give the
 * same events. Events due at or after `endMs` are never produced (refund lifecycles that would
 * finish after the end simply stay open).
 */
export function* simulateTraffic(options: TrafficOptions): Generator<GeneratedEvent, void, undefined> {
  const scheduler = new Scheduler();
  const localTime: LocalTime = createLocalTime(options.timeZone);
  const idPrefix = options.idPrefix ?? '';
  const { startMs, endMs } = options;

  const shops: ShopState[] = options.shops.map((name, index) => {
    // Shops differ in size (±15%) but share the curve, as two stores on one platform do.
    const size = 0.85 + 0.3 * hashUnit(options.seed, index, 0x5109);
    const dailyArrivals = {} as Record<TrafficStream, number>;
    for (const stream of TRAFFIC_STREAMS)
      dailyArrivals[stream] = DAILY_ARRIVALS_AT_SCALE_1[stream] * size * options.scale;
    return {
      index,
      name,
      random: createRandom(options.seed, index + 1),
      profile: { seed: options.seed, shopIndex: index, peakDayNumber: options.peakDayNumber },
      dailyArrivals,
      roster: createShopRoster({ seed: options.seed, shopIndex: index, dailyArrivals, idPrefix }),
      eventCount: 0,
      orderCount: 0,
      prehistoryOrderCount: 0,
      refundCount: 0,
      chatCount: 0,
      waybillCount: 0,
      recentOrderAmounts: new Float64Array(ORDER_MEMORY),
      chatLines: { presale: { items: [], head: 0 }, aftersale: { items: [], head: 0 } },
      chatAgents: { presale: [], aftersale: [] },
      refundLine: { items: [], head: 0 },
      deskAgents: [],
      deskAgentIds: [],
    };
  });

  // ---- event construction -------------------------------------------------------------------

  /**
   * The next event id of a shop. Ids count per shop, so adding a shop never renumbers another.
   * Events are built as literals with the envelope first (`id, type, ts, shop`, as EVENTS.md
   * lists them); `ts` is filled in when the event is written and its time is final.
   */
  function nextId(shop: ShopState): string {
    shop.eventCount++;
    return `${idPrefix}${shop.name}-${shop.eventCount}`;
  }

  function emit(timeMs: number, event: WireEvent): void {
    // Anything due at or after the end would never be written; not scheduling it keeps the heap small.
    if (timeMs < endMs) scheduler.emitAt(timeMs, event);
  }

  function runAt(timeMs: number, action: () => void): void {
    if (timeMs < endMs) scheduler.runAt(timeMs, action);
  }

  // ---- arrivals -----------------------------------------------------------------------------

  const rateCache = new Map<string, { minute: number; perMs: number }>();

  function ratePerMs(shop: ShopState, stream: TrafficStream, timeMs: number): number {
    const key = `${shop.index}:${stream}`;
    const minute = Math.floor(timeMs / MINUTE_MS);
    let cached = rateCache.get(key);
    if (cached === undefined) {
      cached = { minute: NaN, perMs: 0 };
      rateCache.set(key, cached);
    }
    if (cached.minute !== minute) {
      const position = localTime.position(timeMs);
      const level = trafficLevel(
        shop.profile,
        stream,
        position.dayNumber,
        position.minuteOfDay,
        position.weekday,
      );
      cached.minute = minute;
      cached.perMs = ((shop.dailyArrivals[stream] / 1440) * level) / MINUTE_MS;
    }
    return cached.perMs;
  }

  /**
   * Next arrival after `fromMs` of a Poisson process whose rate is constant within each minute:
   * an Exp(1) amount of "intensity" is spent minute by minute, which is exact for that rate.
   */
  function nextArrivalMs(shop: ShopState, stream: TrafficStream, fromMs: number): number {
    let remaining = shop.random.exponential(1);
    let timeMs = fromMs;
    while (timeMs < endMs) {
      const minuteEndMs = (Math.floor(timeMs / MINUTE_MS) + 1) * MINUTE_MS;
      const rate = ratePerMs(shop, stream, timeMs);
      const intensity = rate * (minuteEndMs - timeMs);
      if (intensity >= remaining) return Math.floor(timeMs + remaining / rate);
      remaining -= intensity;
      timeMs = minuteEndMs;
    }
    return Infinity;
  }

  function startArrivals(
    shop: ShopState,
    stream: TrafficStream,
    onArrival: (shop: ShopState, timeMs: number) => void,
  ): void {
    const step = (fromMs: number): void => {
      const atMs = nextArrivalMs(shop, stream, fromMs);
      runAt(atMs, () => {
        onArrival(shop, atMs);
        step(atMs);
      });
    };
    step(startMs);
  }

  // ---- orders -------------------------------------------------------------------------------

  function onOrder(shop: ShopState, timeMs: number): void {
    const number = ++shop.orderCount;
    // Apparel baskets: median ¥129, long right tail.
    const amount = roundMoney(clamp(shop.random.logNormal(129, 0.6), 9.9, 2999));
    shop.recentOrderAmounts[number % ORDER_MEMORY] = amount;
    emit(timeMs, {
      id: nextId(shop),
      type: 'order.paid',
      ts: '',
      shop: shop.name,
      order_id: `${idPrefix}o${number}`,
      amount,
    });
  }

  /** A recent order for a refund: unshipped refunds follow orders within hours, returns within days. */
  function pickOrder(shop: ShopState, path: RefundPath): { orderId: string; amount: number } {
    const window = path === 'unshipped' ? 3_000 : path === 'in_transit' ? 30_000 : ORDER_MEMORY;
    const known = Math.min(shop.orderCount, ORDER_MEMORY, window);
    if (known === 0) {
      // Before the first simulated order: an order paid before the file starts.
      shop.prehistoryOrderCount++;
      return {
        orderId: `${idPrefix}o-pre${shop.prehistoryOrderCount}`,
        amount: roundMoney(clamp(shop.random.logNormal(129, 0.6), 9.9, 2999)),
      };
    }
    const number = shop.orderCount - Math.floor(shop.random.next() * known);
    return { orderId: `${idPrefix}o${number}`, amount: shop.recentOrderAmounts[number % ORDER_MEMORY] ?? 0 };
  }

  // ---- agents and shifts --------------------------------------------------------------------

  function agentStatus(shop: ShopState, agent: Agent, status: AgentStatus, atMs: number): void {
    agent.shownStatus = status;
    const queues = [agent.queue];
    // The refund desk does not take chats, so its agents carry no max_chats.
    const event: WireEvent =
      agent.queue === 'refund'
        ? {
            id: nextId(shop),
            type: 'agent.status',
            ts: '',
            shop: shop.name,
            agent_id: agent.id,
            status,
            queues,
          }
        : {
            id: nextId(shop),
            type: 'agent.status',
            ts: '',
            shop: shop.name,
            agent_id: agent.id,
            status,
            queues,
            max_chats: agent.maxChats,
          };
    emit(atMs, event);
  }

  /** Chat agents show `busy` while every slot is taken and `online` otherwise; both count as staffed. */
  function refreshChatStatus(shop: ShopState, agent: Agent, nowMs: number): void {
    if (!agent.accepting || agent.queue === 'refund') return;
    const wanted: AgentStatus = agent.active >= agent.maxChats ? 'busy' : 'online';
    if (wanted !== agent.shownStatus) agentStatus(shop, agent, wanted, nowMs);
  }

  function agentsOf(shop: ShopState, queue: StaffedQueue): Agent[] {
    return queue === 'refund' ? shop.deskAgents : shop.chatAgents[queue];
  }

  function dispatchQueue(shop: ShopState, queue: StaffedQueue, nowMs: number): void {
    if (queue === 'refund') dispatchRefunds(shop, nowMs);
    else dispatchChats(shop, queue, nowMs);
  }

  function startShift(shop: ShopState, shift: Shift, dayStartMs: number): void {
    const shiftStartMs = dayStartMs + shift.startMinute * MINUTE_MS;
    const shiftEndMs = dayStartMs + shift.endMinute * MINUTE_MS;
    if (shiftEndMs <= startMs) return;
    const onMs = Math.max(shiftStartMs, startMs);
    const agent: Agent = {
      id: shift.agentId,
      queue: shift.queue,
      maxChats: shift.maxChats,
      active: 0,
      accepting: false,
      ended: false,
      shownStatus: 'offline',
      busyUntilMs: onMs,
    };
    runAt(onMs, () => {
      agent.accepting = true;
      agentsOf(shop, agent.queue).push(agent);
      agentStatus(shop, agent, 'online', onMs);
      dispatchQueue(shop, agent.queue, onMs);
    });
    if (shift.breakStartMinute !== undefined) {
      const breakMs = dayStartMs + shift.breakStartMinute * MINUTE_MS;
      if (breakMs > onMs) {
        runAt(breakMs, () => {
          agent.accepting = false;
          // Agents finish the conversations they hold before stepping away.
          const awayMs = Math.max(breakMs, agent.busyUntilMs);
          runAt(awayMs, () => {
            if (agent.ended) return;
            agentStatus(shop, agent, 'away', awayMs);
            const backMs = awayMs + shift.breakMinutes * MINUTE_MS;
            runAt(backMs, () => {
              if (agent.ended) return;
              agent.accepting = true;
              agentStatus(shop, agent, 'online', backMs);
              dispatchQueue(shop, agent.queue, backMs);
            });
          });
        });
      }
    }
    runAt(shiftEndMs, () => {
      agent.accepting = false;
      const offMs = Math.max(shiftEndMs, agent.busyUntilMs);
      runAt(offMs, () => {
        agent.ended = true;
        agentStatus(shop, agent, 'offline', offMs);
        const agents = agentsOf(shop, agent.queue);
        const position = agents.indexOf(agent);
        if (position >= 0) agents.splice(position, 1);
      });
    });
  }

  function planDay(shop: ShopState, dayNumber: number): void {
    const dayStartMs = localTime.midnightMs(dayNumber);
    const offset = options.peakDayNumber === undefined ? undefined : dayNumber - options.peakDayNumber;
    const shifts = shop.roster.shiftsFor(dayNumber, offset);
    shop.deskAgentIds = shifts.filter((shift) => shift.queue === 'refund').map((shift) => shift.agentId);
    for (const shift of shifts) startShift(shop, shift, dayStartMs);
    runAt(localTime.midnightMs(dayNumber + 1), () => planDay(shop, dayNumber + 1));
  }

  /** The free agent with the fewest items in hand (ties: longest on the list), or undefined. */
  function freeAgent(agents: readonly Agent[]): Agent | undefined {
    let best: Agent | undefined;
    for (const agent of agents) {
      if (!agent.accepting || agent.active >= agent.maxChats) continue;
      if (best === undefined || agent.active < best.active) best = agent;
    }
    return best;
  }

  function peekWaiting<T>(line: WaitingLine<T>): T | undefined {
    return line.items[line.head];
  }

  function shiftWaiting<T>(line: WaitingLine<T>): void {
    line.head++;
    // Compact now and then so a long day does not keep every served item alive.
    if (line.head > 1024 && line.head * 2 > line.items.length) {
      line.items = line.items.slice(line.head);
      line.head = 0;
    }
  }

  /** Frees one of the agent's slots at `atMs` and hands the slot to whoever waits. */
  function releaseAt(shop: ShopState, agent: Agent, atMs: number): void {
    agent.busyUntilMs = Math.max(agent.busyUntilMs, atMs);
    runAt(atMs, () => {
      agent.active--;
      dispatchQueue(shop, agent.queue, atMs);
      refreshChatStatus(shop, agent, atMs);
    });
  }

  // ---- chats --------------------------------------------------------------------------------

  /**
   * Minutes a customer is willing to wait: a fifth leave within a few minutes, the rest wait
   * 25 minutes on average. On the peak day shoppers expect a queue (the chat window shows their
   * place) and the patient ones hold on for 90 minutes on average. The wait is then where
   * patient arrivals × P(patience > wait) meet capacity, ~40 minutes on an understaffed peak
   * evening; with the normal-day patience it would settle near 20 and no wait would pass 30.
   */
  function patienceMs(random: Random, nowMs: number): number {
    const minutes = random.chance(0.2)
      ? random.exponential(2.5)
      : random.exponential(isPeakDay(nowMs) ? 90 : 25);
    return Math.floor(minutes * MINUTE_MS);
  }

  function joinChatLine(shop: ShopState, chat: Chat, queue: ChatQueueName, nowMs: number): void {
    chat.state = 'waiting';
    shop.chatLines[queue].items.push(chat);
    const random = shop.random;
    const giveUpMs = Math.max(chat.lastCustomerMessageMs + 10 * SECOND_MS, nowMs + patienceMs(random, nowMs));
    runAt(giveUpMs, () => {
      if (chat.state !== 'waiting') return;
      // Closed without an agent message: an abandoned chat.
      chat.state = 'closed';
      emit(giveUpMs, { id: nextId(shop), type: 'chat.closed', ts: '', shop: shop.name, chat_id: chat.id });
    });
    if (random.chance(0.6)) {
      const nudgeMs = nowMs + random.integer(90, 240) * SECOND_MS;
      runAt(nudgeMs, () => {
        if (chat.state !== 'waiting') return;
        chat.lastCustomerMessageMs = nudgeMs;
        emit(nudgeMs, {
          id: nextId(shop),
          type: 'chat.message',
          ts: '',
          shop: shop.name,
          chat_id: chat.id,
          from: 'customer',
        });
      });
    }
    dispatchChats(shop, queue, nowMs);
  }

  function onChat(shop: ShopState, queue: ChatQueueName, timeMs: number): void {
    const number = ++shop.chatCount;
    const chat: Chat = {
      id: `${idPrefix}c${number}`,
      state: 'waiting',
      lastCustomerMessageMs: timeMs + shop.random.integer(1, 20) * SECOND_MS,
      transferred: false,
    };
    emit(timeMs, {
      id: nextId(shop),
      type: 'chat.started',
      ts: '',
      shop: shop.name,
      chat_id: chat.id,
      queue,
      customer_id: `${idPrefix}u${number}`,
    });
    emit(chat.lastCustomerMessageMs, {
      id: nextId(shop),
      type: 'chat.message',
      ts: '',
      shop: shop.name,
      chat_id: chat.id,
      from: 'customer',
    });
    joinChatLine(shop, chat, queue, timeMs);
  }

  function dispatchChats(shop: ShopState, queue: ChatQueueName, nowMs: number): void {
    const line = shop.chatLines[queue];
    for (;;) {
      const chat = peekWaiting(line);
      if (chat === undefined) return;
      if (chat.state !== 'waiting') {
        shiftWaiting(line);
        continue;
      }
      const agent = freeAgent(shop.chatAgents[queue]);
      if (agent === undefined) return;
      shiftWaiting(line);
      assignChat(shop, chat, agent, queue, nowMs);
    }
  }

  /** Routes a chat to an agent and plays the conversation out, ahead of time. */
  function assignChat(shop: ShopState, chat: Chat, agent: Agent, queue: ChatQueueName, nowMs: number): void {
    const random = shop.random;
    chat.state = 'assigned';
    agent.active++;
    refreshChatStatus(shop, agent, nowMs);
    const assignedMs = nowMs + random.integer(200, 2500);
    emit(assignedMs, {
      id: nextId(shop),
      type: 'chat.assigned',
      ts: '',
      shop: shop.name,
      chat_id: chat.id,
      agent_id: agent.id,
    });

    if (random.chance(0.03)) {
      // The customer left just as the agent picked up: closed without an agent message.
      const closedMs = assignedMs + random.integer(5, 30) * SECOND_MS;
      emit(closedMs, { id: nextId(shop), type: 'chat.closed', ts: '', shop: shop.name, chat_id: chat.id });
      chat.state = 'closed';
      releaseAt(shop, agent, closedMs);
      return;
    }
    // Replies slow down when an agent juggles several chats.
    const replyMs = (): number =>
      Math.floor(random.integer(15, 75) * SECOND_MS * (1 + 0.3 * (agent.active - 1)));
    let timeMs = Math.max(assignedMs, chat.lastCustomerMessageMs) + replyMs();
    const agentMessage = (atMs: number): void =>
      emit(atMs, {
        id: nextId(shop),
        type: 'chat.message',
        ts: '',
        shop: shop.name,
        chat_id: chat.id,
        from: 'agent',
        agent_id: agent.id,
      });
    agentMessage(timeMs);

    const exchanges = Math.min(8, Math.floor(random.exponential(2.5)));
    const transferTo: ChatQueueName | undefined =
      chat.transferred || !random.chance(queue === 'presale' ? 0.04 : 0.015)
        ? undefined
        : queue === 'presale'
          ? 'aftersale'
          : 'presale';
    const spokenExchanges = transferTo === undefined ? exchanges : Math.min(exchanges, 1);
    for (let exchange = 0; exchange < spokenExchanges; exchange++) {
      timeMs += random.integer(20, 150) * SECOND_MS;
      emit(timeMs, {
        id: nextId(shop),
        type: 'chat.message',
        ts: '',
        shop: shop.name,
        chat_id: chat.id,
        from: 'customer',
      });
      timeMs += replyMs();
      agentMessage(timeMs);
    }
    chat.lastCustomerMessageMs = timeMs;
    if (transferTo !== undefined) {
      const transferMs = timeMs + random.integer(20, 60) * SECOND_MS;
      emit(transferMs, {
        id: nextId(shop),
        type: 'chat.transferred',
        ts: '',
        shop: shop.name,
        chat_id: chat.id,
        queue: transferTo,
      });
      releaseAt(shop, agent, transferMs);
      runAt(transferMs, () => {
        chat.transferred = true;
        chat.lastCustomerMessageMs = transferMs;
        joinChatLine(shop, chat, transferTo, transferMs);
      });
      return;
    }
    const closedMs = timeMs + random.integer(20, 180) * SECOND_MS;
    emit(closedMs, { id: nextId(shop), type: 'chat.closed', ts: '', shop: shop.name, chat_id: chat.id });
    releaseAt(shop, agent, closedMs);
  }

  // ---- refunds ------------------------------------------------------------------------------

  function isPeakDay(timeMs: number): boolean {
    return (
      options.peakDayNumber !== undefined && localTime.position(timeMs).dayNumber === options.peakDayNumber
    );
  }

  function onRefund(shop: ShopState, timeMs: number): void {
    const random = shop.random;
    const path = random.weighted(isPeakDay(timeMs) ? PEAK_PATH_SHARES : PATH_SHARES);
    const reason = random.weighted(REASONS_BY_PATH[path]);
    const order = pickOrder(shop, path);
    const refund: Refund = {
      id: `${idPrefix}r${++shop.refundCount}`,
      orderId: order.orderId,
      path,
      finalPath: path,
      pathEditMs: timeMs,
      reason,
      amount: order.amount,
      requestedMs: timeMs,
      responded: false,
      closed: false,
    };
    emit(timeMs, {
      id: nextId(shop),
      type: 'refund.requested',
      ts: '',
      shop: shop.name,
      refund_id: refund.id,
      order_id: refund.orderId,
      path,
      reason,
      amount: refund.amount,
    });
    if (path === 'unshipped' && random.chance(0.04)) {
      // The parcel left the warehouse while the request was open: the buyer switches paths.
      refund.finalPath = 'in_transit';
      refund.pathEditMs = timeMs + random.integer(2, 20) * MINUTE_MS;
      emit(refund.pathEditMs, {
        id: nextId(shop),
        type: 'refund.updated',
        ts: '',
        shop: shop.name,
        refund_id: refund.id,
        path: 'in_transit',
      });
    }
    if (random.chance(0.06)) {
      // Some buyers withdraw a request nobody has answered yet.
      const withdrawMs = timeMs + MINUTE_MS + Math.floor(random.exponential(90) * MINUTE_MS);
      runAt(withdrawMs, () => {
        if (refund.responded || refund.closed) return;
        refund.closed = true;
        emit(withdrawMs, {
          id: nextId(shop),
          type: 'refund.closed',
          ts: '',
          shop: shop.name,
          refund_id: refund.id,
          by: 'buyer',
        });
      });
    }
    shop.refundLine.items.push(refund);
    dispatchRefunds(shop, timeMs);
  }

  function dispatchRefunds(shop: ShopState, nowMs: number): void {
    const line = shop.refundLine;
    for (;;) {
      const refund = peekWaiting(line);
      if (refund === undefined) return;
      if (refund.closed) {
        shiftWaiting(line);
        continue;
      }
      const agent = freeAgent(shop.deskAgents);
      if (agent === undefined) return;
      shiftWaiting(line);
      agent.active++;
      const respondedMs = nowMs + Math.floor(clamp(shop.random.logNormal(2, 0.6), 0.3, 20) * MINUTE_MS);
      releaseAt(shop, agent, respondedMs);
      runAt(respondedMs, () => {
        if (refund.closed) return;
        refund.responded = true;
        emit(respondedMs, {
          id: nextId(shop),
          type: 'refund.responded',
          ts: '',
          shop: shop.name,
          refund_id: refund.id,
          agent_id: agent.id,
        });
        planRefundLifecycle(shop, refund, respondedMs);
      });
    }
  }

  function deskAgentId(shop: ShopState): string {
    return shop.deskAgentIds.length > 0 ? shop.random.pick(shop.deskAgentIds) : `${idPrefix}desk-01`;
  }

  /**
   * Everything after the first response, by the path the refund completes under:
   * unshipped within hours, in transit about a day, received refund-only 1–2 days (some
   * disputes), return-refund 2–6 days (waybill, warehouse sign-off, then the money).
   */
  function planRefundLifecycle(shop: ShopState, refund: Refund, respondedMs: number): void {
    const random = shop.random;
    const steps: Array<{ atMs: number; event: WireEvent }> = [];
    const step = (atMs: number, event: WireEvent): void => {
      steps.push({ atMs, event });
    };
    const succeed = (atMs: number, amount: number): void =>
      step(atMs, {
        id: nextId(shop),
        type: 'refund.succeeded',
        ts: '',
        shop: shop.name,
        refund_id: refund.id,
        amount: roundMoney(amount),
      });
    const close = (atMs: number, by: ClosedBy): void =>
      step(atMs, {
        id: nextId(shop),
        type: 'refund.closed',
        ts: '',
        shop: shop.name,
        refund_id: refund.id,
        by,
      });
    const respondAgain = (atMs: number): void =>
      step(atMs, {
        id: nextId(shop),
        type: 'refund.responded',
        ts: '',
        shop: shop.name,
        refund_id: refund.id,
        agent_id: deskAgentId(shop),
      });

    let path = refund.finalPath;
    let amount = refund.amount;
    let fromMs = Math.max(respondedMs, refund.pathEditMs);
    // Edits the buyer makes after talking to the merchant.
    if (path === 'received_refund_only' && random.chance(0.1)) {
      path = 'return_refund';
      fromMs += random.integer(30, 360) * MINUTE_MS;
      step(fromMs, {
        id: nextId(shop),
        type: 'refund.updated',
        ts: '',
        shop: shop.name,
        refund_id: refund.id,
        path,
      });
    } else if (path === 'return_refund' && random.chance(0.05)) {
      // The merchant offers a partial refund so the buyer keeps the goods.
      path = 'received_refund_only';
      amount = roundMoney(amount * random.between(0.2, 0.5));
      fromMs += random.integer(60, 720) * MINUTE_MS;
      step(fromMs, {
        id: nextId(shop),
        type: 'refund.updated',
        ts: '',
        shop: shop.name,
        refund_id: refund.id,
        path,
        amount,
      });
    }

    const hours = (median: number, sigma: number, min: number, max: number): number =>
      Math.floor(clamp(random.logNormal(median, sigma), min, max) * HOUR_MS);
    let completedMs: number;
    switch (path) {
      case 'unshipped': {
        const roll = random.next();
        completedMs = fromMs + hours(0.35, 1.0, 0.02, 6);
        if (roll < 0.88) succeed(completedMs, amount);
        else if (roll < 0.95) close(completedMs, 'buyer');
        else close(completedMs, 'merchant');
        break;
      }
      case 'in_transit': {
        const roll = random.next();
        if (roll < 0.03) {
          const escalatedMs = fromMs + hours(10, 0.5, 2, 30);
          step(escalatedMs, {
            id: nextId(shop),
            type: 'refund.escalated',
            ts: '',
            shop: shop.name,
            refund_id: refund.id,
          });
          completedMs = escalatedMs + hours(18, 0.4, 4, 48);
          if (random.chance(0.6)) succeed(completedMs, amount);
          else close(completedMs, 'platform');
        } else {
          completedMs = fromMs + hours(20, 0.35, 3, 60);
          if (roll < 0.85) succeed(completedMs, amount);
          else if (roll < 0.96) close(completedMs, 'buyer');
          else close(completedMs, 'merchant');
        }
        break;
      }
      case 'received_refund_only': {
        // Compensation rather than a full refund, unless an edit already set the amount.
        const offered = amount === refund.amount ? roundMoney(amount * random.between(0.1, 0.5)) : amount;
        if (random.chance(0.15)) {
          const escalatedMs = fromMs + hours(12, 0.5, 3, 30);
          step(escalatedMs, {
            id: nextId(shop),
            type: 'refund.escalated',
            ts: '',
            shop: shop.name,
            refund_id: refund.id,
          });
          if (random.chance(0.5)) respondAgain(escalatedMs + hours(2, 0.8, 0.1, 12));
          completedMs = escalatedMs + hours(20, 0.4, 6, 40);
          const roll = random.next();
          if (roll < 0.5) succeed(completedMs, amount);
          else if (roll < 0.8) close(completedMs, 'platform');
          else close(completedMs, 'buyer');
        } else {
          completedMs = fromMs + hours(30, 0.3, 12, 60);
          const roll = random.next();
          if (roll < 0.75) succeed(completedMs, offered);
          else if (roll < 0.9) close(completedMs, 'merchant');
          else close(completedMs, 'buyer');
        }
        break;
      }
      case 'return_refund': {
        if (random.chance(0.1)) {
          // The buyer never ships the goods back: withdrawn, or closed by the platform's deadline.
          if (random.chance(0.6)) {
            completedMs = fromMs + hours(36, 0.4, 6, 72);
            close(completedMs, 'buyer');
          } else {
            completedMs = fromMs + 7 * 24 * HOUR_MS;
            close(completedMs, 'platform');
          }
          break;
        }
        const shippedMs = fromMs + hours(14, 0.7, 1, 72);
        const carrier = random.pick(CARRIERS);
        // 48271 is prime to 10^12, so counter × 48271 mod 10^12 never repeats a waybill in a shop.
        const waybillNumber = (++shop.waybillCount * 48271) % 1e12;
        const waybill = `${carrier}${String(waybillNumber).padStart(12, '0')}`;
        step(shippedMs, {
          id: nextId(shop),
          type: 'refund.return_shipped',
          ts: '',
          shop: shop.name,
          refund_id: refund.id,
          waybill,
        });
        const receivedMs = shippedMs + hours(48, 0.3, 20, 100);
        step(receivedMs, {
          id: nextId(shop),
          type: 'refund.goods_received',
          ts: '',
          shop: shop.name,
          refund_id: refund.id,
        });
        const roll = random.next();
        if (roll < 0.05) {
          // Rejected at inspection, the buyer disputes it.
          const escalatedMs = receivedMs + hours(8, 0.6, 1, 24);
          step(escalatedMs, {
            id: nextId(shop),
            type: 'refund.escalated',
            ts: '',
            shop: shop.name,
            refund_id: refund.id,
          });
          completedMs = escalatedMs + hours(20, 0.4, 6, 48);
          if (random.chance(0.5)) succeed(completedMs, amount);
          else close(completedMs, 'platform');
        } else if (roll < 0.1) {
          completedMs = receivedMs + hours(4, 0.6, 0.5, 24);
          close(completedMs, 'merchant');
        } else {
          if (random.chance(0.7)) respondAgain(receivedMs + hours(0.5, 0.8, 0.05, 4));
          completedMs = receivedMs + hours(3, 0.7, 0.1, 20);
          succeed(completedMs, amount);
        }
        break;
      }
    }
    // Quality reasons are edited away (often at the merchant's request) before completion; the
    // product-experience rate still counts them by the first reason, the quality rate does not.
    const isQuality = refund.reason === 'quality' || refund.reason === 'not_as_described';
    if (isQuality && (path === 'received_refund_only' || path === 'return_refund') && random.chance(0.15)) {
      const editMs = respondedMs + Math.floor((completedMs - respondedMs) * random.between(0.05, 0.8));
      step(editMs, {
        id: nextId(shop),
        type: 'refund.updated',
        ts: '',
        shop: shop.name,
        refund_id: refund.id,
        reason: 'no_reason_7d',
      });
    } else if (random.chance(0.03)) {
      const editMs = respondedMs + Math.floor((completedMs - respondedMs) * random.between(0.05, 0.5));
      step(editMs, {
        id: nextId(shop),
        type: 'refund.updated',
        ts: '',
        shop: shop.name,
        refund_id: refund.id,
        reason: random.pick(['other', 'logistics', 'wrong_item']),
      });
    }
    for (const { atMs, event } of steps) emit(atMs, event);
  }

  // ---- clock ------------------------------------------------------------------------------

  function tick(shop: ShopState, atMs: number): void {
    emit(atMs, { id: nextId(shop), type: 'clock.tick', ts: '', shop: shop.name });
    // Ticks sit on 5-minute boundaries after the first, whatever minute the run began at.
    const nextMs = (Math.floor(atMs / TICK_INTERVAL_MS) + 1) * TICK_INTERVAL_MS;
    runAt(nextMs, () => tick(shop, nextMs));
  }

  // ---- start --------------------------------------------------------------------------------

  const firstDay = localTime.position(startMs).dayNumber;
  for (const shop of shops) {
    tick(shop, startMs);
    planDay(shop, firstDay);
    startArrivals(shop, 'order', onOrder);
    startArrivals(shop, 'refund', onRefund);
    startArrivals(shop, 'presale', (target, timeMs) => onChat(target, 'presale', timeMs));
    startArrivals(shop, 'aftersale', (target, timeMs) => onChat(target, 'aftersale', timeMs));
    // A last tick just before the end moves the event clock to the end of the peak day.
    if (Number.isFinite(endMs) && endMs - 1 > startMs)
      emit(endMs - 1, { id: nextId(shop), type: 'clock.tick', ts: '', shop: shop.name });
  }

  for (;;) {
    const entry = scheduler.pop();
    if (entry === undefined || entry.tsMs >= endMs) return;
    if (entry.event !== undefined) {
      entry.event.ts = localTime.format(entry.tsMs);
      // The heap entry itself is the GeneratedEvent: one allocation less per event.
      yield entry as GeneratedEvent;
    } else if (entry.action !== undefined) {
      entry.action();
    }
  }
}
