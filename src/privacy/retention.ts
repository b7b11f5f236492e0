import type { Clock } from '../clock.js';
import type { EventStore } from '../events/store/event-store.js';
import { requesterField } from './classification.js';
import { RETENTION_BUCKET_PREFIXES } from './data-subjects.js';
import type { KeyStore } from './keys/key-store.js';
import { ERASED, keyIdOf, sealValue, type PersonalValue } from './personal-value.js';

/**
 * Retention: what is kept only for a period (privacy request records'
 * requesters; client IP and user agent in event metadata) is
 * sealed under one key per calendar month (UTC), `retention/<YYYY-MM>` and
 * `client/<YYYY-MM>`. Once a whole month is older than the period its keys
 * are destroyed, and everything sealed under them reads as erased: in read
 * models, in the log, in every backup of either.
 *
 * So a value becomes unreadable between `days` and `days` + one month after
 * it was recorded (the month must end first).
 */
export class RetentionPolicy {
  constructor(
    readonly days: number,
    private readonly clock: Clock,
  ) {
    if (!Number.isInteger(days) || days < 1)
      throw new Error('The retention period must be a whole number of days, at least 1.');
  }

  /** Months (YYYY-MM) whose data is past the period: every instant in them is older than now - days. */
  isExpired(month: string): boolean {
    return nextMonthStart(month) <= this.cutoff();
  }

  /** Whether a month bucket's subject (`retention/<YYYY-MM>`, `client/<YYYY-MM>`) is past the period. */
  isExpiredBucket(subjectId: string): boolean {
    const month = /^[a-z]+\/(\d{4}-\d{2})$/.exec(subjectId)?.[1];
    if (!month) throw new Error('Not a month bucket subject.');
    return this.isExpired(month);
  }

  /** The last expired month. */
  lastExpiredMonth(): string {
    const cutoff = new Date(this.cutoff());
    const month = cutoff.toISOString().slice(0, 7);
    return this.isExpired(month) ? month : previousMonth(month);
  }

  private cutoff(): number {
    return this.clock.now().getTime() - this.days * 86_400_000;
  }
}

/**
 * Seals the requester of privacy request records (read-model documents)
 * under their month's retention key; for a month already past the period it
 * stores the erased marker instead, so a rebuild of the read model never
 * brings a destroyed month back under a fresh key. A batch costs one key
 * lookup per month in it, and one encryption per requester and month: the
 * records of one batch by the same requester share its sealed value (equal
 * ciphertexts tell only that the requester is the same, which the audit
 * trail's actor ids already tell).
 */
export class RequesterSealer {
  constructor(
    private readonly keys: KeyStore,
    private readonly policy: RetentionPolicy,
  ) {}

  async sealAll<T extends Record<string, unknown>>(records: readonly T[]): Promise<T[]> {
    const subjects = records.map((record) => requesterField.subject(record, String(record['requestedAt'])));
    const keys = new Map<string, { key: Buffer; id: string } | null>();
    for (const subjectId of new Set(subjects)) {
      if (this.policy.isExpiredBucket(subjectId)) keys.set(subjectId, null);
      else {
        const key = await this.keys.getOrCreate(subjectId);
        keys.set(subjectId, { key, id: keyIdOf(key) });
      }
    }
    const sealed = new Map<string, PersonalValue>();
    return records.map((record, i) => {
      const subjectId = subjects[i]!;
      const sealing = keys.get(subjectId);
      if (!sealing) return { ...record, requestedBy: ERASED };
      const same = `${subjectId}\u0000${JSON.stringify(record['requestedBy'])}`;
      let requestedBy = sealed.get(same);
      if (!requestedBy)
        sealed.set(same, (requestedBy = sealValue(sealing.key, subjectId, record['requestedBy'], sealing.id)));
      return { ...record, requestedBy };
    });
  }
}

export interface RetentionResult {
  /** the subjects whose keys were destroyed by this run */
  destroyed: string[];
  /** the last month now past the period (YYYY-MM) */
  throughMonth: string;
}

/**
 * `privacy-ledger retention`: destroys the keys of every month bucket past
 * the period, from the month before the log's first event (a read is
 * recorded with its own, slightly earlier instant) to the last expired
 * month. Destroying is idempotent: a month already destroyed, or never
 * used, is skipped.
 */
export class Retention {
  constructor(
    private readonly keys: KeyStore,
    private readonly events: EventStore,
    private readonly policy: RetentionPolicy,
  ) {}

  async run(): Promise<RetentionResult> {
    const throughMonth = this.policy.lastExpiredMonth();
    const [first] = await this.events.readAll({ maxCount: 1 });
    const destroyed: string[] = [];
    if (first) {
      for (let month = previousMonth(first.occurredAt.slice(0, 7)); month <= throughMonth; month = nextMonth(month)) {
        for (const prefix of RETENTION_BUCKET_PREFIXES) {
          const subjectId = `${prefix}${month}`;
          // the key store tells this process's caches (src/privacy/forgetting.ts)
          if (await this.keys.destroy(subjectId)) destroyed.push(subjectId);
        }
      }
    }
    return { destroyed, throughMonth };
  }
}

function nextMonthStart(month: string): number {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return Date.UTC(year, m, 1); // m is 1-based: Date.UTC's month m is the next one
}

function nextMonth(month: string): string {
  return new Date(nextMonthStart(month)).toISOString().slice(0, 7);
}

function previousMonth(month: string): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, m - 2, 1)).toISOString().slice(0, 7);
}
