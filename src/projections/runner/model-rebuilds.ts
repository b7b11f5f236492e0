import type { Logger } from 'pino';
import type { EventStore } from '../../events/store/event-store.js';
import type { UpcasterRegistry } from '../../events/store/upcasters.js';
import type { Projection } from '../projection.js';
import type { ReadStore } from '../store/read-store.js';
import { HeldLease, type LeaseSettings } from './held-lease.js';
import { markShape, shapeOf, shapeOutdated } from './read-model-shape.js';
import { rebuildBatch, rebuildOnline, replayWhole, type Progress } from './replay.js';

export interface RebuildSettings {
  batchSize: number;
  logger?: Logger | undefined;
  upcasters?: UpcasterRegistry | undefined;
  /** false: replay on this thread even where it could on two (./threaded-replay.ts) */
  offThread?: boolean | undefined;
  /** with several workers: rebuild only while holding the projection's lease */
  lease?: LeaseSettings | undefined;
}

/**
 * How a projection runner (./projection-runner.ts) replays a read model
 * from the whole log: in its place (a rebuild, or a model folded by an
 * older shape), or beside it and switched to at once (an online rebuild).
 * Each marks the model's shape once it holds the whole log.
 */
export class ModelRebuilds {
  constructor(
    private readonly events: EventStore,
    private readonly reads: ReadStore,
    private readonly settings: RebuildSettings,
  ) {}

  /** With leases, holds the projection's lease meanwhile, and refuses while another worker runs the projection. */
  async rebuild(projection: Projection, onProgress?: Progress): Promise<void> {
    const { name } = projection;
    const settings = this.settings.lease;
    const lease = settings ? await HeldLease.take(settings, name, () => undefined) : undefined;
    if (lease === null) throw new Error(`projection "${name}" is run by another worker; stop it before rebuilding`);
    try {
      await this.refill(projection, lease, onProgress);
    } finally {
      await lease?.release();
    }
  }

  /**
   * Rebuilds beside the live model and switches to it at once (./replay.ts
   * rebuildOnline). With leases, one online rebuild of a projection runs at
   * a time.
   */
  async rebuildOnline(projection: Projection, onProgress?: Progress): Promise<void> {
    const { name } = projection;
    const settings = this.settings.lease;
    const lease = settings ? await HeldLease.take(settings, `${name}:rebuild`, () => undefined) : undefined;
    if (lease === null) throw new Error(`projection "${name}" is being rebuilt by another process`);
    try {
      const options = { lease, onProgress, ...this.replayOptions };
      await rebuildOnline(this.events, this.reads, projection, rebuildBatch(this.settings.batchSize), options);
      await markShape(this.reads, projection);
    } finally {
      await lease?.release();
    }
  }

  /**
   * A read model folded by an older shape of its projection (see
   * ./read-model-shape.ts) is rebuilt from the log before it is followed,
   * under the lease when there is one.
   */
  async reshape(projection: Projection, lease?: HeldLease): Promise<void> {
    if (!(await shapeOutdated(this.reads, projection))) return markShape(this.reads, projection);
    this.settings.logger?.warn(
      { projection: projection.name, shape: shapeOf(projection) },
      'read model was folded by an older build; rebuilding it from the log',
    );
    await this.refill(projection, lease);
  }

  /** Drops the read model and its checkpoint, replays the whole log into it (its indexes built after the load), and marks its shape. */
  private async refill(projection: Projection, lease?: HeldLease, onProgress?: Progress): Promise<void> {
    const options = { lease, onProgress, ...this.replayOptions };
    await replayWhole(this.events, this.reads, projection, rebuildBatch(this.settings.batchSize), options);
    await markShape(this.reads, projection);
  }

  private get replayOptions() {
    return { upcasters: this.settings.upcasters, offThread: this.settings.offThread };
  }
}
