/**
 * Reads a what-if plan: `{"changes":[{"queue":"aftersale","from":"2026-11-11T20:00+08:00",
 * "to":"2026-11-11T23:00+08:00","addAgents":5}], "seed": 1}`. Instants are RFC 3339; seconds may
 * be left out (`20:00+08:00`), as people write plans by hand. Optional calibration overrides:
 * `"availability": "logged" | "inferred"`, `"holdTimeFactor": 1.1` (e.g. one fitted on other
 * days), `"dayCheck": false` (skip the per-day in- and out-of-sample check).
 */
import { parseTimestampMs, QUEUE_PATTERN, SHOP_PATTERN } from '../../../../server/events/index.ts';
import type { Availability, RosterChange, WhatIfPlan } from './what-if-types.ts';

export class WhatIfPlanError extends Error {
  override name = 'WhatIfPlanError';
}

function instantMs(value: unknown, where: string): number {
  const text = typeof value === 'string' ? value.replace(/T(\d{2}:\d{2})(?=[Zz+-])/, 'T$1:00') : undefined;
  const parsed = text === undefined ? undefined : parseTimestampMs(text);
  if (parsed === undefined)
    throw new WhatIfPlanError(`${where} must be an RFC 3339 instant, got ${JSON.stringify(value)}`);
  return parsed;
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new WhatIfPlanError(`${where} must be an object`);
  }
  return value as Record<string, unknown>;
}

export function parseWhatIfPlan(value: unknown): WhatIfPlan {
  const plan = record(value, 'the plan');
  if (!Array.isArray(plan.changes)) throw new WhatIfPlanError('the plan needs "changes": an array');
  const changes = plan.changes.map((raw: unknown, index): RosterChange => {
    const where = `changes[${index}]`;
    const change = record(raw, where);
    if (typeof change.queue !== 'string' || !QUEUE_PATTERN.test(change.queue)) {
      throw new WhatIfPlanError(`${where}.queue must be a chat queue name`);
    }
    if (typeof change.addAgents !== 'number' || !Number.isInteger(change.addAgents)) {
      throw new WhatIfPlanError(`${where}.addAgents must be a whole number (negative takes agents off)`);
    }
    const fromMs = instantMs(change.from, `${where}.from`);
    const toMs = instantMs(change.to, `${where}.to`);
    if (!(toMs > fromMs)) throw new WhatIfPlanError(`${where}.to must be after .from`);
    const parsed: RosterChange = { queue: change.queue, fromMs, toMs, addAgents: change.addAgents };
    if (change.shop !== undefined && change.shop !== null) {
      if (typeof change.shop !== 'string' || !SHOP_PATTERN.test(change.shop)) {
        throw new WhatIfPlanError(`${where}.shop must be a shop id`);
      }
      parsed.shop = change.shop;
    }
    if (change.maxChats !== undefined && change.maxChats !== null) {
      if (typeof change.maxChats !== 'number' || !Number.isInteger(change.maxChats) || change.maxChats < 1) {
        throw new WhatIfPlanError(`${where}.maxChats must be a whole number ≥ 1`);
      }
      parsed.maxChats = change.maxChats;
    }
    return parsed;
  });
  const parsed: WhatIfPlan = { changes };
  const seed = plan.seed;
  if (seed !== undefined) {
    if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
      throw new WhatIfPlanError('seed must be a whole number');
    }
    parsed.seed = seed;
  }
  if (plan.availability !== undefined) {
    if (plan.availability !== 'logged' && plan.availability !== 'inferred') {
      throw new WhatIfPlanError('availability must be "logged" or "inferred"');
    }
    parsed.availability = plan.availability satisfies Availability;
  }
  if (plan.holdTimeFactor !== undefined) {
    const factor = plan.holdTimeFactor;
    if (typeof factor !== 'number' || !(factor >= 0.25 && factor <= 4)) {
      throw new WhatIfPlanError('holdTimeFactor must be a number from 0.25 to 4');
    }
    parsed.holdTimeFactor = factor;
  }
  if (plan.dayCheck !== undefined) {
    if (typeof plan.dayCheck !== 'boolean') throw new WhatIfPlanError('dayCheck must be true or false');
    parsed.dayCheck = plan.dayCheck;
  }
  return parsed;
}
