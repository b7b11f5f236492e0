import { pino, type Logger } from 'pino';
import type { LogLevel } from './settings.js';

/**
 * Structured JSON logs on stdout. Nothing personal is ever passed to the
 * logger: request logs carry method, path, status, duration and operation
 * name, never variables or bodies.
 */
export function createLogger(level: LogLevel, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, base: { service: 'privacy-ledger' }, timestamp: pino.stdTimeFunctions.isoTime },
    destination ?? process.stdout,
  );
}
