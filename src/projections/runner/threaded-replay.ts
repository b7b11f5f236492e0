import type { Worker } from 'node:worker_threads';
import { yieldToEventLoop } from '../../event-loop.js';
import type { EventStore } from '../../events/store/event-store.js';
import { LogReader } from '../../events/store/sqlite/log-reader.js';
import { SqliteEventStore } from '../../events/store/sqlite/sqlite-event-store.js';
import type { UpcasterRegistry } from '../../events/store/upcasters.js';
import { importExport } from '../../module-export.js';
import { startWorker } from '../../start-worker.js';
import type { Projection, StandaloneProjection } from '../projection.js';
import type { ReadStore } from '../store/read-store.js';
import { rowLoadingOf, type RowLoading } from '../store/sqlite/prepared-rows.js';
import type { HeldLease } from './held-lease.js';
import { type BatchProjection, errorText, type Prepared, preparedBatch } from './prepared-batch.js';
import type { FromProjector, ProjectorSetup, ToProjector } from './thread/rebuild-messages.js';

/**
 * Batches handed to the projecting thread and not written yet: enough that
 * it never waits for the writes, few enough that what waits stays a few
 * megabytes.
 */
const READ_AHEAD = 4;
/** Batches this thread prepares itself ahead of the writes while the projecting thread's are not ready. */
const OWN_AHEAD = 2;
/**
 * The projecting thread's young generation (MB), as the projection
 * thread's default: with V8's (48) a 1M-event rebuild's peak RSS was
 * 251–323 MB, with 24 236–238 MB, for the same CPU (load 6, two runs each).
 */
const PROJECTOR_YOUNG_GENERATION_MB = 24;
/**
 * A log of fewer batches is replayed on one thread: starting the other
 * (its modules loaded, its connection opened) would cost more than it saves.
 */
export const MIN_THREADED_BATCHES = 8;

/** A replay that can run on two threads: what the projecting thread needs, the projection, the store that takes its rows. */
export interface OffThread {
  setup: Omit<ProjectorSetup, 'layouts'>;
  projection: StandaloneProjection;
  upcasters: UpcasterRegistry;
  rows: RowLoading;
}

/**
 * Whether replaying `projection` into `store` can run on two threads: a
 * StandaloneProjection (it reads nothing of the store) that is the very
 * value exported where it says (a copy with other collections or another
 * `project` is not what the thread would import), upcast by a registry
 * exported likewise (a runner with upcasters of its own, as tests make,
 * keeps to its thread), reading a SQLite log in a file and writing a store
 * that takes prepared rows (SQLite's). Otherwise undefined: the replay runs
 * on this thread, into the same model.
 */
export async function offThread(
  events: EventStore,
  store: ReadStore,
  projection: Projection,
  upcasters: UpcasterRegistry,
): Promise<OffThread | undefined> {
  const file = events instanceof SqliteEventStore ? events.file : undefined;
  const { standalone } = projection;
  const registry = upcasters.exportedAs;
  const rows = rowLoadingOf(store);
  if (file === undefined || !standalone || !registry || !rows) return undefined;
  if ((await importExport(standalone)) !== projection || (await importExport(registry)) !== upcasters) return undefined;
  const collections = projection.collections.map((c) => c.name);
  const setup = { file, name: projection.name, projection: standalone, upcasters: registry, collections };
  return { setup, projection: projection as StandaloneProjection, upcasters, rows };
}

/** A batch in write order: prepared by the projecting thread or by this one; `prepared` once it is. */
interface Slot {
  by: 'projector' | 'own';
  prepared?: Prepared;
}

/**
 * Replays the log after `from` through `through` on two threads, into the
 * model replay (./replay.ts) makes on one; returns the last position
 * written. The log is cut into batches of `batchSize` positions. A
 * projecting thread (./thread/rebuild-projector-thread.ts) reads the
 * batches it is given, parses, upcasts and projects them, and makes the
 * rows their upserts store (JSON and column values), which cross back as
 * flat arrays of strings and numbers (cheap to copy, unlike documents).
 * This thread writes every batch in log order, each with its checkpoint and
 * fenced by the lease, as on one thread, and lets its timers (the lease's
 * renewals) run between batches. Writing is about a third of the work, so
 * while the next batch due is not ready, this thread prepares batches
 * itself (at most OWN_AHEAD ahead): the two share the work however busy
 * the machine keeps either. At most READ_AHEAD batches wait for the
 * projecting thread. A failure on either side rejects, and the projecting
 * thread is ended before this returns.
 */
export async function replayOffThread(
  { setup, projection, upcasters, rows }: OffThread,
  from: number,
  through: number,
  batchSize: number,
  options: { lease?: HeldLease | undefined; onProgress?: ((position: number, head: number) => void) | undefined },
): Promise<number> {
  const layouts = rows.rowLayouts(setup.collections);
  const own: BatchProjection = { projection, upcasters, collections: setup.collections, layouts };
  const projector = startWorker(import.meta.url, './thread/rebuild-projector-thread', {
    workerData: { ...setup, layouts } satisfies ProjectorSetup,
    resourceLimits: { maxYoungGenerationSizeMb: PROJECTOR_YOUNG_GENERATION_MB },
  });
  const inbox = new Inbox(projector);
  const log = new LogReader(setup.file);
  const slots: Slot[] = [];
  const count = (by: Slot['by']) => slots.filter((slot) => slot.by === by && !slot.prepared).length;
  /** the end of the last batch handed out */
  let next = from;
  let position = from;
  const take = (by: Slot['by']) => {
    const slot: Slot = { by };
    slots.push(slot);
    const after = next;
    next = Math.min(next + batchSize, through);
    return { slot, after, through: next };
  };
  try {
    while (next < through || slots.length > 0) {
      while (next < through && count('projector') < READ_AHEAD) {
        const { after, through: last } = take('projector');
        projector.postMessage({ after, through: last } satisfies ToProjector);
      }
      for (let answer = inbox.take(); answer; answer = inbox.take()) {
        if (answer.type === 'failed') throw new Error(`rebuilding "${setup.name}" failed (${answer.error})`);
        slots.find((slot) => slot.by === 'projector' && !slot.prepared)!.prepared = answer;
      }
      const due = slots[0]?.prepared;
      if (due) {
        slots.shift();
        if (due.last !== undefined) {
          const batch = { collections: setup.collections, layouts, items: due.items };
          // The fence is taken last: a lease lost meanwhile stops the write.
          await rows.writePrepared(batch, { name: setup.name, position: due.last }, await options.lease?.fence());
          position = due.last;
          options.onProgress?.(position, Math.max(through, position));
        }
      } else if (next < through && slots.length - count('projector') < OWN_AHEAD) {
        const { slot, after, through: last } = take('own');
        slot.prepared = await preparedBatch(log, after, last, own).catch((error: Error) => {
          throw new Error(`rebuilding "${setup.name}" failed (${error.message})`);
        });
      } else await inbox.arrival();
      await yieldToEventLoop(); // the lease's renewal timer must get to run, and the projecting thread's answers to arrive
    }
    return position;
  } finally {
    log.close();
    await projector.terminate();
  }
}

/** The projecting thread's answers, in order; its failing to start or exiting counts as a failure. */
class Inbox {
  private readonly queued: FromProjector[] = [];
  private waiting: (() => void) | undefined;

  constructor(projector: Worker) {
    projector.on('message', (message: FromProjector) => this.push(message));
    // The thread answers its own failures: this is it failing to start.
    projector.on('error', (error) => this.push({ type: 'failed', error: errorText(error) }));
    projector.on('exit', (code) => this.push({ type: 'failed', error: `the thread exited with code ${code}` }));
  }

  private push(message: FromProjector): void {
    this.queued.push(message);
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }

  /** The next answer that has arrived, if any. */
  take(): FromProjector | undefined {
    return this.queued.shift();
  }

  /** Resolves once an answer is there. */
  arrival(): Promise<void> {
    return this.queued.length > 0 ? Promise.resolve() : new Promise((resolve) => (this.waiting = resolve));
  }
}
