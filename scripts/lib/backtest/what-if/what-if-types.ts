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
  /**
   * Who takes chats in the simulation: presence as logged, or inferred from the day (agents idle
   * while callers waited were away). Absent: inferred only when the logged presence answers
   * clearly too fast (see run-what-if.ts).
   */
  availability?: Availability;
  /** Factor on every slot time; absent: fitted to the day's mean wait when that is off by > 5 %. */
  holdTimeFactor?: number;
  /** false: skip the per-day calibration check of a range of several days (it costs a second run). */
  dayCheck?: boolean;
}

export type Availability = 'logged' | 'inferred';

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
  /** Presence as logged, or availability inferred from the day (see availability.ts). */
  availability: Availability;
  /** Queues served before others, highest first (inferred from who overtook whom); empty: first come, first served. */
  queuePriority: string[];
  /**
   * Head start of each priority rank, seconds (twice the median of how much younger the
   * overtaking chats were); null: strict priority or none.
   */
  headStartSec: number | null;
  /** `a>b`: chats of a picked up while an older chat of b still waited and the agent also served b (the evidence). */
  overtakes: Record<string, number>;
  /** Simulated copies averaged (each with its own patience draws). */
  replications: number;
  /**
   * Mean over (hour, queue) cells with at least `minAnswered` answered chats, weighted by answered
   * chats, of |simulated − actual| / actual mean wait, with the roster unchanged: the simulation
   * reproduces the range's hours within this share.
   */
  hourlyWaitError: number | null;
  /**
   * The same errors weighted by each cell's actual waiting time (answered × mean wait): the share
   * of the range's waiting that the simulation gets wrong. Cells where nobody waits long (a 2 s
   * mean simulated as 5 s is a 150 % error) weigh little here.
   */
  waitWeightedError: number | null;
  /**
   * `hourlyWaitError` with the cells of all days pooled by local hour of day (and queue): how well
   * the range's mean day is reproduced hour by hour. Equal to it on a one-day range.
   */
  hourOfDayWaitError: number | null;
  /** The largest cell error (cells with at least `minAnswered` answered chats). */
  maxHourlyWaitError: number | null;
  minAnswered: number;
  /** Cells compared. */
  hours: number;
  /** Mean wait per answered chat over the range, seconds. */
  actualMeanWaitSec: number | null;
  simulatedMeanWaitSec: number | null;
  /**
   * `hourlyWaitError` and `waitWeightedError` between one simulated copy and the mean of the
   * others (averaged over copies): how far a range that followed the model exactly would be from
   * the model's mean. An error near this is as small as the range's own randomness allows. Null
   * with one copy.
   */
  noiseFloor: { hourlyWaitError: number | null; waitWeightedError: number | null } | null;
  /**
   * Every day of the range calibrated on its own (in-sample), and simulated with the slot-time
   * factor (median) and queue priority (summed overtakes) of the other days of the range and of up
   * to 28 days of the log before it (out-of-sample). The errors pool the range's days' cells.
   * Null without another day to carry a calibration from (or with `dayCheck: false`).
   */
  days: {
    /** Days before the range that were calibrated for the out-of-sample pool. */
    historyDays: number;
    inSample: CalibrationErrors;
    outOfSample: CalibrationErrors;
    perDay: DayCalibration[];
  } | null;
}

export interface CalibrationErrors {
  hourlyWaitError: number | null;
  waitWeightedError: number | null;
  hourOfDayWaitError: number | null;
  hours: number;
}

export interface DayCalibration {
  /** Local date. */
  date: string;
  /** Cells compared. */
  hours: number;
  availability: Availability;
  /** Fitted on the day itself. */
  holdTimeFactor: number;
  hourlyWaitError: number | null;
  /** The median of the other days' factors. */
  outOfSampleHoldTimeFactor: number;
  /** With that factor and the other days' queue priority. */
  outOfSampleHourlyWaitError: number | null;
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
