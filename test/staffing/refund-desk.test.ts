import { describe, expect, it } from 'vitest';
import { refundDeskRequirement, type RefundDeskState } from '../../server/staffing/index.ts';

const NOW_MS = Date.UTC(2026, 10, 11, 12, 0, 0);
const MINUTE_MS = 60_000;

/**
 * The worked example. Handle 360 s, deadline 1800 s, occupancy 0.8; four refunds awaiting,
 * requested 25, 20, 20 and 5 minutes ago, so due in 300, 600, 600 and 1500 s.
 */
function desk(overrides: Partial<RefundDeskState> = {}): RefundDeskState {
  return {
    nowMs: NOW_MS,
    awaitingRequestedMs: [
      NOW_MS - 25 * MINUTE_MS,
      NOW_MS - 20 * MINUTE_MS,
      NOW_MS - 20 * MINUTE_MS,
      NOW_MS - 5 * MINUTE_MS,
    ],
    forecastArrivals: 20,
    handleSec: 360,
    responseDeadlineSec: 1800,
    occupancy: 0.8,
    onlineAgents: 2,
    ...overrides,
  };
}

describe('refund desk requirement', () => {
  it('should take the worst horizon of the backlog plus the inflow workload, rounded up (worked example)', () => {
    // Horizons (a refund cannot be answered sooner than one handle time, 360 s, from now):
    //   T = 360 s (due at 300, lifted to 360): 1 × 360 / (0.8 × 360)  = 1.25
    //   T = 600 s (3 refunds due):             3 × 360 / (0.8 × 600)  = 2.25  ← max
    //   T = 1500 s (all 4):                    4 × 360 / (0.8 × 1500) = 1.2
    // Inflow: 20 × 360 / (3600 × 0.8) = 2.5.  Required = ceil(2.25 + 2.5) = ceil(4.75) = 5.
    const requirement = refundDeskRequirement(desk());
    expect(requirement.backlogAgents).toBeCloseTo(2.25, 12);
    expect(requirement.inflowAgents).toBeCloseTo(2.5, 12);
    expect(requirement.requiredAgents).toBe(5);
  });

  it('should find the first breach at current staffing, earliest deadline first', () => {
    // 2 agents × 0.8 / 360 s answer one refund every 225 s: at 225, 450, 675, 900 s.
    // Due at 300, 600, 600, 1500: the third (675 > 600) misses, at its deadline 600 s from now.
    expect(refundDeskRequirement(desk()).firstBreachInSec).toBe(600);
    // 3 agents: every 150 s → 150, 300, 450, 600: all in time.
    expect(refundDeskRequirement(desk({ onlineAgents: 3 })).firstBreachInSec).toBeNull();
    // Nobody online: the first deadline, 300 s away.
    expect(refundDeskRequirement(desk({ onlineAgents: 0 })).firstBreachInSec).toBe(300);
  });

  it('should report a breach of 0 s and ask for an agent per overdue refund when one is already late', () => {
    // Requested 40 min ago: due 10 min ago. Its horizon is now + 360 s: 1 × 360 / (0.8 × 360) = 1.25.
    const requirement = refundDeskRequirement(
      desk({ awaitingRequestedMs: [NOW_MS - 40 * MINUTE_MS], forecastArrivals: 0, onlineAgents: 5 }),
    );
    expect(requirement.firstBreachInSec).toBe(0);
    expect(requirement.backlogAgents).toBeCloseTo(1.25, 12);
    expect(requirement.requiredAgents).toBe(2);
  });

  it('should need only the inflow, and report no breach, when nothing is awaiting', () => {
    const requirement = refundDeskRequirement(desk({ awaitingRequestedMs: [] }));
    expect(requirement.backlogAgents).toBe(0);
    expect(requirement.requiredAgents).toBe(3);
    expect(requirement.firstBreachInSec).toBeNull();
  });

  it('should not round an exact whole number of agents up', () => {
    // 8 × 360 / (3600 × 0.8) = 1 exactly (in floating point, 1.0000000000000002).
    expect(refundDeskRequirement(desk({ awaitingRequestedMs: [], forecastArrivals: 8 })).requiredAgents).toBe(
      1,
    );
  });
});
