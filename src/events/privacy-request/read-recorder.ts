import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { DataCategory } from '../../privacy/classification.js';
import { accessGrantDecider } from '../access-grant/access-grant.commands.js';
import { accessGrantStream, type GrantState } from '../access-grant/access-grant.events.js';
import type { CommandHandler } from '../command-handler.js';
import type { CommandContext } from '../store/event-codec.js';
import { privacyRequestDecider, privacyRequestStream, type ReadKind } from './privacy-request.js';

export interface ReadRecorderOptions {
  /** one record per reader, publisher, kind and data within this window (default one minute) */
  windowMs?: number;
  logger?: Logger;
}

const MAX_REMEMBERED = 10_000;

/**
 * Records reads of personal data (views, exports) as privacy request records
 * in the publisher's `privacy-requests-<id>` stream; its actor is who read.
 *
 * Portals poll: recording every read would turn each query into a durable
 * write and bury the records a publisher wants to see. So a read is recorded
 * once per reader, publisher, kind and data within a window (one minute by
 * default): "Li Lei viewed the contact details at 10:00:03" stands for every
 * view of them by Li Lei until 10:01:03. A view is recorded in the
 * background (the answer does not wait for the fsync); an export waits for
 * its record to be durable. `drain()` waits for every record in flight.
 */
export class ReadRecorder {
  /** key -> when its window started (ms) */
  private readonly recent = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly windowMs: number;

  constructor(
    private readonly handler: CommandHandler,
    private readonly clock: Clock,
    private readonly options: ReadRecorderOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 60_000;
  }

  /**
   * Records a view by `readerId` in the background (at most once per
   * window); never throws. `context` is asked for only when a record is
   * written: most views fall in a window, and a read should not pay for
   * request ids it does not use.
   */
  viewed(publisherId: string, target: string, readerId: string, context: () => CommandContext): void {
    const at = this.clock.now();
    this.inBackground(at, publisherId, target, readerId, () => this.append(at, publisherId, 'VIEW', target, context()));
  }

  /**
   * Records a staff member's view under an access grant, against the grant:
   * `AccessGrantUsed` in the publisher's grant stream (which the privacy
   * request records show as a VIEW under that grant). As often as a view,
   * in the background; decided on the grant's state, so a read recorded
   * after the grant ended is refused (and logged), never written.
   */
  viewedUnderGrant(
    grant: GrantState,
    target: string,
    category: DataCategory,
    offerId: string | undefined,
    context: () => CommandContext,
  ): void {
    const at = this.clock.now();
    const { grantId, grantee, publisherId } = grant;
    this.inBackground(at, publisherId, target, `${grantee}\u0000${grantId}\u0000${category}`, () =>
      this.handler.handle(
        accessGrantDecider,
        accessGrantStream(publisherId),
        {
          type: 'RecordGrantedRead',
          data: { grantId, reader: grantee, target, category, ...(offerId ? { offerId } : {}), now: at.toISOString() },
        },
        { context: context() },
      ),
    );
  }

  /** Records an export under a grant against it, once per category it covered, and resolves once durable (every export is recorded). */
  async exportedUnderGrants(
    grants: ReadonlyArray<{ grant: GrantState; category: DataCategory }>,
    target: string,
    context: CommandContext,
  ): Promise<void> {
    const at = this.clock.now().toISOString();
    for (const { grant, category } of grants) {
      const { grantId, grantee, publisherId } = grant;
      await this.handler.handle(
        accessGrantDecider,
        accessGrantStream(publisherId),
        { type: 'RecordGrantedRead', data: { grantId, reader: grantee, target, category, now: at } },
        { context },
      );
    }
  }

  /** Runs `record` unless this reader's view of the data falls in a window already recorded; never throws. */
  private inBackground(
    at: Date,
    publisherId: string,
    target: string,
    readerId: string,
    record: () => Promise<unknown>,
  ): void {
    if (!this.firstInWindow(at.getTime(), publisherId, 'VIEW', target, readerId)) return;
    const recording = record().then(
      () => undefined,
      (error: unknown) => {
        this.recent.delete(key(publisherId, 'VIEW', target, readerId)); // try again on the next view
        this.options.logger?.error(
          { error: error instanceof Error ? error.name : 'unknown', target },
          'a view of personal data could not be recorded',
        );
      },
    );
    this.inFlight.add(recording);
    void recording.finally(() => this.inFlight.delete(recording));
  }

  /** Records an export and resolves once the record is durable (every export is recorded). */
  async exported(publisherId: string, target: string, context: CommandContext): Promise<void> {
    await this.append(this.clock.now(), publisherId, 'EXPORT', target, context);
  }

  /** Waits for every record in flight (at shutdown, and for tests). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private firstInWindow(now: number, publisherId: string, kind: ReadKind, target: string, readerId: string): boolean {
    const k = key(publisherId, kind, target, readerId);
    const since = this.recent.get(k);
    if (since !== undefined && now - since < this.windowMs) return false;
    if (this.recent.size >= MAX_REMEMBERED) this.forgetExpired(now);
    this.recent.delete(k); // re-insert: the map stays ordered by window start
    this.recent.set(k, now);
    return true;
  }

  private forgetExpired(now: number): void {
    for (const [k, since] of this.recent) {
      if (now - since < this.windowMs && this.recent.size < MAX_REMEMBERED) break;
      this.recent.delete(k);
    }
  }

  private async append(
    at: Date,
    publisherId: string,
    kind: ReadKind,
    target: string,
    context: CommandContext,
  ): Promise<void> {
    await this.handler.handle(
      privacyRequestDecider,
      privacyRequestStream(publisherId),
      { type: 'RecordRead', data: { publisherId, kind, target, now: at.toISOString() } },
      // A record protects nothing: appended after whatever is there, it never conflicts with another reader's.
      { context, unconditional: true },
    );
  }
}

const key = (publisherId: string, kind: ReadKind, target: string, readerId: string): string =>
  `${readerId}\u0000${publisherId}\u0000${kind}\u0000${target}`;
