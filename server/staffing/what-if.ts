/**
 * What-if (API.md `POST /api/staffing/what-if`): the same snapshot input with a different head
 * count for one hour. Pure; the HTTP layer validates the token and the body shape, this module
 * the meaning.
 */
import { parseTimestampMs } from '../events/index.ts';
import { StaffingInputError } from './errors.ts';
import { createForecastCalendar, forecastHours } from './forecast.ts';
import { projectQueue, queueModel, type QueueProjection } from './queue-model.ts';
import { firstBreachInSec } from './refund-desk.ts';
import type { StaffingInput } from './types.ts';

/** Hours ahead (current hour included) a what-if may ask about: the forecast is a day-ahead one. */
export const WHAT_IF_HORIZON_HOURS = 24;

/** Instant of the hour: RFC 3339 (as in the rows' `hourStart`) or epoch ms; any instant inside the hour works. */
export type WhatIfHour = string | number;

/** Add (or, negative, remove) agents on one queue. */
export interface AddAgentsRequest {
  queue: string;
  hourStart: WhatIfHour;
  addAgents: number;
}

/** Move agents from one queue to another. */
export interface MoveAgentsRequest {
  from: string;
  to: string;
  agents: number;
  hourStart: WhatIfHour;
}

export type WhatIfRequest = AddAgentsRequest | MoveAgentsRequest;

/** A request the input cannot answer (unknown queue, hour out of range, negative head count). */
export class WhatIfError extends StaffingInputError {
  override name = 'WhatIfError';
}

/** Projection of a head count, plus the refund desk's backlog breach (current hour only). */
export interface WhatIfProjection extends QueueProjection {
  /** Refund desk, current hour: seconds until the first deadline breach at this head count; otherwise absent. */
  firstBreachInSec?: number | null;
}

export interface WhatIfQueueResult {
  queue: string;
  forecastArrivals: number;
  before: WhatIfProjection;
  after: WhatIfProjection;
}

export interface WhatIfResult {
  /** The hour, RFC 3339 in the business zone. */
  hourStart: string;
  queues: WhatIfQueueResult[];
}

function requireWholeNumber(name: string, value: number): void {
  if (!Number.isInteger(value)) throw new WhatIfError(`${name} must be a whole number, got ${value}`);
}

/**
 * Before/after projections for the queues a request touches: service level (chat: within the
 * queue's threshold; refund desk: within the response deadline), ASA, occupancy, and the expected
 * arrivals of the hour waiting over 30 minutes. "Before" is the online head count.
 * @throws WhatIfError on an unknown queue, an hour outside [current hour, +24 h), a fractional
 * or negative resulting head count
 */
export function whatIf(input: StaffingInput, request: WhatIfRequest): WhatIfResult {
  const calendar = createForecastCalendar(input.nowMs, input.timeZone);
  const instantMs =
    typeof request.hourStart === 'number' ? request.hourStart : parseTimestampMs(request.hourStart);
  if (instantMs === undefined || !Number.isFinite(instantMs)) {
    throw new WhatIfError(
      `hourStart must be an RFC 3339 instant or epoch ms, got ${String(request.hourStart)}`,
    );
  }
  const hourMs = calendar.zone.hourStart(instantMs);
  const horizonEndMs = calendar.currentHourMs + WHAT_IF_HORIZON_HOURS * 3_600_000;
  if (hourMs < calendar.currentHourMs || hourMs >= horizonEndMs) {
    throw new WhatIfError(
      `hourStart must be within the current hour and the next ${WHAT_IF_HORIZON_HOURS - 1}`,
    );
  }

  const changes: { queue: string; delta: number }[] =
    'addAgents' in request
      ? [{ queue: request.queue, delta: request.addAgents }]
      : [
          { queue: request.from, delta: -request.agents },
          { queue: request.to, delta: request.agents },
        ];
  if ('agents' in request) {
    requireWholeNumber('agents', request.agents);
    if (request.agents < 0) throw new WhatIfError('agents to move must be ≥ 0');
    if (request.from === request.to) throw new WhatIfError('from and to must be different queues');
  } else {
    requireWholeNumber('addAgents', request.addAgents);
  }

  const queues = changes.map(({ queue: name, delta }) => {
    const queue = input.queues.find((candidate) => candidate.queue === name);
    if (queue === undefined) throw new WhatIfError(`unknown queue ${JSON.stringify(name)}`);
    const afterAgents = queue.onlineAgents + delta;
    if (afterAgents < 0) {
      throw new WhatIfError(`${name} has ${queue.onlineAgents} agents online; cannot remove ${-delta}`);
    }
    const model = queueModel(queue, input.config);
    const [forecast] = forecastHours(queue, [hourMs], calendar, input.config);
    const arrivals = forecast?.forecastArrivals ?? 0;
    const project = (agents: number): WhatIfProjection => {
      const projection: WhatIfProjection = projectQueue(model, arrivals, agents);
      if (model.kind === 'refund' && hourMs === calendar.currentHourMs) {
        projection.firstBreachInSec = firstBreachInSec({
          nowMs: input.nowMs,
          awaitingRequestedMs: queue.awaitingRequestedMs ?? [],
          forecastArrivals: arrivals,
          handleSec: model.handleSec,
          responseDeadlineSec: input.config.refundResponseDeadlineSec,
          occupancy: input.config.refundOccupancy,
          onlineAgents: agents,
        });
      }
      return projection;
    };
    return {
      queue: name,
      forecastArrivals: arrivals,
      before: project(queue.onlineAgents),
      after: project(afterAgents),
    };
  });
  return { hourStart: calendar.zone.format(hourMs), queues };
}
