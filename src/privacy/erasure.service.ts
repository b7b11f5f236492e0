import { assertNever } from '../assert-never.js';
import type { Clock } from '../clock.js';
import { NotFoundError } from '../errors.js';
import type { CommandHandler } from '../events/command-handler.js';
import type { ErasedSubject } from '../events/erasure.events.js';
import type { CommandContext } from '../events/event-codec.js';
import { idempotencySubject, type Idempotency } from '../events/idempotency.js';
import { offerDecider } from '../events/offer/offer.commands.js';
import { offerStream } from '../events/offer/offer.events.js';
import { publisherDecider } from '../events/publisher/publisher.commands.js';
import { publisherStream } from '../events/publisher/publisher.events.js';
import type { IdempotentInput } from '../events/publisher/publisher.service.js';
import { requireId } from '../events/publisher/publisher.validation.js';
import { aadAccountSubject, contactSubject, offerSupportSubject } from './classification.js';
import type { AccountActors } from './account-actors.js';
import type { KeyStore } from './key-store.js';
import type { PersonalDataCodec } from './personal-data-codec.js';

/** Which person to erase: the contact, one AAD account (by account id), or an offer's customer-service contacts. */
export type ErasureTarget = 'CONTACT' | 'AAD_ACCOUNT' | 'OFFER_SUPPORT';

export interface ErasePersonalDataInput extends IdempotentInput {
  publisherId: string;
  target: ErasureTarget;
  accountId?: string | null;
  offerId?: string | null;
}

export interface ErasureResult {
  /** the data subjects whose keys are now destroyed */
  subjectIds: string[];
  /** the last log position among the streams it touched (read-your-writes) */
  position: number;
}

/** Lists every offer a publisher ever created, deleted ones included. */
export interface OfferIds {
  offerIdsOf(publisherId: string): Promise<string[]>;
}

/**
 * Erasure by crypto-shredding. Each erasure first appends its
 * `PersonalDataErased` facts (free of personal data) to the streams that own
 * the subjects, then destroys the subjects' keys, then drops what this
 * process remembers of them (cached states, opened values). That order is
 * retry-safe: a crash after the append leaves a key that the retry destroys
 * (the decider sees the subject erased and appends nothing again); a crash
 * before it leaves nothing done. The privacy request record (ERASURE) is
 * derived from the events by the privacy-request projection.
 */
export class ErasureService {
  constructor(
    private readonly handler: CommandHandler,
    private readonly keys: KeyStore,
    private readonly personalData: PersonalDataCodec,
    private readonly offers: OfferIds,
    private readonly clock: Clock,
    private readonly idempotency: Idempotency,
    /** the erased accounts' people, forgotten as actors before their keys go */
    private readonly accountActors: AccountActors,
  ) {}

  async erase(input: ErasePersonalDataInput, context: CommandContext): Promise<ErasureResult> {
    const publisherId = requireId('publisherId', input.publisherId);
    const now = this.clock.now().toISOString();
    const mark = (fingerprinted: unknown) =>
      input.idempotencyKey ? { idempotency: this.idempotency.mark(input.idempotencyKey, 'erasePersonalData', fingerprinted) } : {};
    switch (input.target) {
      case 'CONTACT':
      case 'AAD_ACCOUNT': {
        const subject: Extract<ErasedSubject, { kind: 'contact' | 'aadAccount' }> =
          input.target === 'CONTACT' ? { kind: 'contact' } : { kind: 'aadAccount', accountId: requireId('accountId', input.accountId ?? '') };
        const streamId = publisherStream(publisherId);
        const result = await this.handler.handle(publisherDecider, streamId, { type: 'ErasePublisherSubject', data: { publisherId, subject, now } }, {
          context,
          ...mark({ publisherId, subject }),
        });
        const subjectId = subject.kind === 'contact' ? contactSubject(publisherId) : aadAccountSubject(publisherId, subject.accountId);
        if (subject.kind === 'aadAccount') await this.accountActors.forget(publisherId, [subject.accountId]);
        await this.shred([subjectId], [streamId]);
        return { subjectIds: [subjectId], position: result.position };
      }
      case 'OFFER_SUPPORT': {
        const offerId = requireId('offerId', input.offerId ?? '');
        const streamId = offerStream(offerId);
        const offer = await this.handler.load(offerDecider, streamId);
        if (offer.state.status === 'none' || offer.state.publisherId !== publisherId) throw new NotFoundError('offer', offerId);
        const result = await this.handler.handle(offerDecider, streamId, { type: 'EraseOfferSupport', data: { offerId, scope: 'subject', now } }, {
          context,
          ...mark({ publisherId, offerId }),
        });
        await this.shred([offerSupportSubject(offerId)], [streamId]);
        return { subjectIds: [offerSupportSubject(offerId)], position: result.position };
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
  async closeAccount(input: IdempotentInput & { publisherId: string }, context: CommandContext): Promise<ErasureResult> {
    const publisherId = requireId('publisherId', input.publisherId);
    const now = this.clock.now().toISOString();
    const streamId = publisherStream(publisherId);
    const closed = await this.handler.handle(publisherDecider, streamId, { type: 'ClosePublisherAccount', data: { publisherId, now } }, {
      context,
      ...(input.idempotencyKey ? { idempotency: this.idempotency.mark(input.idempotencyKey, 'closePublisherAccount', { publisherId }) } : {}),
    });
    if (closed.state.status !== 'registered') throw new NotFoundError('publisher', publisherId);
    const subjectIds = [contactSubject(publisherId), ...closed.state.erasure.accountIds.map((id) => aadAccountSubject(publisherId, id))];
    const streamIds = [streamId];
    const offerIds = await this.offers.offerIdsOf(publisherId);
    // Concurrently: the event store commits concurrent appends together (one sync for all).
    const withdrawn = await Promise.all(offerIds.map((offerId) =>
      this.handler.handle(offerDecider, offerStream(offerId), { type: 'EraseOfferSupport', data: { offerId, scope: 'account', now } }, { context }),
    ));
    subjectIds.push(...offerIds.map(offerSupportSubject));
    streamIds.push(...offerIds.map(offerStream));
    await this.accountActors.forget(publisherId, closed.state.erasure.accountIds);
    await this.shred(subjectIds, streamIds);
    return { subjectIds, position: Math.max(closed.position, ...withdrawn.map((offer) => offer.position)) };
  }

  /** Destroys the keys (again, on a retry), then forgets the plaintext this process holds. */
  private async shred(subjectIds: readonly string[], streamIds: readonly string[]): Promise<void> {
    // and the streams' idempotency keys, under which fingerprints of the erased input were taken
    await this.keys.destroyMany([...subjectIds, ...streamIds.map(idempotencySubject)]);
    for (const subjectId of subjectIds) this.personalData.forget(subjectId);
    for (const streamId of streamIds) this.handler.forget(streamId);
  }
}
