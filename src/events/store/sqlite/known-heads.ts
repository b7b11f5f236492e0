/** [revision, hash, position] of a stream's last event. */
export type StreamHead = [revision: number, hash: string, position: number];

/** More streams than this and the memory is dropped (it is only a shortcut). */
const MAX_STREAMS = 50_000;

/**
 * Where the streams this connection appended to end, as its own commits
 * left them: an append then checks its expected revision and links its
 * first hash without asking the table for its stream's last event (a query
 * per append on the log's writer thread).
 *
 * Only for a connection told, at the start of each of its transactions
 * (the write lock held, before any head is read), whether another
 * connection committed since it last asked (`othersCommitted`): then
 * everything is forgotten. Within a transaction a stream already written in
 * it is asked of the table again (its head moved, and a savepoint may have
 * rolled that back); after COMMIT the heads of what was written are learned.
 */
export class KnownHeads {
  private readonly heads = new Map<string, StreamHead>();
  private readonly written = new Set<string>();

  constructor(private readonly othersCommitted: () => boolean) {}

  /** At the start of each transaction, before any head is read. */
  begin(): void {
    this.written.clear();
    if (this.othersCommitted()) this.heads.clear();
  }

  /** The stream's head as this connection committed it, when nothing can have moved it since; undefined: ask the table. */
  known(streamId: string): StreamHead | undefined {
    return this.written.has(streamId) ? undefined : this.heads.get(streamId);
  }

  /** The running transaction writes to the stream. */
  writing(streamId: string): void {
    this.written.add(streamId);
  }

  /** After COMMIT: the head an append left its stream at. */
  committed(streamId: string, head: StreamHead): void {
    if (this.heads.size >= MAX_STREAMS) this.heads.clear();
    this.heads.set(streamId, head);
  }
}
