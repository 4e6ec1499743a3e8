// The backtest: NDJSON lines through the server's admission and engine to a report, a what-if
// roster simulation beside it, and the HTML view of both.
export {
  createBacktest,
  runBacktest,
  runBacktestAsync,
  DEFAULT_MAX_FUTURE_SEC,
  DEFAULT_PROBE_STEP_MS,
  type Backtest,
  type BacktestOptions,
  type BacktestProgress,
} from './run-backtest.ts';
export { runBacktestFile } from './run-backtest-file.ts';
export type * from './report-types.ts';
export { parseDurationMs, formatDuration, DurationError } from './duration.ts';
export { readLineBatches } from './read-lines.ts';
export { parseWhatIfPlan, WhatIfPlanError } from './what-if/parse-plan.ts';
export type * from './what-if/what-if-types.ts';
export { renderHtmlReport } from './html/render-html-report.ts';
