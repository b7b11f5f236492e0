import type { Logger } from 'pino';
import type { EventStore } from '../../events/store/event-store.js';
import { upcasters as productionUpcasters, UpcasterRegistry } from '../../events/store/upcasters.js';
import { yieldToEventLoop } from '../../event-loop.js';
import type { HeldLease } from './held-lease.js';
import type { Projection } from '../projection.js';
import type { ReadStore } from '../store/read-store.js';
import { applyBatch } from './replay.js';

/** A projection catching up: where it is (moved on as its batches commit), whether it was stopped meanwhile, and its batch in flight (to wait for when stopping). */
export interface CatchingUp {
  projection: Projection;
  position: number;
  stopped?: boolean;
  applying?: Promise<void>;
  /** with leases: the one its writes are fenced by */
  lease?: HeldLease;
}

/** The batches below are upcast once, before every projection sees them. */
const alreadyUpcast = new UpcasterRegistry([]);

/**
 * Catches several projections up with the log as it was when called, all
 * together: each batch is read, parsed and upcast once for all of them
 * (each projected alone, a start after much was appended read and parsed
 * the whole log once per projection), and their writes for it go to the
 * read store in the same turn, which commits them together
 * (../store/sqlite/sqlite-writes.ts). Each projection gets the part of the batch
 * past its own position, with its own checkpoint (fenced by its own lease).
 * A projection whose batch fails (its lease lost, say) drops out at its
 * last committed position; it follows the log on its
 * own afterwards, where the failure is met again and handled as any other.
 * `onBatch` runs after each batch; progress is logged as catchUpProgress says.
 */
export async function catchUpTogether(
  events: EventStore,
  reads: ReadStore,
  runs: readonly CatchingUp[],
  batchSize: number,
  options: { upcasters?: UpcasterRegistry; logger?: Logger; progressEveryMs?: number; onBatch?: () => void } = {},
): Promise<void> {
  const progress = catchUpProgress(events, options.logger, options.progressEveryMs ?? 5000);
  try {
    await catchUp(events, reads, runs, batchSize, options.upcasters ?? productionUpcasters, async () => {
      options.onBatch?.();
      await progress.report(runs.filter((run) => !run.stopped));
    });
    progress.done(runs.filter((run) => !run.stopped));
  } catch (error) {
    // Reading the log failed: each projection then reads it on its own subscription, which retries.
    options.logger?.warn(
      { error: error instanceof Error ? error.name : 'unknown' },
      'projections could not catch up together',
    );
  }
}

async function catchUp(
  events: EventStore,
  reads: ReadStore,
  runs: readonly CatchingUp[],
  batchSize: number,
  upcasters: UpcasterRegistry,
  onBatch: () => Promise<void>,
): Promise<void> {
  const head = await events.headPosition();
  let group = runs.filter((run) => !run.stopped && run.position < head);
  // A projection whose lease was lost meanwhile leaves the group, even if it took the lease again: it follows on its own then.
  const leases = new Map(group.map((run) => [run, run.lease]));
  let from = Math.min(...group.map((run) => run.position));
  while (group.length > 0 && from < head) {
    const read = await events.readAll({ fromPosition: from, maxCount: batchSize });
    if (read.length === 0) return;
    const batch = upcasters.upcastAll(read);
    const last = batch.at(-1)!.position;
    const failed = new Set<CatchingUp>();
    await Promise.all(
      group.map(async (run) => {
        if (run.position >= last) return;
        const part = run.position < batch[0]!.position ? batch : batch.filter((event) => event.position > run.position);
        run.applying = applyBatch(reads, run.projection, part, leases.get(run), alreadyUpcast).then(
          (position) => void (run.position = position),
          () => void failed.add(run),
        );
        await run.applying;
      }),
    );
    group = group.filter((run) => !failed.has(run) && !run.stopped && run.lease === leases.get(run));
    from = last;
    await onBatch();
    await yieldToEventLoop(); // leases' renewal timers must get to run
  }
}

/**
 * A long catch-up says how far it has come: `report` after each batch logs
 * each projection's position and the head at most every `everyMs`, and
 * `done` says when each caught up, if progress was logged at all (a start
 * that catches up within a few seconds logs nothing).
 */
export function catchUpProgress(events: EventStore, logger: Logger | undefined, everyMs: number) {
  const since = performance.now();
  let logged = since;
  return {
    async report(runs: ReadonlyArray<{ projection: Projection; position: number }>): Promise<void> {
      const now = performance.now();
      if (!logger || now - logged < everyMs) return;
      logged = now;
      const head = await events.headPosition();
      for (const { projection, position } of runs) {
        logger.info(
          { projection: projection.name, position, head, lag: Math.max(0, head - position) },
          'projection catching up',
        );
      }
    },
    done(runs: ReadonlyArray<{ projection: Projection; position: number }>): void {
      if (logged === since) return;
      const seconds = Math.round((performance.now() - since) / 100) / 10;
      for (const { projection, position } of runs)
        logger?.info({ projection: projection.name, position, seconds }, 'projection caught up');
    },
  };
}
