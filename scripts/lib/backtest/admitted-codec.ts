/**
 * Admitted lines (admit-line.ts) as compact batches, so a worker thread can admit a file while
 * the backtest's thread applies what came out. Posting decoded events as objects costs the
 * receiver more than parsing the JSON itself (structured clone ≈ 1.1 µs per event); here the
 * numbers go in one transferred Float64Array and the strings in one array (≈ 50 ns a string,
 * and each arrives as its own flat string, so a kept id keeps nothing else alive). Strings of
 * small vocabularies (shops, queues, enum values, reasons) are sent once and then by index.
 *
 * The receiver builds each event as decodeEvent does (envelope, then the contract's fields in
 * EVENT_FIELDS order), so the events, and everything computed from them, are the same.
 */
import {
  EVENT_FIELDS,
  EVENT_TYPES,
  REJECT_REASONS,
  type EventType,
  type FieldSpec,
  type PeakEvent,
  type RejectReason,
} from '../../../server/events/index.ts';
import type { AdmittedSink } from './admit-line.ts';

/** One batch of admitted lines, in line order. */
export interface AdmittedBatch {
  lines: number;
  /** Per line a code and its figures; per accepted event its numbers and string references. */
  nums: Float64Array;
  /** Strings of accepted events not sent by index, in order. */
  strs: string[];
  /** Strings the batch adds to the receiver's table (indexes continue the table). */
  interned: string[];
}

const BLANK = 0;
const ACCEPTED = 1;
const DUPLICATE = 2;
const REJECTED = 3;

/** A string field: absent, or sent inline in `strs`; otherwise (≥ 0) an index into the table. */
const ABSENT = -1;
const INLINE = -2;
/** Vocabulary strings kept by index at most; a file with more (a free-text field) sends the rest inline. */
const MAX_INTERNED = 1 << 16;

const TYPE_INDEX: ReadonlyMap<string, number> = new Map(EVENT_TYPES.map((type, index) => [type, index]));
const REASON_INDEX: ReadonlyMap<string, number> = new Map(
  REJECT_REASONS.map((reason, index) => [reason, index]),
);

/** Ids and other entity ids are unique or nearly: inline. Everything else is a small vocabulary. */
function isVocabulary(spec: FieldSpec): boolean {
  return spec.type.kind !== 'entityId';
}

/** The sending side: an AdmittedSink that fills batches. */
export class AdmittedEncoder implements AdmittedSink {
  private nums = new Float64Array(1 << 16);
  /** Buffers of batches already replayed, handed back to be filled again. */
  private readonly spare: ArrayBuffer[] = [];
  private used = 0;
  private lines = 0;
  private strs: string[] = [];
  private interned: string[] = [];
  private readonly table = new Map<string, number>();

  /** The batch so far (its buffer can be transferred); the encoder starts a new one. */
  take(): AdmittedBatch {
    const batch: AdmittedBatch = {
      lines: this.lines,
      nums: this.nums.subarray(0, this.used),
      strs: this.strs,
      interned: this.interned,
    };
    const spare = this.spare.pop();
    this.nums = spare === undefined ? new Float64Array(this.nums.length) : new Float64Array(spare);
    this.used = 0;
    this.lines = 0;
    this.strs = [];
    this.interned = [];
    return batch;
  }

  /**
   * A replayed batch's buffer, to fill again: a new 512 KB buffer per batch is memory outside
   * the heap that V8 answers with extra full collections on both threads.
   */
  recycle(buffer: ArrayBuffer): void {
    this.spare.push(buffer);
  }

  blank(): void {
    this.lines += 1;
    this.reserve(1);
    this.nums[this.used++] = BLANK;
  }

  duplicate(tsMs: number): void {
    this.lines += 1;
    this.reserve(2);
    this.nums[this.used++] = DUPLICATE;
    this.nums[this.used++] = tsMs;
  }

  rejected(reason: RejectReason, datedMs: number): void {
    this.lines += 1;
    this.reserve(3);
    this.nums[this.used++] = REJECTED;
    this.nums[this.used++] = REASON_INDEX.get(reason) as number;
    this.nums[this.used++] = datedMs;
  }

  accepted(event: PeakEvent): void {
    this.lines += 1;
    const specs = EVENT_FIELDS[event.type];
    // Code, type, tsMs, shop, then per field one number (a queue list: its length and one per queue).
    let size = 4 + specs.length;
    if (event.type === 'agent.status') size += event.queues.length;
    this.reserve(size);
    const nums = this.nums;
    nums[this.used++] = ACCEPTED;
    nums[this.used++] = TYPE_INDEX.get(event.type) as number;
    nums[this.used++] = event.tsMs;
    this.strs.push(event.id, event.ts);
    this.putString(event.shop, true);
    const fields = event as unknown as Readonly<Record<string, unknown>>;
    for (const spec of specs) {
      const value = fields[spec.prop];
      switch (spec.type.kind) {
        case 'amount':
        case 'positiveInteger':
          // Valid values are finite: NaN marks an absent optional field.
          nums[this.used++] = value === undefined ? Number.NaN : (value as number);
          break;
        case 'queueList': {
          const queues = value as readonly string[];
          nums[this.used++] = queues.length;
          for (const queue of queues) this.putString(queue, true);
          break;
        }
        default:
          if (value === undefined) nums[this.used++] = ABSENT;
          else this.putString(value as string, isVocabulary(spec));
      }
    }
  }

  private putString(value: string, vocabulary: boolean): void {
    if (vocabulary) {
      let index = this.table.get(value);
      if (index === undefined && this.table.size < MAX_INTERNED) {
        index = this.table.size;
        this.table.set(value, index);
        this.interned.push(value);
      }
      if (index !== undefined) {
        this.nums[this.used++] = index;
        return;
      }
    }
    this.nums[this.used++] = INLINE;
    this.strs.push(value);
  }

  private reserve(count: number): void {
    if (this.used + count <= this.nums.length) return;
    const bigger = new Float64Array(Math.max(this.nums.length * 2, this.used + count));
    bigger.set(this.nums.subarray(0, this.used));
    this.nums = bigger;
  }
}

/** The receiving side: replays batches, in order, into a sink. */
export class AdmittedDecoder {
  private readonly table: string[] = [];

  replay(batch: AdmittedBatch, sink: AdmittedSink): void {
    const table = this.table;
    for (const value of batch.interned) table.push(value);
    const { nums, strs } = batch;
    let at = 0;
    let s = 0;
    const text = (): string => {
      const ref = nums[at++] as number;
      return ref === INLINE ? (strs[s++] as string) : (table[ref] as string);
    };
    for (let line = 0; line < batch.lines; line += 1) {
      const code = nums[at++];
      if (code === BLANK) sink.blank();
      else if (code === DUPLICATE) sink.duplicate(nums[at++] as number);
      else if (code === REJECTED) {
        const reason = REJECT_REASONS[nums[at++] as number] as RejectReason;
        sink.rejected(reason, nums[at++] as number);
      } else {
        const type = EVENT_TYPES[nums[at++] as number] as EventType;
        const tsMs = nums[at++] as number;
        const id = strs[s++] as string;
        const ts = strs[s++] as string;
        // decodeEvent's construction (the same hidden classes, tsMs not kept as a double): the
        // envelope, then the fields in the contract's order.
        const decoded: Record<string, unknown> = { id, type, ts: '', tsMs: undefined, shop: text() };
        for (const spec of EVENT_FIELDS[type]) {
          switch (spec.type.kind) {
            case 'amount':
            case 'positiveInteger': {
              const value = nums[at++] as number;
              if (!Number.isNaN(value)) decoded[spec.prop] = value;
              break;
            }
            case 'queueList': {
              const queues: string[] = new Array<string>(nums[at++] as number);
              for (let q = 0; q < queues.length; q += 1) queues[q] = text();
              decoded[spec.prop] = queues;
              break;
            }
            default:
              if (nums[at] === ABSENT) at += 1;
              else decoded[spec.prop] = text();
          }
        }
        decoded.ts = ts;
        decoded.tsMs = tsMs;
        sink.accepted(decoded as unknown as PeakEvent);
      }
    }
  }
}
