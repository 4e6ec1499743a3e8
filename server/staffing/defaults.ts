import type { StaffingConfig } from './types.ts';

/**
 * Defaults from DESIGN.md and DOMAIN.md: 80 % of chats first-answered within 60 s, occupancy capped
 * at 85 %, refunds answered within 30 min at 6 min of work each, reforecast after 30 arrivals.
 */
export const DEFAULT_STAFFING_CONFIG: StaffingConfig = {
  targets: {},
  defaultTarget: { targetServiceLevel: 0.8, thresholdSec: 60, maxOccupancy: 0.85 },
  refundHandleSec: 360,
  refundResponseDeadlineSec: 1800,
  refundOccupancy: 0.85,
  reforecastMinArrivals: 30,
  defaultChatHandleSec: 300,
  defaultChatConcurrency: 1,
};
