/**
 * Thresholds that colour the board (DOMAIN.md): anything unanswered after 30 minutes is red; a
 * refund path slower on average than Tmall's 2.6-day target is amber; a queue short of agents in
 * the current hour is red. Every level is drawn with an icon and a word too, never colour alone.
 */
import type { BoardData } from '../../server/push/protocol.ts';
import type { BoardName } from './state/params.ts';

export type Level = 'ok' | 'amber' | 'red' | 'none';

export const TARGET_COMPLETION_SEC = 2.6 * 86_400;
export const UNANSWERED_SEC = 1_800;
const WAIT_AMBER_SEC = 900;

export const unansweredLevel = (count: number): Level => (count > 0 ? 'red' : 'ok');

export const waitLevel = (sec: number): Level =>
  sec >= UNANSWERED_SEC ? 'red' : sec >= WAIT_AMBER_SEC ? 'amber' : 'ok';

export const completionLevel = (sec: number | null | undefined): Level =>
  sec === null || sec === undefined ? 'none' : sec > TARGET_COMPLETION_SEC ? 'amber' : 'ok';

export const gapLevel = (gap: number): Level => (gap > 0 ? 'red' : 'ok');

/** Staffing rows of one queue, current hour first (rows arrive ordered by hour per queue). */
export function staffingByQueue(data: BoardData): Map<string, BoardData['staffing']> {
  const byQueue = new Map<string, BoardData['staffing']>();
  for (const row of data.staffing) {
    const rows = byQueue.get(row.queue) ?? [];
    rows.push(row);
    byQueue.set(row.queue, rows);
  }
  for (const rows of byQueue.values()) rows.sort((a, b) => Date.parse(a.hourStart) - Date.parse(b.hourStart));
  return byQueue;
}

/**
 * Boards showing a red tile right now; these take over the rotation. Only present conditions
 * count (future staffing gaps are red bars but not an alarm: nobody can fix them this minute).
 */
export function redBoards(data: BoardData): Set<BoardName> {
  const red = new Set<BoardName>();
  const chatRed = Object.values(data.chat.queues).some(
    (queue) => unansweredLevel(queue.unansweredOver30m) === 'red' || waitLevel(queue.oldestWaitSec) === 'red',
  );
  const refundRed =
    unansweredLevel(data.refunds.unansweredOver30m) === 'red' ||
    waitLevel(data.refunds.oldestUnansweredSec) === 'red';
  const staffingRed = [...staffingByQueue(data).values()].some((rows) => (rows[0]?.gap ?? 0) > 0);
  if (chatRed || refundRed || staffingRed) red.add('overview');
  if (refundRed) red.add('refunds');
  if (staffingRed) red.add('staffing');
  return red;
}
