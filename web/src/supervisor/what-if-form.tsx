/**
 * POST /api/staffing/what-if for one queue and hour with N more agents, and show what came back.
 * The server owns the model; whatever fields it returns (serviceLevel, asaSec, occupancy,
 * projectedUnansweredOver30m, …) are listed, side by side when it returns before and after.
 */
import { useSignal } from '@preact/signals';
import type { StaffingRow } from '../../../server/engine/aggregates.ts';
import type { Messages } from '../i18n.ts';
import { formatPercent, formatWait, hourOf } from '../format.ts';

type Result = { status: number; body: unknown } | { status: 'error'; body: string };

function formatField(key: string, value: unknown): string {
  if (typeof value !== 'number') return value === null || value === undefined ? '—' : JSON.stringify(value);
  if (/level|occupancy|rate/i.test(key) && value <= 1.5) return formatPercent(value, 1);
  if (/Sec$/.test(key)) return formatWait(value);
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function ResultTable({ body, m }: { body: unknown; m: Messages }) {
  if (!isRecord(body)) return <pre class="what-if-raw">{JSON.stringify(body, null, 2)}</pre>;
  const before = body['before'];
  const after = body['after'];
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return (
      <table class="data-table what-if-result">
        <thead>
          <tr>
            <th />
            <th class="num">{m.t('before')}</th>
            <th class="num">{m.t('after')}</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <tr data-field={key}>
              <th>{key}</th>
              <td class="num" data-before={String(before[key] ?? '')}>
                {formatField(key, before[key])}
              </td>
              <td class="num" data-after={String(after[key] ?? '')}>
                {formatField(key, after[key])}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  return (
    <table class="data-table what-if-result">
      <tbody>
        {Object.entries(body).map(([key, value]) => (
          <tr data-field={key}>
            <th>{key}</th>
            <td class="num">{isRecord(value) ? JSON.stringify(value) : formatField(key, value)}</td>
          </tr>
        ))}
      </tbody>
    </table>
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
          <ResultTable body={result.value.body} m={m} />
        </div>
      )}
    </section>
  );
}
