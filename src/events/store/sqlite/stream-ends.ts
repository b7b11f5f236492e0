import { OncePerTurn } from '../../../event-loop.js';

/** More streams than this and the memory is dropped (it is only a shortcut). */
const MAX_STREAMS = 50_000;

/**
 * Where streams end, as far as one connection to the log knows: for a
 * stream, the first revision it certainly does not have. A command reads
 * its stream from the revision after the one it cached, and almost always
 * finds nothing; with this the store answers that from memory instead of
 * with a query (a tenth of a durable mutation's cost went to two such empty
 * reads).
 *
 * The connection learns ends from its own commits and from reads that
 * reached a stream's end, and forgets everything as soon as `others` says
 * another connection (the CLI, another process) committed to the file since
 * it last looked: SQLite's `PRAGMA data_version` on this connection, or,
 * when a writer thread commits for it, what that thread saw
 * (./threaded-log-writer.ts). It looks once per turn of the event loop.
 */
export class StreamEnds {
  private readonly ends = new Map<string, number>();
  private readonly checked = new OncePerTurn();

  constructor(private readonly others: { since(): boolean }) {}

  /** true only when the stream certainly has no event at or after `revision` */
  emptyFrom(streamId: string, revision: number): boolean {
    const end = this.ends.get(streamId);
    return end !== undefined && revision >= end && this.unchanged();
  }

  /** The stream has no event at or after `end` (learned from a commit of this connection, or a read to the stream's end). */
  learn(streamId: string, end: number): void {
    // No look at data_version here: emptyFrom looks before any use, and then drops this too if someone else committed meanwhile.
    if (this.ends.size >= MAX_STREAMS) this.ends.clear();
    this.ends.set(streamId, end);
  }

  /**
   * Whether nobody else committed since the last look; forgets everything
   * when someone did. Looked at once per turn of the event loop: another
   * process's commit shows on the next turn, this connection's own at once.
   */
  private unchanged(): boolean {
    if (this.checked.fresh()) return true;
    this.checked.mark();
    if (!this.others.since()) return true;
    this.ends.clear();
    return false;
  }
}
