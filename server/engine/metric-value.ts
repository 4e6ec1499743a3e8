import type { Aggregates } from './aggregates.ts';

/**
 * Reads a number from aggregates by dotted path, e.g. `chat.queues.aftersale.waiting` or
 * `refunds.paths.all.avgCompletionSec30d` (queue names cannot contain dots). Null when the path
 * does not exist or does not end at a number (an empty average is null too).
 */
export function metricValue(aggregates: Partial<Aggregates>, metricPath: string): number | null {
  let node: unknown = aggregates;
  let start = 0;
  while (start <= metricPath.length) {
    let end = metricPath.indexOf('.', start);
    if (end === -1) end = metricPath.length;
    if (node === null || typeof node !== 'object') return null;
    node = (node as Record<string, unknown>)[metricPath.slice(start, end)];
    start = end + 1;
  }
  return typeof node === 'number' ? node : null;
}
