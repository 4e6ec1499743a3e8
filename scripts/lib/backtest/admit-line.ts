/**
 * The backtest's first stage: one NDJSON line → what it came to (blank, accepted, duplicate,
 * rejected), through the server's own admission (`createAdmission` with an event clock). The
 * same code runs in the backtest's thread (`createBacktest().pushLine`) and in the admission
 * worker of a file run (admission-worker.ts), so both see exactly the same outcomes.
 */
import {
  CompactIdSet,
  createAdmission,
  createEventClock,
  parseTimestampMs,
  type PeakEvent,
  type RejectReason,
} from '../../../server/events/index.ts';

/** What the rest of the backtest needs of each line, in line order. */
export interface AdmittedSink {
  blank(): void;
  accepted(event: PeakEvent): void;
  duplicate(tsMs: number): void;
  /**
   * `datedMs`: the line's readable `ts`, else the event clock when it was read (−∞ before the
   * first event).
   */
  rejected(reason: RejectReason, datedMs: number): void;
}

export interface LineAdmitter {
  admit(line: string, sink: AdmittedSink): void;
}

const TS_FIELD = /"ts"\s*:\s*"([^"\\]{1,64})"/;

/** The `ts` of a rejected line when it has a readable one (it dates the line for the rows' counts). */
function readableTsMs(line: string): number | undefined {
  const match = TS_FIELD.exec(line);
  return match === null ? undefined : parseTimestampMs(match[1] as string);
}

function isBlank(line: string): boolean {
  return line.length === 0 || (line.charCodeAt(0) <= 32 && line.trim() === '');
}

export function createLineAdmitter(maxFutureSec: number): LineAdmitter {
  const clock = createEventClock();
  // Ids are remembered for the whole file: a compact exact set keeps 5M ids in ~130 MiB.
  const admission = createAdmission({ clock, maxFutureSec, seen: new CompactIdSet() });
  return {
    admit(line, sink) {
      if (isBlank(line)) {
        sink.blank();
        return;
      }
      const result = admission.admit(line);
      if (result.outcome === 'accepted') sink.accepted(result.event);
      else if (result.outcome === 'duplicate') sink.duplicate(result.event.tsMs);
      else {
        const datedMs = readableTsMs(line) ?? (clock.unset ? Number.NEGATIVE_INFINITY : clock.nowMs());
        sink.rejected(result.reason, datedMs);
      }
    },
  };
}
