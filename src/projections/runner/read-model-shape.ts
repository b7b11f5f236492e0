import type { Projection } from '../projection.js';
import type { ReadStore } from '../store/read-store.js';

/**
 * The shape of a projection's documents, remembered beside its checkpoint.
 * A build that folds documents differently (new fields, renamed values, a
 * fold that expects what older documents lack) raises its projection's
 * `shape`; on the next start the runner finds the stored shape older and
 * rebuilds that read model from the log before serving it, so an upgraded
 * ledger never folds new events into documents of an older shape.
 *
 * The mark is a checkpoint of its own (`<name>#shape`, its position the
 * shape number), written after the rebuild: a crash before it leaves the
 * old mark and the next start rebuilds again. A read model with no mark is
 * of shape 1 (every model written before marks existed).
 */
export const shapeOf = (projection: Projection): number => projection.shape ?? 1;

const markOf = (name: string): string => `${name}#shape`;

/** Whether the stored read model was folded by another shape than this build's (an empty one never is). */
export async function shapeOutdated(reads: ReadStore, projection: Projection): Promise<boolean> {
  const stored = await reads.getCheckpoint(markOf(projection.name));
  if (stored === shapeOf(projection)) return false;
  if ((await reads.getCheckpoint(projection.name)) === null) return false;
  return (stored ?? 1) !== shapeOf(projection);
}

/** Records that the read model now has this build's shape (after a rebuild, or on a model that was empty). */
export async function markShape(reads: ReadStore, projection: Projection): Promise<void> {
  if ((await reads.getCheckpoint(markOf(projection.name))) === shapeOf(projection)) return;
  // reset first: a checkpoint only moves forward, and an older build may have left a higher mark
  await reads.reset(markOf(projection.name), []);
  await reads.write([], { name: markOf(projection.name), position: shapeOf(projection) });
}
