/**
 * Realistic dirt for replay files: re-sent events (same id), small reorderings and lines the
 * server must reject. Driven by its own random stream, so a noisy file holds exactly the clean
 * file's events plus the noise, and the summary says how much of each kind went in.
 */
import { createRandom } from './random.ts';
import { serializeWireEvent } from './serialize-wire-event.ts';
import type { GeneratedEvent, WireEvent } from './wire-event.ts';

export const BAD_LINE_KINDS = ['invalid_json', 'unknown_type', 'missing_field', 'bad_ts'] as const;
export type BadLineKind = (typeof BAD_LINE_KINDS)[number];

export interface NoiseSummary {
  probability: number;
  /** Extra lines repeating an earlier event's id (a re-send). */
  duplicates: number;
  /** Of those, re-sends whose body differs (an extra field): still the same event by id. */
  duplicatesWithChangedBody: number;
  /** Pairs of neighbouring events written in swapped order (their ts differ by < 3 min). */
  reordered: number;
  /** Extra lines the server must reject, by the reason it should give. */
  bad: Record<BadLineKind, number>;
  badTotal: number;
}

export function emptyNoiseSummary(probability: number): NoiseSummary {
  return {
    probability,
    duplicates: 0,
    duplicatesWithChangedBody: 0,
    reordered: 0,
    bad: { invalid_json: 0, unknown_type: 0, missing_field: 0, bad_ts: 0 },
    badTotal: 0,
  };
}

/** Neighbours are only swapped when this close, so the event clock's 300 s future rule still holds. */
const MAX_REORDER_MS = 3 * 60_000;
/** A re-send lands within this many lines after the original. */
const MAX_DUPLICATE_DELAY_LINES = 20;
const UNKNOWN_TYPES: Readonly<Record<string, string>> = {
  refund: 'refund.teleported',
  chat: 'chat.typing',
  agent: 'agent.mood',
  order: 'order.wished',
  clock: 'clock.tock',
};

function badLine(event: WireEvent, kind: BadLineKind, line: string): string {
  // Bad lines get their own id: a re-used id would make JetStream's Nats-Msg-Id window drop the
  // good event that follows, which is not the failure being simulated.
  const id = `${event.id}-bad`;
  switch (kind) {
    case 'invalid_json':
      return line.slice(0, Math.max(1, Math.floor(line.length / 2)));
    case 'unknown_type': {
      const kind = event.type.slice(0, event.type.indexOf('.'));
      return JSON.stringify({ ...event, id, type: UNKNOWN_TYPES[kind] ?? 'clock.tock' });
    }
    case 'missing_field': {
      const copy: Record<string, unknown> = { ...event, id };
      const fields = Object.keys(copy).filter((key) => !['id', 'type', 'ts', 'shop'].includes(key));
      // Every type but clock.tick has a required field of its own; a tick loses its shop.
      delete copy[fields[0] ?? 'shop'];
      return JSON.stringify(copy);
    }
    case 'bad_ts':
      // No `T`, no offset: the shape a careless exporter writes.
      return JSON.stringify({ ...event, id, ts: event.ts.slice(0, 19).replace('T', ' ') });
  }
}

/**
 * NDJSON lines of `events` with noise: for each event, with probability `probability`, one of
 * a re-send, a swap with the next event, or a bad line written just before it. `summary` is
 * filled in as the lines are consumed.
 */
export function* addNoise(
  events: Iterable<GeneratedEvent>,
  options: { probability: number; seed: number },
  summary: NoiseSummary,
): Generator<string, void, undefined> {
  const random = createRandom(options.seed, 0x4e015e);
  const delayed: Array<{ line: string; remainingLines: number }> = [];
  let held: GeneratedEvent | undefined;
  let heldLine = '';

  function* afterGoodLine(): Generator<string, void, undefined> {
    for (let index = 0; index < delayed.length;) {
      const item = delayed[index];
      if (item !== undefined && --item.remainingLines <= 0) {
        delayed.splice(index, 1);
        yield item.line;
      } else {
        index++;
      }
    }
  }

  for (const generated of events) {
    const line = serializeWireEvent(generated.event);
    if (held !== undefined) {
      const swap = Math.abs(generated.tsMs - held.tsMs) < MAX_REORDER_MS;
      if (swap) summary.reordered++;
      yield swap ? line : heldLine;
      if (delayed.length > 0) yield* afterGoodLine();
      yield swap ? heldLine : line;
      if (delayed.length > 0) yield* afterGoodLine();
      held = undefined;
      continue;
    }
    if (options.probability > 0 && random.next() < options.probability) {
      const choice = random.integer(0, 2);
      if (choice === 0) {
        summary.duplicates++;
        let copy = line;
        if (random.chance(0.3)) {
          summary.duplicatesWithChangedBody++;
          copy = `${line.slice(0, -1)},"resent":true}`;
        }
        delayed.push({ line: copy, remainingLines: random.integer(1, MAX_DUPLICATE_DELAY_LINES) });
      } else if (choice === 1) {
        held = generated;
        heldLine = line;
        continue;
      } else {
        const kind = BAD_LINE_KINDS[random.integer(0, BAD_LINE_KINDS.length - 1)] ?? 'invalid_json';
        summary.bad[kind]++;
        summary.badTotal++;
        yield badLine(generated.event, kind, line);
      }
    }
    yield line;
    if (delayed.length > 0) yield* afterGoodLine();
  }
  if (held !== undefined) yield heldLine;
  for (const item of delayed) yield item.line;
}
