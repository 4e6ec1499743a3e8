/** The server's alerts, red first, as one line along the bottom of every board. */
import type { Alert } from '../../../server/engine/aggregates.ts';
import type { Messages } from '../i18n.ts';
import { clockOf, formatCount, formatDays, formatWait } from '../format.ts';
import { LevelIcon } from './level-icon.tsx';

const WORD_KEYS = {
  waiting: 'queueDepth',
  oldestWaitSec: 'oldestWait',
  unansweredOver30m: 'unansweredOver30m',
  oldestUnansweredSec: 'oldestWait',
  avgCompletionSec30d: 'completionByPath',
  awaitingResponse: 'awaitingResponse',
  gap: 'staffingGap',
  agentsOnline: 'agentsOnline',
} as const;

/** A person's name for an API.md metric path, e.g. "退货退款 · 退款完结时长". */
export function describeMetric(metric: string, m: Messages): string {
  const parts = metric.split('.');
  const field = parts.at(-1) ?? metric;
  const key = (WORD_KEYS as Partial<Record<string, (typeof WORD_KEYS)[keyof typeof WORD_KEYS]>>)[field];
  const what = key === undefined ? field : m.t(key);
  if (parts[0] === 'chat' && parts[1] === 'queues' && parts[2] !== undefined)
    return `${m.queue(parts[2])} · ${what}`;
  if (parts[0] === 'refunds' && parts[1] === 'paths' && parts[2] !== undefined)
    return `${m.path(parts[2])} · ${what}`;
  if (parts[0] === 'refunds') return `${m.queue('refund')} · ${what}`;
  if (parts[0] === 'staffing' && parts[1] !== undefined) return `${m.queue(parts[1])} · ${what}`;
  return metric;
}

export function formatMetricValue(metric: string, value: number, m: Messages): string {
  if (metric.endsWith('CompletionSec30d')) return formatDays(value, m.t('days'));
  if (metric.endsWith('Sec')) return formatWait(value);
  return formatCount(value);
}

export function AlertsStrip({ alerts, m }: { alerts: Alert[]; m: Messages }) {
  // Red first; the index stays the alert's position in the snapshot so data-metric matches API.md.
  const sorted = alerts
    .map((alert, index) => ({ alert, index }))
    .sort((a, b) => (a.alert.level === b.alert.level ? 0 : a.alert.level === 'red' ? -1 : 1));
  return (
    <footer class="alerts-strip" data-alert-count={alerts.length}>
      <span class="alerts-label">{m.t('alerts')}</span>
      {sorted.length === 0 && (
        <span class="alert level-ok">
          <LevelIcon level="ok" />
          {m.t('noAlerts')}
        </span>
      )}
      {sorted.map(({ alert, index }) => (
        <span
          class={`alert level-${alert.level}`}
          data-metric={`alerts.${index}.value`}
          data-value={alert.value}
        >
          <LevelIcon level={alert.level} />
          <span class="alert-what">{describeMetric(alert.metric, m)}</span>
          <span class="alert-value">{formatMetricValue(alert.metric, alert.value, m)}</span>
          <span class="alert-threshold">/ {formatMetricValue(alert.metric, alert.threshold, m)}</span>
          <span class="alert-since">
            {m.t('since')} {clockOf(alert.since).slice(0, 5)}
          </span>
        </span>
      ))}
    </footer>
  );
}
