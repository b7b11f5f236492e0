import { rotateMasterKey } from '../../src/privacy/keys/master-key-rotation.js';
import { loadConfig } from '../../src/server/config.js';
import { embeddedFiles, openLedger, type Ledger } from '../../src/server/ledger.js';
import { LeaseClock } from '../../src/projections/runner/lease-clock.js';
import type { ProjectionRunner } from '../../src/projections/runner/projection-runner.js';
import type { Clock } from '../../src/clock.js';
import { postGraphql, startTestServer, tempDataDir, type TestServer } from '../server/harness.js';
import type { ModelPrincipal } from './principals.js';

/** A loaded 2-core machine can take seconds to project a step: a wait that runs out would fail the history for nothing. */
const CATCH_UP_MS = 30_000;
// Caches forget what went unread for a second (a minute in production): a history's steps then meet caches
// emptied under them, keys zeroed as they go, between erasures, rotations and rebuilds.
const ENV = { READ_YOUR_WRITES_TIMEOUT_MS: String(CATCH_UP_MS), CACHE_IDLE_SECONDS: '1' };

/**
 * Events per batch of the rebuilds' runners. A history's log holds a few
 * dozen events when it rebuilds: from 16 on that is MIN_THREADED_BATCHES
 * batches, so the audit trail is replayed on two threads
 * (src/projections/runner/threaded-replay.ts), as a production log's is;
 * a shorter log still takes the path on one.
 */
const REBUILD_BATCH = 2;

/** Who holds the projection leases: the server's projection thread, or the standby worker beside it. */
export const SERVER_HOLDER = 'serve';
export const STANDBY_HOLDER = 'model-standby';

/** The ledger's clock in a history: it moves only when the history says so, so each step has an instant of its own. */
export class SteppedClock implements Clock {
  private at: number;
  constructor(start: string) {
    this.at = Date.parse(start);
  }
  now(): Date {
    return new Date(this.at);
  }
  advance(ms: number): void {
    this.at += ms;
  }
}

export interface Answer<T = any> {
  data: T | null;
  /** the code of the error on the root field, if any */
  code: string | null;
  message: string | null;
}

/**
 * The real ledger of one history: a server in-process over real SQLite in
 * the shape `npm start` runs (its projections on a thread of their own) in
 * a temporary directory, spoken to over HTTP and GraphQL. Offline
 * operations (restart, rebuild, master-key rotation) stop it and start it
 * again on the same directory with the same clock.
 */
export class LedgerSystem {
  /** `privacy-ledger project` beside the server on its data directory, while a history runs one */
  private standby: Ledger<ProjectionRunner> | undefined;

  private constructor(
    private readonly data: { dir: string; remove(): void },
    readonly clock: SteppedClock,
    /** what every worker's projection leases run by (the server's thread, the standby, the rebuilds): the system's time, jumped by the history */
    readonly leaseClock: LeaseClock,
    public server: TestServer,
  ) {}

  static async start(): Promise<LedgerSystem> {
    const data = tempDataDir('pl-model-');
    const clock = new SteppedClock('2026-03-02T08:00:00.000Z');
    const leaseClock = new LeaseClock();
    const server = await startTestServer(data.dir, ENV, { clock, leaseClock, threadDespiteClock: true });
    return new LedgerSystem(data, clock, leaseClock, server);
  }

  /** How long a projection lease lasts unrenewed (LEASE_TTL_MS as every worker here reads it). */
  get leaseTtlMs(): number {
    return this.config().leaseTtlMs;
  }

  get standbyRunning(): boolean {
    return this.standby !== undefined;
  }

  /** Starts a projection worker beside the server (`privacy-ledger project`): it stands by while the server's thread holds the leases. */
  async startStandby(): Promise<void> {
    if (this.standby) return;
    const ledger = await openLedger(this.config(), { leaseHolder: STANDBY_HOLDER, ...this.ledgerOptions() });
    try {
      await ledger.runner.start();
    } catch (error) {
      await ledger.close();
      throw error;
    }
    this.standby = ledger;
  }

  /** Stops the standby worker, as a signal does: its batch commits and its leases are released for the server to take over. */
  async stopStandby(): Promise<void> {
    const standby = this.standby;
    this.standby = undefined;
    await standby?.close();
  }

  /** How often a projection's lease has passed to another holder so far (every token after the first), over every projection. */
  async handovers(): Promise<number> {
    let count = 0;
    for (const name of this.server.ledger.runner.names)
      count += Math.max(0, ((await this.server.ledger.leases.current(name))?.token ?? 1) - 1);
    return count;
  }

  /** Who holds each projection's lease now (by the lease clock; a lease run out or released is held by nobody). */
  async leaseHolders(): Promise<Map<string, string | null>> {
    const now = this.leaseClock.now().getTime();
    const holders = new Map<string, string | null>();
    for (const name of this.server.ledger.runner.names) {
      const grant = await this.server.ledger.leases.current(name);
      holders.set(name, grant && grant.expiresAt > now ? grant.holder : null);
    }
    return holders;
  }

  /**
   * Sends a request as the principal. A mutation does not wait for the read
   * models here (the harness's `gql` would): the step reads its own write
   * with `minPosition`, as a portal does.
   */
  async call<T = any>(query: string, variables: Record<string, unknown>, as: ModelPrincipal): Promise<Answer<T>> {
    const response = await postGraphql<T>(this.server.url, query, variables, {
      authorization: `Bearer ${await this.server.token(as)}`,
    });
    const root =
      response.errors?.find((e) => (e as { path?: unknown[] }).path?.length === 1) ??
      (response.data ? undefined : response.errors?.[0]);
    return {
      data: (response.data ?? null) as T | null,
      code: root ? String(root.extensions?.['code'] ?? 'UNKNOWN') : null,
      message: root?.message ?? null,
    };
  }

  /** Like `call`, but any error fails the history (reads the invariants make as a staff member). */
  async read<T = any>(query: string, variables: Record<string, unknown>, as: ModelPrincipal): Promise<T> {
    const response = await this.server.gql(query, variables, as);
    if (response.errors?.length) {
      // an internal error's cause is only in the server's log: the failure says it
      const internal = this.server.logs.lines.filter((line) => line.includes('"level":50')).slice(-3);
      throw new Error(
        `${query.trim().split('\n')[0]} answered ${JSON.stringify(response.errors)}${internal.map((l) => `\n  log: ${l}`).join('')}`,
      );
    }
    return response.data as T;
  }

  /** The log's head, after every recorded read in flight has landed. */
  async head(): Promise<number> {
    await this.server.ledger.services.readRecorder.drain();
    return this.server.ledger.events.headPosition();
  }

  /** Waits until the read models have caught up with the log (queries that record a read append to it without waiting). */
  async settle(): Promise<void> {
    await this.server.ledger.runner.waitFor(await this.head(), CATCH_UP_MS);
  }

  async restart(offline?: () => Promise<void>): Promise<void> {
    await this.server.close();
    await offline?.();
    this.server = await startTestServer(this.data.dir, ENV, { ...this.ledgerOptions(), threadDespiteClock: true });
  }

  /**
   * `privacy-ledger rebuild`: every projection dropped and replayed from the
   * log, with the server stopped. Returns how many replays ran on two threads.
   */
  async rebuildOffline(): Promise<number> {
    let threaded = 0;
    await this.restart(async () => {
      const ledger = await openLedger(this.config(), { leaseHolder: 'model-rebuild', ...this.rebuildOptions() });
      try {
        threaded = await countThreads(async () => {
          for (const name of ledger.runner.names) await ledger.runner.rebuild(name);
        });
      } finally {
        await ledger.close();
      }
    });
    return threaded;
  }

  /** `privacy-ledger rebuild --online`: each projection rebuilt beside the old one by another process's runner, the server serving throughout (returns as rebuildOffline). */
  async rebuildOnline(onProgress?: () => void): Promise<number> {
    const ledger = await openLedger(this.config(), {
      leaseHolder: 'model-rebuild-online',
      ...this.rebuildOptions(),
    });
    try {
      return await countThreads(async () => {
        for (const name of ledger.runner.names) await ledger.runner.rebuildOnline(name, onProgress);
      });
    } finally {
      await ledger.close();
    }
  }

  /** The server's retention at start, after the clock has moved past the retention period. */
  async retentionAfter(days: number): Promise<void> {
    this.clock.advance(days * 86_400_000);
    await this.restart();
  }

  private config() {
    return loadConfig({ dataDir: this.data.dir, logLevel: 'silent' }, {});
  }

  /** What every ledger of the history is opened with: the history's clock, and the lease clock. */
  private ledgerOptions() {
    return { clock: this.clock, leaseClock: this.leaseClock };
  }

  /** A rebuild's ledger: the history's clocks, and batches small enough for the two-thread replay. */
  private rebuildOptions() {
    return { ...this.ledgerOptions(), projectionBatchSize: REBUILD_BATCH };
  }

  /** `privacy-ledger rotate-master-key`: every data key re-wrapped under a new master key, with the server stopped. */
  async rotateMasterKey(): Promise<void> {
    await this.restart(async () => {
      await rotateMasterKey({ dataDir: this.data.dir, keyStoreFile: embeddedFiles.keys });
    });
  }

  async close(): Promise<void> {
    try {
      await this.stopStandby().finally(() => this.server.close());
    } finally {
      this.data.remove();
    }
  }
}

/**
 * Runs a rebuild and counts the threads it started: a rebuild's ledger
 * starts none of its own (no projection or log writer thread), so each is
 * a projection's replay on two threads.
 */
async function countThreads(run: () => Promise<void>): Promise<number> {
  let started = 0;
  const count = () => void started++;
  process.on('worker', count);
  try {
    await run();
  } finally {
    process.off('worker', count);
  }
  return started;
}
