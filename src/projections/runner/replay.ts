import type { RecordedEvent } from '../../events/store/event-envelope.js';
import { yieldToEventLoop } from '../../event-loop.js';
import type { EventStore } from '../../events/store/event-store.js';
import { upcasters as productionUpcasters, type UpcasterRegistry } from '../../events/store/upcasters.js';
import type { HeldLease } from './held-lease.js';
import type { Projection } from '../projection.js';
import type { BulkLoad, ReadStore } from '../store/read-store.js';
import { StagedReadStore, stagedModel } from './staged-read-store.js';
import { MIN_THREADED_BATCHES, offThread, replayOffThread } from './threaded-replay.js';

export type Progress = (position: number, head: number) => void;

/**
 * What a replay is fenced by, tells its progress to, and upcasts older
 * events with; `offThread` false: a replay of the whole log runs on this
 * thread even where it could on two (./threaded-replay.ts).
 */
type ReplayOptions = {
  lease?: HeldLease | undefined;
  onProgress?: Progress | undefined;
  upcasters?: UpcasterRegistry | undefined;
  offThread?: boolean | undefined;
};

/**
 * Projects one batch (older event versions upcast to the current shape
 * first) and commits its writes with the checkpoint, fenced by the lease
 * when there is one; returns the batch's last position.
 */
export async function applyBatch(
  store: ReadStore,
  projection: Projection,
  batch: readonly RecordedEvent[],
  lease?: HeldLease,
  upcasters: UpcasterRegistry = productionUpcasters,
): Promise<number> {
  const last = batch.at(-1)!.position;
  const ops = await projection.project(upcasters.upcastAll(batch), store);
  // Taken last: a lease lost while the batch was projected stops the write.
  await store.write(ops, { name: projection.name, position: last }, await lease?.fence());
  return last;
}

/**
 * Events per batch of a rebuild (at most the runner's batch; on two
 * threads, positions per batch). A rebuild is bound by CPU, and a smaller
 * batch's events, entries and JSON stay within the CPU's caches and die
 * young: the 1M-event audit rebuild took 11.4–12.4 s of CPU in batches of
 * 1,000, 14.4–16.0 s in batches of 2,500 (alternating runs, one machine,
 * on one thread). On two threads its replay takes about 4 s of CPU on each
 * (./threaded-replay.ts).
 */
export const rebuildBatch = (batchSize: number): number => Math.min(batchSize, 1000);

/** Applies the log after `from` in batches until it has read everything there is; returns the last position. */
export async function replay(
  events: EventStore,
  store: ReadStore,
  projection: Projection,
  from: number,
  batchSize: number,
  options: ReplayOptions = {},
): Promise<number> {
  const head = await events.headPosition();
  let position = from;
  for (;;) {
    const batch = await events.readAll({ fromPosition: position, maxCount: batchSize });
    if (batch.length === 0) return position;
    position = await applyBatch(store, projection, batch, options.lease, options.upcasters);
    options.onProgress?.(position, Math.max(head, position));
    await yieldToEventLoop(); // the lease's renewal timer must get to run
  }
}

/** `bulkLoad` before replaying the whole log into empty collections, then again without it: the indexes are built once, after the load (BulkLoad). */
export const ensureCollections = async (
  store: ReadStore,
  projection: Projection,
  options: BulkLoad = {},
): Promise<void> => {
  for (const c of projection.collections)
    await store.ensureCollection(c.name, c.indexes, c.key === undefined ? options : { ...options, key: c.key });
};

/**
 * Moves the projection's model in `store` aside and replays the whole log
 * into an empty one, its indexes built after the load; returns the last
 * position. The old model is erased in the background once the new one is
 * complete (ResetOptions `aside`): erasing it first (SQLite: zeroing its
 * pages) took 3.4–5.8 s of a 1M-entry audit trail's rebuild and held the
 * thread. Building indexes holds the thread: it starts with a renewal, so
 * it has the lease's whole time to live.
 *
 * A projection that reads nothing of the store (StandaloneProjection) is
 * replayed on two threads where it can be (./threaded-replay.ts): another
 * thread reads, upcasts and projects most batches and prepares their rows,
 * this one writes every batch (and prepares the others); the model, its
 * checkpoints and the lease's fences are those of the replay on one thread.
 */
export async function replayWhole(
  events: EventStore,
  store: ReadStore,
  projection: Projection,
  batchSize: number,
  options: ReplayOptions = {},
): Promise<number> {
  const upcasters = options.upcasters ?? productionUpcasters;
  const threads = options.offThread === false ? undefined : await offThread(events, store, projection, upcasters);
  await options.lease?.renewNow();
  await store.reset(
    projection.name,
    projection.collections.map((c) => c.name),
    { aside: true },
  );
  await ensureCollections(store, projection, { bulkLoad: true });
  // On two threads through the head as it is now; what is appended meanwhile, on this one, as it would be.
  const head = await events.headPosition();
  const start =
    threads && head >= MIN_THREADED_BATCHES * batchSize
      ? await replayOffThread(threads, 0, head, batchSize, options)
      : 0;
  const position = await replay(events, store, projection, start, batchSize, options);
  await options.lease?.renewNow();
  await ensureCollections(store, projection);
  // Not awaited: the new model serves meanwhile. Whatever is left (a crash, a close) is erased at the next open, and before any erasure is written.
  store.eraseRetired().catch(() => undefined);
  return position;
}

/**
 * An online rebuild: builds the projection's model from the whole log into
 * staged collections beside the live ones (left from an interrupted
 * rebuild, they are dropped first), catches up with the log, then promotes
 * it, which switches readers at once and makes the worker running the live
 * model resume from the new checkpoint. Queries are answered from the old
 * model until the switch and from the new one after it.
 *
 * With a lease (the rebuild's own, `<name>:rebuild`), the staged writes are
 * fenced by it, and it is checked in the store just before the switch: a
 * rebuild that lost it to another process's stops, so two never interleave
 * their writes into the same staged model or switch to each other's.
 */
export async function rebuildOnline(
  events: EventStore,
  reads: ReadStore,
  projection: Projection,
  batchSize: number,
  options: ReplayOptions = {},
): Promise<void> {
  const { lease, upcasters } = options;
  const live = projection.collections.map((c) => c.name);
  const staged = stagedModel(projection.name, live);
  const store = new StagedReadStore(reads, projection.name, staged);
  const position = await replayWhole(events, store, projection, batchSize, options);
  // What was appended during the long replay: a short pass, then the switch.
  await replay(events, store, projection, position, batchSize, { lease, upcasters });
  await lease?.fence();
  await reads.promote(projection.name, staged);
  await ensureCollections(reads, projection);
}
