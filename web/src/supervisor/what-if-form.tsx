/**
 * POST /api/staffing/what-if for one queue and hour with N more agents, and show what came back:
 * `{hourStart, queues:[{queue, forecastArrivals, before, after}]}` (server/staffing/what-if.ts),
 * one before/after table per queue touched, each row in its unit and the better side marked.
 * Anything else (a proxy's error page, a future shape) is shown as it came.
 */
import { useSignal } from '@preact/signals';
import type { StaffingRow } from '../../../server/engine/aggregates.ts';
import type { MessageKey, Messages } from '../i18n.ts';
import { formatCount, formatDuration, formatPercent, formatWait, hourOf } from '../format.ts';

type Result = { status: number; body: unknown } | { status: 'error'; body: string };

type Projection = Record<string, unknown>;

interface QueueResult {
  queue: string;
  forecastArrivals?: number;
  before: Projection;
  after: Projection;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The queues of a what-if answer; a bare `{queue?, before, after}` counts as one. */
export function whatIfQueues(body: unknown): QueueResult[] | undefined {
  if (!isRecord(body)) return undefined;
  const toQueue = (entry: unknown): QueueResult | undefined =>
    isRecord(entry) && isRecord(entry['before']) && isRecord(entry['after'])
      ? {
          queue: typeof entry['queue'] === 'string' ? entry['queue'] : '',
          ...(typeof entry['forecastArrivals'] === 'number'
            ? { forecastArrivals: entry['forecastArrivals'] }
            : {}),
          before: entry['before'],
          after: entry['after'],
        }
      : undefined;
  if (Array.isArray(body['queues'])) {
    const queues = body['queues'].map(toQueue);
    return queues.every((queue) => queue !== undefined) ? (queues as QueueResult[]) : undefined;
  }
  const single = toQueue(body);
  return single === undefined ? undefined : [single];
}

/** Known projection fields: label, format, and which direction is better. */
const FIELDS: {
  key: string;
  label: MessageKey;
  better: 'higher' | 'lower' | 'none';
  format: (value: number, m: Messages) => string;
}[] = [
  { key: 'agents', label: 'agents', better: 'none', format: (v) => formatCount(v) },
  { key: 'serviceLevel', label: 'serviceLevel', better: 'higher', format: (v) => formatPercent(v, 1) },
  { key: 'asaSec', label: 'asa', better: 'lower', format: (v) => formatWait(v) },
  { key: 'occupancy', label: 'occupancy', better: 'none', format: (v) => formatPercent(v, 0) },
  {
    key: 'projectedUnansweredOver30m',
    label: 'projectedUnanswered',
    better: 'lower',
    format: (v) => (Number.isInteger(v) ? String(v) : v.toFixed(1)),
  },
  {
    key: 'firstBreachInSec',
    label: 'firstBreach',
    better: 'higher',
    format: (v, m) => formatDuration(v, m.units),
  },
];

function formatUnknown(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(2);
  if (typeof value === 'boolean') return String(value);
  return value === null || value === undefined ? '—' : JSON.stringify(value);
}

function compare(before: unknown, after: unknown, better: 'higher' | 'lower' | 'none'): string {
  if (better === 'none' || typeof before !== 'number' || typeof after !== 'number' || before === after)
    return '';
  return after > before === (better === 'higher') ? ' better' : ' worse';
}

/** One queue's answer: fields across, before and after down, so it stays a few lines tall. */
function QueueTable({ result, m }: { result: QueueResult; m: Messages }) {
  const { before, after } = result;
  const known = new Set(FIELDS.map((field) => field.key).concat('overloaded'));
  const extra = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (key) => !known.has(key),
  );
  const fields = FIELDS.filter((field) => field.key in before || field.key in after);
  const hasOverloaded = 'overloaded' in before || 'overloaded' in after;
  const side = (name: 'before' | 'after', projection: Projection) => (
    <tr data-side={name}>
      <th>{m.t(name)}</th>
      {fields.map((field) => {
        const value = projection[field.key];
        const mark = name === 'after' ? compare(before[field.key], after[field.key], field.better) : '';
        return (
          <td class={`num${mark}`} data-field={field.key} {...{ [`data-${name}`]: String(value ?? '') }}>
            {typeof value === 'number' ? field.format(value, m) : '—'}
          </td>
        );
      })}
      {hasOverloaded && (
        <td
          class={`num${projection['overloaded'] === true ? ' worse' : ''}`}
          data-field="overloaded"
          {...{ [`data-${name}`]: String(projection['overloaded'] ?? '') }}
        >
          {projection['overloaded'] === true
            ? `▲ ${m.t('yes')}`
            : projection['overloaded'] === false
              ? m.t('no')
              : '—'}
        </td>
      )}
      {extra.map((key) => (
        <td class="num" data-field={key}>
          {formatUnknown(projection[key])}
        </td>
      ))}
    </tr>
  );
  return (
    <table class="data-table what-if-result" data-queue={result.queue}>
      <caption>
        <span class="what-if-queue">{m.queue(result.queue)}</span>
        {result.forecastArrivals !== undefined && (
          <span class="what-if-arrivals">
            {' · '}
            {m.t('arrivalsForecast')} <b>{formatCount(result.forecastArrivals)}</b>
          </span>
        )}
      </caption>
      <thead>
        <tr>
          <th />
          {fields.map((field) => (
            <th class="num">{m.t(field.label)}</th>
          ))}
          {hasOverloaded && <th class="num">{m.t('overloaded')}</th>}
          {extra.map((key) => (
            <th class="num">{key}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {side('before', before)}
        {side('after', after)}
      </tbody>
    </table>
  );
}

function ResultView({ body, m }: { body: unknown; m: Messages }) {
  const queues = whatIfQueues(body);
  if (queues === undefined) {
    const message = isRecord(body) && typeof body['error'] === 'string' ? body['error'] : undefined;
    return message !== undefined ? (
      <div class="panel-error">{message}</div>
    ) : (
      <pre class="what-if-raw">{typeof body === 'string' ? body : JSON.stringify(body, null, 2)}</pre>
    );
  }
  const hourStart = isRecord(body) && typeof body['hourStart'] === 'string' ? body['hourStart'] : undefined;
  return (
    <div class="what-if-tables">
      {hourStart !== undefined && (
        <div class="what-if-hour">
          {m.t('hour')} {hourOf(hourStart)}
        </div>
      )}
      {queues.map((result) => (
        <QueueTable result={result} m={m} />
      ))}
    </div>
  );
}

export function WhatIfForm({ rows, token, m }: { rows: StaffingRow[]; token: string | null; m: Messages }) {
  const queues = [...new Set(rows.map((row) => row.queue))];
  const queue = useSignal(queues[0] ?? 'presale');
  const hourStart = useSignal('');
  const addAgents = useSignal(1);
  const busy = useSignal(false);
  const result = useSignal<Result | null>(null);
  const hours = rows.filter((row) => row.queue === queue.value).map((row) => row.hourStart);
  const selectedHour = hours.includes(hourStart.value) ? hourStart.value : (hours[0] ?? '');

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    busy.value = true;
    try {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (token !== null) headers['authorization'] = `Bearer ${token}`;
      const response = await fetch('/api/staffing/what-if', {
        method: 'POST',
        headers,
        body: JSON.stringify({ queue: queue.value, hourStart: selectedHour, addAgents: addAgents.value }),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Not JSON (a proxy error page): show the text as it came.
      }
      result.value = { status: response.status, body };
    } catch (error) {
      result.value = { status: 'error', body: String(error) };
    } finally {
      busy.value = false;
    }
  };

  return (
    <section class="panel what-if-panel">
      <h2>{m.t('whatIf')}</h2>
      <p class="panel-hint">{m.t('whatIfHint')}</p>
      <form class="what-if-form" onSubmit={(event) => void submit(event)}>
        <label>
          {m.t('queue')}
          <select
            name="queue"
            value={queue.value}
            onChange={(event) => (queue.value = event.currentTarget.value)}
          >
            {queues.map((name) => (
              <option value={name}>{m.queue(name)}</option>
            ))}
          </select>
        </label>
        <label>
          {m.t('hour')}
          <select
            name="hourStart"
            value={selectedHour}
            onChange={(event) => (hourStart.value = event.currentTarget.value)}
          >
            {hours.map((hour) => (
              <option value={hour}>{hourOf(hour)}</option>
            ))}
          </select>
        </label>
        <label>
          {m.t('addAgents')}
          <input
            name="addAgents"
            type="number"
            min={-50}
            max={100}
            step={1}
            value={addAgents.value}
            onInput={(event) => (addAgents.value = Number(event.currentTarget.value))}
          />
        </label>
        <button type="submit" disabled={busy.value || selectedHour === ''}>
          {m.t('run')}
        </button>
      </form>
      {result.value !== null && (
        <div class="what-if-output" data-status={String(result.value.status)}>
          {result.value.status !== 200 && <div class="panel-error">HTTP {String(result.value.status)}</div>}
          <ResultView body={result.value.body} m={m} />
        </div>
      )}
    </section>
  );
}
