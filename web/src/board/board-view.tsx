/**
 * The TV board: header with freshness, the current board (rotating if asked), alerts along the
 * bottom, and the STALE banner over everything when the numbers cannot be trusted.
 */
import { useComputed, useSignal, useSignalEffect } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { AlertsStrip } from '../components/alerts-strip.tsx';
import { HeaderBar } from '../components/header-bar.tsx';
import { StaleBanner } from '../components/stale-banner.tsx';
import type { Messages } from '../i18n.ts';
import { redBoards } from '../levels.ts';
import type { LiveFeed } from '../state/live-feed.ts';
import type { BoardName, KioskParams } from '../state/params.ts';
import { OverviewBoard } from './overview-board.tsx';
import { RefundsBoard } from './refunds-board.tsx';
import { StaffingBoard } from './staffing-board.tsx';

const BOARDS = { overview: OverviewBoard, refunds: RefundsBoard, staffing: StaffingBoard };

/** Night hours in the business time zone, read from `asOf` so the TV's own clock does not matter. */
const isNight = (asOf: string | undefined): boolean => {
  const hour = Number(asOf?.slice(11, 13));
  return Number.isFinite(hour) && (hour >= 22 || hour < 7);
};

export function BoardView({ feed, params, m }: { feed: LiveFeed; params: KioskParams; m: Messages }) {
  const step = useSignal(0);
  const drift = useSignal({ x: 0, y: 0 });

  useEffect(() => {
    if (params.rotateSec <= 0) return;
    const timer = setInterval(() => step.value++, params.rotateSec * 1000);
    return () => clearInterval(timer);
  }, [params.rotateSec]);

  useEffect(() => {
    if (!params.drift) return;
    // OLED burn-in: move the whole picture by up to ±0.4% of the screen, a little each minute.
    const timer = setInterval(() => {
      const clamp = (v: number): number => Math.max(-0.4, Math.min(0.4, v));
      drift.value = {
        x: clamp(drift.value.x + (Math.random() - 0.5) * 0.3),
        y: clamp(drift.value.y + (Math.random() - 0.5) * 0.3),
      };
    }, 60_000);
    return () => clearInterval(timer);
  }, [params.drift]);

  // A red tile takes over the rotation: only boards showing red are visited until it clears.
  const rotation = useComputed(() => {
    const data = feed.data.value;
    const red = data === null || params.rotateSec <= 0 ? new Set<BoardName>() : redBoards(data);
    const alarmed = params.boards.filter((board) => red.has(board));
    const pool = alarmed.length > 0 ? alarmed : params.boards;
    return {
      current: pool[step.value % pool.length] ?? 'overview',
      held: alarmed.length > 0 && alarmed.length < params.boards.length,
    };
  });

  useSignalEffect(() => {
    document.documentElement.dataset['connection'] = feed.connection.value;
  });

  const data = feed.data.value;
  const connection = feed.connection.value;
  const { current, held } = rotation.value;
  const Board = BOARDS[current];
  const dimmed = params.dim && isNight(data?.asOf);
  return (
    <main
      class={`board${dimmed ? ' dimmed' : ''}`}
      data-connection={connection}
      data-board={current}
      lang={m.lang}
    >
      <div
        class="board-frame"
        style={params.drift ? `transform:translate(${drift.value.x}vw,${drift.value.y}vh)` : undefined}
      >
        <HeaderBar
          m={m}
          shop={params.shop}
          asOf={data?.asOf}
          connection={connection}
          boards={params.rotateSec > 0 ? params.boards : []}
          current={current}
          alarmHold={held}
        />
        <div class="board-body">
          {data === null ? <div class="connecting">…</div> : <Board data={data} m={m} />}
        </div>
        <AlertsStrip alerts={data?.alerts ?? []} m={m} />
      </div>
      <StaleBanner
        m={m}
        connection={connection}
        reason={feed.staleReason.value}
        silentSec={feed.silentSec.value}
        lagSec={data?.ingest.lagSec ?? 0}
      />
    </main>
  );
}
