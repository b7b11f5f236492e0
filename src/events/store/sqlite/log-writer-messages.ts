import type { MessagePort } from 'node:worker_threads';
import { ConcurrencyError } from '../../../errors.js';
import type { Outcome } from '../../../sqlite/batched-writes.js';
import type { AppendRequest, Written } from './log-writes.js';

/** What the writer thread is started with. */
export interface WriterSetup {
  file: string;
  /** the port batches come on and answers go back on */
  port: MessagePort;
  /** DurableBoundary's buffer: set before each commit, cleared after its fsync */
  boundary: SharedArrayBuffer;
  /** CommitCounter's buffer: bumped whenever the thread sees that another connection committed to the file */
  foreign: SharedArrayBuffer;
  /** how often the thread looks for other connections' commits while idle */
  foreignCheckMs: number;
  /** the page cache of the thread's connection (the starting thread's) */
  sqliteCacheMb: number;
}

export type ToWriter = { id: number; batch: AppendRequest[] } | { stop: true };

/** An error as it crosses the thread: a conflict keeps its class and fields; anything else its message and code. */
export type WireError =
  { conflict: [streamId: string, expected: string, actual: string] } | { message: string; code?: string };

/** The outcomes of one batch posted to the writer, in its order. */
export interface Answer {
  id: number;
  outcomes: Array<{ result: Written } | { error: WireError }>;
}

export type FromWriter =
  /**
   * every batch of one round, once it is durable: one message (one wake of
   * the event loop) per round; `through`: the last position it wrote, when
   * it wrote any
   */
  | { answers: Answer[]; through: number | undefined }
  /** an fsync (or the WAL's open) failed: nothing more is durable */
  | { failed: string };

export function toWire(error: unknown): WireError {
  if (error instanceof ConcurrencyError) return { conflict: [error.streamId, error.expected, error.actual] };
  const code = (error as { code?: unknown } | null)?.code;
  return {
    message: error instanceof Error ? error.message : String(error),
    ...(typeof code === 'string' ? { code } : {}),
  };
}

export function fromWire(error: WireError): Error {
  if ('conflict' in error) return new ConcurrencyError(...error.conflict);
  return Object.assign(new Error(error.message), error.code === undefined ? {} : { code: error.code });
}

export const outcomeToWire = (o: Outcome<Written>): { result: Written } | { error: WireError } =>
  'result' in o ? o : { error: toWire(o.error) };
