/**
 * Writes a traffic file: NDJSON, one wire event per line, in time order, streamed through a 4 MiB buffer so a 5M-event run needs no more memory than a one-day run.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { addNoise, emptyNoiseSummary, type NoiseSummary } from './add-noise.ts';
import { GenerateOptionsError, resolveTrafficOptions, type GenerateOptions } from './generate-options.ts';
import { serializeWireEvent } from './serialize-wire-event.ts';
import { simulateTraffic } from './simulate-traffic.ts';
import type { GeneratedEvent, WireEvent, WireEventType } from './wire-event.ts';

export interface WriteTrafficFileOptions extends GenerateOptions {
  /** Output path. */
  out: string;
  /** Probability per event of a noise line (re-send, swap or bad line); default 0. */
  noise?: number;
  /** Called about every 256k events with the count so far and the latest event time. */
  onProgress?: (events: number, tsMs: number) => void;
}

export interface GenerateReport {
  /** Clean events generated (each exactly once in the file). */
  events: number;
  /** Lines written, noise included. */
  lines: number;
  bytes: number;
  elapsedMs: number;
  /** CPU time (user + system) of this process during the run: the honest speed on a shared machine. */
  cpuMs: number;
  firstTsMs: number | undefined;
  lastTsMs: number | undefined;
  countsByType: Partial<Record<WireEventType, number>>;
  /** Present when noise was asked for. */
  noise: NoiseSummary | undefined;
}

const BUFFER_BYTES = 4 << 20;
const PROGRESS_EVERY = 1 << 18;

/** The clean events of a file run, as wire objects, in file order. */
export function* generateEvents(options: GenerateOptions): Generator<WireEvent, void, undefined> {
  for (const generated of simulateTraffic(resolveTrafficOptions(options))) yield generated.event;
}

/** The lines of a file run (noise included when `noise` > 0), in file order. */
export function generateLines(
  options: GenerateOptions & { noise?: number },
  noiseSummary: NoiseSummary = emptyNoiseSummary(options.noise ?? 0),
): Iterable<string> {
  const events = simulateTraffic(resolveTrafficOptions(options));
  const noise = checkNoise(options.noise ?? 0);
  if (noise === 0) return cleanLines(events);
  return addNoise(events, { probability: noise, seed: options.seed }, noiseSummary);
}

function* cleanLines(events: Iterable<GeneratedEvent>): Generator<string, void, undefined> {
  for (const generated of events) yield serializeWireEvent(generated.event);
}

function checkNoise(noise: number): number {
  if (!Number.isFinite(noise) || noise < 0 || noise > 0.5) {
    throw new GenerateOptionsError(`--noise must be a probability from 0 to 0.5, got ${noise}`);
  }
  return noise;
}

export function writeTrafficFile(options: WriteTrafficFileOptions): GenerateReport {
  const startedMs = performance.now();
  const cpuBefore = process.cpuUsage();
  const traffic = resolveTrafficOptions(options);
  const noise = checkNoise(options.noise ?? 0);
  const countsByType: Partial<Record<WireEventType, number>> = {};
  let events = 0;
  let firstTsMs: number | undefined;
  let lastTsMs: number | undefined;

  function count(generated: GeneratedEvent): void {
    events++;
    const type = generated.event.type;
    countsByType[type] = (countsByType[type] ?? 0) + 1;
    firstTsMs ??= generated.tsMs;
    lastTsMs = generated.tsMs;
    if ((events & (PROGRESS_EVERY - 1)) === 0) options.onProgress?.(events, generated.tsMs);
  }

  const fd = openSync(options.out, 'w');
  let lineCount = 0;
  let bytes = 0;
  // Lines are encoded straight into one reused buffer and written when it is nearly full: no
  // joined megabyte strings to allocate and collect.
  const buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  let used = 0;
  const writeBuffer = (): void => {
    let offset = 0;
    while (offset < used) offset += writeSync(fd, buffer, offset, used - offset);
    bytes += used;
    used = 0;
  };
  const writeLine = (line: string): void => {
    // A UTF-16 code unit never takes more than 3 UTF-8 bytes, so this bound is always safe.
    if (used + line.length * 3 + 1 > BUFFER_BYTES) writeBuffer();
    used += buffer.write(line, used, 'utf8');
    buffer[used++] = 0x0a;
    lineCount++;
  };
  const summary = noise > 0 ? emptyNoiseSummary(noise) : undefined;
  try {
    if (summary === undefined) {
      for (const generated of simulateTraffic(traffic)) {
        count(generated);
        writeLine(serializeWireEvent(generated.event));
      }
    } else {
      // Counting happens on the clean stream, before noise, so the counts are the file's real events.
      const counted = function* (): Generator<GeneratedEvent, void, undefined> {
        for (const generated of simulateTraffic(traffic)) {
          count(generated);
          yield generated;
        }
      };
      for (const line of addNoise(counted(), { probability: noise, seed: options.seed }, summary))
        writeLine(line);
    }
    writeBuffer();
  } finally {
    closeSync(fd);
  }
  return {
    events,
    lines: lineCount,
    bytes,
    elapsedMs: performance.now() - startedMs,
    cpuMs: cpuMilliseconds(process.cpuUsage(cpuBefore)),
    firstTsMs,
    lastTsMs,
    countsByType,
    noise: summary,
  };
}

function cpuMilliseconds(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}
