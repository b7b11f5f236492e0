import { rotateMasterKey } from '../../src/privacy/keys/master-key-rotation.js';
import { loadConfig } from '../../src/server/config.js';
import { embeddedFiles, openLedger } from '../../src/server/ledger.js';
import type { Clock } from '../../src/clock.js';
import { postGraphql, startTestServer, tempDataDir, type TestServer } from '../server/harness.js';
import type { ModelPrincipal } from './principals.js';

/** A loaded 2-core machine can take seconds to project a step: a wait that runs out would fail the history for nothing. */
const CATCH_UP_MS = 30_000;
// Caches forget what went unread for a second (a minute in production): a history's steps then meet caches
// emptied under them, keys zeroed as they go, between erasures, rotations and rebuilds.
const ENV = { READ_YOUR_WRITES_TIMEOUT_MS: String(CATCH_UP_MS), CACHE_IDLE_SECONDS: '1' };

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
  private constructor(
    private readonly data: { dir: string; remove(): void },
    readonly clock: SteppedClock,
    public server: TestServer,
  ) {}

  static async start(): Promise<LedgerSystem> {
    const data = tempDataDir('pl-model-');
    const clock = new SteppedClock('2026-03-02T08:00:00.000Z');
    return new LedgerSystem(data, clock, await startTestServer(data.dir, ENV, { clock, threadDespiteClock: true }));
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
    this.server = await startTestServer(this.data.dir, ENV, { clock: this.clock, threadDespiteClock: true });
  }

  /** `privacy-ledger rebuild`: every projection dropped and replayed from the log, with the server stopped. */
  async rebuildOffline(): Promise<void> {
    await this.restart(async () => {
      const ledger = await openLedger(this.config(), { leaseHolder: 'model-rebuild', clock: this.clock });
      try {
        for (const name of ledger.runner.names) await ledger.runner.rebuild(name);
      } finally {
        await ledger.close();
      }
    });
  }

  /** `privacy-ledger rebuild --online`: each projection rebuilt beside the old one by another process's runner, the server serving throughout. */
  async rebuildOnline(): Promise<void> {
    const ledger = await openLedger(this.config(), { leaseHolder: 'model-rebuild-online', clock: this.clock });
    try {
      for (const name of ledger.runner.names) await ledger.runner.rebuildOnline(name);
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

  /** `privacy-ledger rotate-master-key`: every data key re-wrapped under a new master key, with the server stopped. */
  async rotateMasterKey(): Promise<void> {
    await this.restart(async () => {
      await rotateMasterKey({ dataDir: this.data.dir, keyStoreFile: embeddedFiles.keys });
    });
  }

  async close(): Promise<void> {
    try {
      await this.server.close();
    } finally {
      this.data.remove();
    }
  }
}
