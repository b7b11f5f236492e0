import { Worker } from 'node:worker_threads';
import type { WalSyncer } from './wal-durability.js';

/** Slots of the shared control array. */
const REQUESTED = 0;
const STOP = 1;

/**
 * The thread's whole program (CommonJS, evaluated: no file to find, built or
 * not). It waits until a sync is requested, fdatasyncs the WAL, posts the
 * newest request that fsync covered, and at once goes on with whatever was
 * requested meanwhile. Request numbers wrap around as 32-bit integers.
 */
const PROGRAM = `
const { workerData, parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const control = new Int32Array(workerData.control);
const [REQUESTED, STOP] = [${REQUESTED}, ${STOP}];
const failed = (error) => parentPort.postMessage({ failed: (error && error.code) || 'EIO' });
let fd;
try {
  fd = fs.openSync(workerData.wal, 'r+');
  // The WAL's directory entry, once: the file itself must survive a power cut.
  const dir = fs.openSync(path.dirname(workerData.wal), 'r');
  try { fs.fsyncSync(dir); } finally { fs.closeSync(dir); }
} catch (error) {
  failed(error);
}
let synced = 0;
while (fd !== undefined) {
  Atomics.wait(control, REQUESTED, synced);
  if (Atomics.load(control, STOP) === 1) break;
  const requested = Atomics.load(control, REQUESTED);
  if (requested === synced) continue;
  try {
    fs.fdatasyncSync(fd);
  } catch (error) {
    failed(error);
    break;
  }
  synced = requested;
  parentPort.postMessage({ synced });
}
if (fd !== undefined) fs.closeSync(fd);
`;

/**
 * A thread of its own that fdatasyncs one SQLite WAL whenever commits ask.
 *
 * On libuv's thread pool, the next fsync could start only once the event
 * loop had run the previous one's callback, and a busy loop runs it late:
 * under load about 1.5 ms went from asking for an fsync to hearing of it,
 * for a system call of 0.3 ms. This thread starts the next fsync the moment
 * the last one returns (requests reach it through shared memory: a store
 * and a notify, no message), and posts what each covered; the event loop
 * acknowledges that when it next gets to it. (A message, not
 * Atomics.waitAsync: under load on Node 20 a waitAsync now and then never
 * woke.) While a request is outstanding the thread keeps the process
 * alive, as a pending fsync on the thread pool did.
 *
 * Worth its thread where commits come concurrently (the server); a lone
 * append awaited in turn pays more for the message back than for the pool's
 * callback (./wal-sync-pool.ts).
 */
export class WalSyncThread implements WalSyncer {
  private readonly control = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  private readonly worker: Worker;
  private requested = 0;
  private outstanding = false;
  private stopped: Promise<void> | undefined;
  private down = false;
  private exited = false;

  constructor(
    walFile: string,
    private readonly onSynced: (upTo: number) => void,
    private readonly onFailed: (code: string) => void,
  ) {
    this.worker = new Worker(PROGRAM, { eval: true, workerData: { control: this.control.buffer, wal: walFile } });
    this.worker.unref();
    this.worker.on('message', (message: { synced: number } | { failed: string }) => {
      if ('failed' in message) return this.fail(message.failed);
      if (message.synced === this.requested) this.idle();
      if (!this.down) this.onSynced(message.synced);
    });
    this.worker.on('error', () => this.fail('the sync thread failed'));
    this.worker.on('exit', () => {
      this.exited = true;
      if (!this.stopped) this.fail('the sync thread stopped');
    });
  }

  /** Asks for an fsync covering every commit made so far; returns the request's number. */
  request(): number {
    this.requested = (this.requested + 1) | 0;
    if (!this.outstanding) {
      this.outstanding = true;
      this.worker.ref();
    }
    Atomics.store(this.control, REQUESTED, this.requested);
    Atomics.notify(this.control, REQUESTED);
    return this.requested;
  }

  /** Stops the thread (after the fsync in flight, if any). */
  stop(): Promise<void> {
    this.stopped ??= new Promise<void>((resolve) => {
      if (this.exited) return resolve();
      this.worker.once('exit', () => resolve());
      // held until it has exited: a close awaited at the end of a program must finish
      this.worker.ref();
      Atomics.store(this.control, STOP, 1);
      // a request number the thread has not synced: its wait returns, and it sees STOP
      Atomics.store(this.control, REQUESTED, (this.requested + 1) | 0);
      Atomics.notify(this.control, REQUESTED);
    });
    return this.stopped;
  }

  /** Nothing outstanding: an idle log does not keep the process alive. */
  private idle(): void {
    this.outstanding = false;
    this.worker.unref();
  }

  private fail(code: string): void {
    if (this.down) return;
    this.down = true;
    this.idle();
    this.onFailed(code);
  }
}
