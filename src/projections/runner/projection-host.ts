export interface ProjectionStatus {
  name: string;
  checkpoint: number;
  head: number;
  /**
   * head - checkpoint, in positions: a number of events on the embedded
   * store, bytes of transaction log on KurrentDB (positions are not
   * contiguous there); 0 means caught up either way.
   */
  lag: number;
  /** standby: another worker holds the projection's lease; this one waits to take over */
  state: 'stopped' | 'standby' | 'catching-up' | 'live' | 'failed';
}

/**
 * What the service needs of whatever runs its projections: a
 * ProjectionRunner on the service's own thread, or one on a thread of its
 * own (./thread/threaded-projections.ts).
 */
export interface ProjectionHost {
  readonly names: string[];
  start(): Promise<void>;
  stop(): Promise<void>;
  /** true once every projection has caught up with the log at least once (or is run by another worker) */
  readonly live: boolean;
  /** the same for the projections the service is not ready without (those caught up after it may still be behind) */
  readonly ready: boolean;
  /** Read-your-writes: resolves once every projection has applied `position`; rejects after `timeoutMs`. */
  waitFor(position: number, timeoutMs: number): Promise<void>;
  /** The same over the projections caught up since start: a read of one still catching up waits for it (untilCaughtUp). */
  waitForServed(position: number, timeoutMs: number): Promise<void>;
  /** false while `projection`, started here, has not yet caught up with the log */
  caughtUp(projection: string): boolean;
  /** Resolves once `projection` has caught up and reached `head`; rejects after `timeoutMs`, naming it. */
  untilCaughtUp(projection: string, head: number, timeoutMs: number): Promise<void>;
  status(): Promise<ProjectionStatus[]>;
  /** Drops a projection's model and replays the whole log into it. */
  rebuild(name: string): Promise<void>;
}
