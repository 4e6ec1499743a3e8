/**
 * The engine worker of a file run (run-backtest-file.ts): replays the admission worker's batches
 * (admitted-codec.ts) into `createAdmittedBacktest`, sends each row as it is taken and the
 * summary at the end.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AdmittedDecoder } from './admitted-codec.ts';
import type { AdmittedMessage, EngineMessage, EngineWorkerData, TakenMessage } from './file-run-messages.ts';
import type { BacktestRow } from './report-types.ts';
import { createAdmittedBacktest, type BacktestProgress } from './run-backtest.ts';

function run(out: NonNullable<typeof parentPort>, data: EngineWorkerData): void {
  const post = (message: EngineMessage): void => out.postMessage(message);
  // Rows leave as they are taken (after each batch): this heap does not keep them, and the
  // report does not arrive as one large copy at the end.
  let rows: BacktestRow[] = [];
  const sendRows = (): void => {
    if (rows.length === 0) return;
    post({ type: 'rows', rows });
    rows = [];
  };
  const backtest = createAdmittedBacktest(
    {
      ...data.options,
      ...(data.progress
        ? {
            onProgress: (progress: BacktestProgress) => {
              sendRows();
              post({ type: 'progress', progress });
            },
          }
        : {}),
    },
    (row) => rows.push(row),
  );
  const decoder = new AdmittedDecoder();
  data.port.on('message', (message: AdmittedMessage) => {
    if (message.type === 'batch') {
      decoder.replay(message.batch, backtest);
      // The buffer goes back to be filled again (the reader is a few batches ahead meanwhile).
      const buffer = message.batch.nums.buffer as ArrayBuffer;
      const taken: TakenMessage = { type: 'taken', buffer };
      data.port.postMessage(taken, [buffer]);
      sendRows();
      return;
    }
    const report = backtest.finish();
    sendRows();
    post({ type: 'report', report });
    data.port.close();
  });
}

if (parentPort !== null) run(parentPort, workerData as EngineWorkerData);
