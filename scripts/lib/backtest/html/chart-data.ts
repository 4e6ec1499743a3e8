/**
 * The report's charts as uPlot wants them: columns `[xs (epoch s), ys1, ys2, …]`, `null` for a
 * gap, one label per series. The browser only draws; everything is shaped here.
 */
import { parseTimestampMs, REFUND_PATHS, REFUND_QUEUE } from '../../../../server/events/index.ts';
import type { BacktestReport, BacktestRow } from '../report-types.ts';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  /** Series sharing a group share a colour; a dashed one is the "second" of a pair. */
  group: number;
  dashed?: boolean;
  /** Drawn bold: the run a reader compares against the others (the what-if). */
  emphasis?: boolean;
}

export interface ChartData {
  id: string;
  title: string;
  /** What the y axis measures. */
  unit: string;
  xs: number[];
  series: ChartSeries[];
  /** Draw steps (counts) rather than straight lines. */
  stepped: boolean;
  note?: string;
}

function epochSeconds(instant: string): number {
  return (parseTimestampMs(instant) ?? 0) / 1000;
}

function chatQueues(rows: readonly BacktestRow[]): string[] {
  const queues = new Set<string>();
  for (const row of rows) for (const queue of Object.keys(row.chat.queues)) queues.add(queue);
  return [...queues];
}

/** The staffing row of a snapshot for its own (current) hour and a queue. */
function currentHourRow(row: BacktestRow, queue: string): BacktestRow['staffing'][number] | undefined {
  // Rows list the current hour first for each queue.
  return row.staffing.find((staffing) => staffing.queue === queue);
}

export function buildCharts(report: BacktestReport): ChartData[] {
  const rows = report.rows;
  const xs = rows.map((row) => epochSeconds(row.asOf));
  const queues = chatQueues(rows);
  const charts: ChartData[] = [];

  charts.push({
    id: 'queue-depth',
    title: 'Queue depth per queue',
    unit: 'waiting',
    xs,
    stepped: true,
    series: [
      ...queues.map((queue, index) => ({
        label: `${queue} chats waiting`,
        values: rows.map((row) => row.chat.queues[queue]?.waiting ?? null),
        group: index,
      })),
      {
        label: 'refunds awaiting response',
        values: rows.map((row) => row.refunds.awaitingResponse),
        group: queues.length,
      },
    ],
  });

  charts.push({
    id: 'unanswered',
    title: 'Unanswered ≥ 30 min',
    unit: 'items',
    xs,
    stepped: true,
    series: [
      ...queues.map((queue, index) => ({
        label: `${queue} chats`,
        values: rows.map((row) => row.chat.queues[queue]?.unansweredOver30m ?? null),
        group: index,
      })),
      { label: 'refunds', values: rows.map((row) => row.refunds.unansweredOver30m), group: queues.length },
    ],
  });

  const staffedQueues = [...queues, REFUND_QUEUE];
  charts.push({
    id: 'staffing',
    title: 'Staffing: required vs online (current hour)',
    unit: 'agents',
    xs,
    stepped: true,
    series: staffedQueues.flatMap((queue, index) => [
      {
        label: `${queue} required`,
        values: rows.map((row) => currentHourRow(row, queue)?.requiredAgents ?? null),
        group: index,
      },
      {
        label: `${queue} online`,
        values: rows.map((row) => currentHourRow(row, queue)?.onlineAgents ?? null),
        group: index,
        dashed: true,
      },
    ]),
  });

  charts.push({
    id: 'completion',
    title: 'Refund completion by path (30-day average)',
    unit: 'hours',
    xs,
    stepped: false,
    series: [...REFUND_PATHS, 'all' as const].map((path, index) => ({
      label: path,
      values: rows.map((row) => {
        const average = row.refunds.paths[path].avgCompletionSec30d;
        return average === null ? null : Math.round((average / 3600) * 100) / 100;
      }),
      group: index,
    })),
  });

  const whatIf = report.summary.whatIf;
  if (whatIf === undefined) {
    charts.push({
      id: 'what-if',
      title: 'Actual vs what-if',
      unit: 'waiting',
      xs: [],
      stepped: true,
      series: [],
      note: 'No what-if in this run: add --what-if plan.json to simulate a changed roster beside the actual day.',
    });
  } else {
    const whatIfXs = whatIf.series.asOf.map(epochSeconds);
    const groups = Object.keys(whatIf.series.actualWaiting);
    charts.push({
      id: 'what-if',
      title: 'Actual vs what-if: chats waiting for a first answer',
      unit: 'waiting',
      xs: whatIfXs,
      stepped: true,
      series: groups.flatMap((group, index) => [
        { label: `${group} actual`, values: whatIf.series.actualWaiting[group] ?? [], group: index },
        {
          label: `${group} what-if`,
          values: whatIf.series.whatIfWaiting[group] ?? [],
          group: index,
          dashed: true,
          emphasis: true,
        },
      ]),
      note:
        `Calibration (roster unchanged): hourly wait error ${percent(whatIf.calibration.hourlyWaitError)}, ` +
        `hold-time factor ${whatIf.calibration.holdTimeFactor}.`,
    });
    const hourStarts = [...new Set(whatIf.hours.map((hour) => hour.hourStart))];
    const hourXs = hourStarts.map(epochSeconds);
    charts.push({
      id: 'what-if-wait',
      title: 'Actual vs simulated vs what-if: mean first-response wait by arrival hour',
      unit: 'seconds',
      xs: hourXs,
      stepped: false,
      series: groups.flatMap((group, index) => {
        const byHour = (pick: 'actual' | 'simulated' | 'whatIf'): (number | null)[] =>
          hourStarts.map(
            (hourStart) =>
              whatIf.hours.find(
                (hour) => hour.hourStart === hourStart && `${hour.shop}/${hour.queue}` === group,
              )?.[pick].avgWaitSec ?? null,
          );
        return [
          { label: `${group} actual`, values: byHour('actual'), group: index },
          { label: `${group} simulated`, values: byHour('simulated'), group: index, dashed: true },
          { label: `${group} what-if`, values: byHour('whatIf'), group: index, emphasis: true },
        ];
      }),
    });
  }
  return charts;
}

export function percent(share: number | null): string {
  return share === null ? '–' : `${(share * 100).toFixed(1)} %`;
}
