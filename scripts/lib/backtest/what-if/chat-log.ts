/**
 * What the simulation needs from the day, collected from the accepted events as they are applied:
 * each chat's arrival, queue, pick-up, first answer and close, and every agent's presence. Events
 * may arrive out of order, so every instant kept is the earliest seen.
 */
import type { PeakEvent } from '../../../../server/events/index.ts';

/** One chat as it happened; NaN where it never happened. */
export interface ChatLifecycle {
  shop: string;
  chatId: string;
  /** Queue at `chat.started`. */
  queue: string;
  startMs: number;
  /** When an agent took it: the first `chat.assigned`, else the first agent message. */
  pickedUpMs: number;
  /** The agent of that pick-up ('' when none was named). */
  agentId: string;
  firstAgentMessageMs: number;
  closeMs: number;
}

/** An `agent.status` event, reduced to what routing needs. */
export interface AgentChange {
  shop: string;
  agentId: string;
  tsMs: number;
  /** Event id: orders changes of one agent at the same millisecond, as the engine does. */
  id: string;
  staffed: boolean;
  queues: readonly string[];
  maxChats: number;
}

export interface ChatLog {
  observe(event: PeakEvent): void;
  /** Chats that started, in (start, shop, id) order. */
  chats(): ChatLifecycle[];
  /** Agent changes in (ts, id) order. */
  agentChanges(): AgentChange[];
}

function earliest(current: number, candidateMs: number): number {
  return Number.isNaN(current) || candidateMs < current ? candidateMs : current;
}

/** Records a pick-up by `agentId` at `tsMs` if it is the earliest seen (ties: the first seen). */
function pickUp(record: ChatLifecycle, tsMs: number, agentId: string | undefined): void {
  if (!Number.isNaN(record.pickedUpMs) && tsMs >= record.pickedUpMs) return;
  record.pickedUpMs = tsMs;
  record.agentId = agentId ?? '';
}

export function createChatLog(): ChatLog {
  const byKey = new Map<string, ChatLifecycle>();
  const changes: AgentChange[] = [];

  function chat(shop: string, chatId: string): ChatLifecycle {
    const key = `${shop}\u0000${chatId}`;
    let record = byKey.get(key);
    if (record === undefined) {
      record = {
        shop,
        chatId,
        queue: '',
        startMs: Number.NaN,
        pickedUpMs: Number.NaN,
        agentId: '',
        firstAgentMessageMs: Number.NaN,
        closeMs: Number.NaN,
      };
      byKey.set(key, record);
    }
    return record;
  }

  return {
    observe(event) {
      switch (event.type) {
        case 'chat.started': {
          const record = chat(event.shop, event.chatId);
          if (Number.isNaN(record.startMs) || event.tsMs < record.startMs) {
            record.startMs = event.tsMs;
            record.queue = event.queue;
          }
          return;
        }
        case 'chat.assigned': {
          pickUp(chat(event.shop, event.chatId), event.tsMs, event.agentId);
          return;
        }
        case 'chat.message': {
          if (event.from !== 'agent') return;
          const record = chat(event.shop, event.chatId);
          record.firstAgentMessageMs = earliest(record.firstAgentMessageMs, event.tsMs);
          pickUp(record, event.tsMs, event.agentId);
          return;
        }
        case 'chat.closed': {
          const record = chat(event.shop, event.chatId);
          record.closeMs = earliest(record.closeMs, event.tsMs);
          return;
        }
        case 'agent.status':
          changes.push({
            shop: event.shop,
            agentId: event.agentId,
            tsMs: event.tsMs,
            id: event.id,
            staffed: event.status === 'online' || event.status === 'busy',
            queues: event.queues,
            maxChats: event.maxChats,
          });
          return;
        default:
          return;
      }
    },
    chats() {
      const started = [...byKey.values()].filter((record) => !Number.isNaN(record.startMs));
      return started.sort(
        (a, b) =>
          a.startMs - b.startMs ||
          (a.shop < b.shop
            ? -1
            : a.shop > b.shop
              ? 1
              : a.chatId < b.chatId
                ? -1
                : a.chatId > b.chatId
                  ? 1
                  : 0),
      );
    },
    agentChanges() {
      return [...changes].sort((a, b) => a.tsMs - b.tsMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
  };
}
