/** Top bar: what this is, which board, and — always visible — how fresh the numbers are. */
import type { Messages } from '../i18n.ts';
import { clockOf } from '../format.ts';
import type { ConnectionState } from '../state/live-feed.ts';
import type { BoardName } from '../state/params.ts';

export interface HeaderBarProps {
  m: Messages;
  shop: string | null;
  asOf: string | undefined;
  connection: ConnectionState;
  boards?: BoardName[];
  current?: BoardName;
  alarmHold?: boolean;
  title?: string;
}

const BOARD_LABEL = {
  overview: 'boardOverview',
  refunds: 'boardRefunds',
  staffing: 'boardStaffing',
} as const;

export function HeaderBar({
  m,
  shop,
  asOf,
  connection,
  boards = [],
  current,
  alarmHold = false,
  title,
}: HeaderBarProps) {
  return (
    <header class="header-bar">
      <div class="header-title">
        <span class="brand">{title ?? m.t('title')}</span>
        <span class="shop">{shop ?? m.t('allShops')}</span>
      </div>
      {boards.length > 1 && (
        <nav class="board-tabs" aria-label="boards">
          {boards.map((board) => (
            <span class={`board-tab${board === current ? ' current' : ''}`}>{m.t(BOARD_LABEL[board])}</span>
          ))}
        </nav>
      )}
      {alarmHold && (
        <span class="alarm-hold" data-alarm="1">
          {m.t('alarmHold')}
        </span>
      )}
      <div class="freshness">
        <span class="as-of">
          <span class="as-of-label">{m.t('asOf')}</span>
          <span class="as-of-clock" data-as-of={asOf ?? ''}>
            {clockOf(asOf)}
          </span>
        </span>
        <span class={`connection-chip connection-${connection}`}>
          <span class="connection-dot" aria-hidden="true" />
          {m.t(connection)}
        </span>
      </div>
    </header>
  );
}
