import type { Collection, Db } from 'mongodb';
import { systemClock, type Clock } from '../../../clock.js';
import { checkTtl, RELEASED, type LeaseGrant, type LeaseStore } from '../lease.js';
import { mongoCollections } from './mongo-read-store.js';

interface StoredLease {
  _id: string;
  holder: string;
  token: number;
  /** milliseconds since the epoch, by the clock of the worker that wrote it */
  expiresAt: number;
}

/** MongoDB's duplicate key error: an upsert found the lease, held by someone else. */
const DUPLICATE_KEY = 11000;
const grant = (doc: StoredLease): LeaseGrant => ({
  name: doc._id,
  holder: doc.holder,
  token: doc.token,
  expiresAt: doc.expiresAt,
});

/**
 * Leases in the `_leases` collection of the read-model database, one
 * document per projection: `{ _id: name, holder, token, expiresAt }`.
 * Every change is a single-document atomic update with majority write
 * concern, so two workers never both win, and a granted token survives the
 * loss of the primary (a token that could roll back could be granted twice).
 *
 * acquire is one findOneAndUpdate with an update pipeline and upsert: it
 * matches the lease only when it is expired or already this holder's, and
 * computes the new token from the stored one; when the lease exists and
 * does not match, the upsert's insert hits the unique `_id` and fails with
 * a duplicate key error, which means "held by another".
 */
export class MongoLeaseStore implements LeaseStore {
  private readonly leases: Collection<StoredLease>;

  constructor(
    db: Db,
    private readonly clock: Clock = systemClock,
  ) {
    this.leases = db.collection<StoredLease>(mongoCollections.leases, {
      writeConcern: { w: 'majority' },
      readConcern: { level: 'majority' },
      readPreference: 'primary',
    });
  }

  private now(): number {
    return this.clock.now().getTime();
  }

  async acquire(name: string, holder: string, ttlMs: number): Promise<LeaseGrant | null> {
    checkTtl(ttlMs);
    const now = this.now();
    const stillMine = { $and: [{ $eq: ['$holder', { $literal: holder }] }, { $gt: ['$expiresAt', now] }] };
    try {
      const doc = await this.leases.findOneAndUpdate(
        { _id: name, $or: [{ expiresAt: { $lte: now } }, { holder }] },
        [
          {
            $set: {
              // Expressions read the stored document: '$holder' and '$token' are the previous values.
              token: { $cond: [stillMine, '$token', { $add: [{ $ifNull: ['$token', 0] }, 1] }] },
              holder: { $literal: holder },
              expiresAt: { $literal: now + ttlMs },
            },
          },
        ],
        { upsert: true, returnDocument: 'after' },
      );
      return doc ? grant(doc) : null;
    } catch (error) {
      if ((error as { code?: unknown }).code === DUPLICATE_KEY) return null;
      throw error;
    }
  }

  async renew(lease: LeaseGrant, ttlMs: number): Promise<LeaseGrant | null> {
    checkTtl(ttlMs);
    const now = this.now();
    const doc = await this.leases.findOneAndUpdate(
      { _id: lease.name, holder: lease.holder, token: lease.token, expiresAt: { $ne: RELEASED } },
      { $set: { expiresAt: now + ttlMs } },
      { returnDocument: 'after' },
    );
    return doc ? grant(doc) : null;
  }

  async release(lease: LeaseGrant): Promise<void> {
    await this.leases.updateOne(
      { _id: lease.name, holder: lease.holder, token: lease.token },
      { $set: { expiresAt: RELEASED } },
    );
  }

  async current(name: string): Promise<LeaseGrant | null> {
    const doc = await this.leases.findOne({ _id: name });
    return doc ? grant(doc) : null;
  }

  /** The client belongs to whoever opened it (src/server/read-store-factory.ts). */
  async close(): Promise<void> {}
}
