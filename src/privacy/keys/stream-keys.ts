import type { RecordedEvent } from '../../events/store/event-envelope.js';
import { idempotencySubject, type IdempotencyMark } from '../../events/idempotency.js';
import {
  aadAccountSubject,
  contactSubject,
  disclosureRecipientsSubject,
  offerSupportSubject,
} from '../data-subjects.js';
import type { KeyRef } from './key-store.js';
import { isPersonalValue } from '../personal-value.js';

/**
 * Which data keys a stream's values were sealed under, by subject, and which
 * keys its erasures retired. Folded from the stored (sealed) events, so it
 * needs no key: a value's key id is in its `k`.
 *
 * This is what makes erasure linearisable with writes. An erasure records the
 * key ids it destroys (`keyIds` of PersonalDataErased: the subject's live
 * keys at the revision it appends after), and destroys exactly those. A write
 * decided after that erasure sees the key retired and seals under a fresh key
 * (destroying the retired one first, which finishes an erasure a crash
 * interrupted); a write decided before it conflicts with it on the stream's
 * revision. So a key is never destroyed under a value acknowledged after the
 * erasure that destroys it.
 *
 * An erasure recorded before key ids were (no `keyIds`) retires every key
 * its subject's values were sealed under before it: what it destroyed then.
 *
 * The stream's idempotency keys are tracked the same way: a keyed change of
 * personal input names the key its fingerprint was taken under
 * (IdempotencyMark.keyId), and an erasure that erases something records
 * them (`idempotencyKeyIds`), under the subject `idempotency/<stream>`.
 */
export class StreamKeys {
  static readonly none = new StreamKeys(new Map(), new Map());

  private constructor(
    /** subject id -> key ids of its values not yet retired */
    private readonly live: ReadonlyMap<string, ReadonlySet<string>>,
    /** key id -> subject id, for every key an erasure of the stream retired */
    private readonly retiredIds: ReadonlyMap<string, string>,
  ) {}

  /** These keys with `recorded` (the stream's next stored events, in order) folded in. */
  with(recorded: readonly RecordedEvent[]): StreamKeys {
    if (recorded.length === 0 || !this.changedBy(recorded)) return this;
    const live = new Map([...this.live].map(([subjectId, ids]) => [subjectId, new Set(ids)]));
    const retired = new Map(this.retiredIds);
    for (const event of recorded) {
      const erased = event.type === 'PersonalDataErased' ? erasureOf(event.data) : undefined;
      if (erased) {
        const retire = (subjectId: string, ids: readonly string[]) => {
          for (const keyId of ids) {
            retired.set(keyId, subjectId);
            live.get(subjectId)?.delete(keyId);
          }
        };
        retire(erased.subjectId, erased.keyIds ?? [...(live.get(erased.subjectId) ?? [])]);
        retire(idempotencySubject(event.streamId), erased.idempotencyKeyIds ?? []);
        continue;
      }
      const note = (subjectId: string, keyId: string) => {
        if (retired.has(keyId)) return; // a value under a retired key is erased already (only a ledger from before key ids can hold one)
        let ids = live.get(subjectId);
        if (!ids) live.set(subjectId, (ids = new Set()));
        ids.add(keyId);
      };
      forEachKeyOf(event, note);
    }
    return new StreamKeys(live, retired);
  }

  /**
   * Whether folding `recorded` in changes anything: an erasure, or a value
   * under a key not noted yet. A stream's usual write seals under the keys
   * it already has; copying every subject's set for it was 15% of a durable
   * mutation's command on the request thread (the HTTP bench's profile).
   */
  private changedBy(recorded: readonly RecordedEvent[]): boolean {
    let changed = false;
    const check = (subjectId: string, keyId: string) => {
      if (!this.retiredIds.has(keyId) && !this.live.get(subjectId)?.has(keyId)) changed = true;
    };
    for (const event of recorded) {
      if (event.type === 'PersonalDataErased' && erasureOf(event.data)) return true;
      forEachKeyOf(event, check);
      if (changed) return true;
    }
    return false;
  }

  /** The key ids of the subject's values in this stream that no erasure retired yet (what erasing it now destroys). */
  liveKeyIds(subjectId: string): string[] {
    return [...(this.live.get(subjectId) ?? [])];
  }

  /** {@link liveKeyIds} of every subject with a live key in this stream. */
  liveKeyIdsBySubject(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [subjectId, ids] of this.live) if (ids.size > 0) out[subjectId] = [...ids];
    return out;
  }

  /** Whether an erasure recorded in this stream retired the key with this id (it must not seal anything again). */
  isRetired(keyId: string): boolean {
    return this.retiredIds.has(keyId);
  }

  /** Every subject with a value sealed in this stream, erased or not: whose erasure must drop what was opened of it. */
  subjects(): Set<string> {
    return new Set([...this.live.keys(), ...this.retiredIds.values()]);
  }

  /** Every key the stream's erasures retired: what destroying again finishes an interrupted erasure with. */
  retired(): KeyRef[] {
    return [...this.retiredIds].map(([keyId, subjectId]) => ({ subjectId, keyId }));
  }
}

/** The data subject a stored PersonalDataErased names, and the key ids it recorded (absent in older events). */
export function erasureOf(
  data: Record<string, unknown>,
): { subjectId: string; keyIds?: readonly string[]; idempotencyKeyIds?: readonly string[] } | undefined {
  const subject = data['subject'] as { kind?: unknown; accountId?: unknown } | undefined;
  const idsAt = (field: string) =>
    Array.isArray(data[field]) ? { [field]: (data[field] as unknown[]).map(String) } : {};
  const keyIds = { ...idsAt('keyIds'), ...idsAt('idempotencyKeyIds') };
  switch (subject?.kind) {
    case 'contact':
      return { subjectId: contactSubject(String(data['publisherId'])), ...keyIds };
    case 'aadAccount':
      return { subjectId: aadAccountSubject(String(data['publisherId']), String(subject.accountId)), ...keyIds };
    case 'offerSupport':
      return { subjectId: offerSupportSubject(String(data['offerId'])), ...keyIds };
    case 'disclosureRecipients':
      return { subjectId: disclosureRecipientsSubject(String(data['publisherId'])), ...keyIds };
    default:
      return undefined;
  }
}

/** Calls `visit` with the subject and key id of every sealed value of a stored event, and of its idempotency mark's key. */
function forEachKeyOf(event: RecordedEvent, visit: (subjectId: string, keyId: string) => void): void {
  forEachSealed(event.data, visit);
  forEachSealed(event.metadata, visit);
  const keyId = (event.metadata['idempotency'] as IdempotencyMark | undefined)?.keyId;
  if (keyId) visit(idempotencySubject(event.streamId), keyId);
}

/** Calls `visit` with the subject and key id of every sealed value in a stored document. */
function forEachSealed(value: unknown, visit: (subjectId: string, keyId: string) => void): void {
  if (typeof value !== 'object' || value === null) return;
  if (isPersonalValue(value)) return visit(value.s, value.k);
  for (const item of Array.isArray(value) ? value : Object.values(value)) forEachSealed(item, visit);
}
