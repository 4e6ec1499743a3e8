/**
 * Alert thresholds (DOMAIN.md, seed 002 and the 2.6-day refund target) and their evaluation.
 * An alert's `metric` is the dotted path of the value inside the aggregates, so the same string
 * feeds `metricValue` and the history endpoint.
 */
import type { AlertLevel } from './aggregates.ts';

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
}

/** Pushes the condition when `value` is above `threshold`. */
export function checkAbove(
  conditions: AlertCondition[],
  metric: string,
  level: AlertLevel,
  value: number | null,
  threshold: number,
  derivedSinceMs = Number.NaN,
): void {
  if (value !== null && value > threshold)
    conditions.push({ metric, level, value, threshold, derivedSinceMs });
}
