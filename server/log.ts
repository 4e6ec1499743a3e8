/**
 * Structured JSON logs (pino) on stderr, with levels; nothing is logged per event at info.
 * A narrow interface, so stages take a `Logger` and never import pino themselves.
 */
import { pino } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown> | undefined;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** Field names whose values never reach a log line (tokens, credentials). */
const REDACTED = ['token', 'authorization', 'viewerToken', 'supervisorToken', '*.token', '*.authorization'];

export function createLogger(level: LogLevel = 'info', destination: NodeJS.WritableStream | number = 2): Logger {
  const logger = pino(
    { level, base: { service: 'peakboard' }, redact: { paths: REDACTED, censor: '[redacted]' } },
    typeof destination === 'number' ? pino.destination({ dest: destination, sync: true }) : destination,
  );
  const emit =
    (lvl: LogLevel) =>
    (message: string, fields?: LogFields): void => {
      if (fields === undefined) logger[lvl](message);
      else logger[lvl](fields, message);
    };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}
