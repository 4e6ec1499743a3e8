/**
 * Who works when. A shop's normal roster is planned from its expected normal-weekday traffic
 * (so normal days run with short waits); the peak day adds pre-arranged elastic staff, but not
 * enough for a 7× evening: the staffing gap the wall is built to show emerges from the queue.
 */
import { hashUnit } from './random.ts';
import { hourWeight, type TrafficStream } from './traffic-profile.ts';

export const STAFFED_QUEUES = ['presale', 'aftersale', 'refund'] as const;
export type StaffedQueue = (typeof STAFFED_QUEUES)[number];

/** Mean minutes one arrival occupies one agent slot, and how many slots an agent has. */
export const QUEUE_WORK: Readonly<
  Record<
    StaffedQueue,
    { stream: TrafficStream; handleMin: number; slots: number; occupancy: number; agentCode: string }
  >
> = {
  presale: { stream: 'presale', handleMin: 8, slots: 3, occupancy: 0.8, agentCode: 'pre' },
  aftersale: { stream: 'aftersale', handleMin: 10, slots: 3, occupancy: 0.8, agentCode: 'after' },
  // A first response on the refund desk is one piece of work at a time (read, decide, reply).
  refund: { stream: 'refund', handleMin: 2.5, slots: 1, occupancy: 0.7, agentCode: 'desk' },
};

/** Regular agents take one more chat at a time on the peak day. */
export const PEAK_MAX_CHATS = 4;

export interface Shift {
  agentId: string;
  queue: StaffedQueue;
  /** Minutes after local midnight; may exceed 1440 when a shift runs past midnight. */
  startMinute: number;
  endMinute: number;
  /** Break start and length in minutes, or undefined for a short shift. */
  breakStartMinute: number | undefined;
  breakMinutes: number;
  maxChats: number;
}

interface HourlyShift {
  startHour: number;
  endHour: number;
}

const SHIFT_HOURS = 9;

/** Agents needed per hour of a normal weekday (before day-to-day variation). */
function requiredAgents(queue: StaffedQueue, dailyArrivals: number): number[] {
  const work = QUEUE_WORK[queue];
  return Array.from({ length: 24 }, (_, hour) => {
    const arrivalsPerMin = (dailyArrivals / 1440) * hourWeight(hour);
    const needed = Math.ceil((arrivalsPerMin * work.handleMin) / (work.slots * work.occupancy));
    if (queue !== 'refund') return Math.max(1, needed);
    // The refund desk opens at 08:00 (requests wait overnight) with two extra people until noon
    // to clear the night's backlog.
    if (hour < 8) return 0;
    return Math.max(2, needed) + (hour < 12 ? 2 : 0);
  });
}

/** Greedy cover: open a shift whenever an hour has fewer agents on duty than it needs. */
function coverHours(required: readonly number[]): HourlyShift[] {
  const shifts: HourlyShift[] = [];
  for (let hour = 0; hour < 24; hour++) {
    let onDuty = shifts.filter((shift) => shift.startHour <= hour && hour < shift.endHour).length;
    while (onDuty < (required[hour] ?? 0)) {
      shifts.push({ startHour: hour, endHour: Math.min(24, hour + SHIFT_HOURS) });
      onDuty++;
    }
  }
  return shifts;
}

export interface RosterContext {
  seed: number;
  shopIndex: number;
  /** Normal-weekday arrivals per stream for this shop (scale and shop size applied). */
  dailyArrivals: Readonly<Record<TrafficStream, number>>;
  idPrefix: string;
}

export interface ShopRoster {
  /** Shifts of one local day. `dayOffset` is relative to the peak day (undefined: no peak). */
  shiftsFor(dayNumber: number, dayOffset: number | undefined): Shift[];
}

export function createShopRoster(context: RosterContext): ShopRoster {
  const plans = STAFFED_QUEUES.map((queue) => {
    const required = requiredAgents(queue, context.dailyArrivals[QUEUE_WORK[queue].stream]);
    return { queue, required, shifts: coverHours(required) };
  });

  return {
    shiftsFor(dayNumber, dayOffset) {
      const shifts: Shift[] = [];
      const isPeak = dayOffset === 0;
      for (const plan of plans) {
        const work = QUEUE_WORK[plan.queue];
        const chatQueue = plan.queue !== 'refund';
        const eveningNeed = plan.required[21] ?? 1;
        const add = (
          agentId: string,
          startHour: number,
          endHour: number,
          maxChats: number,
          jitterKey: number,
        ): void => {
          const jitter = hashUnit(context.seed, context.shopIndex, dayNumber, jitterKey);
          const breakJitter = hashUnit(jitterKey, context.seed, dayNumber, 0xb4ea);
          // People log in up to 10 minutes early and out up to 15 minutes late; nobody before midnight of the day.
          const startMinute = Math.max(0, startHour * 60 - Math.floor(jitter * 10));
          const endMinute = endHour * 60 + Math.floor(breakJitter * 15);
          const length = endMinute - startMinute;
          // Only full shifts get a meal break, spread over the shift's middle third so the floor
          // never empties at once; on the peak day nobody steps away during the evening peak.
          let breakStartMinute: number | undefined =
            length >= 7 * 60 ? startMinute + Math.floor(length * (0.33 + 0.34 * breakJitter)) : undefined;
          if (
            isPeak &&
            breakStartMinute !== undefined &&
            breakStartMinute + 60 > 19 * 60 &&
            breakStartMinute < 23 * 60
          ) {
            breakStartMinute = Math.max(startMinute + 60, 17 * 60 + Math.floor(breakJitter * 60));
          }
          shifts.push({
            agentId: `${context.idPrefix}${agentId}`,
            queue: plan.queue,
            startMinute,
            endMinute,
            breakStartMinute,
            breakMinutes: breakStartMinute === undefined ? 0 : 30 + Math.floor(jitter * 31),
            maxChats,
          });
        };
        plan.shifts.forEach((shift, index) => {
          const maxChats = chatQueue && isPeak ? PEAK_MAX_CHATS : work.slots;
          add(
            `${work.agentCode}-${String(index + 1).padStart(2, '0')}`,
            shift.startHour,
            shift.endHour,
            maxChats,
            index,
          );
        });
        // Elastic staff: pre-arranged for the peak (and the eve's late rush), sized from a normal evening.
        const elastic: Array<[startHour: number, endHour: number, count: number]> = [];
        if (isPeak) {
          elastic.push([0, 3, Math.ceil(eveningNeed * 1.2)]);
          elastic.push([10, 19, Math.ceil(eveningNeed * 0.8)]);
          elastic.push([18, 24, Math.ceil(eveningNeed * (chatQueue ? 1.0 : 1.2))]);
        } else if (dayOffset === -1 && plan.queue === 'presale') {
          elastic.push([21, 24, Math.ceil(eveningNeed * 0.5)]);
        }
        let elasticNumber = 0;
        for (const [startHour, endHour, count] of elastic) {
          for (let i = 0; i < count; i++) {
            elasticNumber++;
            add(
              `${work.agentCode}-e${String(elasticNumber).padStart(2, '0')}`,
              startHour,
              endHour,
              work.slots,
              1000 + elasticNumber,
            );
          }
        }
      }
      return shifts;
    },
  };
}
