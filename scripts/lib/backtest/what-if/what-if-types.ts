/** The what-if roster plan (`--what-if plan.json`) and what the simulation reports. */

/** One roster change: agents added (or, negative, taken away) on a queue for a time range. */
export interface RosterChange {
  queue: string;
  /** Start of the change (epoch ms). */
  fromMs: number;
  /** End of the change (epoch ms, exclusive). */
  toMs: number;
  /** Agents added; negative takes that many of the queue's agents off (lowest ids first). */
  addAgents: number;
  /** The shop whose roster changes; absent: every shop gets the change. */
  shop?: string;
  /** Concurrent chats per added agent; default the median of the queue's agents in the data. */
  maxChats?: number;
}

export interface WhatIfPlan {
  changes: RosterChange[];
  /** Seed of the simulation's random draws (default 1). */
  seed?: number;
}

/** Per hour outcomes of one queue, actual or simulated. */
export interface QueueHourOutcome {
  /** Mean first-response wait of the chats answered, by arrival hour, seconds; null when none. */
  avgWaitSec: number | null;
  /** Share of the hour's arrivals answered within the service-level threshold (abandons count against). */
  serviceLevel: number | null;
  /** Arrivals of the hour that ended without an agent message. */
  abandoned: number;
  /** Minutes of the hour in which some chat of the queue had waited ≥ 30 min unanswered. */
  minutesUnansweredOver30m: number;
}

export interface WhatIfHour {
  hourStart: string;
  shop: string;
  queue: string;
  arrivals: number;
  actual: QueueHourOutcome;
  /** The simulation with the roster as it was (the calibration run). */
  simulated: QueueHourOutcome;
  /** The simulation with the plan's changes. */
  whatIf: QueueHourOutcome;
}

export interface Calibration {
  /** Service times are the day's own, scaled by this factor fitted to the day's mean wait (1 = as recorded). */
  holdTimeFactor: number;
  /**
   * Mean over hours (weighted by answered chats) of |simulated − actual| / actual hourly mean
   * wait, with the roster unchanged: the simulation reproduces the day within this share.
   */
  hourlyWaitError: number | null;
  /** The largest such error over hours with at least `minAnswered` answered chats. */
  maxHourlyWaitError: number | null;
  minAnswered: number;
  /** Hours compared. */
  hours: number;
  /** Mean wait per answered chat over the range, seconds. */
  actualMeanWaitSec: number | null;
  simulatedMeanWaitSec: number | null;
}

export interface WhatIfSummary {
  seed: number;
  changes: {
    queue: string;
    from: string;
    to: string;
    addAgents: number;
    shop: string | null;
    maxChats: number | null;
  }[];
  calibration: Calibration;
  hours: WhatIfHour[];
  /** Totals over the range, for each run. */
  totals: { actual: RunTotals; simulated: RunTotals; whatIf: RunTotals };
  /** Queue depth (chats waiting for a first answer) at every row instant: uPlot columns. */
  series: {
    asOf: string[];
    /** `shop/queue` → depth per row instant. */
    actualWaiting: Record<string, number[]>;
    simulatedWaiting: Record<string, number[]>;
    whatIfWaiting: Record<string, number[]>;
  };
}

export interface RunTotals {
  arrivals: number;
  answered: number;
  abandoned: number;
  avgWaitSec: number | null;
  serviceLevel: number | null;
  minutesUnansweredOver30m: number;
}
