import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { unlessForeign } from '../auth/foreign-id.js';
import { parseInstant } from '../history/point-in-time.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { requireId } from '../events/publisher/publisher.validation.js';
import type { PublisherChange } from '../events/publisher/publisher.service.js';
import {
  RegisterPublisherInput,
  ReviewPublisherInput,
  UpdateContactPreferencesInput,
  UpdatePublisherContactInput,
} from '../schema/publisher.input.js';
import { PublisherPayload, PublisherType } from '../schema/publisher.type.js';
import { publisherView } from '../projections/publisher/publisher.queries.js';
import type { RequestContext } from './context.js';

/** Publishers. Reading `contact` or `aadUsers` is recorded as a view (./read-audit.ts). */
@Resolver(() => PublisherType)
export class PublisherResolver {
  @Query(() => PublisherType, {
    nullable: true,
    description:
      'A publisher by id. With `minPosition`, waits (bounded) until the read models include that log position. With `asOf`, the publisher exactly as it stood at that instant, folded from its log (NOT_FOUND before it registered).',
  })
  async publisher(
    @Arg('id', () => ID, { description: 'The publisher id.' }) id: string,
    @Arg('minPosition', () => String, {
      nullable: true,
      description: 'A log position returned by a mutation: read at least that far.',
    })
    minPosition: string | null,
    @Arg('asOf', () => String, {
      nullable: true,
      description: 'An instant (ISO-8601 with a zone): show the publisher as it stood then.',
    })
    asOf: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<PublisherType> {
    const publisherId = requireId('id', id);
    if (asOf != null)
      return orNotFound(
        'publisher',
        publisherId,
        await ctx.services.pointInTime.publisher(publisherId, parseInstant('asOf', asOf)),
      );
    if (minPosition != null) await ctx.services.waitForPosition(parsePosition(minPosition));
    return orNotFound('publisher', publisherId, await ctx.loaders.publisher.load(publisherId));
  }

  @Mutation(() => PublisherPayload, {
    description:
      'Registers a new publisher with its contact person. The signed-in account (from the token) becomes its first AAD account.',
  })
  async registerPublisher(
    @Arg('input', () => RegisterPublisherInput, { description: 'The publisher to register.' })
    input: RegisterPublisherInput,
    @Ctx() ctx: RequestContext,
  ): Promise<PublisherPayload> {
    // Whoever registers it becomes its first AAD account.
    const { id: objectId, userPrincipalName, displayName } = ctx.principal;
    const registrant = { objectId, userPrincipalName, displayName };
    return toPayload(
      await unlessForeign('registerPublisher', input.id, ctx, () =>
        ctx.services.publishers.register(input, ctx.command, registrant),
      ),
    );
  }

  @Mutation(() => PublisherPayload, {
    description:
      "Changes a publisher's company name or contact person. Records only the fields that changed; a change that changes nothing records nothing.",
  })
  async updatePublisherContact(
    @Arg('input', () => UpdatePublisherContactInput, { description: 'What to change, and the version edited.' })
    input: UpdatePublisherContactInput,
    @Ctx() ctx: RequestContext,
  ): Promise<PublisherPayload> {
    return toPayload(await ctx.services.publishers.updateContact(input, ctx.command));
  }

  @Mutation(() => PublisherPayload, {
    description: 'Replaces how the publisher agrees to be contacted. Setting the same preferences records nothing.',
  })
  async updateContactPreferences(
    @Arg('input', () => UpdateContactPreferencesInput, { description: 'The new preferences and the version edited.' })
    input: UpdateContactPreferencesInput,
    @Ctx() ctx: RequestContext,
  ): Promise<PublisherPayload> {
    return toPayload(await ctx.services.publishers.updateContactPreferences(input, ctx.command));
  }

  @Mutation(() => PublisherPayload, {
    description:
      "An operator approves a publisher's registration (pending or rejected); the publisher may then publish offers.",
  })
  async approvePublisher(
    @Arg('input', () => ReviewPublisherInput, { description: 'The publisher and the version reviewed.' })
    input: ReviewPublisherInput,
    @Ctx() ctx: RequestContext,
  ): Promise<PublisherPayload> {
    return toPayload(await ctx.services.publishers.approve(input, ctx.command));
  }

  @Mutation(() => PublisherPayload, {
    description: 'An operator rejects a pending registration, with a reason the publisher can read.',
  })
  async rejectPublisher(
    @Arg('input', () => ReviewPublisherInput, { description: 'The publisher, the version reviewed and the reason.' })
    input: ReviewPublisherInput,
    @Ctx() ctx: RequestContext,
  ): Promise<PublisherPayload> {
    return toPayload(await ctx.services.publishers.reject({ ...input, reason: input.reason ?? '' }, ctx.command));
  }
}

/** The record, or NOT_FOUND. */
export function orNotFound<T>(what: string, id: string, record: T | null): T {
  if (!record) throw new NotFoundError(what, id);
  return record;
}

/** A `minPosition` argument: a log position as a string of digits. */
export function parsePosition(value: string): number {
  const position = Number(value);
  if (!/^\d{1,16}$/.test(value) || !Number.isSafeInteger(position)) {
    throw new ValidationError('minPosition', 'must be a log position returned by a mutation');
  }
  return position;
}

/** A change as the API returns it: the publisher after it, its version and log position. */
export function toPayload(change: PublisherChange): PublisherPayload {
  const { publisher, version, position } = change;
  return {
    publisher: publisherView(publisher, version),
    version,
    position: String(position),
  };
}
