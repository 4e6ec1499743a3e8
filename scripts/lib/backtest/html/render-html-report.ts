/**
 * One self-contained HTML file for a backtest report: uPlot's script and stylesheet inlined, the
 * chart data embedded as JSON, no request to anything. It opens from disk.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { BacktestReport, HourSummary } from '../report-types.ts';
import { buildCharts, percent, type ChartData } from './chart-data.ts';
import { REPORT_SCRIPT } from './report-script.ts';
import { REPORT_STYLE } from './report-style.ts';

const require = createRequire(import.meta.url);
let uPlotAssets: { script: string; style: string } | undefined;

function loadUPlot(): { script: string; style: string } {
  uPlotAssets ??= {
    script: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    style: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
  return uPlotAssets;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON inside a <script> element: `</` would end the element early. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/<\//g, '<\\/');
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}

function seconds(value: number | null): string {
  if (value === null) return '–';
  if (value < 120) return `${Math.round(value)} s`;
  if (value < 7200) return `${(value / 60).toFixed(1)} min`;
  return `${(value / 3600).toFixed(1)} h`;
}

function figure(label: string, value: string, detail = ''): string {
  return `<div class="figure"><div class="label">${escapeHtml(label)}</div><div class="value">${escapeHtml(value)}</div>${
    detail === '' ? '' : `<div class="detail">${escapeHtml(detail)}</div>`
  }</div>`;
}

function chartSection(chart: ChartData): string {
  const note = chart.note === undefined ? '' : `<p class="note">${escapeHtml(chart.note)}</p>`;
  const body = chart.xs.length === 0 ? '' : `<div class="chart" id="chart-${chart.id}"></div>`;
  return `<section class="card"><h2>${escapeHtml(chart.title)}</h2>${note}${body}</section>`;
}

function perQueue(values: Record<string, number>): string {
  return Object.entries(values)
    .map(([queue, value]) => `${queue} ${Math.round(value * 100) / 100}`)
    .join(' · ');
}

function hourTable(hours: readonly HourSummary[]): string {
  if (hours.length === 0) return '<p class="note">No whole hour in the range.</p>';
  // A month has 720 hours: the table shows the busiest 48 by arrivals, in time order.
  const shown =
    hours.length <= 48
      ? hours
      : [...hours]
          .sort((a, b) => total(b.arrivals) - total(a.arrivals))
          .slice(0, 48)
          .sort((a, b) => (a.hourStart < b.hourStart ? -1 : 1));
  const rows = shown
    .map((hour) => {
      const gap = hour.worstStaffingGap;
      return (
        `<tr><td>${escapeHtml(hour.hourStart.slice(0, 16).replace('T', ' '))}</td>` +
        `<td>${escapeHtml(perQueue(hour.arrivals))}</td><td>${escapeHtml(perQueue(hour.forecast))}</td>` +
        `<td>${escapeHtml(perQueue(hour.peakQueueDepth))}</td>` +
        `<td class="${hour.minutesUnansweredOver30m > 0 ? 'bad' : ''}">${hour.minutesUnansweredOver30m}</td>` +
        `<td class="${gap !== null && gap.gap > 0 ? 'bad' : ''}">${
          gap === null
            ? '–'
            : escapeHtml(
                `${gap.queue} ${gap.gap > 0 ? '+' : ''}${gap.gap} (${gap.requiredAgents} needed, ${gap.onlineAgents} online)`,
              )
        }</td></tr>`
      );
    })
    .join('');
  const caption =
    shown.length < hours.length ? `<p class="note">The 48 busiest of ${hours.length} hours.</p>` : '';
  return (
    `${caption}<table><thead><tr><th>hour</th><th>arrivals</th><th>forecast</th><th>peak queue depth</th>` +
    `<th>min ≥ 30 min</th><th>worst staffing gap</th></tr></thead><tbody>${rows}</tbody></table>`
  );
}

function total(values: Record<string, number>): number {
  return Object.values(values).reduce((sum, value) => sum + value, 0);
}

export function renderHtmlReport(report: BacktestReport): string {
  const { summary } = report;
  const { script, style } = loadUPlot();
  const charts = buildCharts(report);
  const totals = summary.totals;
  const rejected = Object.entries(totals.rejectedByReason)
    .map(([reason, value]) => `${reason} ${value}`)
    .join(', ');
  const mape = Object.entries(summary.forecastAccuracy)
    .map(([queue, accuracy]) => `${queue} ${percent(accuracy.mape)}`)
    .join(' · ');
  const worst = summary.peak.worstStaffingGap;
  const whatIf = summary.whatIf;
  const range = `${summary.range.firstRow ?? '–'} → ${summary.range.lastRow ?? '–'}`;
  const figures = [
    figure(
      'Events accepted',
      count(totals.accepted),
      `${count(totals.duplicates)} duplicates · ${count(totals.rejected)} rejected${rejected === '' ? '' : ` (${rejected})`}`,
    ),
    figure('Peak queue depth', perQueue(summary.peak.queueDepth)),
    figure('Minutes with an item unanswered ≥ 30 min', count(summary.peak.minutesUnansweredOver30m)),
    figure(
      'Worst staffing gap',
      worst === null ? '–' : `${worst.queue} ${worst.gap > 0 ? '+' : ''}${worst.gap}`,
      worst === null
        ? ''
        : `${worst.requiredAgents} needed, ${worst.onlineAgents} online at ${worst.asOf.slice(0, 16).replace('T', ' ')}`,
    ),
    figure('Forecast error (MAPE)', mape === '' ? '–' : mape),
  ];
  if (whatIf !== undefined) {
    figures.push(
      figure(
        'What-if: mean wait',
        `${seconds(whatIf.totals.actual.avgWaitSec)} → ${seconds(whatIf.totals.whatIf.avgWaitSec)}`,
        `abandons ${count(whatIf.totals.actual.abandoned)} → ${count(whatIf.totals.whatIf.abandoned)} · calibration error ${percent(whatIf.calibration.hourlyWaitError)}`,
      ),
    );
  }
  const paths = Object.entries(summary.paths.byPath)
    .map(
      ([path, value]) =>
        `<tr><td>${escapeHtml(path)}</td><td>${count(value.completed30d)}</td><td>${seconds(value.avgCompletionSec30d)}</td><td>${seconds(value.p90CompletionSec30d)}</td></tr>`,
    )
    .join('');
  const data = {
    timeZone: summary.options.timeZone,
    charts: charts.map(({ id, unit, xs, series, stepped }) => ({ id, unit, xs, series, stepped })),
  };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Peakboard backtest ${escapeHtml(range)}</title>
<style>${style}</style>
<style>${REPORT_STYLE}</style>
</head><body>
<header><h1>Peakboard backtest</h1>
<p class="range">${escapeHtml(range)} · step ${escapeHtml(summary.options.step)} · ${escapeHtml(summary.options.shop ?? 'all shops')} · ${escapeHtml(summary.options.timeZone)} · ${count(summary.range.rows)} rows</p></header>
<main>
<section class="figures">${figures.join('')}</section>
${charts.map(chartSection).join('\n')}
<section class="card"><h2>Refund completions by path (30 days to ${escapeHtml(summary.paths.asOf ?? '–')})</h2>
<table><thead><tr><th>path</th><th>completed</th><th>average</th><th>p90</th></tr></thead><tbody>${paths}</tbody></table></section>
<section class="card"><h2>Hours</h2>${hourTable(summary.hours)}</section>
</main>
<script id="report-data" type="application/json">${scriptJson(data)}</script>
<script>${script}</script>
<script>${REPORT_SCRIPT}</script>
</body></html>
`;
}
