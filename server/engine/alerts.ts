/**
 * Alert thresholds (DOMAIN.md, seed 002 and the 2.6-day refund target) and their evaluation.
 * An alert's `metric` is the dotted path of the value inside the aggregates, so the same string
 * feeds `metricValue` and the history endpoint.
 */
import type { AlertLevel } from './aggregates.ts';
import type { PaneRing } from './pane-ring.ts';

/** Thresholds; a value strictly above its threshold raises the alert. */
export interface AlertThresholds {
  /** `refunds.paths.all.avgCompletionSec30d`, seconds → amber. Default 2.6 days (224 640 s). */
  refundCompletionAvgSec: number;
  /** `unansweredOver30m` of any chat queue or of refunds, a count → red. Default 0. */
  unansweredOver30m: number;
  /** `chat.queues.<q>.firstResponse60m.avgSec`, seconds → red. Default 2 h (7200 s). */
  chatFirstResponseAvgSec: number;
  /** `refunds.paths.all.firstResponseAvgSec30d`, seconds → red. Default 2 h (7200 s). */
  refundFirstResponseAvgSec: number;
  /** `refunds.rates30d.refundRate`, a ratio → amber. Default 0.03. */
  refundRate: number;
  /** `refunds.rates30d.disputeRate`, a ratio → red. Default 0.01. */
  disputeRate: number;
}

export const DEFAULT_ALERT_THRESHOLDS: Readonly<AlertThresholds> = {
  refundCompletionAvgSec: 2.6 * 86_400,
  unansweredOver30m: 0,
  chatFirstResponseAvgSec: 2 * 3600,
  refundFirstResponseAvgSec: 2 * 3600,
  refundRate: 0.03,
  disputeRate: 0.01,
};

/**
 * Where a windowed metric's past values are read from: its per-minute panes (PaneRing), a
 * numerator and a denominator field summed over the window, and the formula of the metric.
 */
export interface AlertHistory {
  panes: PaneRing;
  numeratorField: number;
  denominatorField: number;
  /** `averageSec`: Σ ms / count / 1000 (as the snapshot's averages); `ratio`: count / orders. */
  form: 'averageSec' | 'ratio';
}

/** One raised condition before its `since` is resolved. */
export interface AlertCondition {
  metric: string;
  level: AlertLevel;
  value: number;
  threshold: number;
  /**
   * When the condition can be derived from the state (unanswered alerts: the oldest waiting
   * item's wait start + 1800 s), that instant in epoch ms; NaN when only observation can tell.
   */
  derivedSinceMs: number;
  /** For the other conditions: the metric's panes, to find when the condition started. */
  history: AlertHistory | null;
}

/** Pushes the condition when `value` is above `threshold`. */
export function checkAbove(
  conditions: AlertCondition[],
  metric: string,
  level: AlertLevel,
  value: number | null,
  threshold: number,
  derivedSinceMs: number,
  history: AlertHistory | null,
): void {
  if (value !== null && value > threshold)
    conditions.push({ metric, level, value, threshold, derivedSinceMs, history });
}

/**
 * When a windowed condition started, as a deterministic function of the events with ts ≤ T (so
 * a time-travel engine and the live one agree, whatever instants either was asked about).
 *
 * The metric is re-read at the minute boundaries B ≤ T, newest first, going back at most
 * ALERT_LOOKBACK panes (24 h): its value at B is the same formula over the window (B − W, B],
 * summed from the panes. `since` is the newest boundary at which the condition did not hold:
 * the condition has held at every boundary after it (and at T), so it rose within the minute
 * that starts there. When it held at every boundary of the look-back, `since` is the oldest one
 * (the alert is at least that old). The panes hold the items as the events ≤ T define them now,
 * so a late event that changes the past changes the reconstructed past too — still a function
 * of the events alone.
 */
export function sinceFromHistory(
  history: AlertHistory,
  threshold: number,
  headPane: number,
  paneMs: number,
  lookbackPanes: number,
): number {
  const { panes, numeratorField, denominatorField, form } = history;
  // Between two changes of the panes (a tick without new items in the same minute) the answer
  // is the same: reuse it rather than walk up to 24 h of panes again.
  const key = `${numeratorField}|${denominatorField}|${form}|${threshold}|${headPane}`;
  const known = panes.derived.get(key);
  if (known !== undefined && known.version === panes.version) return known.value;
  const value = walkHistory(history, threshold, headPane, paneMs, lookbackPanes);
  if (panes.derived.size > 64) panes.derived.clear();
  panes.derived.set(key, { version: panes.version, value });
  return value;
}

function walkHistory(
  history: AlertHistory,
  threshold: number,
  headPane: number,
  paneMs: number,
  lookbackPanes: number,
): number {
  const { panes, numeratorField, denominatorField, form } = history;
  const windowPanes = panes.windowPanes;
  // The window at the head (the newest boundary ≤ T) is kept summed by the ring.
  let numerator = panes.windowSums[numeratorField] ?? 0;
  let denominator = panes.windowSums[denominatorField] ?? 0;
  for (let k = 0; k <= lookbackPanes; k += 1) {
    const boundary = headPane - k;
    // The same expressions as the snapshot's averageSec / rate, so both agree bit for bit.
    const value =
      denominator === 0
        ? null
        : form === 'averageSec'
          ? numerator / denominator / 1000
          : numerator / denominator;
    if (value === null || !(value > threshold)) return boundary * paneMs;
    if (k === lookbackPanes) break;
    // Step to the previous boundary: its window loses pane `boundary`, gains pane boundary − W.
    numerator += panes.get(boundary - windowPanes, numeratorField) - panes.get(boundary, numeratorField);
    denominator +=
      panes.get(boundary - windowPanes, denominatorField) - panes.get(boundary, denominatorField);
  }
  return (headPane - lookbackPanes) * paneMs;
}
