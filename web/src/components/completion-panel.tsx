/**
 * Refund completion per path against the 2.6-day target: one horizontal bar per path, the target as
 * a vertical line across all of them, amber with a warning sign past it.
 */
import type { BoardData } from '../../../server/push/protocol.ts';
import type { Messages } from '../i18n.ts';
import { formatCount, formatDays } from '../format.ts';
import { TARGET_COMPLETION_SEC, completionLevel } from '../levels.ts';
import { MetricValue } from './metric-value.tsx';

export const PATH_ORDER = ['unshipped', 'in_transit', 'received_refund_only', 'return_refund'] as const;

export function CompletionPanel({
  data,
  m,
  detailed = false,
}: {
  data: BoardData;
  m: Messages;
  detailed?: boolean;
}) {
  const paths = data.refunds.paths;
  const values = PATH_ORDER.map((path) => paths[path]?.avgCompletionSec30d ?? 0);
  const scaleSec = Math.max(TARGET_COMPLETION_SEC * 1.5, ...values.map((v) => v * 1.1));
  const targetPct = (TARGET_COMPLETION_SEC / scaleSec) * 100;
  const rows = detailed ? [...PATH_ORDER, 'all' as const] : PATH_ORDER;
  return (
    <section class={`tile completion-panel${detailed ? ' detailed' : ''}`}>
      <header class="tile-title">
        <span>{m.t('completionByPath')}</span>
        <span class="tile-note">
          <span class="target-swatch" /> {m.t('target')} 2.6 {m.t('days')}
        </span>
      </header>
      <div class="completion-rows">
        {rows.map((path) => {
          const stats = paths[path];
          const avg = stats?.avgCompletionSec30d ?? null;
          const level = completionLevel(avg);
          const widthPct = avg === null ? 0 : Math.min(100, (avg / scaleSec) * 100);
          return (
            <div class={`completion-row${path === 'all' ? ' completion-all' : ''}`}>
              <div class="completion-path">{m.path(path)}</div>
              <div class="completion-track">
                <div class={`completion-bar level-${level}`} style={`width:${widthPct}%`} />
                <div class="completion-target" style={`left:${targetPct}%`} />
              </div>
              <MetricValue
                metric={`refunds.paths.${path}.avgCompletionSec30d`}
                value={avg}
                text={formatDays(avg, m.t('days'))}
                level={level}
                size="small"
              />
              {detailed && (
                <>
                  <span class="completion-extra">
                    <span class="extra-label">{m.t('p90')}</span>
                    <MetricValue
                      metric={`refunds.paths.${path}.p90CompletionSec30d`}
                      value={stats?.p90CompletionSec30d}
                      text={formatDays(stats?.p90CompletionSec30d, m.t('days'))}
                      size="small"
                    />
                  </span>
                  <span class="completion-extra">
                    <span class="extra-label">{m.t('open')}</span>
                    <MetricValue
                      metric={`refunds.paths.${path}.open`}
                      value={stats?.open}
                      text={formatCount(stats?.open)}
                      size="small"
                    />
                  </span>
                </>
              )}
            </div>
          );
        })}
      </div>
    </section>
  );
}
