import type { Clock, IdGenerator } from '../../clock.js';
import { IllegalStateError, NotFoundError, validateAll } from '../../errors.js';
import type { CommandHandler, CommandResult } from '../command-handler.js';
import type { CommandContext } from '../store/event-codec.js';
import type { ActorReferences } from '../../privacy/actor-references.js';
import type { Idempotency } from '../idempotency.js';
import { CLOSED_RULE, publisherDecider } from '../publisher/publisher.commands.js';
import { publisherStream } from '../publisher/publisher.events.js';
import type { IdempotentInput } from '../publisher/publisher.service.js';
import { requireId, requireText } from '../publisher/publisher.validation.js';
import { offerDecider, type OfferCommand } from './offer.commands.js';
import { offerStream, type LiveOfferState, type OfferState } from './offer.events.js';
import { requireOfferKind, requireSupportContacts, type SupportContactInput } from './offer.validation.js';

export interface OfferChange extends Omit<CommandResult<OfferState>, 'state'> {
  offer: LiveOfferState | null;
}

interface OfferRef extends IdempotentInput {
  id: string;
  expectedVersion: number;
}

/** The offer's use cases: validate, normalise, check the publisher, run the command. */
export class OfferService {
  constructor(
    private readonly handler: CommandHandler,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly idempotency: Idempotency,
    private readonly actors: ActorReferences,
  ) {}

  async create(
    input: IdempotentInput & { id?: string | null; publisherId: string; name: string; kind: string },
    context: CommandContext,
  ): Promise<OfferChange> {
    const valid = validateAll({
      publisherId: () => requireId('publisherId', input.publisherId),
      offerId: () => (input.id ? requireId('id', input.id) : undefined),
      name: () => requireText('name', input.name, 200),
      kind: () => requireOfferKind('kind', input.kind),
    });
    const { publisherId } = valid;
    const publisher = await this.handler.load(publisherDecider, publisherStream(publisherId));
    if (publisher.state.status !== 'registered') throw new NotFoundError('publisher', publisherId);
    if (publisher.state.registrationStatus === 'CLOSED') {
      throw new IllegalStateError(
        'publisherId',
        CLOSED_RULE,
        `the account of publisher ${publisherId} is closed: it accepts no further changes`,
      );
    }
    const offerId =
      valid.offerId ??
      (input.idempotencyKey
        ? this.idempotency.derivedId(await this.actors.idOf(context.actor, publisherId), input.idempotencyKey)
        : this.ids.next());
    const data = { offerId, publisherId, name: valid.name, kind: valid.kind, now: this.now() };
    return this.run(offerId, { type: 'CreateOffer', data }, context, input);
  }

  async updateCustomerService(
    input: OfferRef & { supportContacts: SupportContactInput[] },
    context: CommandContext,
  ): Promise<OfferChange> {
    const offerId = requireId('id', input.id);
    const data = {
      offerId,
      supportContacts: requireSupportContacts('supportContacts', input.supportContacts),
      now: this.now(),
    };
    return this.run(offerId, { type: 'UpdateOfferCustomerService', data }, context, input);
  }

  /** Needs an approved publisher, read from the publisher's own stream (not a read model that may lag). */
  async publish(input: OfferRef, context: CommandContext): Promise<OfferChange> {
    const offerId = requireId('id', input.id);
    const offer = await this.handler.load(offerDecider, offerStream(offerId));
    let publisherApproved = false;
    if (offer.state.status === 'DRAFT' || offer.state.status === 'PUBLISHED') {
      const publisher = await this.handler.load(publisherDecider, publisherStream(offer.state.publisherId));
      publisherApproved = publisher.state.status === 'registered' && publisher.state.registrationStatus === 'APPROVED';
    }
    return this.run(
      offerId,
      { type: 'PublishOffer', data: { offerId, publisherApproved, now: this.now() } },
      context,
      input,
    );
  }

  async delete(input: OfferRef, context: CommandContext): Promise<OfferChange> {
    const offerId = requireId('id', input.id);
    return this.run(offerId, { type: 'DeleteOffer', data: { offerId, now: this.now() } }, context, input);
  }

  private now(): string {
    return this.clock.now().toISOString();
  }

  private async run(
    offerId: string,
    command: OfferCommand,
    context: CommandContext,
    input: IdempotentInput & { expectedVersion?: number },
  ): Promise<OfferChange> {
    const { now: _now, ...fingerprinted } = command.data;
    const { state, ...result } = await this.handler.handle(offerDecider, offerStream(offerId), command, {
      context,
      ...(input.expectedVersion !== undefined ? { expectedVersion: input.expectedVersion } : {}),
      ...(input.idempotencyKey
        ? {
            idempotency: await this.idempotency.markPersonal(
              input.idempotencyKey,
              command.type,
              fingerprinted,
              offerStream(offerId),
            ),
          }
        : {}),
    });
    return { ...result, offer: state.status === 'DRAFT' || state.status === 'PUBLISHED' ? state : null };
  }
}
