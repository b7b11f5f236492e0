import { assertNever } from '../../assert-never.js';
import type { Clock } from '../../clock.js';
import { NotFoundError } from '../../errors.js';
import type { CommandHandler, CommandResult } from '../command-handler.js';
import type { ErasedSubject, KeyIdsBySubject } from './erasure.events.js';
import type { CommandContext } from '../store/event-codec.js';
import { idempotencySubject, type Idempotency } from '../idempotency.js';
import { disclosureDecider } from '../disclosure/disclosure.commands.js';
import { disclosureStream } from '../disclosure/disclosure.events.js';
import { offerDecider } from '../offer/offer.commands.js';
import { offerStream } from '../offer/offer.events.js';
import { publisherDecider } from '../publisher/publisher.commands.js';
import { publisherStream } from '../publisher/publisher.events.js';
import type { IdempotentInput } from '../publisher/publisher.service.js';
import { requireId } from '../publisher/publisher.validation.js';
import {
  aadAccountSubject,
  contactSubject,
  disclosureRecipientsSubject,
  offerSupportSubject,
} from '../../privacy/data-subjects.js';
import type { AccountActors } from '../../privacy/account-actors.js';
import type { KeyStore } from '../../privacy/keys/key-store.js';
import { keyIdOf } from '../../privacy/personal-value.js';
import { erasureOf, type StreamKeys } from '../../privacy/keys/stream-keys.js';

/** Which person to erase: the contact, one AAD account (by account id), or an offer's customer-service contacts. */
export type ErasureTarget = 'CONTACT' | 'AAD_ACCOUNT' | 'OFFER_SUPPORT';

export interface ErasePersonalDataInput extends IdempotentInput {
  publisherId: string;
  target: ErasureTarget;
  accountId?: string | null;
  offerId?: string | null;
}

export interface ErasureResult {
  /** the data subjects this erasure erased (none when they were erased already) */
  subjectIds: string[];
  /** the last log position among the streams it touched (read-your-writes) */
  position: number;
}

/** Lists every offer a publisher ever created, deleted ones included. */
export interface OfferIds {
  offerIdsOf(publisherId: string): Promise<string[]>;
}

/**
 * Erasure by crypto-shredding, linearisable with writes. Each erasure first
 * appends its `PersonalDataErased` facts (free of personal data) to the
 * streams that own the subjects, each naming the key ids it destroys (the
 * subject's live keys in the stream at the revision it appends after: a
 * racing write makes the append conflict and the erasure decide again), then
 * destroys exactly the keys the streams' erasures recorded, which drops what
 * this process remembers of them (cached states, opened values). A write
 * decided after the erasure seals under a fresh key (src/privacy/keys/stream-keys.ts).
 * Retry-safe: a crash after the append leaves keys that the retry (or the
 * next write of the subject) destroys, and the retry appends nothing again;
 * a crash before it leaves nothing done. An erasure with nothing left to
 * erase appends nothing, answers no subject and destroys no live key. The
 * privacy request record (ERASURE) is derived from the events by the
 * privacy-request projection.
 */
export class ErasureService {
  constructor(
    private readonly handler: CommandHandler,
    private readonly keys: KeyStore,
    private readonly offers: OfferIds,
    private readonly clock: Clock,
    private readonly idempotency: Idempotency,
    /** the erased accounts' people, forgotten as actors (their grants revoked) before their keys go */
    private readonly accountActors: AccountActors,
  ) {}

  async erase(input: ErasePersonalDataInput, context: CommandContext): Promise<ErasureResult> {
    const publisherId = requireId('publisherId', input.publisherId);
    const now = this.clock.now().toISOString();
    const mark = (fingerprinted: unknown) =>
      input.idempotencyKey
        ? { idempotency: this.idempotency.mark(input.idempotencyKey, 'erasePersonalData', fingerprinted) }
        : {};
    switch (input.target) {
      case 'CONTACT':
      case 'AAD_ACCOUNT': {
        const subject: Extract<ErasedSubject, { kind: 'contact' | 'aadAccount' }> =
          input.target === 'CONTACT'
            ? { kind: 'contact' }
            : { kind: 'aadAccount', accountId: requireId('accountId', input.accountId ?? '') };
        const streamId = publisherStream(publisherId);
        const liveKeyIds = await this.liveKeyIds(streamId);
        const result = await this.handler.handle(
          publisherDecider,
          streamId,
          (keys) => ({ type: 'ErasePublisherSubject', data: { publisherId, subject, keyIds: liveKeyIds(keys), now } }),
          { context, ...mark({ publisherId, subject }) },
        );
        const revoked =
          subject.kind === 'aadAccount'
            ? await this.accountActors.forget(publisherId, [subject.accountId], context.correlationId)
            : 0;
        await this.shred([{ streamId, result }]);
        const subjectId =
          subject.kind === 'contact' ? contactSubject(publisherId) : aadAccountSubject(publisherId, subject.accountId);
        // a retry under the same idempotency key answers as the first attempt, which erased the subject
        return {
          subjectIds: result.replayed ? [subjectId] : erasedBy(result),
          position: Math.max(result.position, revoked),
        };
      }
      case 'OFFER_SUPPORT': {
        const offerId = requireId('offerId', input.offerId ?? '');
        const streamId = offerStream(offerId);
        const offer = await this.handler.load(offerDecider, streamId);
        if (offer.state.status === 'none' || offer.state.publisherId !== publisherId)
          throw new NotFoundError('offer', offerId);
        const liveKeyIds = await this.liveKeyIds(streamId);
        const result = await this.handler.handle(
          offerDecider,
          streamId,
          (keys) => ({ type: 'EraseOfferSupport', data: { offerId, scope: 'subject', keyIds: liveKeyIds(keys), now } }),
          { context, ...mark({ publisherId, offerId }) },
        );
        await this.shred([{ streamId, result }]);
        return {
          subjectIds: result.replayed ? [offerSupportSubject(offerId)] : erasedBy(result),
          position: result.position,
        };
      }
      default:
        return assertNever(input.target);
    }
  }

  /**
   * Erases every person of the publisher (the contact, every AAD account ever
   * added, every offer's contacts, deleted offers included), withdraws its
   * offers and closes the account. The publisher's stream is closed first, so
   * no offer can be created meanwhile; a retry finishes what a crash left.
   */
  async closeAccount(
    input: IdempotentInput & { publisherId: string },
    context: CommandContext,
  ): Promise<ErasureResult> {
    const publisherId = requireId('publisherId', input.publisherId);
    const now = this.clock.now().toISOString();
    const streamId = publisherStream(publisherId);
    const liveKeyIds = await this.liveKeyIds(streamId);
    const closed = await this.handler.handle(
      publisherDecider,
      streamId,
      (keys) => ({ type: 'ClosePublisherAccount', data: { publisherId, keyIds: liveKeyIds(keys), now } }),
      {
        context,
        ...(input.idempotencyKey
          ? { idempotency: this.idempotency.mark(input.idempotencyKey, 'closePublisherAccount', { publisherId }) }
          : {}),
      },
    );
    if (closed.state.status !== 'registered') throw new NotFoundError('publisher', publisherId);
    const offerIds = await this.offers.offerIdsOf(publisherId);
    // Concurrently: the event store commits concurrent appends together (one sync for all).
    const withdrawn = await Promise.all(
      offerIds.map(async (offerId) => {
        const offerStreamId = offerStream(offerId);
        const liveKeyIds = await this.liveKeyIds(offerStreamId);
        const result = await this.handler.handle(
          offerDecider,
          offerStreamId,
          (keys) => ({ type: 'EraseOfferSupport', data: { offerId, scope: 'account', keyIds: liveKeyIds(keys), now } }),
          { context },
        );
        return { streamId: offerStreamId, result };
      }),
    );
    const recipients = await this.disclosureRecipients(publisherId, now, context);
    const revoked = await this.accountActors.forget(
      publisherId,
      closed.state.erasure.accountIds,
      context.correlationId,
    );
    await this.shred([{ streamId, result: closed }, ...withdrawn, recipients]);
    // A retry under the same idempotency key answers what the first attempt erased, as the streams recorded it.
    const closure = closed.state.erasure.closure;
    const subjectIds = closed.replayed
      ? [
          ...(closure?.contact ? [contactSubject(publisherId)] : []),
          ...(closure?.accountIds ?? []).map((id) => aadAccountSubject(publisherId, id)),
          ...withdrawn.flatMap(({ result }) =>
            result.state.status === 'DELETED' && result.state.erasedByClosure
              ? [offerSupportSubject(result.state.id)]
              : [],
          ),
          ...(recipients.result.state.closed ? [disclosureRecipientsSubject(publisherId)] : []),
        ]
      : [closed, ...withdrawn.map(({ result }) => result), recipients.result].flatMap(erasedBy);
    return {
      subjectIds,
      position: Math.max(
        closed.position,
        ...withdrawn.map(({ result }) => result.position),
        recipients.result.position,
        revoked,
      ),
    };
  }

  /**
   * Erases the recipients of a closed publisher's disclosures: part of
   * closing the account, and called again by DisclosureService for a
   * disclosure recorded while the account was closing (it found the
   * publisher open, then appended after the closure had found nothing to
   * erase). Nothing to erase: nothing appended.
   */
  async eraseDisclosureRecipients(publisherId: string, context: CommandContext): Promise<void> {
    await this.shred([await this.disclosureRecipients(publisherId, this.clock.now().toISOString(), context)]);
  }

  private async disclosureRecipients(publisherId: string, now: string, context: CommandContext) {
    const streamId = disclosureStream(publisherId);
    const result = await this.handler.handle(
      disclosureDecider,
      streamId,
      (keys) => ({ type: 'EraseDisclosureRecipients', data: { publisherId, keyIds: keys.liveKeyIdsBySubject(), now } }),
      { context },
    );
    return { streamId, result };
  }

  /**
   * What an erasure of the stream records, from the stream's keys at the
   * revision it is decided on: the live key ids by subject, the stream's
   * idempotency keys included. Fingerprints taken before marks named their
   * key (no IdempotencyMark.keyId) were taken under the stream's current
   * idempotency key: its id is looked up here and recorded too.
   */
  private async liveKeyIds(streamId: string): Promise<(keys: StreamKeys) => KeyIdsBySubject> {
    const subjectId = idempotencySubject(streamId);
    const current = (await this.keys.getMany([subjectId])).get(subjectId);
    const currentId = current && keyIdOf(current);
    current?.fill(0);
    return (keys) => {
      const live = keys.liveKeyIdsBySubject();
      if (!currentId || keys.isRetired(currentId)) return live;
      return { ...live, [subjectId]: [...new Set([...(live[subjectId] ?? []), currentId])] };
    };
  }

  /**
   * Destroys the keys every erasure of these streams recorded, idempotency
   * keys included (again, on a retry: those are retired for good, so this
   * never touches a key a later write sealed or fingerprinted under). The
   * key store tells every cache of this process that holds their plaintext
   * (src/privacy/forgetting.ts).
   */
  private async shred(streams: ReadonlyArray<{ streamId: string; result: CommandResult<unknown> }>): Promise<void> {
    const retired = streams.flatMap(({ result }) => result.keys.retired());
    await this.keys.destroyKeys(retired);
  }
}

/** The subjects of the erasures a command appended. */
function erasedBy(result: CommandResult<unknown>): string[] {
  return result.appended.flatMap((event) => {
    const erased = event.type === 'PersonalDataErased' ? erasureOf(event.data) : undefined;
    return erased ? [erased.subjectId] : [];
  });
}
