/**
 * One chat's state, replayed from its own events in entity order (event-order.ts). A chat has a
 * handful of events, so replaying the list on every change is cheap, and it makes a late event
 * in the middle of the history land exactly where it belongs.
 */
import type { ChatEvent } from '../events/index.ts';
import { compareEvents } from './event-order.ts';
import type { WindowItem } from './window-item.ts';

export interface ChatRecord {
  readonly shop: string;
  readonly chatId: string;
  /** Key in its shop's maps (the chat id). */
  readonly key: string;
  /**
   * The chat's events in entity order. Once the chat closed more than the late horizon ago (no
   * late event can change it any more: one that arrives is counted as late-dropped) the record
   * is dropped and only its close instant is kept (ShopState.closedChats). Null is not used by
   * the engine any more; the type keeps it for older code paths.
   */
  events: ChatEvent[] | null;
  /** State as of the engine's watermark, from `replayChat`. */
  opened: boolean;
  startMs: number;
  openingQueue: string;
  /** Queue now: the latest of chat.started / chat.transferred. */
  queue: string;
  open: boolean;
  /** Open and no agent message after the latest customer activity. */
  waiting: boolean;
  /** Earliest customer activity after the last agent message (NaN when not waiting). */
  waitStartMs: number;
  /** True once any chat.assigned applied (a transfer does not reset it). */
  assigned: boolean;
  /** Agent of the latest chat.assigned, null when never assigned. */
  agentId: string | null;
  /** First agent message (NaN when none) and the queue the chat was in at that message. */
  firstAgentMessageMs: number;
  queueAtFirstAgentMessage: string;
  /** Close instant (NaN while open) and the queue at the close. */
  closeMs: number;
  queueAtClose: string;
  /** Hour (business zone) this chat's arrival is counted in, NaN when not counted. */
  arrivalHourMs: number;
  arrivalQueue: string;
  /**
   * The queues this chat was in: its opening queue and each transfer before the close (what
   * `namedQueues` gives). They list the queue on the board (ScopeWindows.queueRefs).
   */
  queuesNamed: readonly string[];
  firstResponseItem: WindowItem | null;
  abandonedItem: WindowItem | null;
  handleItem: WindowItem | null;
}

const NO_QUEUES: readonly string[] = [];

/**
 * The queues a chat with these events (entity order) was in: the first chat.started's queue and
 * the queues of the transfers after it, up to the close. Events outside that span have no effect
 * (EVENTS.md), so they must not put a queue on the board either. Distinct, in first-seen order.
 */
export function namedQueues(events: readonly ChatEvent[]): readonly string[] {
  let opening: string | null = null;
  // The queues after the opening one, allocated only for a chat that was transferred.
  let others: string[] | undefined;
  for (const event of events) {
    if (opening === null) {
      if (event.type === 'chat.started') opening = event.queue;
    } else if (event.type === 'chat.transferred') {
      if (event.queue === opening || (others !== undefined && others.includes(event.queue))) continue;
      (others ??= []).push(event.queue);
    } else if (event.type === 'chat.closed') break;
  }
  if (opening === null) return NO_QUEUES;
  return others === undefined ? onlyQueue(opening) : [opening, ...others];
}

/** Most chats stay in their opening queue: they share one frozen list per queue name. */
const ONLY_QUEUE = new Map<string, readonly string[]>();
function onlyQueue(queue: string): readonly string[] {
  let list = ONLY_QUEUE.get(queue);
  if (list === undefined) {
    list = Object.freeze([queue]);
    // Queue names are a small vocabulary; a flood of distinct ones only stops being shared.
    if (ONLY_QUEUE.size < 4096) ONLY_QUEUE.set(queue, list);
  }
  return list;
}

export function createChatRecord(shop: string, chatId: string, key: string): ChatRecord {
  return {
    shop,
    chatId,
    key,
    events: [],
    opened: false,
    startMs: Number.NaN,
    openingQueue: '',
    queue: '',
    open: false,
    waiting: false,
    waitStartMs: Number.NaN,
    assigned: false,
    agentId: null,
    firstAgentMessageMs: Number.NaN,
    queueAtFirstAgentMessage: '',
    closeMs: Number.NaN,
    queueAtClose: '',
    arrivalHourMs: Number.NaN,
    arrivalQueue: '',
    queuesNamed: NO_QUEUES,
    firstResponseItem: null,
    abandonedItem: null,
    handleItem: null,
  };
}

/** Inserts `event` into the entity-ordered list (usually at the end: events mostly come in order). */
export function insertChatEvent(events: ChatEvent[], event: ChatEvent): void {
  let position = events.length;
  while (position > 0 && compareEvents(events[position - 1] as ChatEvent, event) > 0) position -= 1;
  // push when appending: splice allocates the (empty) array of removed elements.
  if (position === events.length) events.push(event);
  else events.splice(position, 0, event);
}

/**
 * Recomputes the chat's state from its events. Events before the first chat.started have no
 * effect, a second chat.started is ignored, and the close is terminal: events after it (in
 * entity order) have no effect, so "abandoned" means no agent message at or before the close.
 */
export function replayChat(record: ChatRecord, events: readonly ChatEvent[]): void {
  let openingIndex = -1;
  for (let i = 0; i < events.length; i += 1) {
    if ((events[i] as ChatEvent).type === 'chat.started') {
      openingIndex = i;
      break;
    }
  }
  const opening = events[openingIndex];
  if (opening === undefined || opening.type !== 'chat.started') {
    record.opened = false;
    record.open = false;
    record.waiting = false;
    record.startMs = Number.NaN;
    record.waitStartMs = Number.NaN;
    record.firstAgentMessageMs = Number.NaN;
    record.closeMs = Number.NaN;
    return;
  }
  let queue = opening.queue;
  let assigned = false;
  let agentId: string | null = null;
  let firstAgentMessageMs = Number.NaN;
  let queueAtFirstAgentMessage = '';
  let waitStartMs = opening.tsMs;
  let closeMs = Number.NaN;
  let queueAtClose = '';
  for (let i = openingIndex + 1; i < events.length; i += 1) {
    const event = events[i] as ChatEvent;
    if (event.type === 'chat.transferred') queue = event.queue;
    else if (event.type === 'chat.assigned') {
      assigned = true;
      agentId = event.agentId;
    } else if (event.type === 'chat.message') {
      if (event.from === 'customer') {
        if (Number.isNaN(waitStartMs)) waitStartMs = event.tsMs;
      } else {
        if (Number.isNaN(firstAgentMessageMs)) {
          firstAgentMessageMs = event.tsMs;
          queueAtFirstAgentMessage = queue;
        }
        waitStartMs = Number.NaN;
      }
    } else if (event.type === 'chat.closed') {
      closeMs = event.tsMs;
      queueAtClose = queue;
      break;
    }
  }
  const open = Number.isNaN(closeMs);
  record.opened = true;
  record.startMs = opening.tsMs;
  record.openingQueue = opening.queue;
  record.queue = queue;
  record.open = open;
  record.waiting = open && !Number.isNaN(waitStartMs);
  record.waitStartMs = record.waiting ? waitStartMs : Number.NaN;
  record.assigned = assigned;
  record.agentId = agentId;
  record.firstAgentMessageMs = firstAgentMessageMs;
  record.queueAtFirstAgentMessage = queueAtFirstAgentMessage;
  record.closeMs = closeMs;
  record.queueAtClose = queueAtClose;
}
