import type { EventStore, StoredEvent } from '../store/event-store.js';
import { idempotencySubject } from '../idempotency.js';
import type { ReadStore } from '../../projections/store/read-store.js';
import type { KeyRef, KeyStore } from '../../privacy/keys/key-store.js';
import { erasureOf } from '../../privacy/keys/stream-keys.js';

/** Where the scan of the log for erasures got to (a checkpoint of the read store, not a projection). */
export const ERASURES_CHECKED = 'erasures-finished';

const BATCH = 2500;

/** Forgets the people behind erased AAD accounts, their grants revoked first (src/privacy/account-actors.ts). */
export interface AccountPeople {
  forget(publisherId: string, accountIds: readonly string[], correlationId: string): Promise<unknown>;
}

/**
 * Finishes the erasures a crash interrupted. An erasure appends its
 * `PersonalDataErased` (naming the key ids it destroys) and then destroys
 * those keys; a process that dies in between leaves values readable that
 * the log says are erased, until the caller retries or the next write of
 * that person. On start the server reads the log from where the last such
 * scan ended and destroys every key an erasure recorded (a key destroyed
 * already is skipped by the store), before it serves anything, so no cache
 * of this process can hold a value opened under such a key.
 *
 * An erased AAD account whose key is still there had its person not
 * forgotten yet either (erasure forgets, then destroys: the object id is
 * read under that key): they are forgotten first, their grants revoked, as
 * the erasure would have (a retry after this would find nothing to read).
 *
 * Erasures recorded before key ids existed name none; the erasure service of
 * that build destroyed the subject's keys by itself, and a retry still does.
 * Returns the keys destroyed now (the key store tells this process's caches).
 */
export async function finishInterruptedErasures(
  events: EventStore,
  reads: ReadStore,
  keys: KeyStore,
  people?: AccountPeople,
): Promise<KeyRef[]> {
  let position = (await reads.getCheckpoint(ERASURES_CHECKED)) ?? 0;
  // scanned through here at least (a store that selects erasures by type returns no page for the rest)
  const head = await events.headPosition();
  const destroyed: KeyRef[] = [];
  for (;;) {
    // As stored: only erasures are parsed, so a start costs little more than reading the rows (or, where the
    // store selects them by type, than reading the erasures), and an event whose bytes were tampered with
    // (verify's to report) does not keep the server from starting.
    const batch = await events.readStored({ fromPosition: position, maxCount: BATCH, type: 'PersonalDataErased' });
    if (batch.length === 0) {
      if (head > position) await reads.write([], { name: ERASURES_CHECKED, position: head });
      return destroyed;
    }
    const erasures = batch.flatMap((event) => (event.type === 'PersonalDataErased' ? erasureIn(event) : []));
    const recorded = erasures.flatMap(({ event, erased }): KeyRef[] => {
      const idempotency = idempotencySubject(event.streamId);
      return [
        ...(erased.keyIds ?? []).map((keyId) => ({ subjectId: erased.subjectId, keyId })),
        ...(erased.idempotencyKeyIds ?? []).map((keyId) => ({ subjectId: idempotency, keyId })),
      ];
    });
    if (people) await forgetPeople(erasures, keys, people);
    if (recorded.length > 0) {
      destroyed.push(...(await keys.destroyKeys(recorded)));
    }
    position = batch.at(-1)!.position;
    await reads.write([], { name: ERASURES_CHECKED, position });
  }
}

/** The people of the batch's AAD account erasures whose account key is still there (the others were forgotten then). */
async function forgetPeople(erasures: readonly Erasure[], keys: KeyStore, people: AccountPeople): Promise<void> {
  const accounts = erasures.flatMap(({ event, data, erased }) => {
    const subject = data['subject'] as { kind?: unknown; accountId?: unknown };
    if (subject.kind !== 'aadAccount') return [];
    return [
      {
        publisherId: String(data['publisherId']),
        accountId: String(subject.accountId),
        subjectId: erased.subjectId,
        event,
      },
    ];
  });
  if (accounts.length === 0) return;
  const live = await keys.getMany(accounts.map((account) => account.subjectId));
  for (const key of live.values()) key.fill(0);
  for (const { publisherId, accountId, subjectId, event } of accounts) {
    if (live.has(subjectId)) await people.forget(publisherId, [accountId], correlationIdOf(event.metadataJson));
  }
}

function correlationIdOf(metadataJson: string): string {
  try {
    const { correlationId } = JSON.parse(metadataJson) as { correlationId?: unknown };
    return typeof correlationId === 'string' ? correlationId : 'interrupted-erasure';
  } catch {
    return 'interrupted-erasure';
  }
}

/** An erasure as stored, its data parsed once, and the subject and keys it names. */
type Erasure = {
  event: StoredEvent;
  data: Record<string, unknown>;
  erased: NonNullable<ReturnType<typeof erasureOf>>;
};

function erasureIn(event: StoredEvent): Erasure[] {
  try {
    const data = JSON.parse(event.dataJson) as Record<string, unknown>;
    const erased = erasureOf(data);
    return erased ? [{ event, data, erased }] : [];
  } catch {
    return []; // not JSON any more: tampered, and `verify` names it; nothing here can say which keys it meant
  }
}
