// Staffing: forecasts, Erlang maths, refund-desk workload, staffing rows and what-if. Pure: no I/O, no clock.
export type {
  StaffingInput,
  QueueStaffingInput,
  StaffingConfig,
  StaffingQueueTarget,
  UpliftPlan,
} from './types.ts';
export { DEFAULT_STAFFING_CONFIG } from './defaults.ts';
export { computeStaffingRows, STAFFING_HOURS, type StaffingPlanRow } from './compute-staffing-rows.ts';
export {
  whatIf,
  WhatIfError,
  WHAT_IF_HORIZON_HOURS,
  type WhatIfRequest,
  type AddAgentsRequest,
  type MoveAgentsRequest,
  type WhatIfHour,
  type WhatIfResult,
  type WhatIfQueueResult,
  type WhatIfProjection,
} from './what-if.ts';
export type { QueueProjection } from './queue-model.ts';
export { forecastAccuracy, meanAbsolutePercentageError, type ForecastSource } from './forecast.ts';
export { refundDeskRequirement, type RefundDeskState, type RefundDeskRequirement } from './refund-desk.ts';
export {
  offeredLoadErlangs,
  erlangB,
  erlangC,
  erlangCMetrics,
  erlangCServiceLevel,
  erlangCWaitBeyondProbability,
  requiredServersErlangC,
  requiredServersForWaitingProbability,
  requiredServersErlangB,
  positionsWithShrinkage,
  type ErlangCMetrics,
  type ServiceLevelTarget,
} from './erlang.ts';
export {
  erlangAMetrics,
  erlangAWaitBeyondProbability,
  requiredServersErlangA,
  type ErlangAParameters,
  type ErlangAMetrics,
  type ErlangATarget,
} from './erlang-a.ts';
export { UnstableQueueError, StaffingInputError } from './errors.ts';
