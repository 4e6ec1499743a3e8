/**
 * The `staffing` rows of the aggregates (API.md): per queue in input order, the current
 * business-zone hour and the next three.
 */
import type { StaffingRow } from '../engine/aggregates.ts';
import {
  createForecastCalendar,
  forecastHours,
  type ForecastCalendar,
  type ForecastSource,
} from './forecast.ts';
import { projectedServiceLevel, queueModel, requiredChatAgents, type QueueModel } from './queue-model.ts';
import { refundDeskRequirement } from './refund-desk.ts';
import type { QueueStaffingInput, StaffingConfig, StaffingInput } from './types.ts';

/** The current hour and the next three. */
export const STAFFING_HOURS = 4;

/** A staffing row with the planning figures the contract allows as extra fields. */
export interface StaffingPlanRow extends StaffingRow {
  /** Service level the online agents would deliver on the forecast (refund desk: answered within the deadline); null when not computable. */
  projectedServiceLevel: number | null;
  /** Agents to add to reach the target: max(0, gap). */
  agentsToMove: number;
  /** Refund rows only: seconds until the first awaiting refund misses its deadline at current staffing, as of now (the same on all four rows); 0 if one already has, null if none will. */
  firstBreachInSec?: number | null;
  forecastSource: ForecastSource;
  /** Handle time the requirement used, seconds: `handleSec`, or the configured fallback when that is null. */
  handleSecUsed: number;
}

/** The hour starts staffed: current hour first. */
export function staffingHoursMs(calendar: ForecastCalendar, count = STAFFING_HOURS): number[] {
  const hours = [calendar.currentHourMs];
  while (hours.length < count) hours.push(calendar.zone.nextHourStart(hours[hours.length - 1] ?? 0));
  return hours;
}

function roundTo2OrNull(value: number | null): number | null {
  return value === null ? null : Math.round(value * 100) / 100;
}

/**
 * Extra agents to clear chats already waiting within the 30-minute rule, on top of the steady
 * flow: each waiting chat needs one handle time of a slot, and the slots must finish the backlog
 * within `chatBacklogClearSec` (default 1800 s) at the occupancy cap. Erlang C alone assumes an
 * empty queue at the start of the hour, so without this a queue of 200 would show spare staff.
 */
export function backlogChatAgents(model: QueueModel, waitingNow: number, config: StaffingConfig): number {
  if (waitingNow <= 0) return 0;
  const clearSec = config.chatBacklogClearSec ?? 1800;
  const slots = (waitingNow * model.handleSec) / (model.target.maxOccupancy * clearSec);
  return Math.ceil(slots / model.concurrency - 1e-9);
}

/** Requirement of one row; for the refund desk also the first breach, which only the backlog has. */
function requirementFor(
  model: QueueModel,
  queue: QueueStaffingInput,
  input: StaffingInput,
  forecastArrivals: number,
  isCurrentHour: boolean,
): { requiredAgents: number; firstBreachInSec: number | null } {
  if (model.kind === 'chat') {
    const flowAgents = requiredChatAgents(model, forecastArrivals);
    const backlog = isCurrentHour ? (queue.waitingNow ?? 0) : 0;
    return {
      requiredAgents: flowAgents + backlogChatAgents(model, backlog, input.config),
      firstBreachInSec: null,
    };
  }
  return refundDeskRequirement({
    nowMs: input.nowMs,
    // The backlog is work of the current hour; later hours only see their own inflow.
    awaitingRequestedMs: isCurrentHour ? (queue.awaitingRequestedMs ?? []) : [],
    forecastArrivals,
    handleSec: model.handleSec,
    responseDeadlineSec: input.config.refundResponseDeadlineSec,
    occupancy: input.config.refundOccupancy,
    onlineAgents: queue.onlineAgents,
  });
}

/**
 * Staffing rows for every queue in `input.queues` (chat queues and "refund"), for the current
 * business-zone hour and the next three. Pure: everything comes from `input`.
 *
 * - forecastArrivals: see forecast.ts (same-weekday mean → 28-day fallback → uplift → reforecast),
 *   2 decimals; the requirement is computed from the rounded figure so a row is self-consistent.
 * - requiredAgents: chat — Erlang C (Erlang A with a configured patience) in chat slots, then
 *   ceil(slots / concurrency), plus (current hour) the agents to clear the chats already waiting
 *   within 30 min; refund — deadline backlog (current hour) + inflow workload.
 * - handleSec null: chat queues use `config.defaultChatHandleSec` (300 s), the refund desk
 *   `config.refundHandleSec`; the value used is in `handleSecUsed`.
 * - onlineAgents is as given: shrinkage applies to planned positions, never to agents already online.
 */
export function computeStaffingRows(input: StaffingInput): StaffingPlanRow[] {
  const calendar = createForecastCalendar(input.nowMs, input.timeZone);
  const hoursMs = staffingHoursMs(calendar);
  const hourLabels = hoursMs.map((hour) => calendar.zone.format(hour));
  const rows: StaffingPlanRow[] = [];
  for (const queue of input.queues) {
    const model = queueModel(queue, input.config);
    const forecasts = forecastHours(queue, hoursMs, calendar, input.config);
    // The current hour comes first, and its refund requirement carries the breach of "now".
    let breachNow: number | null = null;
    forecasts.forEach((forecast, index) => {
      const isCurrentHour = forecast.hourStartMs === calendar.currentHourMs;
      const requirement = requirementFor(model, queue, input, forecast.forecastArrivals, isCurrentHour);
      if (isCurrentHour) breachNow = requirement.firstBreachInSec;
      const { requiredAgents } = requirement;
      const gap = requiredAgents - queue.onlineAgents;
      const row: StaffingPlanRow = {
        queue: queue.queue,
        hourStart: hourLabels[index] ?? calendar.zone.format(forecast.hourStartMs),
        forecastArrivals: forecast.forecastArrivals,
        actualArrivals: forecast.actualArrivals,
        handleSec: roundTo2OrNull(model.measuredHandleSec),
        requiredAgents,
        onlineAgents: queue.onlineAgents,
        gap,
        projectedServiceLevel: projectedServiceLevel(model, forecast.forecastArrivals, queue.onlineAgents),
        agentsToMove: Math.max(0, gap),
        forecastSource: forecast.source,
        handleSecUsed: model.handleSec,
      };
      if (model.kind === 'refund') row.firstBreachInSec = breachNow;
      rows.push(row);
    });
  }
  return rows;
}
