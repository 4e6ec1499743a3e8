/** The server's alerts, red first, as one line along the bottom of every board. */
import type { Alert } from '../../../server/engine/aggregates.ts';
import type { MessageKey, Messages } from '../i18n.ts';
import { clockOf, formatByKind, metricKind } from '../format.ts';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { LevelIcon } from './level-icon.tsx';

/** Words for the last part(s) of a metric path. */
const FIELD_KEYS: Partial<Record<string, MessageKey>> = {
  waiting: 'queueDepth',
  oldestWaitSec: 'oldestWait',
  oldestUnansweredSec: 'oldestWait',
  unansweredOver30m: 'unansweredOver30m',
  awaitingResponse: 'awaitingResponse',
  avgCompletionSec30d: 'completionAvg30d',
  firstResponseAvgSec30d: 'refundFirstResponse30d',
  'firstResponse60m.avgSec': 'firstResponseAvg60m',
  abandoned60m: 'abandoned60m',
  gap: 'staffingGap',
  agentsOnline: 'agentsOnline',
  refundRate: 'refundRate',
  disputeRate: 'disputeRate',
  qualityRefundRate: 'qualityRefundRate',
  experienceRefundRate: 'experienceRefundRate',
};

/**
 * A person's name for an API.md metric path: "After-sales · Unanswered ≥ 30 min",
 * "Refund rate · 30 d", "退货退款 · 退款完结时长（近 30 天平均）". Unknown paths are shown as they are.
 */
export function describeMetric(metric: string, m: Messages): string {
  const parts = metric.split('.');
  const word = (from: number): string | undefined => {
    const key = FIELD_KEYS[parts.slice(from).join('.')];
    return key === undefined ? undefined : m.t(key);
  };
  if (parts[0] === 'chat' && parts[1] === 'queues' && parts[2] !== undefined) {
    const what = word(3);
    if (what !== undefined) return `${m.queueShort(parts[2])} · ${what}`;
  } else if (parts[0] === 'refunds' && parts[1] === 'paths' && parts[2] !== undefined) {
    const what = word(3);
    if (what !== undefined) return parts[2] === 'all' ? what : `${m.path(parts[2])} · ${what}`;
  } else if (parts[0] === 'refunds' && parts[1] === 'rates30d') {
    const what = word(2);
    if (what !== undefined) return `${what} · ${m.t('window30d')}`;
  } else if (parts[0] === 'refunds') {
    const what = word(1);
    if (what !== undefined) return `${m.queueShort('refund')} · ${what}`;
  } else if (parts[0] === 'staffing' && parts[1] !== undefined) {
    const what = word(parts.length - 1);
    if (what !== undefined) return `${m.queueShort(parts[1])} · ${what}`;
  }
  return metric;
}

/** The value in the metric's unit: "6.2%", "2 h 15 min", "3.1 d", "4". */
export function formatMetricValue(metric: string, value: number, m: Messages): string {
  return formatByKind(metricKind(metric), value, m.units);
}

export function AlertsStrip({ alerts, m }: { alerts: Alert[]; m: Messages }) {
  // Red first; the index stays the alert's position in the snapshot so data-metric matches API.md.
  const sorted = alerts
    .map((alert, index) => ({ alert, index }))
    .sort((a, b) => (a.alert.level === b.alert.level ? 0 : a.alert.level === 'red' ? -1 : 1));
  // As many as fit on the line; the rest are counted ("+2 more") so none is clipped silently.
  // The fit is remembered per list of alerts and strip width; anything else starts from all.
  const strip = useRef<HTMLElement>(null);
  const [fit, setFit] = useState({ key: '', count: 0 });
  const keyFor = (width: number): string =>
    `${width}|${sorted.map(({ alert }) => `${alert.metric}:${alert.level}:${alert.value}:${alert.threshold}`).join(';')}`;
  const renderedKey = keyFor(strip.current?.clientWidth ?? 0);
  const count = fit.key === renderedKey ? fit.count : sorted.length;
  const shown = sorted.slice(0, count);
  const hidden = sorted.slice(count);
  useLayoutEffect(() => {
    const element = strip.current;
    if (element === null) return;
    const measure = (): void => {
      const key = keyFor(element.clientWidth);
      if (key !== renderedKey) return setFit({ key: '', count: 0 }); // width changed: render all, measure again
      const right = element.getBoundingClientRect().right;
      const overflows = [...element.querySelectorAll('.alert')].some(
        (chip) => chip.getBoundingClientRect().right > right + 1,
      );
      if (overflows && count > 0) setFit({ key, count: count - 1 });
      else if (fit.key !== key) setFit({ key, count });
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  });
  return (
    <footer class="alerts-strip" data-alert-count={alerts.length} ref={strip}>
      <span class="alerts-label">{m.t('alerts')}</span>
      {sorted.length === 0 && (
        <span class="alert level-ok">
          <LevelIcon level="ok" />
          {m.t('noAlerts')}
        </span>
      )}
      {shown.map(({ alert, index }) => (
        <span
          class={`alert level-${alert.level}`}
          data-metric={`alerts.${index}.value`}
          data-value={alert.value}
          data-alert-metric={alert.metric}
        >
          <LevelIcon level={alert.level} />
          <span class="alert-what">{describeMetric(alert.metric, m)}</span>
          <span class="alert-value">{formatMetricValue(alert.metric, alert.value, m)}</span>
          <span class="alert-threshold">&gt; {formatMetricValue(alert.metric, alert.threshold, m)}</span>
          <span class="alert-since">
            {m.t('since')} {clockOf(alert.since).slice(0, 5)}
          </span>
        </span>
      ))}
      {hidden.length > 0 && (
        <span
          class={`alert alert-more level-${hidden.some(({ alert }) => alert.level === 'red') ? 'red' : 'amber'}`}
          data-hidden-alerts={hidden.length}
        >
          {m.t('moreAlerts', { n: hidden.length })}
        </span>
      )}
    </footer>
  );
}
