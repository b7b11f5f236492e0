/**
 * The log's writer thread (see ./threaded-log-writer.ts): commits the
 * batches the event loop posts, fsyncs the WAL, and answers each batch once
 * it is durable. Batches that arrive while it commits or fsyncs are taken
 * together on its next round: one transaction and one fsync for all of them
 * (group commit).
 */
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { Outcome } from '../../../sqlite/batched-writes.js';
import { CommitCounter } from '../../../sqlite/commit-counter.js';
import { OtherCommits } from '../../../sqlite/data-version.js';
import { openSqliteFile, setSqliteCacheMb } from '../../../sqlite/open-database.js';
import { DurableBoundary } from './durable-boundary.js';
import { KnownHeads } from './known-heads.js';
import { outcomeToWire, type FromWriter, type ToWriter, type WriterSetup } from './log-writer-messages.js';
import { logCommits, writtenSpan, type AppendRequest, type Written } from './log-writes.js';
import { WalFile } from './wal-file.js';

const setup = workerData as WriterSetup;
const { port } = setup;
const post = (message: FromWriter) => port.postMessage(message);
const boundary = new DurableBoundary(setup.boundary);
const foreign = new CommitCounter(setup.foreign);

// The same settings as the store's own connection (./sqlite-event-store.ts): commits write the WAL, this thread fsyncs it.
setSqliteCacheMb(setup.sqliteCacheMb);
const db = openSqliteFile(setup.file, { synchronous: 'NORMAL', secureDelete: false });
const others = new OtherCommits(db);
/** another connection committed since the heads were last told (see KnownHeads) */
let othersSeen = false;
const lookForOthers = () => {
  if (!others.since()) return;
  foreign.bump();
  othersSeen = true;
};
// Looked at inside each transaction (the write lock held), as well as every foreignCheckMs while idle.
const heads = new KnownHeads(() => {
  lookForOthers();
  const seen = othersSeen;
  othersSeen = false;
  return seen;
});
const commit = logCommits(
  db,
  (first) => {
    if (boundary.get() !== undefined) return () => undefined;
    boundary.set(first);
    return () => boundary.set(undefined);
  },
  heads,
);

const wal = new WalFile(`${setup.file}-wal`);

let failed = false;
let stopping = false;

/** Commits, fsyncs and answers what was posted, round after round, until nothing more is waiting. */
function work(first: ToWriter): void {
  let round: ToWriter[] = [first];
  while (round.length > 0 && !failed) {
    for (let next = receiveMessageOnPort(port); next !== undefined; next = receiveMessageOnPort(port))
      round.push(next.message as ToWriter);
    const batches = round.filter((m): m is Extract<ToWriter, { id: number }> => 'id' in m);
    if (batches.length < round.length) stopping = true;
    round = [];
    if (batches.length === 0) break;
    const requests: AppendRequest[] = batches.flatMap((b) => b.batch);
    let outcomes: Outcome<Written>[];
    try {
      outcomes = commit(requests);
    } catch (error) {
      // The commit itself failed: nothing of these batches is in the log.
      outcomes = requests.map(() => ({ error }));
    }
    const written = writtenSpan(outcomes);
    if (written !== undefined) {
      try {
        wal.sync();
      } catch (error) {
        failed = true;
        // The boundary stays where durability was lost: nothing past it is ever delivered.
        post({ failed: (error as NodeJS.ErrnoException).code ?? 'EIO' });
        break;
      }
      boundary.set(undefined);
      boundary.markDurableThrough(written.last);
    }
    let at = 0;
    const answers = batches.map(({ id, batch }) => ({
      id,
      outcomes: outcomes.slice(at, (at += batch.length)).map(outcomeToWire),
    }));
    post({ answers, through: written?.last });
  }
  if (stopping || failed) stop();
}

function stop(): void {
  clearInterval(idleLook);
  port.close();
  wal.close();
  db.close();
}

port.on('message', (message: ToWriter) => {
  try {
    work(message);
  } catch (error) {
    // Not reached by a refused append or a failed commit (those are answers): the thread cannot go on.
    failed = true;
    post({ failed: error instanceof Error ? error.message : String(error) });
    stop();
  }
});

// Another process's commits show to the event loop's connection only through this thread (see ./threaded-log-writer.ts).
const idleLook = setInterval(lookForOthers, setup.foreignCheckMs);
