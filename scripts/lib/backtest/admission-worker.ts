/**
 * The admission worker of a file run (run-backtest-file.ts): reads the file, admits every line
 * (admit-line.ts) and posts the outcomes to the engine worker in compact batches
 * (admitted-codec.ts), in line order, at most a few batches ahead of it.
 */
import { workerData } from 'node:worker_threads';
import { createLineAdmitter } from './admit-line.ts';
import { AdmittedEncoder } from './admitted-codec.ts';
import type { AdmissionWorkerData, AdmittedMessage, TakenMessage } from './file-run-messages.ts';
import { readLineBatches } from './read-lines.ts';

async function run(data: AdmissionWorkerData): Promise<void> {
  const { port } = data;
  const admitter = createLineAdmitter(data.maxFutureSec);
  const encoder = new AdmittedEncoder();
  let inFlight = 0;
  let wake: (() => void) | undefined;
  port.on('message', (message: TakenMessage) => {
    inFlight -= 1;
    encoder.recycle(message.buffer);
    wake?.();
  });
  const post = async (): Promise<void> => {
    const batch = encoder.take();
    const message: AdmittedMessage = { type: 'batch', batch };
    port.postMessage(message, [batch.nums.buffer as ArrayBuffer]);
    inFlight += 1;
    while (inFlight >= data.maxInFlight) await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
  };
  for await (const lines of readLineBatches(data.path)) {
    for (const line of lines) admitter.admit(line, encoder);
    await post();
  }
  const end: AdmittedMessage = { type: 'end' };
  port.postMessage(end);
  port.close();
}

await run(workerData as AdmissionWorkerData);
