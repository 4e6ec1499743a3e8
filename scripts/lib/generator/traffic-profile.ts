/**
 * How busy a shop is at a given local minute: a normal-day curve (quiet nights, busy 10:00–23:00),
 * a warm-up in the week before the peak, the peak day's midnight rush and evening peak, weekends
 * and a little day-to-day variation. Rates are per minute, so arrivals are a non-homogeneous
 * Poisson process sampled by `nextArrivalMs`.
 */
import { hashUnit } from './random.ts';

export const TRAFFIC_STREAMS = ['order', 'refund', 'presale', 'aftersale'] as const;
export type TrafficStream = (typeof TRAFFIC_STREAMS)[number];

/**
 * Arrivals per shop on a normal weekday at scale 1. With ~9 events per chat and ~4 per refund
 * this gives 85–100k events per shop-day, which 30 days × 2 shops turn into the ≥ 5M events the
 * engine benchmark needs (5.38M for seed 7). Orders per refund is ~13.5, inside the 10–20 real
 * shops see; pre-sales work (chats × 8 min) is twice after-sales (chats × 10 min), so the
 * planned roster has the 2 : 1 staff ratio of the seed documents.
 */
export const DAILY_ARRIVALS_AT_SCALE_1: Readonly<Record<TrafficStream, number>> = {
  order: 20_000,
  refund: 1_480,
  presale: 4_200,
  aftersale: 1_700,
};

/**
 * Relative traffic per local hour of a normal day (apparel on a marketplace): near zero from
 * 02:00 to 07:00, rising from 09:00, a plateau through the day and the day's top at 21:00.
 */
const HOURLY_WEIGHTS = [
  0.45, 0.25, 0.12, 0.07, 0.05, 0.05, 0.08, 0.15, 0.3, 0.55, 0.85, 0.95, 0.9, 0.9, 0.95, 1.0, 0.95, 0.9, 0.95,
  1.1, 1.3, 1.45, 1.35, 0.9,
];
const MEAN_WEIGHT = HOURLY_WEIGHTS.reduce((sum, weight) => sum + weight, 0) / HOURLY_WEIGHTS.length;

/** Normal-day weight per minute of the day, mean 1: linear between hour midpoints so rates have no steps. */
const MINUTE_WEIGHTS = Float64Array.from({ length: 1440 }, (_, minute) => {
  const hourPosition = minute / 60 - 0.5;
  const lower = Math.floor(hourPosition);
  const fraction = hourPosition - lower;
  const a = HOURLY_WEIGHTS[(lower + 24) % 24] ?? 0;
  const b = HOURLY_WEIGHTS[(lower + 25) % 24] ?? 0;
  return (a + (b - a) * fraction) / MEAN_WEIGHT;
});

/** Mean normal-day weight of a local hour (mean 1 over the day), for staffing plans. */
export function hourWeight(hour: number): number {
  return (HOURLY_WEIGHTS[hour] ?? 0) / MEAN_WEIGHT;
}

function smoothStep(minute: number, fromMinute: number, toMinute: number): number {
  if (minute <= fromMinute) return 0;
  if (minute >= toMinute) return 1;
  const x = (minute - fromMinute) / (toMinute - fromMinute);
  return x * x * (3 - 2 * x);
}

interface PeakShape {
  /** Multiplier on the normal curve all day. */
  base: number;
  /** Extra multiplier on the normal curve for the evening peak (20:00–22:30 at full height). */
  evening: number;
  /** Height of the midnight rush in daily-mean units at 00:00, decaying with `rushDecayMin`. */
  rush: number;
  rushDecayMin: number;
}

/**
 * The peak day (Singles' Day): orders and pre-sales chats jump at 00:00 when the sale opens, and
 * the evening runs at 5–10× a normal evening (base + evening ≈ 7× for orders). After-sales and
 * refunds rise less: the rush creates the cancellations (unshipped refunds) rather than returns.
 */
const PEAK_SHAPES: Readonly<Record<TrafficStream, PeakShape>> = {
  order: { base: 2.2, evening: 5.0, rush: 30, rushDecayMin: 30 },
  presale: { base: 2.0, evening: 4.5, rush: 14, rushDecayMin: 35 },
  aftersale: { base: 1.6, evening: 3.0, rush: 3, rushDecayMin: 60 },
  refund: { base: 1.7, evening: 3.3, rush: 14, rushDecayMin: 70 },
};

const WEEKEND_FACTOR = 1.1;
const DAY_NOISE = 0.08;

export interface ProfileContext {
  seed: number;
  shopIndex: number;
  /** Local day number of the peak day, or undefined for a run without a peak (live mode). */
  peakDayNumber: number | undefined;
}

/**
 * Multiplier on the normal weekday curve's daily mean for one stream at a local day and minute.
 * Rate per minute = daily arrivals / 1440 × this.
 */
export function trafficLevel(
  context: ProfileContext,
  stream: TrafficStream,
  dayNumber: number,
  minuteOfDay: number,
  weekday: number,
): number {
  const weight = MINUTE_WEIGHTS[Math.min(1439, Math.max(0, minuteOfDay))] ?? 1;
  const streamIndex = TRAFFIC_STREAMS.indexOf(stream);
  const dayVariation =
    1 + DAY_NOISE * (2 * hashUnit(context.seed, context.shopIndex, dayNumber, streamIndex) - 1);
  const weekend = weekday === 0 || weekday === 6 ? WEEKEND_FACTOR : 1;
  const offset = context.peakDayNumber === undefined ? undefined : dayNumber - context.peakDayNumber;

  if (offset === 0) {
    const shape = PEAK_SHAPES[stream];
    const evening =
      shape.evening *
      smoothStep(minuteOfDay, 19 * 60, 20 * 60) *
      (1 - 0.5 * smoothStep(minuteOfDay, 22 * 60 + 30, 24 * 60));
    return (
      dayVariation *
      (weight * (shape.base + evening) + shape.rush * Math.exp(-minuteOfDay / shape.rushDecayMin))
    );
  }
  let level = weight * dayVariation * weekend;
  if (offset === undefined) return level;
  if (offset === -1) {
    // The eve: shoppers fill carts and ask questions before midnight, but hold their orders for the sale.
    level *= 1.25;
    if (stream === 'presale') level *= 1 + 1.5 * smoothStep(minuteOfDay, 20 * 60, 22 * 60);
    if (stream === 'order') level *= 1 - 0.4 * smoothStep(minuteOfDay, 22 * 60, 23 * 60 + 30);
  } else if (offset >= -7 && offset <= -2) {
    level *= 1 + 0.04 * (8 + offset);
  } else if (offset >= 1) {
    // After the peak: fewer orders, more returns and after-sales questions.
    const afterPeak: Readonly<Record<TrafficStream, number>> = {
      order: 0.7,
      presale: 0.8,
      aftersale: 1.5,
      refund: 1.6,
    };
    level *= afterPeak[stream];
  }
  return level;
}
