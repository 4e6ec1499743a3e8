/**
 * Staffing gap per queue for the current hour and the next three, as diverging bars: up and red
 * where the queue is short, down and muted where agents are spare. Each bar also says it in words
 * (with the level icon beside the word, so the number keeps the cell's width). The number shrinks
 * with the cell and its length (container query units), so "−1450" fits at 1080p and 4K alike.
 */
import type { BoardData } from '../../../server/push/protocol.ts';
import type { Messages } from '../i18n.ts';
import { formatSigned, hourOf } from '../format.ts';
import { gapLevel, staffingByQueue } from '../levels.ts';
import { LevelIcon } from './level-icon.tsx';
import { MetricValue } from './metric-value.tsx';

const HOURS_SHOWN = 4;

export function StaffingGapPanel({ data, m }: { data: BoardData; m: Messages }) {
  const byQueue = staffingByQueue(data);
  let maxAbs = 1;
  for (const rows of byQueue.values())
    for (const row of rows.slice(0, HOURS_SHOWN)) maxAbs = Math.max(maxAbs, Math.abs(row.gap));
  return (
    <section class="tile gap-panel">
      <header class="tile-title">
        <span>{m.t('staffingGap')}</span>
        <span class="tile-note">{m.t('now')} → +3h</span>
      </header>
      <div class="gap-rows">
        <div class="gap-row gap-hours">
          <div />
          {(byQueue.values().next().value ?? []).slice(0, HOURS_SHOWN).map((row, hour) => (
            <div class={`gap-hour${hour === 0 ? ' gap-hour-now' : ''}`}>
              {hour === 0 ? `${m.t('now')} ${hourOf(row.hourStart)}` : hourOf(row.hourStart)}
            </div>
          ))}
        </div>
        {[...byQueue.entries()].map(([queue, rows]) => (
          <div class="gap-row">
            <div class="gap-queue">{m.queueShort(queue)}</div>
            {rows.slice(0, HOURS_SHOWN).map((row, hour) => {
              const level = gapLevel(row.gap);
              const heightPct = (Math.abs(row.gap) / maxAbs) * 50;
              const word = row.gap > 0 ? m.t('short') : row.gap < 0 ? m.t('spare') : m.t('covered');
              const text = formatSigned(row.gap);
              return (
                <div class={`gap-cell${hour === 0 ? ' gap-now' : ''}`}>
                  <div class="gap-bar-area">
                    <div class="gap-zero" />
                    <div
                      class={`gap-bar ${row.gap > 0 ? 'gap-short' : 'gap-spare'}`}
                      style={row.gap > 0 ? `bottom:50%;height:${heightPct}%` : `top:50%;height:${heightPct}%`}
                    />
                  </div>
                  <MetricValue
                    metric={`staffing.${queue}.${hour}.gap`}
                    value={row.gap}
                    text={text}
                    level={level}
                    size="small"
                    icon={false}
                    style={`--chars:${Math.max(3, text.length)}`}
                  />
                  <div class={`gap-word level-${level}`}>
                    <LevelIcon level={level} />
                    <span>{word}</span>
                  </div>
                </div>
              );
            })}
          </div>
        ))}
      </div>
    </section>
  );
}
